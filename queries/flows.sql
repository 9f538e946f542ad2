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
--             four columns, the sum over every row except the closing one equals the closing row.
-- grain:      one row per movement (7) and per stock (4), in reading order
-- params:     $start DATE (NULL = 1 January of $end's year), $end DATE (NULL = today),
--             $region VARCHAR (NULL or empty = the top of the package; an unknown code gives no rows)
with params as (
    -- one row; none when $region names no region, and then every result is empty
    select coalesce($end, current_date) as end_on, window_start($start, $end) as start_on, r.region_code
    from region_in_view($region) as r
),

window_dates as (
    select
        start_on,
        end_on,
        case when start_on <= end_on then cast(start_on - interval 1 day as date)
             else error('开始日期晚于结束日期 / start is after end: ' || start_on || ' > ' || end_on)
        end as opening_on,
        region_code
    from params
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
    -- for the stocks: status spans alive at some point from the opening day to the end of the window
    select s.status, s.valid_from, s.valid_to
    from household_status_spans as s, window_dates as w
    where s.valid_from <= w.end_on and w.opening_on < s.valid_to
      and s.village_code in (select code from area)
),

person_spans as (
    select s.status, s.valid_from, s.valid_to
    from person_status_spans as s, window_dates as w
    where s.valid_from <= w.end_on and w.opening_on < s.valid_to
      and s.village_code in (select code from area)
),

movements as (
    -- the movements dated in the window, worked out per household and person at load (flow_movements)
    select
        f.movement,
        cast(sum(f.households) as bigint) as households,
        cast(sum(f.people) as bigint) as people,
        cast(sum(f.registry_households) as bigint) as registry_households,
        cast(sum(f.registry_people) as bigint) as registry_people,
        cast(sum(f.poor_households) as bigint) as poor_households,
        cast(sum(f.poor_people) as bigint) as poor_people
    from flow_movements as f, window_dates as w
    where f.changed_on between w.start_on and w.end_on
      and f.village_code in (select code from area)
    group by f.movement
),

household_stocks as (
    select
        count(*) filter (where s.valid_from <= w.opening_on) as opening_registered,
        count(*) filter (where s.valid_from <= w.opening_on and s.status = '未脱贫') as opening_poor,
        count(*) filter (where w.end_on < s.valid_to) as closing_registered,
        count(*) filter (where w.end_on < s.valid_to and s.status = '未脱贫') as closing_poor
    from household_spans as s, window_dates as w
),

person_stocks as (
    select
        count(*) filter (where s.valid_from <= w.opening_on) as opening_registered,
        count(*) filter (where s.valid_from <= w.opening_on and s.status = '未脱贫') as opening_poor,
        count(*) filter (where w.end_on < s.valid_to) as closing_registered,
        count(*) filter (where w.end_on < s.valid_to and s.status = '未脱贫') as closing_poor
    from person_spans as s, window_dates as w
),

stocks as (
    select '期初在册' as movement, h.opening_registered as households, p.opening_registered as people
    from household_stocks as h, person_stocks as p
    union all
    select '期初未脱贫', h.opening_poor, p.opening_poor from household_stocks as h, person_stocks as p
    union all
    select '期末在册', h.closing_registered, p.closing_registered from household_stocks as h, person_stocks as p
    union all
    select '期末未脱贫', h.closing_poor, p.closing_poor from household_stocks as h, person_stocks as p
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
             when l.movement like '%未脱贫' then s.people end as poor_people
    from movement_list as l
    left join movements as m using (movement)
    left join stocks as s using (movement)
    where exists (select 1 from window_dates)
    order by l.ordinal
)

select * from final
