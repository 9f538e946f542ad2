-- check:    households_village_not_village
-- severity: error
-- zh:       区划代码不是区划表中的村
-- en:       village_code is not a village in the regions file
select 'households' as table_name, h._row as row_number, 'village_code' as column_name,
       h.village_code as value, null as detail
from stg_households as h
left join stg_regions as r on r.code = h.village_code
where h.village_code is not null and (r.code is null or r.level is distinct from '村')
