-- indicator:  assistance_coverage
-- definition: assistance coverage (docs/domain.md, After 2020 / 防返贫监测 — the share of 脱贫户 and of
--             households at risk with at least one 产业 or 就业 measure): two populations at $as_of in
--             $region — exited: registered households 已脱贫 at $as_of (household_status_spans, as
--             registry_summary counts them); at_risk: households with a monitoring episode open at
--             $as_of (as monitoring_summary counts them). For each, households = its size, covered =
--             those with a measure of the row's kind in 帮扶措施 dated on or before $as_of (a measure
--             without a date is not counted), rate = covered ÷ households (NULL when none). The first
--             row of a population is measure 产业或就业 (at least one 产业 or 就业 measure: the
--             evaluation figure); then one row per measure type, in the order of the measure list.
-- columns:    population (exited / at_risk), measure (产业或就业, or a 措施类型), households, covered,
--             rate, ordinal
-- grain:      one row per population and measure (2 × 11)
-- params:     $as_of DATE (NULL = today),
--             $region VARCHAR (NULL or empty = the top of the package; an unknown code gives no rows)
with params as (
    -- one row; none when $region names no region, and then every result is empty
    select coalesce($as_of, current_date) as as_of, r.region_code
    from region_in_view($region) as r
),

area as (  -- the region and everything under it (macro area_under, queries/shared/macros.sql)
    select a.code from params, area_under(params.region_code) as a
),

populations as (
    select 'exited' as population, 1 as population_order, s.household_id
    from household_status_spans as s, params
    where s.status = '已脱贫' and s.valid_from <= params.as_of and params.as_of < s.valid_to
      and s.village_code in (select code from area)
    union all
    select distinct 'at_risk', 2, e.household_id
    from monitoring_episodes as e, params
    where e.identified_on <= params.as_of and params.as_of < e.valid_to
      and e.village_code in (select code from area)
),

measures as (
    select '产业或就业' as measure, 0 as ordinal
    union all
    select cast(m.value as varchar), m.ordinal
    from unnest(enum_range(null::measure)) with ordinality as m(value, ordinal)
),

given as (
    -- each household's measure types dated on or before the date
    select a.household_id, list(distinct cast(a.measure as varchar)) as measures
    from assistance as a, params
    where a.date <= params.as_of and a.household_id in (select household_id from populations)
    group by a.household_id
),

counted as (
    select p.population, m.measure,
        count(*) as households,
        count(*) filter (
            where list_contains(g.measures, m.measure)
               or (m.ordinal = 0 and list_has_any(g.measures, ['产业', '就业']))
        ) as covered
    from populations as p
    left join given as g using (household_id)
    cross join measures as m
    group by all
),

frame as (
    select u.population, u.population_order, m.measure, m.ordinal
    from (values ('exited', 1), ('at_risk', 2)) as u(population, population_order)
    cross join measures as m
    cross join params  -- no rows when $region names no region
),

final as (
    select f.population, f.measure,
        coalesce(c.households, 0) as households,
        coalesce(c.covered, 0) as covered,
        c.covered / nullif(cast(c.households as double), 0) as rate,
        f.ordinal
    from frame as f
    left join counted as c using (population, measure)
    order by f.population_order, f.ordinal
)

select * from final
