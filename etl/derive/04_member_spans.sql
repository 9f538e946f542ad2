-- derive:  member_spans
-- grain:   one row per member: present from joining to leaving
-- why:     data contract: 加入日期 empty = the household's first 识别纳入 date; a member is present on
--          D when joined <= D and (no leave date or leave date > D). In a household never registered
--          (边缘户, docs/domain.md, After 2020 / 防返贫监测) an empty 加入日期 means a member from the
--          start (0001-01-01). Registry figures reach members only through household_status_spans,
--          which such a household has none of.
insert into member_spans
with first_identified as (
    select household_id, min(event_date) as identified_on
    from events
    where event_type = '识别纳入'
    group by household_id
),

final as (
    select m.person_id, m.household_id,
        coalesce(m.joined_on, f.identified_on, date '0001-01-01') as valid_from,
        coalesce(m.left_on, date '9999-12-31') as valid_to
    from members as m
    left join first_identified as f using (household_id)
)

select * from final
