-- check:    households_never_identified
-- severity: error
-- zh:       该户没有“识别纳入”记录（动态管理记录中找不到）
-- en:       this household has no identification (first registration) event in the events file
-- why:      a package without monitoring episodes is the 建档立卡 registry alone: every household in it
--           was registered. A package with monitoring episodes may hold households never registered
--           (边缘户, docs/domain.md, After 2020 / 防返贫监测); they count in no registry figure.
select 'households' as table_name, h._row as row_number, 'household_id' as column_name,
       h.household_id as value, null as detail
from stg_households as h
where h.household_id is not null
  and not exists (select 1 from stg_monitoring)
  and not exists (
      select 1 from stg_events as e
      where e.household_id = h.household_id and e.event_type = '识别纳入'
  )
