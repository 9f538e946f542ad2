-- indicator:  funds_by
-- definition: funds_summary broken down by one dimension (docs/domain.md, Funds 资金: "by source,
--             by project type, by area"), same definitions and same dates, plus allocated_share =
--             the group's 下达 ÷ the 下达 of all groups. Dimensions: source 资金来源 (of the fund
--             rows: a project funded from several sources counts once under each, with only that
--             source's money — so projects do not add up across sources, money does; a project
--             without any fund row falls in the NULL group), category 项目类型, batch 批次 (NULL
--             group = no batch), township (the 乡镇 the project lies in), village (the 村; NULL
--             group = projects placed at a township). group is the value (a name for township and
--             village), group_code the 区划代码 for township and village (NULL otherwise).
-- grain:      one row per value of the dimension among the projects of $year in $region, largest
--             allocation first
-- params:     $as_of DATE (NULL = today), $year INTEGER (NULL = the year of $as_of),
--             $region VARCHAR (NULL or empty = the top of the package; an unknown code gives no rows),
--             $dimension VARCHAR one of source|category|batch|township|village (NULL = source)
with params as (  -- one row; none when $region names no region (macro view_params, queries/shared/macros.sql)
    select as_of, year, coalesce($dimension, 'source') as dimension, region_code
    from view_params($as_of, $year, $region)
),

area as (select code from area_in_view($region)),  -- the region and all under it (macro area_in_view)

year_projects as (
    select p.project_id, p.category, p.batch, p.region_code, p.started_on, p.completed_on
    from projects as p, params
    where p.year = params.year and p.region_code in (select code from area)
),

project_places as (  -- the 乡镇 and 村 a project lies in (macro region_places, queries/shared/macros.sql)
    select p.project_id, r.township_code, r.township_name, r.village_code, r.village_name
    from year_projects as p
    join region_places() as r using (region_code)
),

memberships as (
    -- one row per project and group it belongs to
    select p.project_id, f.source as group_name, cast(null as varchar) as group_code
    from year_projects as p
    join (select distinct project_id, cast(source as varchar) as source from funds) as f using (project_id), params
    where params.dimension = 'source'
    union all
    select p.project_id, null, null
    from year_projects as p, params
    where params.dimension = 'source'
      and not exists (select 1 from funds as f where f.project_id = p.project_id)
    union all
    select p.project_id,
        case params.dimension
            when 'category' then cast(p.category as varchar)
            when 'batch' then p.batch
            when 'township' then pl.township_name
            when 'village' then pl.village_name
        end,
        case params.dimension
            when 'township' then pl.township_code
            when 'village' then pl.village_code
        end
    from year_projects as p
    join project_places as pl using (project_id), params
    where params.dimension <> 'source'
),

money as (
    select
        m.group_name,
        m.group_code,
        cast(coalesce(sum(f.amount) filter (where f.stage = '下达'), 0) as decimal(18, 2)) as allocated,
        cast(coalesce(sum(f.amount) filter (where f.stage = '拨付'), 0) as decimal(18, 2)) as disbursed,
        cast(coalesce(sum(f.amount) filter (where f.stage = '支出'), 0) as decimal(18, 2)) as spent,
        cast(coalesce(sum(f.amount) filter (where f.stage = '报账'), 0) as decimal(18, 2)) as reimbursed
    from memberships as m
    cross join params
    left join funds as f
      on f.project_id = m.project_id
     and f.date <= params.as_of
     and (params.dimension <> 'source' or cast(f.source as varchar) = m.group_name)
    group by m.group_name, m.group_code
),

progress as (
    select
        m.group_name,
        m.group_code,
        count(*) as projects,
        count(*) filter (where p.started_on <= params.as_of) as projects_started,
        count(*) filter (where p.completed_on <= params.as_of) as projects_completed
    from memberships as m
    join year_projects as p using (project_id), params
    group by m.group_name, m.group_code
),

final as (
    select
        pr.group_name as "group",
        pr.group_code,
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
        pr.projects_completed / nullif(cast(pr.projects as double), 0) as completion_rate,
        cast(m.allocated as double) / nullif(cast(sum(m.allocated) over () as double), 0) as allocated_share
    from progress as pr
    join money as m
      on m.group_name is not distinct from pr.group_name and m.group_code is not distinct from pr.group_code
    order by m.allocated desc, pr.group_name nulls last
)

select * from final
