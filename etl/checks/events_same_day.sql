-- check:    events_same_day
-- severity: error
-- zh:       同一户同一天有多条变动记录，无法确定先后顺序（户编号 {detail}）
-- en:       one household has several events on the same day; their order cannot be known (household {detail})
-- why:      status on a day is the result of that day's events; two on one day make it ambiguous
select 'events' as table_name, _row as row_number, 'event_date' as column_name,
       cast(event_date as varchar) || ' ' || cast(event_type as varchar) as value, household_id as detail
from stg_events
where household_id is not null and event_date is not null
qualify count(*) over (partition by household_id, event_date) > 1
