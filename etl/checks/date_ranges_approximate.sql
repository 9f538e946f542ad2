-- check:    date_ranges_approximate
-- severity: warning
-- zh:       此日期只知在 {detail} 之间（如两期花名册之间），记为较晚的一端，请核实
-- en:       this date is only known to lie between {detail} (e.g. between two roster snapshots); the later end is recorded, please verify
-- why:      a package converted from roster snapshots (etl/roster/) cannot know the day a change happened
--           between two snapshots; each such date is listed in 日期区间 and said here, never silently
with ranges as (
    select _row, record_id, column_name, latest,
           coalesce(cast(earliest as varchar), '?') || ' … ' || cast(latest as varchar) as span,
           case when lower(trim(table_name)) in ('events', '动态管理记录') then 'events'
                when lower(trim(table_name)) in ('members', '家庭成员') then 'members'
                when lower(trim(table_name)) in ('monitoring', '防返贫监测对象') then 'monitoring'
           end as target
    from stg_date_ranges
    where record_id is not null and latest is not null
),

located as (
    select r.*, coalesce(e._row, m._row, o._row) as target_row
    from ranges as r
    left join stg_events as e on r.target = 'events' and e.event_id = r.record_id
    left join stg_members as m on r.target = 'members' and m.person_id = r.record_id
    left join stg_monitoring as o on r.target = 'monitoring' and o.monitoring_id = r.record_id
)

select case when target_row is null then 'date_ranges' else target end as table_name,
       coalesce(target_row, _row) as row_number,
       case when target_row is null then 'record_id' else column_name end as column_name,
       case when target_row is null then record_id else cast(latest as varchar) end as value,
       span as detail
from located
