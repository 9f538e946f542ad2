-- query:      household_exit_check
-- definition: the 错退 risk list (docs/domain.md, Exit standards — household 贫困户退出): households
--             in $region with 标注脱贫 dated in $year (the latest one when several) whose
--             household_year row of $year fails the standard — per-capita net income under the
--             poverty line of $year (poverty_lines), or 吃穿不愁 / 义务教育 / 基本医疗 / 住房安全 /
--             饮水安全 not assured — as judged in household_year_checks (etl/derive/10_*; the list
--             itself is worked out for every year in etl/derive/12_household_exit_checks.sql). Empty
--             values are no data and fail; a household without a household_year row for $year fails
--             every criterion as no data; its size is then, as household_year_checks does for an
--             empty 家庭人口, the members present on 31 December of $year. Households merely
--             planned to exit are not listed: the targets file plans counts per region, never
--             households. Privacy: the head's name is masked by mask_name (queries/shared/macros.sql:
--             张*华, 2 characters → 张*, 1 → *); the unmasked name never leaves the database.
-- columns:    household_id, head_name_masked, village_code, village_name, category, exited_on,
--             size, net_income, per_capita_income, poverty_line, income_pass, food_clothing,
--             education, medical, housing, water, failing_criteria, no_data_criteria (lists of
--             criterion keys: income, food_clothing, education, medical, housing, water)
-- grain:      one row per flagged household
-- params:     $year INTEGER (NULL = the current year),
--             $region VARCHAR (NULL or empty = the top of the package; an unknown code gives no rows)
with params as (
    -- one row; none when $region names no region, and then every result is empty
    select
        coalesce($year, year(current_date)) as year,
        r.code as region_code
    from regions as r
    where r.code = coalesce($region, (select code from regions where parent_code is null))
),

area as (
    select c.descendant_code as code
    from region_closure as c, params
    where c.ancestor_code = params.region_code
),

flagged as (
    -- worked out at load for every year (etl/derive/12_household_exit_checks.sql)
    select x.*
    from household_exit_checks as x, params
    where x.year = params.year
      and x.village_code in (select code from area)
),

final as (
    select
        k.household_id,
        mask_name(h.head_name) as head_name_masked,
        k.village_code,
        v.name as village_name,
        cast(h.category as varchar) as category,
        k.exited_on,
        k.size,
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
    join households as h using (household_id)
    join regions as v on v.code = k.village_code
    order by k.village_code, k.household_id
)

select * from final
