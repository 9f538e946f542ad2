-- indicator:  monitoring_change
-- definition: the change of the monitoring figures (monitoring_summary, the same counting rule of
--             docs/domain.md, After 2020 / 防返贫监测) from $previous to $as_of: each count at $as_of
--             minus the same count at $previous, for 户 and 人; clearance_rate_change in ratio points
--             (NULL when either rate is NULL); *_unchanged true when both the 户 and 人 counts are equal.
-- columns:    households_identified_change, people_identified_change, households_at_risk_change,
--             people_at_risk_change, households_cleared_change, people_cleared_change,
--             clearance_rate_change, identified_unchanged, at_risk_unchanged, cleared_unchanged
-- grain:      one row for the region
-- params:     $as_of DATE (NULL = today), $previous DATE (the earlier date; NULL = the quarter end
--             before $as_of),
--             $region VARCHAR (NULL or empty = the top of the package; an unknown code gives no rows)
with params as (  -- one row; none when $region names no region (macro view_params, queries/shared/macros.sql)
    select as_of, coalesce($previous, cast(date_trunc('quarter', as_of) - interval 1 day as date)) as previous,
        region_code
    from view_params($as_of, null, $region)
),

area as (select code from area_in_view($region)),  -- the region and all under it (macro area_in_view)

dates as (
    select 'now' as which, as_of as d from params
    union all
    select 'before', previous from params
),

people as (  -- each household's monitoring state at each date (macro monitoring_state_at)
    select 'now' as which, s.household_id, s.at_risk, s.people
    from monitoring_state_at((select as_of from params)) as s
    where s.village_code in (select code from area)
    union all
    select 'before', s.household_id, s.at_risk, s.people
    from monitoring_state_at((select previous from params)) as s
    where s.village_code in (select code from area)
),

counted as (
    select d.which,
        count(p.household_id) as h_identified,
        coalesce(sum(p.people), 0) as p_identified,
        count(p.household_id) filter (where p.at_risk) as h_at_risk,
        coalesce(sum(p.people) filter (where p.at_risk), 0) as p_at_risk,
        count(p.household_id) filter (where not p.at_risk) as h_cleared,
        coalesce(sum(p.people) filter (where not p.at_risk), 0) as p_cleared
    from dates as d
    left join people as p using (which)
    group by d.which
),

final as (
    select
        n.h_identified - b.h_identified as households_identified_change,
        cast(n.p_identified - b.p_identified as bigint) as people_identified_change,
        n.h_at_risk - b.h_at_risk as households_at_risk_change,
        cast(n.p_at_risk - b.p_at_risk as bigint) as people_at_risk_change,
        n.h_cleared - b.h_cleared as households_cleared_change,
        cast(n.p_cleared - b.p_cleared as bigint) as people_cleared_change,
        n.h_cleared / nullif(cast(n.h_identified as double), 0)
            - b.h_cleared / nullif(cast(b.h_identified as double), 0) as clearance_rate_change,
        n.h_identified = b.h_identified and n.p_identified = b.p_identified as identified_unchanged,
        n.h_at_risk = b.h_at_risk and n.p_at_risk = b.p_at_risk as at_risk_unchanged,
        n.h_cleared = b.h_cleared and n.p_cleared = b.p_cleared as cleared_unchanged
    from counted as n
    join counted as b on n.which = 'now' and b.which = 'before'
)

select * from final
