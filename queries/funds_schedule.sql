-- indicator:  funds_schedule
-- definition: spending against the schedule (docs/domain.md, Funds 资金: "against quarterly schedule
--             targets (e.g. Q1 30%)"; data contract, targets: 支出进度目标 with 截止日期): for each
--             deadline of $year, the projects of $year in $region with their money as of that
--             deadline — or as of $as_of for a deadline still to come (money after $as_of is not
--             known yet) — as funds_summary(as_of = that day) computes it: spending_rate = 支出 ÷ 下达.
--             target_spent = spending_target × allocated; shortfall = what is still to spend to
--             reach it (0 when reached); is_met = spending_rate ≥ spending_target (NULL while nothing
--             is allocated); is_due = the deadline is on or before $as_of (a deadline after it is not
--             due yet: pages show its target, not its money). The schedule is the region's own, or else its nearest ancestor's,
--             or else that of the nearest level below it holding one (where regions there disagree
--             on a deadline, the highest target counts; with several, schedule_region_code is NULL).
-- grain:      one row per spending-target deadline of the year
-- params:     $year INTEGER (NULL = the current year), $as_of DATE (NULL = today),
--             $region VARCHAR (NULL or empty = the top of the package; an unknown code gives no rows)
with params as (  -- one row; none when $region names no region (macro view_params, queries/shared/macros.sql)
    -- year: NULL = this year (not the year of $as_of)
    select coalesce($year, year(current_date)) as year, as_of, region_code
    from view_params($as_of, null, $region)
),

area as (select code from area_in_view($region)),  -- the region and all under it (macro area_in_view)

schedule_rows as (
    -- spending targets of the year: the region's own or its nearest ancestor's (distance = depth),
    -- else those of the nearest level below it (distance 1000 + depth)
    select t.region_code, t.deadline, t.spending_target, c.depth as distance
    from targets as t
    join region_closure as c on c.ancestor_code = t.region_code, params
    where c.descendant_code = params.region_code
      and t.year = params.year and t.spending_target is not null and t.deadline is not null
    union all
    select t.region_code, t.deadline, t.spending_target, 1000 + c.depth
    from targets as t
    join region_closure as c on c.descendant_code = t.region_code, params
    where c.ancestor_code = params.region_code and c.depth > 0
      and t.year = params.year and t.spending_target is not null and t.deadline is not null
),

schedule as (
    select
        deadline,
        max(spending_target) as spending_target,
        case when count(distinct region_code) = 1 then min(region_code) end as schedule_region_code
    from schedule_rows
    where distance = (select min(distance) from schedule_rows)
    group by deadline
),

year_projects as (
    select p.project_id
    from projects as p, params
    where p.year = params.year and p.region_code in (select code from area)
),

year_funds as (
    select f.stage, f.date, f.amount
    from funds as f
    join year_projects using (project_id)
    where f.stage in ('下达', '支出')
),

progress as (
    select
        s.deadline,
        cast(coalesce(sum(f.amount) filter (where f.stage = '下达'), 0) as decimal(18, 2)) as allocated,
        cast(coalesce(sum(f.amount) filter (where f.stage = '支出'), 0) as decimal(18, 2)) as spent
    from schedule as s
    cross join params
    left join year_funds as f on f.date <= least(s.deadline, params.as_of)
    group by s.deadline
),

final as (
    select
        s.deadline,
        cast(s.spending_target as double) as spending_target,
        p.allocated,
        p.spent,
        cast(p.spent as double) / nullif(cast(p.allocated as double), 0) as spending_rate,
        cast(s.spending_target * p.allocated as decimal(18, 2)) as target_spent,
        cast(greatest(s.spending_target * p.allocated - p.spent, 0) as decimal(18, 2)) as shortfall,
        case when p.allocated <> 0 then p.spent >= s.spending_target * p.allocated end as is_met,
        s.deadline <= params.as_of as is_due,
        s.schedule_region_code
    from schedule as s
    join progress as p using (deadline)
    cross join params
    order by s.deadline
)

select * from final
