-- check:    value_enum
-- severity: error
-- zh:       不是允许的取值，应为：{detail}
-- en:       not an allowed value; the column takes one of {detail_en} fixed values (listed in the Chinese reason)
-- template: {typed} maps the contract's aliases and casts to the enum type; NULL = unknown value
select null as table_name, _row as row_number, {column_name} as column_name, {column} as value, {detail} as detail, {detail_en} as detail_en
from {raw}
where nullif(trim({column}), '') is not null and ({typed}) is null
