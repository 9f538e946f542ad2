-- check:    village_year_negative
-- severity: error
-- zh:       人口或户数不能为负数
-- en:       population and household counts cannot be negative
select 'village_year' as table_name, _row as row_number,
       case when rural_population < 0 then 'rural_population' else 'households_total' end as column_name,
       cast(least(rural_population, households_total) as varchar) as value, null as detail
from stg_village_year
where rural_population < 0 or households_total < 0
