-- check:    households_registered_attribute_missing
-- severity: error
-- zh:       建档立卡户（有“识别纳入”记录）必须填写此项
-- en:       a registered household (one with an identification event) needs this value
-- why:      贫困户属性 and 主要致贫原因 may be empty only for a household never registered (边缘户); a
--           registered household is counted by them in the registry breakdowns.
select 'households' as table_name, h._row as row_number, c.column_name, null as value, null as detail
from stg_households as h
cross join (values ('category', 1), ('main_cause', 2)) as c(column_name, ordinal)
join raw_households as r on r._row = h._row
where h.household_id is not null
  and exists (
      select 1 from stg_events as e
      where e.household_id = h.household_id and e.event_type = '识别纳入'
  )
  and nullif(trim(case c.column_name when 'category' then r.category else r.main_cause end), '') is null
