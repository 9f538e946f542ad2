-- indicator:  village_exit_failures
-- definition: how many of the registered poor villages under $region fail each criterion of the
--             preset $rules at $as_of, worked out from village_exit_check: villages_not_met fail it
--             with data, villages_no_data fail it for want of data (a criterion the village has no
--             data for never passes). A village failing two criteria counts under both. Exited
--             villages are judged too, as on the village exit check.
-- grain:      one row per criterion the preset requires, in reading order (exit_criteria)
-- params:     $as_of DATE (NULL = today), $rules VARCHAR (NULL = national; a preset of exit_rules),
--             $region VARCHAR (NULL or empty = the top of the package; an unknown code gives no rows),
--             $townships VARCHAR (NULL or empty = every township; else township names separated by
--             commas: only the villages of those townships count)
-- reads:      village_exit_check
with villages as (
    select *
    from village_exit_check
    where coalesce(trim($townships), '') = ''
       or list_contains(list_transform(string_split($townships, ','), lambda n: trim(n)), township_name)
),

required as (
    select c.ordinal, c.criterion
    from exit_criteria() as c
    join exit_rules as r on r.criterion = c.criterion
    where c.standard = 'village' and r.preset = coalesce($rules, 'national')
),

final as (
    select
        q.criterion,
        cast(count(v.village_code) filter (
            where list_contains(v.failed_criteria, q.criterion) and not list_contains(v.no_data, q.criterion)
        ) as bigint) as villages_not_met,
        cast(count(v.village_code) filter (where list_contains(v.no_data, q.criterion)) as bigint)
            as villages_no_data
    from required as q
    left join villages as v on true
    group by q.ordinal, q.criterion
    order by q.ordinal
)

select * from final
