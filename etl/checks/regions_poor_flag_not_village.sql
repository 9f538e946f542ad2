-- check:    regions_poor_flag_not_village
-- severity: warning
-- zh:       “是否贫困村”只适用于村，本行不是村，该值被忽略
-- en:       is_poor_village applies to villages only; ignored on this row
select 'regions' as table_name, _row as row_number, 'is_poor_village' as column_name,
       cast(is_poor_village as varchar) as value, null as detail
from stg_regions
where is_poor_village and level <> '村'
