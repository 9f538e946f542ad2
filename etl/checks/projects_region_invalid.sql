-- check:    projects_region_invalid
-- severity: error
-- zh:       项目的区划代码应为区划表中的乡镇或村
-- en:       a project's region_code must be a township or a village in the regions file
select 'projects' as table_name, p._row as row_number, 'region_code' as column_name,
       p.region_code as value, null as detail
from stg_projects as p
left join stg_regions as r on r.code = p.region_code
where p.region_code is not null and (r.code is null or r.level not in ('乡镇', '村'))
