-- check:    regions_type_wrong_level
-- severity: warning
-- zh:       “地区类型”只在省或县上使用，本行的值被忽略
-- en:       region_type is used on province and county nodes only; ignored on this row
select 'regions' as table_name, _row as row_number, 'region_type' as column_name,
       cast(region_type as varchar) as value, null as detail
from stg_regions
where region_type is not null and level not in ('省', '县')
