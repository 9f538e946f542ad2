-- indicator:  funds_summary
-- definition: funds progress (docs/domain.md, Funds 资金) of the projects of $year located in
--             $region: money of each stage 下达 / 拨付 / 支出 / 报账 summed over the fund rows dated on
--             or before $as_of (negative correction rows included); the rates divide by allocated
--             (下达): disbursement_rate 拨付率, spending_rate 支出进度, reimbursement_rate
--             报账 ÷ 下达, plus reimbursement_of_spent = 报账 ÷ 支出 (domain.md's 报账率); rates are
--             NULL when the divisor is 0. Projects: started / completed = 实际开工/完工日期 on or
--             before $as_of; start_rate 开工率 and completion_rate 完工率 divide by projects.
-- grain:      one row for the region and year
-- params:     $as_of DATE (NULL = today), $year INTEGER (NULL = the year of $as_of),
--             $region VARCHAR (NULL or empty = the top of the package; an unknown code gives no rows)
with params as (  -- one row; none when $region names no region (macro view_params, queries/shared/macros.sql)
    select as_of, year, region_code from view_params($as_of, $year, $region)
),

area as (select code from area_in_view($region)),  -- the region and all under it (macro area_in_view)

year_projects as (  -- each project's money up to the date (macro project_money)
    select p.*
    from project_money(coalesce($as_of, current_date), coalesce($year, year(coalesce($as_of, current_date)))) as p
    where p.region_code in (select code from area)
),

money as (
    select
        cast(coalesce(sum(p.allocated), 0) as decimal(18, 2)) as allocated,
        cast(coalesce(sum(p.disbursed), 0) as decimal(18, 2)) as disbursed,
        cast(coalesce(sum(p.spent), 0) as decimal(18, 2)) as spent,
        cast(coalesce(sum(p.reimbursed), 0) as decimal(18, 2)) as reimbursed
    from year_projects as p
),

progress as (
    select
        count(*) as projects,
        count(*) filter (where p.started_on <= params.as_of) as projects_started,
        count(*) filter (where p.completed_on <= params.as_of) as projects_completed
    from year_projects as p, params
),

final as (
    select
        pr.projects,
        m.allocated,
        m.disbursed,
        m.spent,
        m.reimbursed,
        cast(m.disbursed as double) / nullif(cast(m.allocated as double), 0) as disbursement_rate,
        cast(m.spent as double) / nullif(cast(m.allocated as double), 0) as spending_rate,
        cast(m.reimbursed as double) / nullif(cast(m.allocated as double), 0) as reimbursement_rate,
        cast(m.reimbursed as double) / nullif(cast(m.spent as double), 0) as reimbursement_of_spent,
        pr.projects_started,
        pr.projects_completed,
        pr.projects_started / nullif(cast(pr.projects as double), 0) as start_rate,
        pr.projects_completed / nullif(cast(pr.projects as double), 0) as completion_rate
    from params
    cross join progress as pr
    cross join money as m
)

select * from final
