-- check:    household_year_household_missing
-- severity: error
-- zh:       户编号在贫困户表中不存在
-- en:       household_id is not in the households file
select 'household_year' as table_name, y._row as row_number, 'household_id' as column_name,
       y.household_id as value, null as detail
from stg_household_year as y
where y.household_id is not null
  and not exists (select 1 from stg_households as h where h.household_id = y.household_id)
