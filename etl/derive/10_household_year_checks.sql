-- derive:  household_year_checks
-- grain:   one row per household_year row
-- why:     docs/domain.md (贫困户退出): net income = wages + farm/business income + property
--          income + transfers − production costs; per capita = ÷ household size; it must not be
--          under the poverty line of that year (poverty_lines, editable data), and 两不愁三保障 plus
--          safe water must hold. An empty bool, or no line for the year, is "no data" and fails.
--          Income components left empty count as 0 unless all five are empty (then no data); an
--          empty 家庭人口 falls back to the members present on 31 December of the year.
insert into household_year_checks
with members_at_year_end as (
    -- only where 家庭人口 is empty: the members present on 31 December of the year
    select y.household_id, y.year, count(m.person_id) as members
    from household_year as y
    join member_spans as m
      on m.household_id = y.household_id
     and m.valid_from <= make_date(y.year, 12, 31) and make_date(y.year, 12, 31) < m.valid_to
    where y.size is null
    group by y.household_id, y.year
),

measured as (
    select
        y.household_id,
        y.year,
        coalesce(y.size, nullif(cast(n.members as integer), 0)) as size,
        case
            when coalesce(y.wages, y.business_income, y.property_income, y.transfer_income,
                          y.business_costs) is not null
            then coalesce(y.wages, 0) + coalesce(y.business_income, 0) + coalesce(y.property_income, 0)
                 + coalesce(y.transfer_income, 0) - coalesce(y.business_costs, 0)
        end as net_income,
        l.line as poverty_line,
        y.food_clothing, y.education, y.medical, y.housing, y.water
    from household_year as y
    left join members_at_year_end as n using (household_id, year)
    left join poverty_lines as l using (year)
),

judged as (
    select *,
        cast(net_income / size as decimal(18, 2)) as per_capita_income,
        net_income >= poverty_line * size as income_pass
    from measured
),

final as (
    select
        household_id, year, size, net_income, per_capita_income, poverty_line, income_pass,
        food_clothing, education, medical, housing, water,
        list_filter([
            case when income_pass is not true then 'income' end,
            case when food_clothing is not true then 'food_clothing' end,
            case when education is not true then 'education' end,
            case when medical is not true then 'medical' end,
            case when housing is not true then 'housing' end,
            case when water is not true then 'water' end
        ], lambda c: c is not null) as failing_criteria,
        list_filter([
            case when income_pass is null then 'income' end,
            case when food_clothing is null then 'food_clothing' end,
            case when education is null then 'education' end,
            case when medical is null then 'medical' end,
            case when housing is null then 'housing' end,
            case when water is null then 'water' end
        ], lambda c: c is not null) as no_data_criteria
    from judged
)

select * from final
