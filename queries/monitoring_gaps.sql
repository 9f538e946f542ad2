-- indicator:  monitoring_gaps
-- definition: 漏监测 risk (docs/domain.md, After 2020 / 防返贫监测): households in $region — former
--             建档立卡 households and households never registered alike — whose 户年度收入与保障 row of
--             $year shows a per-capita net income below that year's monitoring threshold (net income <
--             threshold × 家庭人口, net income and size as household_year_checks works them out,
--             etl/derive/10_*) or a 两不愁三保障 / safe-water item answered 否, while no monitoring
--             episode of theirs is open at $as_of. An empty item or income is not judged; where the
--             year has no threshold for the household's village (monitoring_village_thresholds) the
--             income is not judged and threshold_missing is true on the row — query
--             monitoring_threshold tells which villages lack one.
-- columns:    household_id, head_name_masked (as village_households masks it), village_code,
--             village_name, township_name, registered (ever 建档立卡 by $as_of), year, size,
--             net_income, per_capita_income, threshold, threshold_missing, failing (keys: income,
--             food_clothing, education, medical, housing, water), last_cleared_on (the latest
--             clearing of an earlier episode, NULL = never monitored)
-- grain:      one row per such household, by village then household
-- params:     $year INTEGER (NULL = the year of $as_of), $as_of DATE (NULL = today),
--             $region VARCHAR (NULL or empty = the top of the package; an unknown code gives no rows)
with params as (  -- one row; none when $region names no region (macro view_params, queries/shared/macros.sql)
    select as_of, year, region_code from view_params($as_of, $year, $region)
),

area as (select code from area_in_view($region)),  -- the region and all under it (macro area_in_view)

judged as (
    -- as known on $as_of, judged against the monitoring line (macro monitoring_year_checks_at)
    select c.household_id, c.village_code, c.year, c.size, c.net_income, c.per_capita_income,
        c.threshold, c.threshold_missing, c.failing
    from monitoring_year_checks_at(coalesce($as_of, current_date)) as c
    cross join params
    -- the year as a value, not only through params: the filter then reaches the macro's tables
    where c.year = coalesce($year, year(coalesce($as_of, current_date)))
      and c.village_code in (select code from area)
      and len(c.failing) > 0  -- the few failing rows only go on to the joins below
),

final as (
    select
        j.household_id,
        -- privacy: the head's name keeps its first and last character (rule of village_households)
        mask_name(h.head_name) as head_name_masked,
        j.village_code,
        v.name as village_name,
        tw.name as township_name,
        exists (select 1 from events as e
                where e.household_id = j.household_id and e.event_type = '识别纳入'
                  and e.event_date <= params.as_of) as registered,
        j.year,
        j.size,
        j.net_income,
        j.per_capita_income,
        j.threshold,
        j.threshold_missing,
        j.failing,
        (select max(e.cleared_on) from monitoring_episodes as e
         where e.household_id = j.household_id and e.cleared_on <= params.as_of) as last_cleared_on
    from judged as j
    cross join params
    join households as h on h.household_id = j.household_id  -- every judged row has one (the macro joins it)
    left join regions as v on v.code = j.village_code
    left join regions as tw on tw.code = v.parent_code
    where len(j.failing) > 0
      and not exists (select 1 from monitoring_episodes as e
                      where e.household_id = j.household_id
                        and e.identified_on <= params.as_of and params.as_of < e.valid_to)
    order by j.village_code, j.household_id
)

select * from final
