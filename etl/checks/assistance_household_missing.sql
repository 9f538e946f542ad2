-- check:    assistance_household_missing
-- severity: error
-- zh:       户编号在贫困户表中不存在
-- en:       household_id is not in the households file
select 'assistance' as table_name, a._row as row_number, 'household_id' as column_name,
       a.household_id as value, null as detail
from stg_assistance as a
where a.household_id is not null
  and not exists (select 1 from stg_households as h where h.household_id = a.household_id)
