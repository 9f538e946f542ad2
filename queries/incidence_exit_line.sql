-- indicator:  incidence_exit_line
-- definition: the incidence a region must get under, drawn as the target line of its incidence trend
--             (docs/domain.md, Exit standards: a poor county leaves the list, 贫困县摘帽, with incidence
--             under 2%, 3% in the west — the line of the national village preset, which
--             data/reference/exit_rules.csv states once): threshold = the national preset's incidence
--             threshold, or its western one when $region or a region above it is 西部 (地区类型), as
--             village_exit_check decides it for a village; is_west says which applies.
-- grain:      one row for the region
-- params:     $region VARCHAR (NULL or empty = the top of the package; an unknown code gives no rows)
with params as (  -- one row; none when $region names no region (macro region_in_view, queries/shared/macros.sql)
    select region_code from region_in_view($region)
),

western as (  -- the region or a region above it is marked 西部
    select exists (
        select 1 from region_closure as c
        join regions as a on a.code = c.ancestor_code, params
        where c.descendant_code = params.region_code and a.region_type = '西部'
    ) as is_west
),

final as (
    select
        params.region_code,
        cast(case when w.is_west then r.incidence_threshold_west else r.incidence_threshold end as double)
            as threshold,
        w.is_west
    from params
    cross join western as w
    left join exit_rule_presets as r on r.preset = 'national'
)

select * from final
