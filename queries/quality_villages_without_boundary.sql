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
    select r.region_code
    from region_in_view($region) as r
),

villages as (  -- the villages under the region, with their township (queries/shared/macros.sql)
    select v.* from params, villages_under(params.region_code) as v
),

final as (
    select v.*
    from villages as v
    where not exists (select 1 from boundaries as b where b.region_code = v.village_code)
    order by v.is_poor_village desc, v.village_code
)

select * from final
