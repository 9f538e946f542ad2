-- indicator:  monitoring_flows
-- definition: the reconciliation of the monitoring stock over the window [$start, $end] (docs/domain.md,
--             After 2020 / 防返贫监测 — state at a date D): opening at risk (the day before $start) +
--             identified − cleared + members joining − members leaving = closing at risk ($end), for
--             户 and 人. A household is at risk from its 认定日期 up to (not including) its 风险消除日期;
--             a person is at risk while a member (加入日期 up to 减少日期) of a household at risk.
--             identified: episodes identified in the window, with the members present that day;
--             cleared: episodes cleared in the window, with the members present the day before; a
--             member joining (leaving) a household while it is at risk is 自然增加 (自然减少) — a join on
--             the identification day counts as identified, a leave on the clearing day as cleared.
--             A household identified twice in the window counts twice.
-- columns:    movement (opening / identified / cleared / joined / left / closing), direction (stock /
--             in / out), households, people (≥ 0; households 0 for joined and left), ordinal
-- grain:      one row per stock and movement (6), in reading order
-- params:     $start DATE (NULL = 1 January of $end's year), $end DATE (NULL = today),
--             $region VARCHAR (NULL or empty = the top of the package; an unknown code gives no rows)
with params as (
    -- one row; none when $region names no region, and then every result is empty
    select
        window_start($start, $end) as start_on,
        coalesce($end, current_date) as end_on,
        case when window_start($start, $end) <= coalesce($end, current_date)
             then cast(window_start($start, $end) - interval 1 day as date)
             else error('开始日期晚于结束日期 / start is after end: ' || window_start($start, $end) || ' > '
                        || coalesce($end, current_date))
        end as opening_on,
        r.region_code
    from region_in_view($region) as r
),

area as (select code from area_in_view($region)),  -- the region and all under it (macro area_in_view)

episodes as (
    select e.household_id, e.identified_on as valid_from, e.valid_to
    from monitoring_episodes as e, params
    where e.village_code in (select code from area)
      and e.identified_on <= params.end_on and e.valid_to > params.opening_on
),

person_spans as (
    -- each member's stretch at risk: presence in the household ∩ the episode
    select
        greatest(m.valid_from, e.valid_from) as valid_from,
        least(m.valid_to, e.valid_to) as valid_to,
        m.valid_from <= e.valid_from as starts_with_episode,
        e.valid_to <= m.valid_to as ends_with_episode
    from episodes as e
    join member_spans as m
      on m.household_id = e.household_id and m.valid_from < e.valid_to and e.valid_from < m.valid_to
),

counts as (
    -- every count in one pass over episodes and one over person_spans (filtered aggregates; ten
    -- scalar subqueries planned as ten joins cost more than the counting); none when params is empty
    select e.*, s.*
    from params as p
    cross join (
        select
            count(*) filter (where e.valid_from <= p.opening_on and p.opening_on < e.valid_to) as opening_households,
            count(*) filter (where e.valid_from between p.start_on and p.end_on) as identified_households,
            count(*) filter (where e.valid_to between p.start_on and p.end_on) as cleared_households,
            count(*) filter (where e.valid_from <= p.end_on and p.end_on < e.valid_to) as closing_households
        from episodes as e, params as p
    ) as e
    cross join (
        select
            count(*) filter (where s.valid_from <= p.opening_on and p.opening_on < s.valid_to) as opening_people,
            count(*) filter (where s.starts_with_episode and s.valid_from between p.start_on and p.end_on)
                as identified_people,
            count(*) filter (where s.ends_with_episode and s.valid_to between p.start_on and p.end_on)
                as cleared_people,
            count(*) filter (where not s.starts_with_episode and s.valid_from between p.start_on and p.end_on)
                as joined_people,
            count(*) filter (where not s.ends_with_episode and s.valid_to between p.start_on and p.end_on)
                as left_people,
            count(*) filter (where s.valid_from <= p.end_on and p.end_on < s.valid_to) as closing_people
        from person_spans as s, params as p
    ) as s
),

final as (
    select m.movement, m.direction, m.households, m.people, m.ordinal
    from counts as c
    cross join lateral (
        values
            ('opening', 'stock', c.opening_households, c.opening_people, 1),
            ('identified', 'in', c.identified_households, c.identified_people, 2),
            ('cleared', 'out', c.cleared_households, c.cleared_people, 3),
            ('joined', 'in', 0, c.joined_people, 4),
            ('left', 'out', 0, c.left_people, 5),
            ('closing', 'stock', c.closing_households, c.closing_people, 6)
    ) as m(movement, direction, households, people, ordinal)
    order by m.ordinal
)

select * from final
