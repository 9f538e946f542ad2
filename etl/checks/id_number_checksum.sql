-- check:    id_number_checksum
-- severity: warning
-- zh:       身份证号码校验不通过（应为18位，末位校验码按 GB 11643 计算）
-- en:       resident ID fails validation (18 characters, check digit per GB 11643)
-- why:      GB 11643-1999: weights 7 9 10 5 8 4 2 1 6 3 7 9 10 5 8 4 2, mod 11 -> '10X98765432'
with ids as (
    select 'members' as table_name, _row, 'id_number' as column_name, upper(id_number) as id
    from stg_members where id_number is not null
    union all
    select 'households', _row, 'head_id_number', upper(head_id_number)
    from stg_households where head_id_number is not null
),

checked as (
    select *,
        regexp_full_match(id, '[0-9]{17}[0-9X]') as well_formed,
        list_sum(list_transform(range(17), lambda i:
            coalesce(try_cast(substr(id, i + 1, 1) as integer), 0)
            * [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2][i + 1]
        )) as weighted_sum
    from ids
),

final as (
    select table_name, _row as row_number, column_name, id as value, null as detail
    from checked
    where not well_formed
       or substr('10X98765432', cast(weighted_sum % 11 + 1 as bigint), 1) <> substr(id, 18, 1)
)

select * from final
