-- check:    monitoring_dates_order
-- severity: error
-- zh:       日期先后不对：{detail}
-- en:       the dates are in the wrong order: {detail_en}
-- why:      an episode runs from 认定 (identification) to 风险消除 (clearing), which comes later; the lead
--           is found (发现) before or on the day of identification (docs/domain.md, After 2020 / 防返贫监测)
select 'monitoring' as table_name, _row as row_number, 'cleared_on' as column_name,
    cast(cleared_on as varchar) as value,
    '风险消除日期应晚于认定日期 ' || identified_on as detail,
    'the clearing date must be after the identification date ' || identified_on as detail_en
from stg_monitoring
where cleared_on is not null and identified_on is not null and cleared_on <= identified_on
union all
select 'monitoring', _row, 'found_on', cast(found_on as varchar),
    '发现日期不能晚于认定日期 ' || identified_on,
    'the lead cannot be found after the identification date ' || identified_on
from stg_monitoring
where found_on is not null and identified_on is not null and found_on > identified_on
