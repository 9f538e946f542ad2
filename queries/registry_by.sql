-- indicator:  registry_by
-- definition: the registry at a date broken down by one attribute of the household (docs/domain.md,
--             建档立卡): $dimension category — 贫困户属性 (一般贫困户 / 低保贫困户 / 特困供养贫困户;
--             report-backs read "其中：低保户X户Y人…"), cause — 主要致贫原因 (因病, 因残, 因学, … 其他):
--             households and people not yet exited (未脱贫) and registered (现有建档), counted as
--             registry_summary counts them. Every value appears, with zeros, in the order of its enum
--             (the order of the contract's list). registry_by_category and registry_by_cause read it.
-- columns:    value (the category or cause), households_poor, people_poor, households_registered,
--             people_registered, ordinal (the value's place in its enum)
-- grain:      one row per value of the attribute
-- params:     $as_of DATE (NULL = today),
--             $region VARCHAR (NULL or empty = the top of the package; an unknown code gives no rows),
--             $dimension VARCHAR one of category|cause (NULL = category)
with params as (  -- one row; none when $region names no region (macro view_params, queries/shared/macros.sql)
    select as_of, coalesce($dimension, 'category') as dimension, region_code
    from view_params($as_of, null, $region)
),

area as (select code from area_in_view($region)),  -- the region and all under it (macro area_in_view)

attribute_values as (
    select cast(e.value as varchar) as value, e.ordinal
    from params, unnest(enum_range(null::household_category)) with ordinality as e(value, ordinal)
    where params.dimension = 'category'
    union all
    select cast(e.value as varchar), e.ordinal
    from params, unnest(enum_range(null::main_cause)) with ordinality as e(value, ordinal)
    where params.dimension = 'cause'
),

registered as (  -- the households and people in the registry at the date (macro registry_at), by value
    select
        case params.dimension when 'category' then cast(s.category as varchar)
                              else cast(s.main_cause as varchar) end as value,
        count(*) filter (where s.unit = 'household') as households_registered,
        count(*) filter (where s.unit = 'household' and s.status = '未脱贫') as households_poor,
        count(*) filter (where s.unit = 'person') as people_registered,
        count(*) filter (where s.unit = 'person' and s.status = '未脱贫') as people_poor
    from registry_at((select as_of from params)) as s
    cross join params
    where s.village_code in (select code from area)
    group by all
),

final as (
    select
        v.value,
        coalesce(g.households_poor, 0) as households_poor,
        coalesce(g.people_poor, 0) as people_poor,
        coalesce(g.households_registered, 0) as households_registered,
        coalesce(g.people_registered, 0) as people_registered,
        v.ordinal
    from attribute_values as v
    left join registered as g using (value)
    order by v.ordinal
)

select * from final
