-- derive:  person_status_spans
-- grain:   one row per member per household status span their presence overlaps
-- why:     people counts at D are then one range filter: valid_from <= D < valid_to. A member
--          counts only while present AND the household is registered (removal ends both).
insert into person_status_spans
select m.person_id, m.household_id, s.village_code, s.status,
    greatest(m.valid_from, s.valid_from) as valid_from,
    least(m.valid_to, s.valid_to) as valid_to,
    s.category,
    s.main_cause
from member_spans as m
join household_status_spans as s
  on s.household_id = m.household_id
 and s.valid_from < m.valid_to
 and m.valid_from < s.valid_to
