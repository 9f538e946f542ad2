-- indicator:  poverty_incidence
-- definition: 贫困发生率 = 未脱贫人口 ÷ 农业户籍人口 at $as_of (docs/domain.md, 贫困发生率), per region
--             at the requested level under $region. People are those of registry_summary; the
--             population is the village_year row in force (latest year not after $as_of). A
--             region's figure sums numerators and denominators over its villages — never an
--             average of rates. incidence is NULL when the population is 0 or unknown.
--             households_poor = 未脱贫户 counted as registry_summary counts them, so the people
--             come with their households (户/人 pairs). poor_villages_total, _exited (出列日期 on or
--             before $as_of) and _remaining count the registered poor villages as registry_summary
--             does, so the map reads one row per area instead of a registry_summary per area.
--             households_registered / people_registered = 现有建档 户/人 (registered at $as_of, exited
--             or not) counted as registry_summary counts them (township_progress reads them).
-- grain:      one row per region at $level under $region (the region itself when it is at $level)
-- params:     $as_of DATE (NULL = today), $level VARCHAR one of 县|乡镇|村 (NULL = 村),
--             $region VARCHAR (NULL or empty = the top of the package; an unknown code gives no rows)
with params as (  -- one row; none when $region names no region (macro view_params, queries/shared/macros.sql)
    select as_of, coalesce($level, '村') as level, region_code from view_params($as_of, null, $region)
),

units as (  -- the regions at $level under (or equal to) the region (macro area_under)
    select a.code as unit_code from params, area_under(params.region_code) as a
    where cast(a.level as varchar) = params.level
),

unit_villages as (
    select c.ancestor_code as unit_code, c.descendant_code as village_code
    from region_closure as c
    where c.ancestor_code in (select unit_code from units)
      and c.descendant_level = '村'
),

poor_by_village as (  -- the registered and the poor households and people at the date, by village (macro registry_at)
    select s.village_code,
        count(*) filter (where s.unit = 'household' and s.status = '未脱贫') as households_poor,
        count(*) filter (where s.unit = 'person' and s.status = '未脱贫') as people_poor,
        count(*) filter (where s.unit = 'household') as households_registered,
        count(*) filter (where s.unit = 'person') as people_registered
    -- the date named as a value (= params.as_of, macro view_params), not (select as_of from params): with a
    -- constant the planner filters the spans at the scan; with the subquery it misjudged them and
    -- built a hash table of every span (at scale 100, 6 million rows: 2.1 s instead of 0.7 s)
    from registry_at(coalesce($as_of, current_date)) as s
    where s.village_code in (select village_code from unit_villages)
    group by s.village_code
),

population_by_village as (  -- the 村年度情况 row in force at the date (macro village_year_at)
    select v.village_code, v.rural_population
    from village_year_at(coalesce($as_of, current_date)) as v
    where v.village_code in (select village_code from unit_villages)
),

by_unit as (
    select
        uv.unit_code,
        cast(coalesce(sum(p.households_poor), 0) as bigint) as households_poor,
        cast(coalesce(sum(p.people_poor), 0) as bigint) as people_poor,
        cast(coalesce(sum(p.households_registered), 0) as bigint) as households_registered,
        cast(coalesce(sum(p.people_registered), 0) as bigint) as people_registered,
        cast(coalesce(sum(pop.rural_population), 0) as bigint) as rural_population,
        cast(count(*) filter (where v.is_poor_village) as bigint) as poor_villages_total,
        cast(count(*) filter (where v.is_poor_village and v.exit_date <= params.as_of) as bigint)
            as poor_villages_exited
    from unit_villages as uv
    join regions as v on v.code = uv.village_code
    cross join params
    left join poor_by_village as p using (village_code)
    left join population_by_village as pop using (village_code)
    group by uv.unit_code
),

final as (
    select
        u.unit_code as region_code,
        r.name as region_name,
        coalesce(b.households_poor, 0) as households_poor,
        coalesce(b.people_poor, 0) as people_poor,
        coalesce(b.rural_population, 0) as rural_population,
        b.people_poor / nullif(cast(b.rural_population as double), 0) as incidence,
        coalesce(b.poor_villages_total, 0) as poor_villages_total,
        coalesce(b.poor_villages_exited, 0) as poor_villages_exited,
        coalesce(b.poor_villages_total - b.poor_villages_exited, 0) as poor_villages_remaining,
        coalesce(b.households_registered, 0) as households_registered,
        coalesce(b.people_registered, 0) as people_registered
    from units as u
    join regions as r on r.code = u.unit_code
    left join by_unit as b using (unit_code)
    order by u.unit_code
)

select * from final
