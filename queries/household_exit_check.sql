-- query:      household_exit_check
-- definition: the 错退 risk list (docs/domain.md, Exit standards — household 贫困户退出): households
--             in $region with 标注脱贫 dated in $year on or before $as_of (the latest such one when
--             several; an exit after $as_of has not happened yet) whose household_year row of $year
--             fails the standard — per-capita net income under the
--             poverty line of $year (poverty_lines), or 吃穿不愁 / 义务教育 / 基本医疗 / 住房安全 /
--             饮水安全 not assured — as judged in household_year_checks (etl/derive/10_*; the list
--             itself is worked out for every year in etl/derive/12_household_exit_checks.sql). Empty
--             values are no data and fail; a household without a household_year row for $year fails
--             every criterion as no data; its size is then, as household_year_checks does for an
--             empty 家庭人口, the members present on 31 December of $year — on $as_of when that is
--             earlier, for a household_year row with an empty 家庭人口 too (macro household_year_checks_at,
--             queries/shared/macros.sql: members joining or leaving after $as_of are not known yet).
--             Households merely
--             planned to exit are not listed: the targets file plans counts per region, never
--             households. Privacy: the head's name is masked by mask_name (queries/shared/macros.sql:
--             张*华, 2 characters → 张*, 1 → *); the unmasked name never leaves the database.
-- columns:    household_id, head_name_masked, village_code, village_name, category, exited_on,
--             size, net_income, per_capita_income, poverty_line, income_pass, food_clothing,
--             education, medical, housing, water, failing_criteria, no_data_criteria (lists of
--             criterion keys: income, food_clothing, education, medical, housing, water)
-- grain:      one row per flagged household
-- params:     $as_of DATE (NULL = 31 December of $year, or today without a $year),
--             $year INTEGER (NULL = the year of $as_of),
--             $region VARCHAR (NULL or empty = the top of the package; an unknown code gives no rows)
with params as (
    -- one row; none when $region names no region, and then every result is empty
    select
        coalesce($year, year(coalesce($as_of, current_date))) as year,
        coalesce($as_of, make_date($year, 12, 31), current_date) as as_of,
        r.region_code
    from region_in_view($region) as r
),

area as (select code from area_in_view($region)),  -- the region and all under it (macro area_in_view)

judged_on_as_of as (
    -- household_year rows of the year with an empty 家庭人口 while the year is not over by $as_of: sized
    -- by the members present on $as_of (macro household_year_checks_at), not as stored at load
    select y.household_id
    from household_year as y, params
    where y.year = params.year and y.size is null and params.as_of < make_date(params.year, 12, 31)
),

flagged as (
    -- worked out at load for every year (etl/derive/12_household_exit_checks.sql); the check is that
    -- of the year, whichever exit of the year is the latest by $as_of
    select x.*
    from household_exit_checks as x, params
    where x.year = params.year
      and x.village_code in (select code from area)
      and x.household_id not in (select household_id from judged_on_as_of)
    union all by name
    select c.*, h.village_code
    from params, household_year_checks_at(coalesce($as_of, make_date($year, 12, 31), current_date)) as c
    join judged_on_as_of as j using (household_id)
    join households as h using (household_id)
    where c.year = params.year
      and h.village_code in (select code from area)
      and len(c.failing_criteria) > 0
),

exited_by_as_of as (
    -- the latest 标注脱贫 of the year on or before $as_of of each flagged household (none: not exited yet)
    select s.household_id, max(s.valid_from) as exited_on
    from household_status_spans as s, params
    where s.started_by = '标注脱贫'
      and year(s.valid_from) = params.year
      and s.valid_from <= params.as_of
      and s.household_id in (select household_id from flagged)
    group by s.household_id
),

with_year_row as (
    -- the flagged households with a household_year row of the year (every flagged row is of params.year;
    -- the year named as a value so the scan reads that year alone, and the few flagged households are
    -- looked up in it rather than the whole table matched against them)
    select c.household_id
    from household_year_checks as c
    where c.year = coalesce($year, year(coalesce($as_of, current_date)))
      and c.household_id in (select household_id from flagged)
),

size_by_as_of as (
    -- without a household_year row the size is the members present at the year's end, or on $as_of
    -- when that comes first (the members after $as_of are not known yet)
    select k.household_id, cast(count(m.person_id) as integer) as members
    from flagged as k
    cross join params
    join member_spans as m
      on m.household_id = k.household_id
     and m.valid_from <= least(make_date(params.year, 12, 31), params.as_of)
     and least(make_date(params.year, 12, 31), params.as_of) < m.valid_to
    where params.as_of < make_date(params.year, 12, 31)
      and k.household_id not in (select household_id from with_year_row)
    group by k.household_id
),

final as (
    select
        k.household_id,
        mask_name(h.head_name) as head_name_masked,
        k.village_code,
        v.name as village_name,
        cast(h.category as varchar) as category,
        e.exited_on,
        case
            when params.as_of < make_date(params.year, 12, 31)
             and k.household_id not in (select household_id from with_year_row)
            then z.members
            else k.size
        end as size,
        k.net_income,
        k.per_capita_income,
        k.poverty_line,
        k.income_pass,
        k.food_clothing,
        k.education,
        k.medical,
        k.housing,
        k.water,
        k.failing_criteria,
        k.no_data_criteria
    from flagged as k
    join exited_by_as_of as e using (household_id)
    left join size_by_as_of as z using (household_id)
    cross join params
    join households as h using (household_id)
    join regions as v on v.code = k.village_code
    order by k.village_code, k.household_id
)

select * from final
