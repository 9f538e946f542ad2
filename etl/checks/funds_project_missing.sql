-- check:    funds_project_missing
-- severity: error
-- zh:       项目编号在扶贫项目表中不存在
-- en:       project_id is not in the projects file
select 'funds' as table_name, f._row as row_number, 'project_id' as column_name,
       f.project_id as value, null as detail
from stg_funds as f
where f.project_id is not null
  and not exists (select 1 from stg_projects as p where p.project_id = f.project_id)
