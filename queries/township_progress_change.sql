-- indicator:  township_progress_change
-- definition: the township progress table at two dates side by side (docs/domain.md, Indicators; each
--             figure as township_progress defines it): for every row of township_progress at $as_of (the parts of $region
--             at $level, then $region itself, is_total) each figure at $as_of, at $previous (_previous)
--             and the difference, the figure at $as_of minus that at $previous (_change; for the
--             ratios incidence, completion_rate and spending_rate a ratio difference: ×100 =
--             percentage points; NULL when either is NULL). The exits and their completion are each
--             date's year to date, so against the same date a year before (同比) they compare the same
--             stretch of two years; against the previous quarter end (环比) or another date, two
--             stretches of the year.
-- columns:    region_code, region_name, is_total, and for each of households_registered,
--             people_registered, households_poor, people_poor, incidence, households_exited,
--             people_exited, planned_people, completion_rate, poor_villages_remaining, spending_rate: the figure,
--             <figure>_previous and <figure>_change
-- grain:      one row per row of township_progress at $as_of, in its order
-- params:     $as_of DATE (NULL = today), $previous DATE (NULL = today),
--             $level VARCHAR one of 乡镇|村 (NULL = 村),
--             $region VARCHAR (NULL or empty = the top of the package; an unknown code gives no rows)
-- reads:      township_progress as current, township_progress as previous (as_of = $previous)
with final as (
    select
        c.region_code,
        c.region_name,
        c.is_total,
        c.households_registered,
        p.households_registered as households_registered_previous,
        c.households_registered - p.households_registered as households_registered_change,
        c.people_registered,
        p.people_registered as people_registered_previous,
        c.people_registered - p.people_registered as people_registered_change,
        c.households_poor,
        p.households_poor as households_poor_previous,
        c.households_poor - p.households_poor as households_poor_change,
        c.people_poor,
        p.people_poor as people_poor_previous,
        c.people_poor - p.people_poor as people_poor_change,
        c.incidence,
        p.incidence as incidence_previous,
        c.incidence - p.incidence as incidence_change,
        c.households_exited,
        p.households_exited as households_exited_previous,
        c.households_exited - p.households_exited as households_exited_change,
        c.people_exited,
        p.people_exited as people_exited_previous,
        c.people_exited - p.people_exited as people_exited_change,
        c.planned_people,
        p.planned_people as planned_people_previous,
        c.planned_people - p.planned_people as planned_people_change,
        c.completion_rate,
        p.completion_rate as completion_rate_previous,
        c.completion_rate - p.completion_rate as completion_rate_change,
        c.poor_villages_remaining,
        p.poor_villages_remaining as poor_villages_remaining_previous,
        c.poor_villages_remaining - p.poor_villages_remaining as poor_villages_remaining_change,
        c.spending_rate,
        p.spending_rate as spending_rate_previous,
        c.spending_rate - p.spending_rate as spending_rate_change
    from current as c
    left join previous as p using (region_code)
    order by c.is_total, c.region_code
)

select * from final
