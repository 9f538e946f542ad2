-- check:    monitoring_overlap
-- severity: error
-- zh:       同一户的监测期重叠：户编号 {detail}
-- en:       monitoring episodes of one household overlap: household {detail}
-- why:      a household is at risk in one episode at a time: the next episode is identified on or
--           after the day the previous one was cleared (an episode still open ends every later one)
with episodes as (
    select _row, monitoring_id, household_id, identified_on,
        coalesce(cleared_on, date '9999-12-31') as ends_on
    from stg_monitoring
    where household_id is not null and identified_on is not null
      and (cleared_on is null or cleared_on > identified_on)
),

final as (
    select 'monitoring' as table_name, a._row as row_number, 'identified_on' as column_name,
        cast(a.identified_on as varchar) as value,
        a.household_id || '（' || string_agg(b.monitoring_id, '、' order by b.monitoring_id) || '）' as detail,
        a.household_id || ' (' || string_agg(b.monitoring_id, ', ' order by b.monitoring_id) || ')' as detail_en
    from episodes as a
    join episodes as b
      on b.household_id = a.household_id and b._row <> a._row
     and a.identified_on < b.ends_on and b.identified_on < a.ends_on
    group by a._row, a.household_id, a.identified_on
)

select * from final
