-- indicator:  registry_change
-- definition: the change of the registry between $previous and $as_of (the overview's "since the
--             previous quarter end"), worked out from registry_summary at both dates: for registered
--             (现有建档) and still-poor (未脱贫) 户 and 人 the count at $as_of minus the count at
--             $previous, and incidence_change = the incidence at $as_of minus that at $previous (a
--             ratio difference: ×100 = percentage points; NULL when either is NULL);
--             registered_unchanged, poor_unchanged, incidence_unchanged: nothing moved (an incidence
--             NULL at both dates is unchanged). Both dates' figures come along, so a page showing the
--             registry at two dates and the change between them reads one query, not three.
-- columns:    region_code, region_name; every figure of registry_summary at $as_of under its own
--             name; the same figures at $previous as <figure>_previous; the changes and flags above
-- grain:      one row for the region
-- params:     $as_of DATE (NULL = today), $previous DATE (NULL = today),
--             $region VARCHAR (NULL or empty = the top of the package; an unknown code gives no rows)
-- reads:      registry_summary as current, registry_summary as previous (as_of = $previous)
with final as (
    select
        c.*,
        p.households_registered as households_registered_previous,
        p.people_registered as people_registered_previous,
        p.households_poor as households_poor_previous,
        p.people_poor as people_poor_previous,
        p.households_exited as households_exited_previous,
        p.people_exited as people_exited_previous,
        p.poor_villages_total as poor_villages_total_previous,
        p.poor_villages_exited as poor_villages_exited_previous,
        p.poor_villages_remaining as poor_villages_remaining_previous,
        p.rural_population as rural_population_previous,
        p.incidence as incidence_previous,
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
