-- derive:  monitoring_village_thresholds
-- grain:   one row per village and year that a monitoring threshold covers
-- why:     docs/domain.md, After 2020 / 防返贫监测: the 监测范围 is set each year by provinces and
--          counties; data/reference/monitoring_thresholds.csv (checked at load, etl/thresholds.py)
--          holds rows for a 省 (XX0000000000), 市 (XXXX00000000) or 县 (XXXXXX000000) code or for
--          everywhere (empty). A code covers the villages whose codes begin with its 2, 4 or 6 leading
--          digits; the deepest covering row applies, the row for everywhere last.
insert into monitoring_village_thresholds
with coverage as (
    select v.code as village_code, t.year, t.threshold, t.region_code,
        case
            when t.region_code is null then 0
            when substr(t.region_code, 3) = '0000000000' then 2
            when substr(t.region_code, 5) = '00000000' then 4
            else 6
        end as digits
    from regions as v
    join monitoring_thresholds as t
      on t.region_code is null
      or left(v.code, case when substr(t.region_code, 3) = '0000000000' then 2
                           when substr(t.region_code, 5) = '00000000' then 4 else 6 end)
         = left(t.region_code, case when substr(t.region_code, 3) = '0000000000' then 2
                                    when substr(t.region_code, 5) = '00000000' then 4 else 6 end)
    where v.level = '村'
),

final as (
    select village_code, year, threshold, region_code as threshold_region
    from coverage
    qualify row_number() over (partition by village_code, year order by digits desc) = 1
)

select * from final
