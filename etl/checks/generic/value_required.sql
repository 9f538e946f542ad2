-- check:    value_required
-- severity: error
-- zh:       必填项为空
-- en:       a required value is empty
-- template: {raw} {column} {column_name} come from the contract (etl/validate.py), never from input
select null as table_name, _row as row_number, {column_name} as column_name, null as value, null as detail
from {raw}
where nullif(trim({column}), '') is null
