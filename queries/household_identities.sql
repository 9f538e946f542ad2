-- query:      household_identities
-- definition: the unmasked names and ID numbers of one village's households and their members, for
--             the roles allowed to unmask (access/store.py ROLES can_unmask); every other query
--             masks them (village_households). The runner refuses this query to a scope without
--             the personal permission, and the dashboard logs each use in the audit log.
-- personal:   yes
-- columns:    household_id, head_name, head_id_number, members (list of "name id_number" of the
--             household's members, in person_id order)
-- grain:      one row per household registered in the village (ever)
-- params:     $village VARCHAR (a 村 区划代码, required)
with params as (
    select
        case
            when exists (select 1 from regions where code = $village and level = '村') then $village
            else error('请给出一个村的区划代码，收到：' || coalesce($village, '（空）')
                       || ' / village must be the code of a 村; got: ' || coalesce($village, '(empty)'))
        end as village_code
),

final as (
    select
        h.household_id,
        h.head_name,
        h.head_id_number,
        list(coalesce(m.name, '') || ' ' || coalesce(m.id_number, '') order by m.person_id)
            filter (where m.person_id is not null) as members
    from households as h
    left join members as m on m.household_id = h.household_id
    where h.village_code = (select village_code from params)
    group by h.household_id, h.head_name, h.head_id_number
)

select * from final
order by household_id
