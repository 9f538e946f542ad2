-- check:    members_leave_before_join
-- severity: error
-- zh:       减少日期应晚于加入日期（加入日期：{detail}）
-- en:       left_on must be after the join date (joined: {detail})
select 'members' as table_name, _row as row_number, 'left_on' as column_name,
       cast(left_on as varchar) as value, cast(joined_on as varchar) as detail
from stg_members
where left_on is not null and joined_on is not null and left_on <= joined_on
