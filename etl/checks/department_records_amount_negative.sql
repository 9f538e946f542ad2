-- check:    department_records_amount_negative
-- severity: error
-- zh:       金额不能为负数
-- en:       the amount cannot be negative
-- why:      a department's 金额 is a cost or a payment (e.g. 医疗自付费用, docs/domain.md, 部门数据比对);
--           warning rules compare it with a bar
select 'department_records' as table_name, _row as row_number, 'amount' as column_name,
    cast(amount as varchar) as value, null as detail
from stg_department_records
where amount < 0
