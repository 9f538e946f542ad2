-- query:      quality_department_records_unmatched
-- definition: data check (returns the rows; none = pass): department records (部门比对数据) dated on or
--             before $as_of whose 证件号码, normalised (spaces removed, full-width made half-width, upper
--             case), matches no member of the package (department_record_matches, docs/domain.md, 部门数据比对).
--             They raise no warning: the department's list and the registry disagree, or the person is
--             not in the package. A record names no region, so the list belongs to the whole package: it
--             is given for a region holding every village of the package (the top, or a county that is
--             the whole package), and a region holding less (a township account) sees none.
-- columns:    record_id, department, item, record_date, id_number_masked (of the normalised number: first 6 and last 4 characters,
--             as village_households masks), amount, records (on every row: how many, the tile's figure)
-- grain:      one row per unmatched record, by date then record
-- params:     $as_of DATE (NULL = today),
--             $region VARCHAR (NULL or empty = the top of the package; a region holding less gives no rows)
with params as (
    -- a record names no region: the list belongs to the whole package, shown to a region holding every
    -- village of it (macro region_holding_package, as the load's warnings are)
    select coalesce($as_of, current_date) as as_of, r.region_code
    from region_holding_package($region) as r
),

listed as (
    select r.record_id, cast(r.department as varchar) as department, r.item, r.date as record_date,
        mask_id(m.id_key) as id_number_masked, r.amount
    from department_records as r
    join department_record_matches as m using (record_id)
    cross join params
    where m.person_id is null and r.date <= params.as_of
),

final as (
    select *, count(*) over () as records
    from listed
    order by record_date, record_id
)

select * from final
