-- indicator:  registry_change
-- definition: the change of the registry between $previous and $as_of (the overview's "since the
--             previous quarter end"), worked out from registry_summary at both dates: for registered
--             (现有建档) and still-poor (未脱贫) 户 and 人 the count at $as_of minus the count at
--             $previous, and incidence_change = the incidence at $as_of minus that at $previous (a
--             ratio difference: ×100 = percentage points; NULL when either is NULL);
--             registered_unchanged, poor_unchanged, incidence_unchanged: nothing moved (an incidence
--             NULL at both dates is unchanged).
-- grain:      one row for the region
-- params:     $as_of DATE (NULL = today), $previous DATE (NULL = today),
--             $region VARCHAR (NULL or empty = the top of the package; an unknown code gives no rows)
-- reads:      registry_summary as current, registry_summary as previous (as_of = $previous)
with final as (
    select
        c.region_code,
        c.households_registered - p.households_registered as households_registered_change,
        c.people_registered - p.people_registered as people_registered_change,
        c.households_poor - p.households_poor as households_poor_change,
        c.people_poor - p.people_poor as people_poor_change,
        c.incidence - p.incidence as incidence_change,
        c.households_registered = p.households_registered and c.people_registered = p.people_registered
            as registered_unchanged,
        c.households_poor = p.households_poor and c.people_poor = p.people_poor as poor_unchanged,
        c.incidence is not distinct from p.incidence as incidence_unchanged
    from current as c
    join previous as p using (region_code)
)

select * from final
