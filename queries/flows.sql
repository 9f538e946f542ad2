-- indicator:  flows
-- definition: the reconciliation of the window [$start, $end] (shared/domain.md, 动态管理 — the flows:
--             opening + inflows − outflows = closing, for 户 and 人, for the registry 现有建档 and the
--             still-poor 未脱贫 stock). Opening stocks are as of the day before $start, closing
--             stocks as of $end. Household movements are the events dated in the window; a person
--             moves when their state (not registered / 未脱贫 / 已脱贫) differs from the day before:
--             with a household event that day it is that event (识别纳入, 返贫, 标注脱贫, 清退,
--             自然销户 — people leaving by 清退/自然销户 are those present the day before, a member
--             whose 减少日期 is the removal day included), otherwise it is a member joining
--             (自然增加) or leaving (自然减少) a registered household. A member joining on the day the
--             household exits or returns counts under 自然增加, one leaving that day under 自然减少.
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
    select
        coalesce($end, current_date) as end_on,
        coalesce($start, cast(date_trunc('year', coalesce($end, current_date)) as date)) as start_on,
        r.code as region_code
    from regions as r
    where r.code = coalesce($region, (select code from regions where parent_code is null))
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

area as (
    select c.descendant_code as code
    from region_closure as c, window_dates as w
    where c.ancestor_code = w.region_code
),

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
    -- status spans alive at some point from the opening day to the end of the window
    select s.household_id, s.status, s.valid_from, s.valid_to, s.started_by, s.ended_by
    from household_status_spans as s, window_dates as w
    where s.valid_from <= w.end_on and w.opening_on < s.valid_to
      and s.village_code in (select code from area)
),

person_spans as (
    select s.person_id, s.household_id, s.status, s.valid_from, s.valid_to
    from person_status_spans as s, window_dates as w
    where s.valid_from <= w.end_on and w.opening_on < s.valid_to
      and s.village_code in (select code from area)
),

person_changes as (
    -- spans that open or close inside the window
    select p.*
    from person_spans as p, window_dates as w
    where p.valid_from >= w.start_on or p.valid_to <= w.end_on
),

household_movements as (
    -- a span opening in the window: 识别纳入 enters both stocks, 标注脱贫/返贫 move within
    select
        cast(s.started_by as varchar) as movement,
        1 as households, 0 as people,
        case when s.started_by = '识别纳入' then 1 else 0 end as registry_households,
        0 as registry_people,
        case when s.started_by = '标注脱贫' then -1 else 1 end as poor_households,
        0 as poor_people
    from household_spans as s, window_dates as w
    where s.valid_from >= w.start_on
    union all
    -- a span closed by a removal in the window leaves the registry (and the poor, if it was poor)
    select cast(s.ended_by as varchar), 1, 0, -1, 0, case when s.status = '未脱贫' then -1 else 0 end, 0
    from household_spans as s, window_dates as w
    where s.valid_to <= w.end_on and s.ended_by in ('清退', '自然销户')
),

person_entries as (
    -- a person span opening in the window; with a span of the same person ending that day it is a
    -- status change of the household, without one the person enters the registry
    select
        case
            when previous.person_id is not null and p.status = '已脱贫' then '标注脱贫'
            when previous.person_id is not null then '返贫'
            when h.valid_from = p.valid_from and h.started_by = '识别纳入' then '识别纳入'
            else '自然增加'
        end as movement,
        0 as households, 1 as people,
        0 as registry_households,
        case when previous.person_id is null then 1 else 0 end as registry_people,
        0 as poor_households,
        case when p.status = '未脱贫' then 1 when previous.person_id is not null then -1 else 0 end
            as poor_people
    from person_changes as p
    join window_dates as w on p.valid_from >= w.start_on
    join household_spans as h
      on h.household_id = p.household_id and h.valid_from <= p.valid_from and p.valid_from < h.valid_to
    left join person_changes as previous
      on previous.person_id = p.person_id and previous.valid_to = p.valid_from
),

person_exits as (
    -- a person span closing in the window with no span of the same person opening that day: the
    -- person leaves the registry, by the household's removal or by leaving the household
    select
        case
            when h.valid_to = p.valid_to and h.ended_by in ('清退', '自然销户') then cast(h.ended_by as varchar)
            else '自然减少'
        end as movement,
        0 as households, 1 as people,
        0 as registry_households, -1 as registry_people,
        0 as poor_households,
        case when p.status = '未脱贫' then -1 else 0 end as poor_people
    from person_changes as p
    join window_dates as w on p.valid_to <= w.end_on
    join household_spans as h
      on h.household_id = p.household_id and h.valid_from <= p.valid_from and p.valid_from < h.valid_to
    left join person_changes as following
      on following.person_id = p.person_id and following.valid_from = p.valid_to
    where following.person_id is null
),

movements as (
    select
        movement,
        cast(sum(households) as bigint) as households,
        cast(sum(people) as bigint) as people,
        cast(sum(registry_households) as bigint) as registry_households,
        cast(sum(registry_people) as bigint) as registry_people,
        cast(sum(poor_households) as bigint) as poor_households,
        cast(sum(poor_people) as bigint) as poor_people
    from (
        select * from household_movements
        union all
        select * from person_entries
        union all
        select * from person_exits
    )
    group by movement
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
