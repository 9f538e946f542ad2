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
with params as (  -- one row; none when $region names no region (macro view_params, queries/shared/macros.sql)
    select as_of, region_code from view_params($as_of, null, $region)
),

area as (select code from area_in_view($region)),  -- the region and all under it (macro area_in_view)

populations as (
    select 'exited' as population, 1 as population_order, s.household_id
    from household_status_spans as s, params
    where s.status = '已脱贫' and s.valid_from <= params.as_of and params.as_of < s.valid_to
      and s.village_code in (select code from area)
    union all
    select 'at_risk', 2, s.household_id  -- an episode open at the date (macro monitoring_state_at)
    from monitoring_state_at((select as_of from params)) as s
    where s.at_risk and s.village_code in (select code from area)
),

counted as (
    -- per population: its households and, per measure type, those given one on or before the date
    -- (household_measure_dates: each household's first date of each type)
    select p.population,
        count(*) as households,
        count(*) filter (where d.industry_or_employment <= params.as_of) as "产业或就业",
        count(*) filter (where d.industry <= params.as_of) as "产业",
        count(*) filter (where d.employment <= params.as_of) as "就业",
        count(*) filter (where d.education <= params.as_of) as "教育",
        count(*) filter (where d.health <= params.as_of) as "健康",
        count(*) filter (where d.microcredit <= params.as_of) as "小额信贷",
        count(*) filter (where d.housing_repair <= params.as_of) as "危房改造",
        count(*) filter (where d.relocation <= params.as_of) as "易地搬迁",
        count(*) filter (where d.forest_ranger <= params.as_of) as "生态护林",
        count(*) filter (where d.safety_net <= params.as_of) as "兜底保障",
        count(*) filter (where d.pairing <= params.as_of) as "结对帮扶"
    from populations as p
    cross join params
    left join household_measure_dates as d using (household_id)
    group by p.population
),

covered as (
    unpivot counted on columns(* exclude (population, households)) into name measure value covered
),

measures as (
    select '产业或就业' as measure, 0 as ordinal
    union all
    select cast(m.value as varchar), m.ordinal
    from unnest(enum_range(null::measure)) with ordinality as m(value, ordinal)
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
    left join covered as c using (population, measure)
    order by f.population_order, f.ordinal
)

select * from final
