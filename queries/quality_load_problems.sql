-- query:      quality_load_problems
-- definition: the warnings of the load that built this database (load_problems, written by
--             etl/load.py): what the import contract lets through but reports — extra columns,
--             ignored files, a missing recommended file, ID numbers failing the GB 11643 check
--             digit, a head of household differing from the members file, values ignored on the
--             wrong region level, boundaries without a CRS (etl/checks/*.sql with severity
--             warning, etl/read.py, etl/boundaries.py). Errors never reach a database: a load with
--             any error is refused as a whole. Privacy: values of name and ID number columns (姓名,
--             户主姓名, 证件号码, 户主证件号码 or their English aliases) and the members-file value
--             quoted by households_head_mismatch are masked as village_households masks them
--             (names keep their first and last character, ID numbers their first 6 and last 4).
-- columns:    severity, check_name, file, row_number (as seen in Excel, header = 1; NULL = the whole
--             file), column_name, value, message_zh, message_en
-- grain:      one row per warning, by check, file and row
-- params:     $region VARCHAR (NULL or empty = the top of the package): the warnings belong to the whole
--             package, so they are returned only for a region holding every village of it (an
--             account scoped to a township sees none; an unknown code gives no rows)
with params as (
    -- one row when $region (or the top) holds every village of the package; none otherwise
    select r.region_code
    from region_holding_package($region) as r  -- queries/shared/macros.sql
),

classified as (
    select *,
        case
            when lower(trim(column_name)) in ('姓名', 'name', '户主姓名', 'head_name') then 'name'
            when lower(trim(column_name)) in ('证件号码', 'id_number', '户主证件号码', 'head_id_number') then 'id'
        end as personal_kind,
        -- households_head_mismatch quotes the members file's value: "…（成员表：X）" / "… (members: X)"
        case when check_name = 'households_head_mismatch'
             then regexp_extract(message_en, '\(members: (.*)\)$', 1) end as quoted
    from load_problems
    where exists (select 1 from params)
),

masked as (
    select *,
        list_transform([value, quoted], lambda s:
            case
                when s is null or personal_kind is null then s
                when personal_kind = 'id' then mask_id(s)
                else mask_name(s)
            end
        ) as shown
    from classified
),

final as (
    select
        severity,
        check_name,
        file,
        row_number,
        column_name,
        shown[1] as value,
        case when quoted is null then message_zh
             else regexp_replace(message_zh, '（成员表：.*）$', '（成员表：' || coalesce(shown[2], '') || '）') end
            as message_zh,
        case when quoted is null then message_en
             else regexp_replace(message_en, '\(members: .*\)$', '(members: ' || coalesce(shown[2], '') || ')') end
            as message_en
    from masked
    order by check_name, file, row_number nulls first, column_name
)

select * from final
