-- check:    households_head_count
-- severity: error
-- zh:       每户必须有且只有一名户主（与户主关系=户主），该户有 {detail} 名
-- en:       a household needs exactly one member whose relation is head of household; this one has {detail}
with heads as (
    select household_id, count(*) filter (where relation = '户主') as n_heads
    from stg_members
    group by household_id
),

no_head as (
    select 'households' as table_name, h._row as row_number, 'household_id' as column_name,
           h.household_id as value, '0' as detail
    from stg_households as h
    left join heads using (household_id)
    where h.household_id is not null and coalesce(heads.n_heads, 0) = 0
),

several_heads as (
    select 'members' as table_name, m._row as row_number, 'relation' as column_name,
           m.household_id as value, cast(heads.n_heads as varchar) as detail
    from stg_members as m
    join heads using (household_id)
    where heads.n_heads > 1 and m.relation = '户主'
),

final as (
    select * from no_head
    union all
    select * from several_heads
)

select * from final
