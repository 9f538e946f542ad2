-- indicator:  monitoring_clearance_check
-- definition: 风险消除 quality, the monitoring twin of 错退 (docs/domain.md, After 2020 / 防返贫监测):
--             episodes of households in $region cleared (风险消除日期) in $year, on or before $as_of,
--             whose 户年度收入与保障 row of $year still fails: per-capita net income below that year's
--             monitoring threshold (net income < threshold × 家庭人口, as household_year_checks works
--             them out, etl/derive/10_*) or a 两不愁三保障 / safe-water item answered 否. An empty item
--             or income is not judged, nor an episode whose household has no row of $year; where the
--             year has no threshold for the village the income is not judged and threshold_missing is
--             true on the row (query monitoring_threshold tells which villages lack one).
-- columns:    monitoring_id, household_id, head_name_masked (as village_households masks it),
--             village_code, village_name, township_name, kind, risks (joined with 、), identified_on,
--             cleared_on, year, size, net_income, per_capita_income, threshold, threshold_missing,
--             failing (keys: income, food_clothing, education, medical, housing, water)
-- grain:      one row per such episode, by clearing date then household
-- params:     $year INTEGER (NULL = the year of $as_of), $as_of DATE (NULL = today),
--             $region VARCHAR (NULL or empty = the top of the package; an unknown code gives no rows)
with params as (  -- one row; none when $region names no region (macro view_params, queries/shared/macros.sql)
    select as_of, year, region_code from view_params($as_of, $year, $region)
),

area as (select code from area_in_view($region)),  -- the region and all under it (macro area_in_view)

cleared as (
    select e.*
    from monitoring_episodes as e, params
    where year(e.cleared_on) = params.year and e.cleared_on <= params.as_of
      and e.village_code in (select code from area)
),

judged as (
    select e.monitoring_id, e.household_id, e.village_code, e.kind, e.risks, e.identified_on, e.cleared_on,
        c.year, c.size, c.net_income, c.per_capita_income, c.threshold, c.threshold_missing, c.failing
    from cleared as e
    -- as known on $as_of, judged against the monitoring line (macro monitoring_year_checks_at)
    join monitoring_year_checks_at(coalesce($as_of, current_date)) as c
      on c.household_id = e.household_id and c.year = year(e.cleared_on)
     -- the same year (that of params) as a value: the filter then reaches the macro's tables
     and c.year = coalesce($year, year(coalesce($as_of, current_date)))
),

final as (
    select
        j.monitoring_id,
        j.household_id,
        -- privacy: the head's name keeps its first and last character (rule of village_households)
        mask_name(h.head_name) as head_name_masked,
        j.village_code,
        v.name as village_name,
        tw.name as township_name,
        cast(j.kind as varchar) as kind,
        array_to_string(cast(j.risks as varchar[]), '、') as risks,
        j.identified_on,
        j.cleared_on,
        j.year,
        j.size,
        j.net_income,
        j.per_capita_income,
        j.threshold,
        j.threshold_missing,
        j.failing
    from judged as j
    join households as h using (household_id)
    left join regions as v on v.code = j.village_code
    left join regions as tw on tw.code = v.parent_code
    where len(j.failing) > 0
    order by j.cleared_on, j.household_id
)

select * from final
