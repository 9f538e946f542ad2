-- derive:  flow_movements
-- grain:   one row per village, day and movement
-- why:     docs/domain.md (动态管理): queries/flows.sql sums the movements dated in a window. Worked
--          out here once, per household span and per person span (05), so that a window is a
--          filter and a group-by. The rules are those of flows.sql's header:
--          * a household span opens with its event (识别纳入 enters both stocks; 标注脱贫 / 返贫
--            move within the registry); a span closed by 清退 / 自然销户 leaves the registry.
--          * a person span that opens where another span of the same person ends is a status
--            change of the household (标注脱贫 / 返贫); without one the person enters the registry:
--            by 识别纳入 when the household is identified that day, else by 自然增加.
--          * a person span that ends with no span of the same person opening that day leaves the
--            registry: by the household's 清退 / 自然销户 when it is closed that day, else by
--            自然减少. Spans still open end on 9999-12-31, so their people leave then.
--          Person spans are built as in 05 (a member's presence × the household status spans).
--          Since a household's status spans never overlap, a person span has a predecessor
--          exactly when the member was present before its household span and that span follows
--          the previous one without a gap (the household changed status rather than registered);
--          a successor likewise.
insert into flow_movements
with household_spans as (
    select s.*,
        coalesce(lag(s.valid_to) over by_household = s.valid_from, false) as follows_a_span,
        coalesce(lead(s.valid_from) over by_household = s.valid_to, false) as followed_by_a_span
    from household_status_spans as s
    window by_household as (partition by s.household_id order by s.valid_from)
),

person_spans as (
    select s.village_code, s.status,
        greatest(m.valid_from, s.valid_from) as valid_from,
        least(m.valid_to, s.valid_to) as valid_to,
        s.valid_from as household_from, s.valid_to as household_to, s.started_by, s.ended_by,
        s.follows_a_span and m.valid_from < s.valid_from as has_previous,
        s.followed_by_a_span and s.valid_to < m.valid_to as has_following
    from member_spans as m
    join household_spans as s
      on s.household_id = m.household_id
     and s.valid_from < m.valid_to
     and m.valid_from < s.valid_to
),

changes as (
    -- households: a span opening
    select village_code, valid_from as changed_on, cast(started_by as varchar) as movement,
        1 as households, 0 as people,
        case when started_by = '识别纳入' then 1 else 0 end as registry_households,
        0 as registry_people,
        case when started_by = '标注脱贫' then -1 else 1 end as poor_households,
        0 as poor_people
    from household_spans
    union all
    -- households: a span closed by a removal
    select village_code, valid_to, cast(ended_by as varchar), 1, 0, -1, 0,
        case when status = '未脱贫' then -1 else 0 end, 0
    from household_spans
    where ended_by in ('清退', '自然销户')
    union all
    -- people: a span opening
    select village_code, valid_from,
        case
            when has_previous and status = '已脱贫' then '标注脱贫'
            when has_previous then '返贫'
            when household_from = valid_from and started_by = '识别纳入' then '识别纳入'
            else '自然增加'
        end,
        0, 1, 0,
        case when has_previous then 0 else 1 end,
        0,
        case when status = '未脱贫' then 1 when has_previous then -1 else 0 end
    from person_spans
    union all
    -- people: a span ending without a successor
    select village_code, valid_to,
        case when household_to = valid_to and ended_by in ('清退', '自然销户') then cast(ended_by as varchar)
             else '自然减少'
        end,
        0, 1, 0, -1, 0,
        case when status = '未脱贫' then -1 else 0 end
    from person_spans
    where not has_following
),

final as (
    select village_code, changed_on, movement,
        cast(sum(households) as integer) as households,
        cast(sum(people) as integer) as people,
        cast(sum(registry_households) as integer) as registry_households,
        cast(sum(registry_people) as integer) as registry_people,
        cast(sum(poor_households) as integer) as poor_households,
        cast(sum(poor_people) as integer) as poor_people
    from changes
    group by village_code, changed_on, movement
)

select * from final
order by changed_on, village_code, movement
