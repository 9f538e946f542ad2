-- check:    targets_duplicate
-- severity: error
-- zh:       同一年度、同一区划的{detail}重复填写
-- en:       {detail} given more than once for the same year and region
-- why:      planned exits are stated once per year and region; spending targets once per deadline
with plans as (
    select _row, year, region_code, '计划减贫' as what, 'planned exits' as what_en
    from stg_targets
    where planned_exit_households is not null or planned_exit_people is not null
       or planned_exit_villages is not null
    qualify count(*) over (partition by year, region_code) > 1
),

schedules as (
    select _row, year, region_code, '支出进度目标 ' || deadline as what,
        'spending target ' || deadline as what_en
    from stg_targets
    where spending_target is not null
    qualify count(*) over (partition by year, region_code, deadline) > 1
),

final as (
    select 'targets' as table_name, _row as row_number, 'region_code' as column_name,
           year || ' ' || region_code as value, what as detail, what_en as detail_en
    from plans
    union all
    select 'targets', _row, 'region_code', year || ' ' || region_code, what, what_en
    from schedules
)

select * from final
