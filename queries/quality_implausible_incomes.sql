-- query:      quality_implausible_incomes
-- definition: data check (returns the bad rows; none = pass): 户年度收入与保障 (household_year) rows
--             of households in $region whose income cannot be right. Net income and per-capita
--             net income are those of household_year_checks (etl/derive/10_*; docs/domain.md,
--             贫困户退出: wages + farm/business + property + transfers − production costs, ÷
--             household size). Flagged: a negative net income (negative_net_income), or a per-capita
--             net income above 10 × the poverty line of the year (above_10x_line; poverty_lines,
--             editable) — far beyond any registered poor household, usually a typing slip (an extra
--             zero, a household total entered per person). Rows without income data are not judged
--             here (household_exit_check reports them as no data); the 10 × rule needs a size and a
--             line for the year.
-- columns:    household_id, head_name_masked (as village_households masks it), village_code,
--             village_name, township_name, year, size, net_income, per_capita_income, poverty_line,
--             times_line (per_capita_income ÷ poverty_line), reason
-- grain:      one row per flagged household_year row, by year then household
-- params:     $region VARCHAR (NULL or empty = the top of the package; an unknown code gives no rows)
with params as (
    -- one row; none when $region names no region, and then the result is empty
    select r.region_code
    from region_in_view($region) as r
),

area_households as (
    select h.household_id, h.head_name, h.village_code
    from households as h
    join region_closure as c on c.descendant_code = h.village_code
    join params on c.ancestor_code = params.region_code
),

judged as (
    select
        c.*,
        case
            when c.net_income < 0 then 'negative_net_income'
            when c.per_capita_income > 10 * c.poverty_line then 'above_10x_line'
        end as reason
    from household_year_checks as c
    where c.household_id in (select household_id from area_households)
),

final as (
    select
        j.household_id,
        -- privacy: the head's name keeps its first and last character (rule of village_households)
        mask_name(h.head_name) as head_name_masked,
        h.village_code,
        v.name as village_name,
        t.name as township_name,
        j.year,
        j.size,
        j.net_income,
        j.per_capita_income,
        j.poverty_line,
        cast(j.per_capita_income as double) / nullif(cast(j.poverty_line as double), 0) as times_line,
        j.reason
    from judged as j
    join area_households as h using (household_id)
    left join regions as v on v.code = h.village_code
    left join regions as t on t.code = v.parent_code
    where j.reason is not null
    order by j.year, j.household_id
)

select * from final
