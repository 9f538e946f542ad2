-- query:      boundaries
-- definition: the display boundaries of the regions at $level under $region, for the map: the
--             simplified GeoJSON geometry (EPSG:4326) and a point on the surface that the load
--             stored per region (etl/boundaries.py; data contract, 边界 / boundaries: GeoJSON or a
--             zipped Shapefile with the property 区划代码 of a 村 or 乡镇). Regions at $level without
--             a boundary are listed too, with has_boundary false and NULL geometry, so a map can
--             name them instead of dropping them.
-- grain:      one row per region at $level under $region (the region itself when it is at $level),
--             ordered by code
-- params:     $region VARCHAR (NULL or empty = the top of the package; an unknown code gives no rows),
--             $level VARCHAR one of 乡镇|村 (NULL = 村)
with params as (
    -- one row; none when $region names no region, and then the result is empty
    select coalesce($level, '村') as level, r.region_code
    from region_in_view($region) as r
),

units as (  -- the regions at $level under (or equal to) the region (macro area_under)
    select a.code as region_code from params, area_under(params.region_code) as a
    where cast(a.level as varchar) = params.level
),

final as (
    select
        r.code as region_code,
        r.name as region_name,
        cast(r.level as varchar) as level,
        r.parent_code,
        b.region_code is not null as has_boundary,
        b.geojson,
        b.centroid_lon,
        b.centroid_lat
    from units as u
    join regions as r on r.code = u.region_code
    left join boundaries as b on b.region_code = u.region_code
    order by r.code
)

select * from final
