-- query:      member_fingerprints
-- definition: the 家庭成员 (members, data contract) of the households of $region with the dates that
--             make them count (加入日期, 减少日期) and a fingerprint of those, for the archive of reports
--             as sent (access/archive.py, ui/archive.py): kept when a report is saved, and compared with
--             today's rows to name the members entered late, whose dates were corrected, or removed
--             since. row_hash = md5 of 人员编号, 户编号, 与户主关系, 加入日期 and 减少日期, each written as
--             text, joined by a unit separator (chr(31)); an empty value as the empty string.
--             Privacy: no member's name or ID number; the head's name masked as village_households
--             masks it (mask_name).
-- columns:    person_id, household_id, head_name_masked, village_code, village_name, joined_on, left_on,
--             row_hash
-- grain:      one row per member of a household of $region, by household then 人员编号
-- params:     $region VARCHAR (NULL or empty = the top of the package; an unknown code gives no rows)
with area as (
    select code from area_in_view($region)
),

final as (
    select
        m.person_id,
        m.household_id,
        mask_name(h.head_name) as head_name_masked,
        h.village_code,
        v.name as village_name,
        m.joined_on,
        m.left_on,
        md5(concat_ws(chr(31), m.person_id, m.household_id, m.relation,
                      coalesce(strftime(m.joined_on, '%Y-%m-%d'), ''),
                      coalesce(strftime(m.left_on, '%Y-%m-%d'), ''))) as row_hash
    from members as m
    join households as h using (household_id)
    join area on area.code = h.village_code
    left join regions as v on v.code = h.village_code
    order by m.household_id, m.person_id
)

select * from final
