-- query:      quality_villages_without_year
-- definition: data check (returns the bad rows; none = pass): villages (村) under $region without a
--             村年度情况 (village_year) row for the checked year. 贫困发生率's denominator
--             农业户籍人口 and the village exit criteria come from the village_year row in force
--             (docs/domain.md, 贫困发生率 and 贫困村出列; data contract, village_year: "the latest
--             year ≤ the as-of date applies"), so such a village is measured on an older row
--             (latest_year) or, with none, not at all. The checked year is $year, or the latest year
--             of the whole 村年度情况 file when $year is NULL.
-- columns:    village_code, village_name, township_code, township_name, is_poor_village,
--             checked_year, latest_year (the village's latest row up to the checked year; NULL = none)
-- grain:      one row per village under $region lacking the row, poor villages first, then by code
-- params:     $year INTEGER (NULL = the latest year of 村年度情况),
--             $region VARCHAR (NULL or empty = the top of the package; an unknown code gives no rows)
with params as (
    -- one row; none when $region names no region, and then the result is empty
    select
        r.region_code,
        coalesce($year, (select max(year) from village_year)) as checked_year
    from region_in_view($region) as r
),

villages as (  -- the villages under the region, with their township (queries/shared/macros.sql)
    select v.* from params, villages_under(params.region_code) as v
),

latest_rows as (
    select y.village_code, max(y.year) as latest_year
    from village_year as y, params
    where y.year <= params.checked_year
    group by y.village_code
),

final as (
    select
        v.*,
        params.checked_year,
        l.latest_year
    from villages as v
    cross join params
    left join latest_rows as l on l.village_code = v.village_code
    where l.latest_year is null or l.latest_year < params.checked_year
    order by v.is_poor_village desc, v.village_code
)

select * from final
