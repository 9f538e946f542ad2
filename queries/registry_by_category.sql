-- indicator:  registry_by_category
-- definition: the registry at a date broken down by 贫困户属性 (docs/domain.md, 建档立卡: 一般贫困户 /
--             低保贫困户 / 特困供养贫困户; report-backs read "其中：低保户X户Y人…"): households and
--             people not yet exited (未脱贫) and registered (现有建档), counted as registry_summary
--             counts them. Every category appears, with zeros, in the order of the enum.
-- grain:      one row per 贫困户属性 (category)
-- params:     $as_of DATE (NULL = today),
--             $region VARCHAR (NULL or empty = the top of the package; an unknown code gives no rows)
with params as (
    -- one row; none when $region names no region, and then every result is empty
    select
        coalesce($as_of, current_date) as as_of,
        r.code as region_code
    from regions as r
    where r.code = coalesce($region, (select code from regions where parent_code is null))
),

area as (
    select c.descendant_code as code
    from region_closure as c, params
    where c.ancestor_code = params.region_code
),

categories as (
    select category, ordinal
    from unnest(enum_range(null::household_category)) with ordinality as e(category, ordinal)
),

households_at as (
    select
        s.category,
        count(*) as households_registered,
        count(*) filter (where s.status = '未脱贫') as households_poor
    from household_status_spans as s
    cross join params
    where s.valid_from <= params.as_of and params.as_of < s.valid_to
      and s.village_code in (select code from area)
    group by s.category
),

people_at as (
    select
        s.category,
        count(*) as people_registered,
        count(*) filter (where s.status = '未脱贫') as people_poor
    from person_status_spans as s
    cross join params
    where s.valid_from <= params.as_of and params.as_of < s.valid_to
      and s.village_code in (select code from area)
    group by s.category
),

final as (
    select
        cast(c.category as varchar) as category,
        coalesce(ha.households_poor, 0) as households_poor,
        coalesce(pa.people_poor, 0) as people_poor,
        coalesce(ha.households_registered, 0) as households_registered,
        coalesce(pa.people_registered, 0) as people_registered
    from categories as c
    cross join params
    left join households_at as ha on cast(ha.category as varchar) = c.category
    left join people_at as pa on cast(pa.category as varchar) = c.category
    order by c.ordinal
)

select * from final
