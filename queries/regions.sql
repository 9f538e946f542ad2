-- query:      regions
-- definition: the region tree (区划: 县 → 乡镇 → 村) under $region, for the region picker and
--             breadcrumbs: each region's depth below $region, whether it is a registered poor
--             village, its 出列日期, and whether the package has a boundary for it
-- grain:      one row per region of the subtree ($region included), ordered by depth then code
-- params:     $region VARCHAR (NULL or empty = the top of the package; an unknown code gives no rows)
with top as (
    select region_code as code from region_in_view($region)
),

final as (
    select
        r.code,
        r.name,
        cast(r.level as varchar) as level,
        r.parent_code,
        c.depth,
        coalesce(r.is_poor_village, false) as is_poor_village,
        r.exit_date,
        b.region_code is not null as has_boundary
    from regions as r
    join region_closure as c on c.descendant_code = r.code and c.ancestor_code = (select code from top)
    left join boundaries as b on b.region_code = r.code
)

select * from final
order by depth, code
