-- check:    events_impossible_sequence
-- severity: error
-- zh:       变动顺序不可能：户编号 {detail}
-- en:       impossible sequence of events: household {detail}
-- why:      replaying a household's events in date order (docs/domain.md, 动态管理):
--           识别纳入 needs the household unregistered (never, or removed); 标注脱贫 needs 未脱贫;
--           返贫 needs 已脱贫; 清退 and 自然销户 need the household registered.
with ordered as (
    select _row, household_id, event_type, event_date,
        lag(event_type) over (partition by household_id order by event_date, event_id) as previous,
        lag(event_date) over (partition by household_id order by event_date, event_id) as previous_on
    from stg_events
    where household_id is not null
      -- a household with an event whose type or date did not type is not replayed: that cell is
      -- reported already (value_format, value_enum), and replaying without it would invent a sequence
      and household_id not in (
          select household_id from stg_events
          where household_id is not null and (event_type is null or event_date is null)
      )
),

judged as (
    select *,
        case
            when event_type = '识别纳入' then previous is null or previous in ('清退', '自然销户')
            when event_type = '标注脱贫' then previous in ('识别纳入', '返贫')
            when event_type = '返贫' then previous = '标注脱贫'
            else previous in ('识别纳入', '标注脱贫', '返贫')
        end as is_possible
    from ordered
),

final as (
    select 'events' as table_name, _row as row_number, 'event_type' as column_name,
        cast(event_type as varchar) as value,
        household_id || case
            when previous is null then '：此前未识别纳入'
            else '：前一条为 ' || previous || ' (' || previous_on || ')'
        end as detail,
        household_id || case
            when previous is null then ': not registered before'
            else ': follows an event of type ' || case previous when '识别纳入' then 'identification' when '标注脱贫' then 'exit' when '返贫' then 'return to poverty' when '清退' then 'removal' when '自然销户' then 'closure' end || ' (' || previous_on || ')'
        end as detail_en
    from judged
    where not is_possible
)

select * from final
