-- indicator:  flows
-- definition: the reconciliation of the window [$start, $end] (docs/domain.md, 动态管理 — the flows:
--             opening + inflows − outflows = closing, for 户 and 人, for the registry 现有建档 and the
--             still-poor 未脱贫 stock). Opening stocks are as of the day before $start, closing
--             stocks as of $end. Household movements are the events dated in the window; a person
--             moves when their state (not registered / 未脱贫 / 已脱贫) differs from the day before:
--             with a household event that day it is that event (识别纳入, 返贫, 标注脱贫, 清退,
--             自然销户 — people leaving by 清退/自然销户 are those present the day before, a member
--             whose 减少日期 is the removal day included), otherwise it is a member joining
--             (自然增加) or leaving (自然减少) a registered household. A member joining on the day the
--             household exits or returns counts under 自然增加, one leaving that day under 自然减少.
--             The movements are worked out per village and day at load (flow_movements,
--             etl/derive/11_flow_movements.sql); the stocks are counted on the status spans.
-- columns:    movement, direction (stock / in / out / within — relative to the registry);
--             households, people: the size of the movement (≥ 0; 0 households for member
--             movements) or of the stock — for the registry, opening + in − out = closing;
--             registry_households, registry_people, poor_households, poor_people: the signed effect
--             of each movement on each stock; on stock rows the stock itself (registry_* on
--             期初在册/期末在册, poor_* on 期初未脱贫/期末未脱贫, NULL otherwise). So, for each of the
--             four columns, the sum over every row except the closing one equals the closing row;
--             period_start, period_end: the window the row is of.
--             With $period, each month / quarter / year overlapping [$start, $end] is a window of its
--             own (its part of [$start, $end]), worked out in one statement: the rows of each are
--             those of the window asked alone (tests/test_queries.py compares them), so the
--             data-quality page reads every year's reconciliation at once.
-- grain:      one row per window, movement (7) and stock (4), in reading order
-- params:     $start DATE (NULL = 1 January of $end's year), $end DATE (NULL = today),
--             $period VARCHAR one of month|quarter|year (NULL = [$start, $end] is the one window),
--             $region VARCHAR (NULL or empty = the top of the package; an unknown code gives no rows)
with params as (
    -- one row; none when $region names no region, and then every result is empty
    select coalesce($end, current_date) as end_on, window_start($start, $end) as start_on, r.region_code
    from region_in_view($region) as r
),

windows as (
    -- [start, end], or each period's part of it (macro periods_between, which refuses start > end too)
    select
        case when p.start_on <= p.end_on then p.start_on
             else error('开始日期晚于结束日期 / start is after end: ' || p.start_on || ' > ' || p.end_on)
        end as start_on,
        p.end_on
    from params as p
    where $period is null
    union all
    select greatest(g.period, p.start_on), g.period_end
    from params as p, periods_between(p.start_on, p.end_on, coalesce($period, 'year')) as g
    where $period is not null
),

window_dates as (
    select start_on, end_on, cast(start_on - interval 1 day as date) as opening_on
    from windows
),

area as (select code from area_in_view($region)),  -- the region and all under it (macro area_in_view)

movement_list as (
    select * from (values
        (1, '期初在册', 'stock'),
        (2, '期初未脱贫', 'stock'),
        (3, '识别纳入', 'in'),
        (4, '返贫', 'within'),
        (5, '标注脱贫', 'within'),
        (6, '清退', 'out'),
        (7, '自然销户', 'out'),
        (8, '自然增加', 'in'),
        (9, '自然减少', 'out'),
        (10, '期末在册', 'stock'),
        (11, '期末未脱贫', 'stock')
    ) as m(ordinal, movement, direction)
),

household_spans as (
    -- for the stocks: status spans alive at some point from a window's opening day to its end
    select w.start_on, w.opening_on, w.end_on, s.status, s.valid_from, s.valid_to
    from household_status_spans as s
    join window_dates as w on s.valid_from <= w.end_on and w.opening_on < s.valid_to
    where s.village_code in (select code from area)
),

person_spans as (
    select w.start_on, w.opening_on, w.end_on, s.status, s.valid_from, s.valid_to
    from person_status_spans as s
    join window_dates as w on s.valid_from <= w.end_on and w.opening_on < s.valid_to
    where s.village_code in (select code from area)
),

movements as (
    -- the movements dated in each window, worked out per household and person at load (flow_movements)
    select
        w.start_on,
        f.movement,
        cast(sum(f.households) as bigint) as households,
        cast(sum(f.people) as bigint) as people,
        cast(sum(f.registry_households) as bigint) as registry_households,
        cast(sum(f.registry_people) as bigint) as registry_people,
        cast(sum(f.poor_households) as bigint) as poor_households,
        cast(sum(f.poor_people) as bigint) as poor_people
    from flow_movements as f
    join window_dates as w on f.changed_on between w.start_on and w.end_on
    where f.village_code in (select code from area)
    group by w.start_on, f.movement
),

household_stocks as (
    -- a window without any span has no row here (its stocks are 0: stocks below)
    select
        start_on,
        count(*) filter (where valid_from <= opening_on) as opening_registered,
        count(*) filter (where valid_from <= opening_on and status = '未脱贫') as opening_poor,
        count(*) filter (where end_on < valid_to) as closing_registered,
        count(*) filter (where end_on < valid_to and status = '未脱贫') as closing_poor
    from household_spans
    group by start_on
),

person_stocks as (
    -- a window without any span has no row here (its stocks are 0: stocks below)
    select
        start_on,
        count(*) filter (where valid_from <= opening_on) as opening_registered,
        count(*) filter (where valid_from <= opening_on and status = '未脱贫') as opening_poor,
        count(*) filter (where end_on < valid_to) as closing_registered,
        count(*) filter (where end_on < valid_to and status = '未脱贫') as closing_poor
    from person_spans
    group by start_on
),

stocks as (
    select w.start_on, u.movement,
        coalesce(case u.movement when '期初在册' then h.opening_registered when '期初未脱贫' then h.opening_poor
                                 when '期末在册' then h.closing_registered else h.closing_poor end, 0) as households,
        coalesce(case u.movement when '期初在册' then p.opening_registered when '期初未脱贫' then p.opening_poor
                                 when '期末在册' then p.closing_registered else p.closing_poor end, 0) as people
    from window_dates as w
    left join household_stocks as h on h.start_on = w.start_on
    left join person_stocks as p on p.start_on = w.start_on
    cross join (values ('期初在册'), ('期初未脱贫'), ('期末在册'), ('期末未脱贫')) as u(movement)
),

final as (
    select
        l.movement,
        l.direction,
        coalesce(s.households, m.households, 0) as households,
        coalesce(s.people, m.people, 0) as people,
        case when l.direction <> 'stock' then coalesce(m.registry_households, 0)
             when l.movement like '%在册' then s.households end as registry_households,
        case when l.direction <> 'stock' then coalesce(m.registry_people, 0)
             when l.movement like '%在册' then s.people end as registry_people,
        case when l.direction <> 'stock' then coalesce(m.poor_households, 0)
             when l.movement like '%未脱贫' then s.households end as poor_households,
        case when l.direction <> 'stock' then coalesce(m.poor_people, 0)
             when l.movement like '%未脱贫' then s.people end as poor_people,
        w.start_on as period_start,
        w.end_on as period_end
    from window_dates as w
    cross join movement_list as l
    left join movements as m on m.start_on = w.start_on and m.movement = l.movement
    left join stocks as s on s.start_on = w.start_on and s.movement = l.movement
    order by w.start_on, l.ordinal
)

select * from final
