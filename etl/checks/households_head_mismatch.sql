-- check:    households_head_mismatch
-- severity: warning
-- zh:       户主姓名或证件号码与家庭成员表中的户主不一致（成员表：{detail}）
-- en:       head name or ID differs from the household's head in the members file (members: {detail})
select 'households' as table_name, h._row as row_number,
       case when h.head_name is distinct from m.name then 'head_name' else 'head_id_number' end as column_name,
       case when h.head_name is distinct from m.name then h.head_name else h.head_id_number end as value,
       case when h.head_name is distinct from m.name then m.name else m.id_number end as detail
from stg_households as h
join stg_members as m on m.household_id = h.household_id and m.relation = '户主'
where (h.head_name is not null and h.head_name is distinct from m.name)
   or (h.head_id_number is not null and h.head_id_number is distinct from m.id_number)
