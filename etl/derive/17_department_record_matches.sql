-- derive:  department_record_matches
-- grain:   one row per department record (部门比对数据)
-- why:     docs/domain.md, 部门数据比对: a department's record names a person by ID number only. It is
--          matched to the members file by the normalised number (spaces and full-width spaces removed,
--          full-width digits and X made half-width, upper case), so "43012419800101123x" and
--          "４３０１２４１９８００１０１１２３Ｘ" are one person. A person listed in several households is
--          matched to the one they were present in on the record's date, else to the latest they joined.
--          No match leaves person_id NULL: not an error, the data-quality page lists it.
insert into department_record_matches
with keyed_records as (
    select record_id, date,
        upper(translate(regexp_replace(id_number, '[\s　]', '', 'g'), '０１２３４５６７８９ｘＸ', '0123456789XX')) as id_key
    from department_records
),

keyed_members as (
    select m.person_id, m.household_id, s.valid_from, s.valid_to,
        upper(translate(regexp_replace(m.id_number, '[\s　]', '', 'g'), '０１２３４５６７８９ｘＸ', '0123456789XX')) as id_key
    from members as m
    join member_spans as s using (person_id)
    where nullif(trim(m.id_number), '') is not null
),

matched as (
    select r.record_id, r.id_key, k.person_id, k.household_id
    from keyed_records as r
    left join keyed_members as k on k.id_key = r.id_key and r.id_key <> ''
    qualify row_number() over (
        partition by r.record_id
        order by (k.valid_from <= r.date and r.date < k.valid_to) desc nulls last, k.valid_from desc nulls last,
                 k.person_id
    ) = 1
),

final as (
    select m.record_id, m.id_key, m.person_id, m.household_id, h.village_code
    from matched as m
    left join households as h using (household_id)
)

select * from final
