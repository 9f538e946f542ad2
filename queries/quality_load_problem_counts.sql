-- query:      quality_load_problem_counts
-- definition: the warnings of the load that built this database (load_problems; see
--             quality_load_problems for what they are) counted per check: how many, in how many
--             files, and which files
-- columns:    check_name, severity, n_problems, n_files, files (the file names, sorted, joined
--             with "、")
-- grain:      one row per check that reported something, most frequent first
-- params:     $region VARCHAR (NULL or empty = the top of the package): the warnings belong to the whole
--             package, so they are returned only for a region holding every village of it (an
--             account scoped to a township sees none; an unknown code gives no rows)
with params as (
    -- one row when $region (or the top) holds every village of the package; none otherwise
    select r.region_code
    from region_holding_package($region) as r  -- queries/shared/macros.sql
),

final as (
    select
        check_name,
        min(severity) as severity,
        count(*) as n_problems,
        count(distinct file) as n_files,
        string_agg(distinct file, '、' order by file) as files
    from load_problems
    where exists (select 1 from params)
    group by check_name
    order by n_problems desc, check_name
)

select * from final
