-- check:    value_control_chars
-- severity: error
-- zh:       单元格含有不可见的控制字符（如 NUL），文件可能已损坏（控制字符在“值”中显示为 �）
-- en:       the cell holds invisible control characters (such as NUL); the file may be damaged (shown as � in the value)
-- template: tab, line feed and carriage return are text; the other C0 characters and DEL are not
select null as table_name, _row as row_number, {column_name} as column_name,
       regexp_replace(left({column}, 50), '[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]', '�', 'g') as value, null as detail
from {raw}
where regexp_matches({column}, '[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]')
