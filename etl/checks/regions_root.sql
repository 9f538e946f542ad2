-- check:    regions_root
-- severity: error
-- zh:       区划表应有且只有一个顶级区划（上级代码为空），当前有 {detail} 个
-- en:       the regions file needs exactly one top node (empty parent_code); found {detail}
with roots as (
    select _row, code from stg_regions where parent_code is null and code is not null
),

n_roots as (select count(*) as n from roots),

final as (
    select 'regions' as table_name, roots._row as row_number, 'parent_code' as column_name,
           roots.code as value, cast(n_roots.n as varchar) as detail
    from roots, n_roots where n_roots.n > 1
    union all
    select 'regions', null, 'parent_code', null, '0'
    from n_roots where n_roots.n = 0 and exists (select 1 from stg_regions)
)

select * from final
