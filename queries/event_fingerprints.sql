-- query:      event_fingerprints
-- definition: the 动态管理记录 (events, data contract) of the households of $region, each with a
--             fingerprint of its row, for the archive of reports as sent (access/archive.py,
--             ui/archive.py): kept when a report is saved, and compared with today's rows to name the
--             events entered late (a 记录编号 not there then), corrected (the fingerprint differs) or
--             removed (a 记录编号 gone) since. row_hash = md5 of 记录编号, 户编号, 变动类型, 变动日期,
--             变动原因 and the household's 区划代码, each written as text, joined by a unit separator
--             (chr(31)); an empty value as the empty string.
--             Privacy: the head's name masked as village_households masks it (mask_name).
-- columns:    event_id, household_id, head_name_masked, village_code, village_name, event_type,
--             event_date, reason, row_hash
-- grain:      one row per event of a household of $region, by event date then 记录编号
-- params:     $region VARCHAR (NULL or empty = the top of the package; an unknown code gives no rows)
with area as (
    select code from area_in_view($region)
),

final as (
    select
        e.event_id,
        e.household_id,
        mask_name(h.head_name) as head_name_masked,
        h.village_code,
        v.name as village_name,
        cast(e.event_type as varchar) as event_type,
        e.event_date,
        e.reason,
        md5(concat_ws(chr(31), e.event_id, e.household_id, cast(e.event_type as varchar),
                      strftime(e.event_date, '%Y-%m-%d'), coalesce(e.reason, ''), h.village_code)) as row_hash
    from events as e
    join households as h using (household_id)
    join area on area.code = h.village_code
    left join regions as v on v.code = h.village_code
    order by e.event_date, e.event_id
)

select * from final
