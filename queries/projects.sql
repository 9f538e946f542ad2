-- query:      projects
-- definition: the project list behind funds_summary (docs/domain.md, Funds 资金 — projects and
--             money stages 下达 → 拨付 → 支出 → 报账): every project located in $region (its 村, or its
--             乡镇 and the 村 below) of $year, with its money of each stage summed over its fund rows
--             dated on or before $as_of — negative correction rows included (data contract, funds:
--             "corrections are negative rows") — exactly as funds_summary sums them, so the rows of
--             one year add up to funds_summary($as_of, that year, $region). started / completed =
--             实际开工/完工日期 on or before $as_of (as funds_summary counts them); status 已完工 when
--             completed, else 在建 when started, else 未开工; started_on / completed_on are NULL
--             until then (a date after $as_of has not happened yet). Overdue as of $as_of: is_start_overdue
--             = not started and the 计划开工日期 is before $as_of; is_completion_overdue = not
--             completed and the 计划完工日期 is before $as_of (a project without the planned date is
--             never overdue). spending_rate = 支出 ÷ 下达, disbursement_rate = 拨付 ÷ 下达 (NULL when
--             nothing is allocated). sources lists the 资金来源 of its fund rows up to $as_of.
--             township_* / village_* name the 乡镇 and 村 the project lies in (village NULL for a
--             project placed at a township).
-- grain:      one row per project, overdue ones first, then by year and project_id
-- params:     $as_of DATE (NULL = today), $year INTEGER (NULL = every year),
--             $region VARCHAR (NULL or empty = the top of the package; an unknown code gives no rows)
with params as (  -- one row; none when $region names no region (macro view_params, queries/shared/macros.sql)
    select as_of, $year as year, region_code from view_params($as_of, null, $region)
),

area as (select code from area_in_view($region)),  -- the region and all under it (macro area_in_view)

selected_projects as (
    select p.*
    from projects as p, params
    where (params.year is null or p.year = params.year)
      and p.region_code in (select code from area)
),

project_places as (  -- the 乡镇 and 村 a project lies in (macro region_places, queries/shared/macros.sql)
    select p.project_id, r.township_code, r.township_name, r.village_code, r.village_name
    from selected_projects as p
    join region_places() as r using (region_code)
),

project_money as (
    -- the same sums as funds_summary's money, per project
    select
        f.project_id,
        sum(f.amount) filter (where f.stage = '下达') as allocated,
        sum(f.amount) filter (where f.stage = '拨付') as disbursed,
        sum(f.amount) filter (where f.stage = '支出') as spent,
        sum(f.amount) filter (where f.stage = '报账') as reimbursed,
        string_agg(distinct cast(f.source as varchar), '、' order by cast(f.source as varchar)) as sources
    from funds as f
    join selected_projects using (project_id), params
    where f.date <= params.as_of
    group by f.project_id
),

progress as (
    select
        p.project_id,
        coalesce(p.started_on <= params.as_of, false) as is_started,
        coalesce(p.completed_on <= params.as_of, false) as is_completed,
        coalesce(p.planned_start < params.as_of, false) as is_past_planned_start,
        coalesce(p.planned_end < params.as_of, false) as is_past_planned_end
    from selected_projects as p, params
),

final as (
    select
        p.project_id,
        p.name,
        cast(p.category as varchar) as category,
        p.region_code,
        pl.township_code,
        pl.township_name,
        pl.village_code,
        pl.village_name,
        p.year,
        p.batch,
        p.department,
        p.planned_amount,
        p.planned_start,
        case when g.is_started then p.started_on end as started_on,
        p.planned_end,
        case when g.is_completed then p.completed_on end as completed_on,
        p.beneficiary_households,
        p.beneficiary_people,
        m.sources,
        cast(coalesce(m.allocated, 0) as decimal(18, 2)) as allocated,
        cast(coalesce(m.disbursed, 0) as decimal(18, 2)) as disbursed,
        cast(coalesce(m.spent, 0) as decimal(18, 2)) as spent,
        cast(coalesce(m.reimbursed, 0) as decimal(18, 2)) as reimbursed,
        cast(coalesce(m.disbursed, 0) as double) / nullif(cast(m.allocated as double), 0) as disbursement_rate,
        cast(coalesce(m.spent, 0) as double) / nullif(cast(m.allocated as double), 0) as spending_rate,
        case when g.is_completed then '已完工' when g.is_started then '在建' else '未开工' end as status,
        g.is_started,
        g.is_completed,
        g.is_past_planned_start and not g.is_started as is_start_overdue,
        g.is_past_planned_end and not g.is_completed as is_completion_overdue,
        (g.is_past_planned_start and not g.is_started) or (g.is_past_planned_end and not g.is_completed)
            as is_overdue
    from selected_projects as p
    join project_places as pl using (project_id)
    join progress as g using (project_id)
    left join project_money as m using (project_id)
    order by is_overdue desc, p.year, p.project_id
)

select * from final
