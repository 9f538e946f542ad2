-- indicator:  monitoring_threshold
-- definition: the monitoring threshold (监测范围) a year applies in $region (docs/domain.md, After 2020 /
--             防返贫监测; data/reference/monitoring_thresholds.csv, the deepest row covering a village —
--             monitoring_village_thresholds): one row per threshold in use with the villages it covers,
--             and a row with threshold NULL and threshold_missing true for the villages the year has no
--             threshold for — monitoring_gaps and monitoring_clearance_check cannot judge income there.
-- columns:    year, threshold, threshold_region (the region_code of the row applied; NULL = the row for
--             everywhere or none), threshold_missing, villages
-- grain:      one row per threshold in use (and one for the villages without), highest first
-- params:     $year INTEGER (NULL = the current year),
--             $region VARCHAR (NULL or empty = the top of the package; an unknown code gives no rows)
with params as (
    -- one row; none when $region names no region, and then the result is empty
    select coalesce($year, year(current_date)) as year, r.region_code
    from region_in_view($region) as r
),

villages as (
    select v.village_code from params, villages_under(params.region_code) as v
),

final as (
    select params.year, t.threshold, t.threshold_region, t.threshold is null as threshold_missing,
        count(*) as villages
    from villages as v
    cross join params
    left join monitoring_village_thresholds as t on t.village_code = v.village_code and t.year = params.year
    group by all
    order by threshold_missing, t.threshold desc nulls last, t.threshold_region
)

select * from final
