-- check:    monitoring_household_missing
-- severity: error
-- zh:       户编号在贫困户表中不存在
-- en:       household_id is not in the households file
select 'monitoring' as table_name, m._row as row_number, 'household_id' as column_name,
       m.household_id as value, null as detail
from stg_monitoring as m
where m.household_id is not null
  and not exists (select 1 from stg_households as h where h.household_id = m.household_id)
