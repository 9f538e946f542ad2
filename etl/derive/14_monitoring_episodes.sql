-- derive:  monitoring_episodes
-- grain:   one row per monitoring episode of the monitoring file
-- why:     docs/domain.md, After 2020 / 防返贫监测: an episode runs from 认定 to 风险消除 (open while
--          at risk); its 风险类型 are one or more risk types, written separated by 、 or a comma (the
--          load refused anything else). registered_on tells a former 建档立卡 household from a
--          household never registered (边缘户).
insert into monitoring_episodes
with first_identified as (
    select household_id, min(event_date) as registered_on
    from events
    where event_type = '识别纳入'
    group by household_id
),

risk_lists as (
    select m.monitoring_id,
        list_sort(list_distinct(list_transform(
            list_filter(regexp_split_to_array(trim(m.risks), '[、,，;；]'), lambda p: trim(p) <> ''),
            lambda p: cast(trim(p) as risk_type)))) as risks
    from monitoring as m
),

final as (
    select m.monitoring_id, m.household_id, h.village_code, m.kind, r.risks, m.lead_source,
        m.found_on, m.identified_on, m.cleared_on,
        coalesce(m.cleared_on, date '9999-12-31') as valid_to,
        f.registered_on
    from monitoring as m
    join households as h using (household_id)
    join risk_lists as r using (monitoring_id)
    left join first_identified as f using (household_id)
)

select * from final
