-- indicator:  incidence_trend
-- definition: registry_summary's counts and 贫困发生率 (docs/domain.md) at the end of every period
--             (month / quarter / year) that overlaps [$start, $end]; the last period is measured at
--             $end when it ends later (the current, unfinished period "so far"). Each stock at D is
--             the running sum of its changes dated on or before D (a span adds 1 on valid_from and
--             removes it on valid_to), so the span tables are read once and the period ends are
--             joined to the small day-by-day change table with one range join.
-- grain:      one row per period, dated by its first day (period) and measured at as_of
-- params:     $start DATE (NULL = 1 January of $end's year), $end DATE (NULL = today),
--             $period VARCHAR one of month|quarter|year (NULL = quarter),
--             $region VARCHAR (NULL or empty = the top of the package; an unknown code gives no rows)
with params as (
    -- one row; none when $region names no region, and then every result is empty
    select coalesce($end, current_date) as end_on, window_start($start, $end) as start_on,
        coalesce($period, 'quarter') as period, r.region_code
    from region_in_view($region) as r
),

periods as (
    -- the periods overlapping [start, end] (macro periods_between, queries/shared/macros.sql)
    select g.period, g.period_end as as_of
    from params, periods_between(params.start_on, params.end_on, params.period) as g
),

area as (select code from area_in_view($region)),  -- the region and all under it (macro area_in_view)

last_day as (select max(as_of) as as_of from periods),

household_changes as (
    -- +1 when a status span opens, -1 when it closes (changes after the last period are not needed)
    select s.valid_from as day, 1 as sign, s.status
    from household_status_spans as s, last_day
    where s.valid_from <= last_day.as_of and s.village_code in (select code from area)
    union all
    select s.valid_to, -1, s.status
    from household_status_spans as s, last_day
    where s.valid_to <= last_day.as_of and s.village_code in (select code from area)
),

person_changes as (
    select s.valid_from as day, 1 as sign, s.status
    from person_status_spans as s, last_day
    where s.valid_from <= last_day.as_of and s.village_code in (select code from area)
    union all
    select s.valid_to, -1, s.status
    from person_status_spans as s, last_day
    where s.valid_to <= last_day.as_of and s.village_code in (select code from area)
),

population_changes as (
    select s.valid_from as day, v.rural_population as change
    from village_year_spans as s
    join village_year as v using (village_code, year), last_day
    where s.valid_from <= last_day.as_of and s.village_code in (select code from area)
    union all
    select s.valid_to, -v.rural_population
    from village_year_spans as s
    join village_year as v using (village_code, year), last_day
    where s.valid_to <= last_day.as_of and s.village_code in (select code from area)
),

daily as (
    -- one row per day on which anything changed
    select day,
        sum(sign) as households_registered,
        sum(sign) filter (where status = '未脱贫') as households_poor,
        sum(sign) filter (where status = '已脱贫') as households_exited,
        0 as people_registered, 0 as people_poor, 0 as people_exited,
        0 as rural_population, 0 as poor_villages_exited
    from household_changes
    group by day
    union all
    select day, 0, 0, 0,
        sum(sign), sum(sign) filter (where status = '未脱贫'), sum(sign) filter (where status = '已脱贫'),
        0, 0
    from person_changes
    group by day
    union all
    select day, 0, 0, 0, 0, 0, 0, sum(change), 0
    from population_changes
    group by day
    union all
    select r.exit_date, 0, 0, 0, 0, 0, 0, 0, count(*)
    from regions as r, last_day
    where r.level = '村' and r.is_poor_village and r.exit_date <= last_day.as_of
      and r.code in (select code from area)
    group by r.exit_date
),

poor_villages as (
    select count(*) as poor_villages_total
    from regions as r
    where r.level = '村' and r.is_poor_village and r.code in (select code from area)
),

stocks as (
    -- the range join: each period end sums the changes dated on or before it
    select
        p.period,
        p.as_of,
        cast(coalesce(sum(d.households_registered), 0) as bigint) as households_registered,
        cast(coalesce(sum(d.people_registered), 0) as bigint) as people_registered,
        cast(coalesce(sum(d.households_poor), 0) as bigint) as households_poor,
        cast(coalesce(sum(d.people_poor), 0) as bigint) as people_poor,
        cast(coalesce(sum(d.households_exited), 0) as bigint) as households_exited,
        cast(coalesce(sum(d.people_exited), 0) as bigint) as people_exited,
        cast(coalesce(sum(d.poor_villages_exited), 0) as bigint) as poor_villages_exited,
        cast(coalesce(sum(d.rural_population), 0) as bigint) as rural_population
    from periods as p
    left join daily as d on d.day <= p.as_of
    group by p.period, p.as_of
),

final as (
    select
        s.period,
        s.as_of,
        s.households_registered,
        s.people_registered,
        s.households_poor,
        s.people_poor,
        s.households_exited,
        s.people_exited,
        v.poor_villages_total,
        s.poor_villages_exited,
        v.poor_villages_total - s.poor_villages_exited as poor_villages_remaining,
        s.rural_population,
        s.people_poor / nullif(cast(s.rural_population as double), 0) as incidence
    from stocks as s
    cross join poor_villages as v
    order by s.period
)

select * from final
