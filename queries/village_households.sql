-- query:      village_households
-- definition: drill-down of one village (docs/domain.md, Who uses it — township / village staff
--             "see … which households are the reason"): its households registered at $as_of with
--             status, 贫困户属性, 主要致贫原因, size (members present at $as_of), exited_on (start of
--             the current 已脱贫 status), and the household exit standard of household_year_checks
--             (etl/derive/10_*) as known on $as_of (an empty 家庭人口 of a year not over yet counts the
--             members present on $as_of: macro household_year_checks_at): for an exited household that of its exit year (错退 risk), for a
--             still-poor one the latest household_year row up to $as_of's year (what still stands in
--             the way); check_year NULL = no household_year row, all criteria failing as no data.
--             Privacy: the head's name keeps its first and last character (张*华, 2 characters →
--             张*, 1 → *), the ID number its first 6 and last 4 (others fully masked); the unmasked
--             values never leave the database.
-- columns:    household_id, head_name_masked, head_id_number_masked, status, category, main_cause,
--             size, exited_on, check_year, per_capita_income, poverty_line, failing_checks,
--             no_data_checks (lists of criterion keys: income, food_clothing, education, medical,
--             housing, water — exit_criteria), mark: 'poor' (未脱贫: counts against the village's
--             incidence), 'risk' (已脱贫 but failing the household standard of its exit year, no data
--             included: 错退 risk) or NULL
-- grain:      one row per household of the village registered at $as_of
-- params:     $village VARCHAR (a 村 区划代码, required), $as_of DATE (NULL = today)
with params as (
    select
        coalesce($as_of, current_date) as as_of,
        case
            when exists (select 1 from regions where code = $village and level = '村') then $village
            else error('请给出一个村的区划代码，收到：' || coalesce($village, '（空）')
                       || ' / village must be the code of a 村; got: ' || coalesce($village, '(empty)'))
        end as village_code
),

registered as (
    select s.household_id, s.status, s.valid_from,
        case when s.status = '已脱贫' then s.valid_from end as exited_on
    from household_status_spans as s, params
    where s.village_code = params.village_code
      and s.valid_from <= params.as_of and params.as_of < s.valid_to
),

sizes as (
    select p.household_id, count(*) as size
    from person_status_spans as p, params
    where p.village_code = params.village_code
      and p.valid_from <= params.as_of and params.as_of < p.valid_to
    group by p.household_id
),

check_years as (
    -- exited: the exit year; still poor: the latest household_year row up to the as-of year
    select r.household_id,
        case when r.status = '已脱贫' then year(r.exited_on) else max(c.year) end as check_year
    from registered as r
    cross join params
    left join household_year_checks as c
      on c.household_id = r.household_id and r.status = '未脱贫' and c.year <= year(params.as_of)
    group by r.household_id, r.status, r.exited_on
),

all_criteria as (
    select list(criterion order by ordinal) as keys from exit_criteria() where standard = 'household'
),

masked as (
    select h.household_id,
        mask_name(h.head_name) as head_name_masked,
        mask_id(h.head_id_number) as head_id_number_masked,
        cast(h.category as varchar) as category,
        cast(h.main_cause as varchar) as main_cause
    from households as h
    where h.household_id in (select household_id from registered)
),

final as (
    select
        r.household_id,
        m.head_name_masked,
        m.head_id_number_masked,
        cast(r.status as varchar) as status,
        m.category,
        m.main_cause,
        coalesce(s.size, 0) as size,
        r.exited_on,
        c.year as check_year,
        c.per_capita_income,
        c.poverty_line,
        coalesce(c.failing_criteria, a.keys) as failing_checks,
        coalesce(c.no_data_criteria, a.keys) as no_data_checks,
        case
            when r.status = '未脱贫' then 'poor'
            when r.status = '已脱贫' and len(coalesce(c.failing_criteria, a.keys)) > 0 then 'risk'
        end as mark
    from registered as r
    join masked as m using (household_id)
    join check_years as y using (household_id)
    cross join all_criteria as a
    left join sizes as s using (household_id)
    -- as known on $as_of: an empty 家庭人口 of a year not over yet counts the members present that day
    left join household_year_checks_at(coalesce($as_of, current_date)) as c
      on c.household_id = r.household_id and c.year = y.check_year
    order by r.household_id
)

select * from final
