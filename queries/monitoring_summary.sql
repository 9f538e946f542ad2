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
with params as (
    -- one row; none when $region names no region, and then every result is empty
    select coalesce($as_of, current_date) as as_of, r.region_code
    from region_in_view($region) as r
),

area as (  -- the region and everything under it (macro area_under, queries/shared/macros.sql)
    select a.code from params, area_under(params.region_code) as a
),

latest as (
    -- each household's latest episode identified on or before the date (episodes never overlap)
    select e.household_id, e.valid_to > params.as_of as at_risk,
        coalesce(e.registered_on <= params.as_of, false) as registered
    from monitoring_episodes as e, params
    where e.identified_on <= params.as_of and e.village_code in (select code from area)
    qualify row_number() over (partition by e.household_id order by e.identified_on desc) = 1
),

people as (
    select l.household_id, count(m.person_id) as people
    from latest as l
    cross join params
    left join member_spans as m
      on m.household_id = l.household_id and m.valid_from <= params.as_of and params.as_of < m.valid_to
    group by l.household_id
),

counted as (
    select
        count(*) as households_identified,
        coalesce(sum(p.people), 0) as people_identified,
        count(*) filter (where l.at_risk) as households_at_risk,
        coalesce(sum(p.people) filter (where l.at_risk), 0) as people_at_risk,
        count(*) filter (where not l.at_risk) as households_cleared,
        coalesce(sum(p.people) filter (where not l.at_risk), 0) as people_cleared,
        count(*) filter (where l.at_risk and l.registered) as households_at_risk_registered,
        coalesce(sum(p.people) filter (where l.at_risk and l.registered), 0) as people_at_risk_registered
    from latest as l
    join people as p using (household_id)
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
