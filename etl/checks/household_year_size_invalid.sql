-- check:    household_year_size_invalid
-- severity: error
-- zh:       家庭人口应为正整数
-- en:       household size must be a positive integer
select 'household_year' as table_name, _row as row_number, 'size' as column_name,
       cast(size as varchar) as value, null as detail
from stg_household_year
where size is not null and size <= 0
