-- derive:  members_sharing_id
-- grain:   one row per member whose ID number is also held by a member of another household
-- why:     docs/domain.md (建档立卡): one person, one registration. A person counted in two
--          households on a date is a data defect (数据质量). Only members sharing an ID number across
--          households at all can be in two households on a date, so the quality query tests those
--          few on its date instead of every member. The key ignores case and surrounding blanks.
insert into members_sharing_id
with keyed as (
    select person_id, household_id, upper(trim(id_number)) as id_key
    from members
    where nullif(trim(id_number), '') is not null
),

shared as (
    select id_key
    from keyed
    group by id_key
    having count(distinct household_id) > 1
)

select k.person_id, k.household_id, k.id_key
from keyed as k
semi join shared as s using (id_key)
