-- derive:  household_exit_checks
-- grain:   one row per household and year with a 标注脱贫 in it, whose check of that year fails
-- why:     docs/domain.md (贫困户退出, 错退): a household marked exited in a year must meet that
--          year's standard — household_year_checks (10) judges it. A household with no household_year
--          row for the year fails every criterion as no data; its size is then the members present
--          on 31 December (as household_year_checks sizes an empty 家庭人口). Several exits in one year:
--          the latest counts. queries/household_exit_check.sql filters this by year and region.
insert into household_exit_checks
with exited as (
    select household_id, village_code, year(valid_from) as year, max(valid_from) as exited_on
    from household_status_spans
    where started_by = '标注脱贫'
    group by household_id, village_code, year(valid_from)
),

all_criteria as (
    -- the household standard's criteria, listed once (macro exit_criteria, queries/shared/macros.sql)
    select list(criterion order by ordinal) as keys from exit_criteria() where standard = 'household'
),

members_at_year_end as (
    select e.household_id, e.year, cast(count(*) as integer) as members
    from exited as e
    join member_spans as m
      on m.household_id = e.household_id
     and m.valid_from <= make_date(e.year, 12, 31) and make_date(e.year, 12, 31) < m.valid_to
    group by e.household_id, e.year
),

checked as (
    select
        e.household_id,
        e.village_code,
        e.year,
        e.exited_on,
        coalesce(c.size, n.members) as size,
        c.net_income,
        c.per_capita_income,
        coalesce(c.poverty_line, l.line) as poverty_line,
        c.income_pass,
        c.food_clothing, c.education, c.medical, c.housing, c.water,
        coalesce(c.failing_criteria, a.keys) as failing_criteria,
        coalesce(c.no_data_criteria, a.keys) as no_data_criteria
    from exited as e
    cross join all_criteria as a
    left join household_year_checks as c on c.household_id = e.household_id and c.year = e.year
    left join poverty_lines as l on l.year = e.year
    left join members_at_year_end as n on n.household_id = e.household_id and n.year = e.year
)

select * from checked
where len(failing_criteria) > 0
