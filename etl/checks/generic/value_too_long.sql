-- check:    value_too_long
-- severity: error
-- zh:       单元格内容过长（超过 {detail} 个字符）
-- en:       cell too long (more than {detail} characters)
select null as table_name, _row as row_number, {column_name} as column_name,
       left({column}, 50) || '…' as value, {max_chars} as detail
from {raw}
where length({column}) > {max_chars}
