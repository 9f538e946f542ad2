-- check:    regions_parent_missing
-- severity: error
-- zh:       上级代码在区划表中不存在
-- en:       parent_code is not a code in the regions file
select 'regions' as table_name, r._row as row_number, 'parent_code' as column_name,
       r.parent_code as value, null as detail
from stg_regions as r
where r.parent_code is not null
  and not exists (select 1 from stg_regions as p where p.code = r.parent_code)
