-- indicator:  monitoring_change
-- definition: the change of the monitoring figures between $previous and $as_of (the overview's and
--             the monitoring page's "since the previous quarter end"), worked out from
--             monitoring_summary at both dates (docs/domain.md, After 2020 / 防返贫监测): each count at
--             $as_of minus the same count at $previous, for 户 and 人; clearance_rate_change in ratio
--             points (NULL when either rate is NULL); identified_unchanged, at_risk_unchanged,
--             cleared_unchanged: both the 户 and 人 counts are equal. Both dates' figures come along,
--             so a page showing the figures at a date and their change reads one query, not two.
-- columns:    region_code, region_name; every figure of monitoring_summary at $as_of under its own
--             name; the same figures at $previous as <figure>_previous; households_identified_change,
--             people_identified_change, households_at_risk_change, people_at_risk_change,
--             households_cleared_change, people_cleared_change, clearance_rate_change and the flags
-- grain:      one row for the region
-- params:     $as_of DATE (NULL = today), $previous DATE (NULL = today),
--             $region VARCHAR (NULL or empty = the top of the package; an unknown code gives no rows)
-- reads:      monitoring_summary as current, monitoring_summary as previous (as_of = $previous)
with final as (
    select
        c.*,
        p.households_identified as households_identified_previous,
        p.people_identified as people_identified_previous,
        p.households_at_risk as households_at_risk_previous,
        p.people_at_risk as people_at_risk_previous,
        p.households_cleared as households_cleared_previous,
        p.people_cleared as people_cleared_previous,
        p.clearance_rate as clearance_rate_previous,
        p.households_at_risk_registered as households_at_risk_registered_previous,
        p.people_at_risk_registered as people_at_risk_registered_previous,
        c.households_identified - p.households_identified as households_identified_change,
        c.people_identified - p.people_identified as people_identified_change,
        c.households_at_risk - p.households_at_risk as households_at_risk_change,
        c.people_at_risk - p.people_at_risk as people_at_risk_change,
        c.households_cleared - p.households_cleared as households_cleared_change,
        c.people_cleared - p.people_cleared as people_cleared_change,
        c.clearance_rate - p.clearance_rate as clearance_rate_change,
        c.households_identified = p.households_identified and c.people_identified = p.people_identified
            as identified_unchanged,
        c.households_at_risk = p.households_at_risk and c.people_at_risk = p.people_at_risk as at_risk_unchanged,
        c.households_cleared = p.households_cleared and c.people_cleared = p.people_cleared as cleared_unchanged
    from current as c
    join previous as p using (region_code)
)

select * from final
