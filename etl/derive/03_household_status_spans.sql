-- derive:  household_status_spans
-- grain:   one row per household per stretch of unchanged status while registered
-- why:     docs/domain.md (动态管理): replaying a household's events in date order gives its
--          status; 识别纳入/返贫 open a 未脱贫 span, 标注脱贫 an 已脱贫 span, 清退/自然销户 close the
--          current span and open none. Status at D = the span with valid_from <= D < valid_to.
insert into household_status_spans
with ordered as (
    select e.household_id, h.village_code, h.category, h.main_cause, e.event_type, e.event_date,
        lead(e.event_type) over by_date as next_type,
        lead(e.event_date) over by_date as next_date
    from events as e
    join households as h using (household_id)
    window by_date as (partition by e.household_id order by e.event_date)
),

final as (
    select household_id, village_code,
        case when event_type = '标注脱贫' then '已脱贫' else '未脱贫' end as status,
        event_date as valid_from,
        coalesce(next_date, date '9999-12-31') as valid_to,
        event_type as started_by,
        next_type as ended_by,
        category,
        main_cause
    from ordered
    where event_type in ('识别纳入', '标注脱贫', '返贫')
)

select * from final
