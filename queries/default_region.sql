-- query:      default_region
-- definition: the region a view opens on when none is chosen — the dashboard's sidebar (ui/state.py)
--             and `python -m queries` without --region both read it: from $region (under an
--             account's scope, the scope) walk down while a region has exactly one child, so a
--             package whose top is 省 > 市 > one 县 opens on the county (macro default_region,
--             queries/shared/macros.sql)
-- grain:      one row; none when $region names no region
-- params:     $region VARCHAR (NULL or empty = the top of the package)
with final as (
    select r.code as region_code, r.name as region_name, cast(r.level as varchar) as level
    from regions as r
    where r.code = default_region($region)
)

select * from final
