-- indicator:  exits_by_period
-- definition: exit counts (docs/domain.md, Indicators — Exit counts: households/people with
--             标注脱贫 in a period, against the annual plan 计划减贫 of the targets file). People
--             exited are the members present both the day before and on the exit date (a member
--             joining or leaving that very day is a member movement, as in flows: both read the
--             标注脱贫 rows of flow_movements, etl/derive/11_flow_movements.sql). households and
--             people count the exits inside both [$start, $end] and the period. The plan is annual:
--             each row carries its year's plan for $region — the region's own targets row, or else
--             the sum of the rows at the nearest level below it that has any (NULL when none) —
--             the exits of that year from 1 January to the period's end (*_year_to_date, counting
--             exits before $start too), and completion_rate = people_year_to_date ÷ planned_people
--             (households_completion_rate likewise by 户); NULL without a plan.
-- grain:      one row per period (month / quarter / year) overlapping [$start, $end], dated by its first day
-- params:     $start DATE (NULL = 1 January of $end's year), $end DATE (NULL = today),
--             $period VARCHAR one of month|quarter|year (NULL = year),
--             $region VARCHAR (NULL or empty = the top of the package; an unknown code gives no rows)
with params as (
    -- one row; none when $region names no region, and then every result is empty
    select coalesce($end, current_date) as end_on, window_start($start, $end) as start_on,
        coalesce($period, 'year') as period, r.region_code
    from region_in_view($region) as r
),

periods as (
    -- the periods overlapping [start, end] (macro periods_between, queries/shared/macros.sql)
    select g.period, g.period_end
    from params, periods_between(params.start_on, params.end_on, params.period) as g
),

area as (select code from area_in_view($region)),  -- the region and all under it (macro area_in_view)

exit_sizes as (
    -- every 标注脱贫 from 1 January of $start's year to $end (the year-to-date needs the earlier ones),
    -- per village and day: flows' 标注脱贫 movement (macro exits_between), so the two agree
    select x.exited_on, x.households, x.people
    from exits_between(cast(date_trunc('year', window_start($start, $end)) as date), coalesce($end, current_date)) as x
    where x.village_code in (select code from area)
),

plans as (
    -- the region's own plan; without one, the plans of the nearest level below it that has any (macro exit_plans)
    select pl.year, pl.planned_households, pl.planned_people
    from exit_plans() as pl, params
    where pl.region_code = params.region_code
),

counted as (
    select
        p.period,
        coalesce(sum(x.households) filter (where x.exited_on >= p.period and x.exited_on >= params.start_on), 0)
            as households,
        coalesce(sum(x.people) filter (where x.exited_on >= p.period and x.exited_on >= params.start_on), 0)
            as people,
        coalesce(sum(x.households), 0) as households_year_to_date,
        coalesce(sum(x.people), 0) as people_year_to_date
    from periods as p
    cross join params
    left join exit_sizes as x
      on year(x.exited_on) = year(p.period) and x.exited_on <= p.period_end
    group by p.period
),

final as (
    select
        c.period,
        cast(c.households as bigint) as households,
        cast(c.people as bigint) as people,
        cast(pl.planned_households as bigint) as planned_households,
        cast(pl.planned_people as bigint) as planned_people,
        cast(c.households_year_to_date as bigint) as households_year_to_date,
        cast(c.people_year_to_date as bigint) as people_year_to_date,
        c.people_year_to_date / nullif(cast(pl.planned_people as double), 0) as completion_rate,
        c.households_year_to_date / nullif(cast(pl.planned_households as double), 0)
            as households_completion_rate
    from counted as c
    left join plans as pl on pl.year = year(c.period)
    order by c.period
)

select * from final
