-- indicator:  township_progress
-- definition: the progress table of a region's parts (docs/domain.md, 建档立卡, 贫困发生率, Indicators —
--             Exit counts, 贫困村出列 and Funds 资金): for each region at $level under $region (every
--             乡镇 of a county, every 村 of a 乡镇) and, last, for $region itself (is_total): registered
--             (现有建档) and still-poor (未脱贫) 户/人, 农业户籍人口 and incidence = 未脱贫人口 ÷ 农业户籍人口
--             and the registered poor villages (total, remaining = not exited by $as_of) as
--             poverty_incidence gives them (the total row sums its parts' numerators and denominators,
--             as poverty_incidence does); exits this year = the 标注脱贫 of 1 January of $as_of's year to
--             $as_of counted as exits_by_period counts them (macro exits_between), against the year's
--             plan of the row's region — its own targets row, or else the sum of the rows at the
--             nearest level below it (macro exit_plans; NULL when none) — completion_rate = people
--             exited ÷ planned people (households_completion_rate by 户; NULL without a plan); and the
--             funds of the projects of $as_of's year located in the row's region, summed as
--             funds_summary sums them (macro project_money): spending_rate 支出进度 = 支出 ÷ 下达 (NULL
--             when nothing is allocated). A project placed at a 乡镇 counts in its 乡镇's row and in the
--             total, in no 村's row.
-- columns:    region_code, region_name, is_total, households_registered, people_registered,
--             households_poor, people_poor, rural_population, incidence, households_exited,
--             people_exited, planned_households, planned_people, completion_rate,
--             households_completion_rate, poor_villages_total, poor_villages_remaining, allocated,
--             spent, spending_rate
-- grain:      one row per region at $level under $region (the region itself when it is at $level), by
--             code, then one row for $region (is_total)
-- params:     $as_of DATE (NULL = today), $level VARCHAR one of 乡镇|村 (NULL = 村),
--             $region VARCHAR (NULL or empty = the top of the package; an unknown code gives no rows)
-- reads:      poverty_incidence
with params as (  -- one row; none when $region names no region (macro view_params, queries/shared/macros.sql)
    select as_of, year, region_code from view_params($as_of, null, $region)
),

parts as (select * from poverty_incidence),  -- the regions at $level, as the map shows them

area as (select code from area_in_view($region)),  -- the region and all under it (macro area_in_view)

part_areas as (  -- each part and everything under it
    select c.ancestor_code as part_code, c.descendant_code as code
    from region_closure as c
    where c.ancestor_code in (select region_code from parts)
),

year_exits as (  -- 标注脱贫 from 1 January to the date (macro exits_between), by village; the dates
    -- named as values, as view_params makes them, so the macro's filter is a constant one
    select x.village_code, sum(x.households) as households, sum(x.people) as people
    from exits_between(make_date(year(coalesce($as_of, current_date)), 1, 1), coalesce($as_of, current_date)) as x
    where x.village_code in (select code from area)
    group by x.village_code
),

year_money as (  -- the money of the year's projects up to the date (macro project_money)
    select p.region_code, p.allocated, p.spent
    from project_money(coalesce($as_of, current_date), year(coalesce($as_of, current_date))) as p
    where p.region_code in (select code from area)
),

part_exits as (
    select a.part_code, sum(x.households) as households, sum(x.people) as people
    from year_exits as x
    join part_areas as a on a.code = x.village_code
    group by a.part_code
),

part_money as (
    select a.part_code, sum(m.allocated) as allocated, sum(m.spent) as spent
    from year_money as m
    join part_areas as a on a.code = m.region_code
    group by a.part_code
),

part_figures as (
    select
        p.region_code,
        p.region_name,
        false as is_total,
        p.households_registered,
        p.people_registered,
        p.households_poor,
        p.people_poor,
        p.rural_population,
        p.poor_villages_total,
        p.poor_villages_remaining,
        coalesce(x.households, 0) as households_exited,
        coalesce(x.people, 0) as people_exited,
        m.allocated,
        m.spent
    from parts as p
    left join part_exits as x on x.part_code = p.region_code
    left join part_money as m on m.part_code = p.region_code
),

total_figures as (  -- the region itself: its parts' counts summed, its own exits, plan and funds
    select
        params.region_code,
        r.name as region_name,
        true as is_total,
        sum(p.households_registered),
        sum(p.people_registered),
        sum(p.households_poor),
        sum(p.people_poor),
        sum(p.rural_population),
        sum(p.poor_villages_total),
        sum(p.poor_villages_remaining),
        (select coalesce(sum(x.households), 0) from year_exits as x),
        (select coalesce(sum(x.people), 0) from year_exits as x),
        (select sum(m.allocated) from year_money as m),
        (select sum(m.spent) from year_money as m)
    from params
    join regions as r on r.code = params.region_code
    left join parts as p on true
    group by params.region_code, r.name
),

rows_ as (
    select * from part_figures
    union all
    select * from total_figures
),

final as (
    select
        f.region_code,
        f.region_name,
        f.is_total,
        cast(f.households_registered as bigint) as households_registered,
        cast(f.people_registered as bigint) as people_registered,
        cast(f.households_poor as bigint) as households_poor,
        cast(f.people_poor as bigint) as people_poor,
        cast(f.rural_population as bigint) as rural_population,
        f.people_poor / nullif(cast(f.rural_population as double), 0) as incidence,
        cast(f.households_exited as bigint) as households_exited,
        cast(f.people_exited as bigint) as people_exited,
        cast(pl.planned_households as bigint) as planned_households,
        cast(pl.planned_people as bigint) as planned_people,
        f.people_exited / nullif(cast(pl.planned_people as double), 0) as completion_rate,
        f.households_exited / nullif(cast(pl.planned_households as double), 0) as households_completion_rate,
        cast(f.poor_villages_total as bigint) as poor_villages_total,
        cast(f.poor_villages_remaining as bigint) as poor_villages_remaining,
        cast(coalesce(f.allocated, 0) as decimal(18, 2)) as allocated,
        cast(coalesce(f.spent, 0) as decimal(18, 2)) as spent,
        cast(f.spent as double) / nullif(cast(f.allocated as double), 0) as spending_rate
    from rows_ as f
    cross join params
    left join (select * from exit_plans() where year = year(coalesce($as_of, current_date))) as pl
      on pl.region_code = f.region_code
    order by f.is_total, f.region_code
)

select * from final
