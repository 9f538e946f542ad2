-- derive:  members.birth_date where the file left it empty
-- why:     data contract: 出生日期 "may be derived from id_number" (digits 7–14 of a resident ID)
update members
set birth_date = cast(try_strptime(substr(id_number, 7, 8), '%Y%m%d') as date)
where birth_date is null and regexp_full_match(id_number, '[0-9]{17}[0-9Xx]')
