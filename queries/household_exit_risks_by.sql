-- indicator:  household_exit_risks_by
-- definition: the 错退 risk list of household_exit_check tallied, so that the overview and the
--             household checks count it one way: $dimension total — one row: households, people
--             (their size as household_exit_check gives it; none = 0) and villages concerned;
--             village — per village with risk households: its households and people, most households
--             first; criterion — per criterion of the household standard (exit_criteria, in reading
--             order, those no household fails included with 0): the households failing it and their
--             people (a household failing two criteria counts under both).
-- columns:    group_code (village_code / criterion key; NULL for total), group_name (village name /
--             criterion key; NULL for total), households, people, villages
-- grain:      one row for total; one per village or per criterion
-- params:     $as_of DATE (NULL = 31 December of $year, or today without a $year),
--             $year INTEGER (NULL = the year of $as_of),
--             $region VARCHAR (NULL or empty = the top of the package; an unknown code gives no rows),
--             $dimension VARCHAR one of total|village|criterion (NULL = total)
-- reads:      household_exit_check
with risks as (
    select household_id, village_code, village_name, coalesce(size, 0) as size, failing_criteria
    from household_exit_check
),

criteria as (
    select ordinal, criterion from exit_criteria() where standard = 'household'
),

tallied as (
    select 0 as ordinal, cast(null as varchar) as group_code, cast(null as varchar) as group_name,
        count(*) as households, sum(size) as people, count(distinct village_code) as villages
    from risks
    having coalesce($dimension, 'total') = 'total'  -- one row, even when there is no risk
    union all
    select 0, village_code, any_value(village_name), count(*), sum(size), 1
    from risks
    where $dimension = 'village'
    group by village_code
    union all
    select c.ordinal, c.criterion, c.criterion, count(r.household_id), sum(r.size), count(distinct r.village_code)
    from criteria as c
    left join risks as r on list_contains(r.failing_criteria, c.criterion)
    where $dimension = 'criterion'
    group by c.ordinal, c.criterion
),

final as (
    select group_code, group_name,
        cast(households as bigint) as households,
        cast(coalesce(people, 0) as bigint) as people,
        cast(villages as bigint) as villages
    from tallied
    order by ordinal, households desc, people desc, group_code
)

select * from final
