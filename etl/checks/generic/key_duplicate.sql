-- check:    key_duplicate
-- severity: error
-- zh:       编号重复（同一编号出现多次）
-- en:       duplicate key (the same id appears more than once)
select null as table_name, _row as row_number, {column_name} as column_name, {shown} as value, null as detail
from {stg}
where {not_null}
qualify count(*) over (partition by {keys}) > 1
