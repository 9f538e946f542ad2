-- query:      quality_villages_without_boundary
-- definition: data check (returns the bad rows; none = pass): villages (村) under $region for which
--             the package has no boundary (data contract, 边界 / boundaries: optional, GeoJSON or a
--             zipped Shapefile with the property 区划代码 of a 村 or 乡镇); the map cannot draw them.
--             When the package has no boundary file at all, every village is listed.
-- columns:    village_code, village_name, township_code, township_name, is_poor_village
-- grain:      one row per village under $region without a boundary, poor villages first, then by code
-- params:     $region VARCHAR (NULL or empty = the top of the package; an unknown code gives no rows)
with params as (
    -- one row; none when $region names no region, and then the result is empty
    select r.code as region_code
    from regions as r
    where r.code = coalesce($region, (select code from regions where parent_code is null))
),

villages as (
    select r.code, r.name, r.parent_code, coalesce(r.is_poor_village, false) as is_poor_village
    from region_closure as c
    join params on c.ancestor_code = params.region_code
    join regions as r on r.code = c.descendant_code
    where r.level = '村'
),

final as (
    select
        v.code as village_code,
        v.name as village_name,
        v.parent_code as township_code,
        t.name as township_name,
        v.is_poor_village
    from villages as v
    left join regions as t on t.code = v.parent_code
    where not exists (select 1 from boundaries as b where b.region_code = v.code)
    order by v.is_poor_village desc, v.code
)

select * from final
