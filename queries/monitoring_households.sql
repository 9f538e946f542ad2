-- query:      monitoring_households
-- definition: drill-down to the monitoring objects of a village (or any region) (docs/domain.md, After
--             2020 / 防返贫监测 — state at a date D): every household of $region identified on or before
--             $as_of, former
--             建档立卡 or never registered (边缘户), in the state the counting rule gives it — 'at_risk'
--             (an episode open at $as_of) or 'cleared' (its latest episode by $as_of cleared on or
--             before it) — with the kind and risks of that latest episode, size (members present at
--             $as_of, as monitoring_summary counts people), its episodes identified by $as_of
--             (episode_list: 认定日期–风险消除日期 (empty while open, or when cleared after $as_of)
--             监测对象类别（风险类型）, oldest first, separated by "; ") and its assistance measures dated
--             on or before $as_of (measure_list: 措施类型 日期, oldest first, separated by "; "; undated
--             measures are not listed, as assistance_coverage does not count them).
--             Privacy: head's name and ID number masked as village_households masks them (macros
--             mask_name, mask_id); the unmasked values never leave the database.
-- columns:    household_id, head_name_masked, head_id_number_masked, village_code, village_name,
--             township_name, registered (ever 建档立卡 by
--             $as_of), state ('at_risk' | 'cleared'), kind, risks (text, separated by 、), size,
--             identified_on, cleared_on (of the latest episode; NULL while at risk at $as_of),
--             episodes (how many by $as_of), episode_list, measures (how many by $as_of), measure_list
-- grain:      one row per household of the region identified by $as_of; at risk first, then by
--             identification date (latest first) and household
-- params:     $as_of DATE (NULL = today),
--             $region VARCHAR (NULL or empty = the top of the package; an unknown code gives no rows)
with params as (  -- one row; none when $region names no region (macro view_params, queries/shared/macros.sql)
    select as_of, region_code from view_params($as_of, null, $region)
),

area as (select code from area_in_view($region)),  -- the region and all under it (macro area_in_view)

episodes as (
    -- the episodes identified by the date; one cleared after it is still open then
    select e.household_id, e.kind, e.risks, e.identified_on,
        case when e.cleared_on <= params.as_of then e.cleared_on end as cleared_on
    from monitoring_episodes as e, params
    where e.village_code in (select code from area) and e.identified_on <= params.as_of
),

latest as (  -- each household's monitoring state at the date (macro monitoring_state_at)
    select s.* from monitoring_state_at((select as_of from params)) as s
    where s.village_code in (select code from area)
),

episode_lists as (
    select household_id, count(*) as episodes,
        string_agg(strftime(identified_on, '%Y-%m-%d') || '–' || coalesce(strftime(cleared_on, '%Y-%m-%d'), '')
                   || ' ' || cast(kind as varchar) || '（' || array_to_string(risks, '、') || '）',
                   '; ' order by identified_on) as episode_list
    from episodes
    group by household_id
),

measure_lists as (
    select a.household_id, count(*) as measures,
        string_agg(cast(a.measure as varchar) || ' ' || strftime(a.date, '%Y-%m-%d'), '; '
                   order by a.date, a.measure) as measure_list
    from assistance as a, params
    where a.household_id in (select household_id from latest) and a.date <= params.as_of
    group by a.household_id
),

final as (
    select
        l.household_id,
        mask_name(h.head_name) as head_name_masked,
        mask_id(h.head_id_number) as head_id_number_masked,
        l.village_code,
        v.name as village_name,
        t.name as township_name,
        l.registered,
        case when l.at_risk then 'at_risk' else 'cleared' end as state,
        cast(l.kind as varchar) as kind,
        array_to_string(l.risks, '、') as risks,
        l.people as size,
        l.identified_on,
        l.cleared_on,
        el.episodes,
        el.episode_list,
        coalesce(ml.measures, 0) as measures,
        ml.measure_list
    from latest as l
    join households as h using (household_id)
    join regions as v on v.code = l.village_code
    left join regions as t on t.code = v.parent_code
    join episode_lists as el using (household_id)
    left join measure_lists as ml using (household_id)
    order by l.at_risk desc, l.identified_on desc, l.household_id
)

select * from final
