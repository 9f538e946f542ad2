-- check:    targets_spending_out_of_range
-- severity: error
-- zh:       支出进度目标应在 0 到 1 之间（或 0% 到 100%），并须填写截止日期
-- en:       spending_target must be between 0 and 1 (or 0%–100%) and needs a deadline
select 'targets' as table_name, _row as row_number, 'spending_target' as column_name,
       cast(spending_target as varchar) as value, null as detail
from stg_targets
where spending_target is not null and (spending_target < 0 or spending_target > 1 or deadline is null)
