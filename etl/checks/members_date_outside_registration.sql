-- check:    members_date_outside_registration
-- severity: error
-- zh:       成员的加入或减少日期不在该户在册期间（{detail}）
-- en:       the member's join or leave date falls while the household is not registered ({detail})
-- why:      a member can only join or leave while the household is in the registry: from a 识别纳入
--           up to its 清退/自然销户. A join on the removal day or later is outside; a leave on the
--           removal day is allowed. Members of a removed household need no leave date of their own.
with events as (
    select household_id, event_type, event_date from stg_events
    where household_id is not null and event_date is not null and event_type is not null
),

with_next_removal as (
    select *,
        min(case when event_type in ('清退', '自然销户') then event_date end) over (
            partition by household_id order by event_date
            rows between current row and unbounded following
        ) as next_removal_on
    from events
),

registrations as (
    -- one row per 识别纳入: registered from that day until the next removal (null = still registered)
    select household_id, event_date as registered_on, next_removal_on as removed_on
    from with_next_removal
    where event_type = '识别纳入'
),

first_registration as (
    select household_id, min(registered_on) as first_on from registrations group by household_id
),

member_dates as (
    select m._row, m.household_id, 'joined_on' as column_name, m.joined_on as day, true as is_join
    from stg_members as m where m.joined_on is not null
    union all
    select m._row, m.household_id, 'left_on', m.left_on, false
    from stg_members as m where m.left_on is not null
),

outside as (
    select d.*, f.first_on
    from member_dates as d
    join first_registration as f using (household_id)
    where not exists (
        select 1 from registrations as g
        where g.household_id = d.household_id
          and (
              (d.is_join and d.day >= g.registered_on and (g.removed_on is null or d.day < g.removed_on))
              or (not d.is_join and d.day > g.registered_on and (g.removed_on is null or d.day <= g.removed_on))
          )
    )
),

final as (
    select 'members' as table_name, _row as row_number, column_name, cast(day as varchar) as value,
        case when day <= first_on then '首次识别纳入 ' || first_on
             else '已清退或销户' end as detail,
        case when day <= first_on then 'first identification ' || first_on
             else 'household removed' end as detail_en
    from outside
)

select * from final
