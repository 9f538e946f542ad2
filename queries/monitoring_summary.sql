-- indicator:  monitoring_summary
-- definition: the monitoring objects at a date (docs/domain.md, After 2020 / 防返贫监测 — state at a
--             date D: every household identified on or before D is either at risk, an episode open
--             at D, or cleared, its latest episode by D cleared on or before D; people are its members
--             present at D): households_identified = households_at_risk + households_cleared, the same
--             for people; clearance_rate = households_cleared ÷ households_identified (NULL when none);
--             households_at_risk_registered / people_at_risk_registered: those at risk that were ever
--             建档立卡 (a 识别纳入 on or before D); the rest are households never registered (边缘户).
--             Households are placed by their village (区划代码 of the households file).
-- columns:    region_code, region_name, households_identified, people_identified, households_at_risk,
--             people_at_risk, households_cleared, people_cleared, clearance_rate,
--             households_at_risk_registered, people_at_risk_registered
-- grain:      one row for the region
-- params:     $as_of DATE (NULL = today),
--             $region VARCHAR (NULL or empty = the top of the package; an unknown code gives no rows)
with params as (  -- one row; none when $region names no region (macro view_params, queries/shared/macros.sql)
    select as_of, region_code from view_params($as_of, null, $region)
),

area as (select code from area_in_view($region)),  -- the region and all under it (macro area_in_view)

state as (  -- each household's monitoring state at the date (macro monitoring_state_at)
    select s.* from monitoring_state_at((select as_of from params)) as s
    where s.village_code in (select code from area)
),

counted as (
    select
        count(*) as households_identified,
        coalesce(sum(p.people), 0) as people_identified,
        count(*) filter (where p.at_risk) as households_at_risk,
        coalesce(sum(p.people) filter (where p.at_risk), 0) as people_at_risk,
        count(*) filter (where not p.at_risk) as households_cleared,
        coalesce(sum(p.people) filter (where not p.at_risk), 0) as people_cleared,
        count(*) filter (where p.at_risk and p.registered) as households_at_risk_registered,
        coalesce(sum(p.people) filter (where p.at_risk and p.registered), 0) as people_at_risk_registered
    from state as p
),

final as (
    select
        r.code as region_code,
        r.name as region_name,
        c.households_identified,
        cast(c.people_identified as bigint) as people_identified,
        c.households_at_risk,
        cast(c.people_at_risk as bigint) as people_at_risk,
        c.households_cleared,
        cast(c.people_cleared as bigint) as people_cleared,
        c.households_cleared / nullif(cast(c.households_identified as double), 0) as clearance_rate,
        c.households_at_risk_registered,
        cast(c.people_at_risk_registered as bigint) as people_at_risk_registered
    from params
    join regions as r on r.code = params.region_code
    cross join counted as c
)

select * from final
