-- indicator:  monitoring_by
-- definition: monitoring_summary's counts broken down by one attribute (docs/domain.md, After 2020 /
--             防返贫监测 — state at a date D, kind and risk types of the latest episode by D):
--             $dimension kind — 监测对象类别 (脱贫不稳定户 / 边缘易致贫户 / 突发严重困难户); risk — 风险类型:
--             a household whose latest episode names two risk types counts under each, so the rows of
--             this dimension add up to more than monitoring_summary; lead_source — 线索来源 (NULL
--             group: no lead source given, listed only when it holds a household); township, village
--             — where the household lives. Every kind, risk type and lead source appears, with zeros, in
--             the order of its list; every township / village under $region appears, by code.
--             clearance_rate = households_cleared ÷ households_identified (NULL when none).
-- columns:    group (the value; a name for township and village), group_code (区划代码 for township and
--             village, NULL otherwise), households_identified, people_identified, households_at_risk,
--             people_at_risk, households_cleared, people_cleared, clearance_rate, ordinal
-- grain:      one row per value of the dimension
-- params:     $as_of DATE (NULL = today),
--             $region VARCHAR (NULL or empty = the top of the package; an unknown code gives no rows),
--             $dimension VARCHAR one of kind|risk|lead_source|township|village (NULL = kind)
with params as (  -- one row; none when $region names no region (macro view_params, queries/shared/macros.sql)
    select as_of, coalesce($dimension, 'kind') as dimension, region_code
    from view_params($as_of, null, $region)
),

area as (select code, level from area_in_view($region)),  -- the region and all under it (macro area_in_view)

latest as (  -- each household's monitoring state at the date (macro monitoring_state_at), with its township
    select s.*, v.parent_code as township_code
    from monitoring_state_at((select as_of from params)) as s
    join regions as v on v.code = s.village_code
    where s.village_code in (select code from area)
),

groups as (
    select cast(e.value as varchar) as "group", cast(null as varchar) as group_code, e.ordinal
    from params, unnest(enum_range(null::monitoring_kind)) with ordinality as e(value, ordinal)
    where params.dimension = 'kind'
    union all
    select cast(e.value as varchar), null, e.ordinal
    from params, unnest(enum_range(null::risk_type)) with ordinality as e(value, ordinal)
    where params.dimension = 'risk'
    union all
    select cast(e.value as varchar), null, e.ordinal
    from params, unnest(enum_range(null::lead_source)) with ordinality as e(value, ordinal)
    where params.dimension = 'lead_source'
    union all
    select r.name, r.code, row_number() over (order by r.code)
    from regions as r
    where r.code in (
        -- the villages under $region, or the townships they lie in (the township of a village asked about)
        select case params.dimension when 'township' then v.parent_code else v.code end
        from params, regions as v
        where params.dimension in ('township', 'village') and v.level = '村' and v.code in (select code from area)
    )
),

placed as (
    -- each household under the group(s) it belongs to
    select l.household_id, l.at_risk, l.people,
        unnest(case params.dimension
            when 'kind' then [cast(l.kind as varchar)]
            when 'risk' then cast(l.risks as varchar[])
            when 'lead_source' then [cast(l.lead_source as varchar)]
            when 'township' then [l.township_code]
            else [l.village_code]
        end) as group_key
    from latest as l
    cross join params
),

counted as (
    select
        p.group_key,
        count(*) as households_identified,
        sum(p.people) as people_identified,
        count(*) filter (where p.at_risk) as households_at_risk,
        coalesce(sum(p.people) filter (where p.at_risk), 0) as people_at_risk,
        count(*) filter (where not p.at_risk) as households_cleared,
        coalesce(sum(p.people) filter (where not p.at_risk), 0) as people_cleared
    from placed as p
    group by p.group_key
),

all_groups as (
    select g."group", g.group_code, coalesce(g.group_code, g."group") as group_key, g.ordinal
    from groups as g
    union all
    -- households without a lead source
    select null, null, null, 1000
    from params
    where params.dimension = 'lead_source' and exists (select 1 from counted where group_key is null)
),

final as (
    select
        g."group",
        g.group_code,
        coalesce(c.households_identified, 0) as households_identified,
        cast(coalesce(c.people_identified, 0) as bigint) as people_identified,
        coalesce(c.households_at_risk, 0) as households_at_risk,
        cast(coalesce(c.people_at_risk, 0) as bigint) as people_at_risk,
        coalesce(c.households_cleared, 0) as households_cleared,
        cast(coalesce(c.people_cleared, 0) as bigint) as people_cleared,
        c.households_cleared / nullif(cast(c.households_identified as double), 0) as clearance_rate,
        g.ordinal
    from all_groups as g
    left join counted as c on c.group_key is not distinct from g.group_key
    order by g.ordinal
)

select * from final
