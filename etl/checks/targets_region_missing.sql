-- check:    targets_region_missing
-- severity: error
-- zh:       区划代码在区划表中不存在
-- en:       region_code is not in the regions file
select 'targets' as table_name, t._row as row_number, 'region_code' as column_name,
       t.region_code as value, null as detail
from stg_targets as t
where t.region_code is not null
  and not exists (select 1 from stg_regions as r where r.code = t.region_code)
