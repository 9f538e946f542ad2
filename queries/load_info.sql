-- query:      load_info
-- definition: the as-of stamp of the data: when the database was loaded and from which package
--             (etl/load.py writes one row per load)
-- grain:      one row (the latest load)
-- params:     none
with final as (
    select loaded_at, package, package_sha256, tuopin_version, rows_loaded, warnings, seconds
    from load_info
    order by loaded_at desc
    limit 1
)

select * from final
