-- indicator:  registry_by_cause
-- definition: the registry at a date broken down by 主要致贫原因 (docs/domain.md, 建档立卡: 因病,
--             因残, 因学, … 其他): households and people not yet exited (未脱贫) and registered
--             (现有建档), counted as registry_summary counts them. Every cause appears, with zeros,
--             in the order of the enum (the order of the contract's list).
-- grain:      one row per 主要致贫原因 (main_cause)
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

causes as (
    select main_cause, ordinal
    from unnest(enum_range(null::main_cause)) with ordinality as e(main_cause, ordinal)
),

households_at as (
    select
        s.main_cause,
        count(*) as households_registered,
        count(*) filter (where s.status = '未脱贫') as households_poor
    from household_status_spans as s
    cross join params
    where s.valid_from <= params.as_of and params.as_of < s.valid_to
      and s.village_code in (select code from area)
    group by s.main_cause
),

people_at as (
    select
        s.main_cause,
        count(*) as people_registered,
        count(*) filter (where s.status = '未脱贫') as people_poor
    from person_status_spans as s
    cross join params
    where s.valid_from <= params.as_of and params.as_of < s.valid_to
      and s.village_code in (select code from area)
    group by s.main_cause
),

final as (
    select
        cast(c.main_cause as varchar) as main_cause,
        coalesce(ha.households_poor, 0) as households_poor,
        coalesce(pa.people_poor, 0) as people_poor,
        coalesce(ha.households_registered, 0) as households_registered,
        coalesce(pa.people_registered, 0) as people_registered
    from causes as c
    cross join params
    left join households_at as ha on cast(ha.main_cause as varchar) = c.main_cause
    left join people_at as pa on cast(pa.main_cause as varchar) = c.main_cause
    order by c.ordinal
)

select * from final
