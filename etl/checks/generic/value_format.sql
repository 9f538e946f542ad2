-- check:    value_format
-- severity: error
-- zh:       格式错误，应为：{detail}
-- en:       wrong format, expected: {detail}
-- template: {typed} is etl/validate.py:typed_expr for this column; NULL where the text cannot be typed
select null as table_name, _row as row_number, {column_name} as column_name, {column} as value, {detail} as detail
from {raw}
where nullif(trim({column}), '') is not null and ({typed}) is null
