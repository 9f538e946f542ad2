-- check:    village_year_not_village
-- severity: error
-- zh:       区划代码不是区划表中的村
-- en:       village_code is not a village in the regions file
select 'village_year' as table_name, v._row as row_number, 'village_code' as column_name,
       v.village_code as value, null as detail
from stg_village_year as v
left join stg_regions as r on r.code = v.village_code
where v.village_code is not null and (r.code is null or r.level is distinct from '村')
