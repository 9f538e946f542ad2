-- check:    value_date_impossible
-- severity: error
-- zh:       日期不存在（月份或日超出范围，如 2月30日）
-- en:       impossible date (no such month or day, e.g. February 30)
-- template: {typed} as in value_format; {date_shaped} is true where the text is written like a date
--           (etl/validate.py:DATE_SHAPE), so a wrong format and a day the calendar lacks differ
select null as table_name, _row as row_number, {column_name} as column_name, {column} as value, null as detail
from {raw}
where nullif(trim({column}), '') is not null and ({typed}) is null and ({date_shaped})
