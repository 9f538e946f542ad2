-- check:    value_format
-- severity: error
-- zh:       格式错误，应为：{detail}
-- en:       wrong format, expected: {detail_en}
-- template: {typed} is etl/validate.py:typed_expr for this column; NULL where the text cannot be typed;
--           {date_shaped}: text written like a date, reported by value_date_impossible instead
select null as table_name, _row as row_number, {column_name} as column_name, {column} as value, {detail} as detail, {detail_en} as detail_en
from {raw}
where nullif(trim({column}), '') is not null and ({typed}) is null and not ({date_shaped})
