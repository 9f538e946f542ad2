-- indicator:  registry_by_category
-- definition: the registry at a date broken down by 贫困户属性 (docs/domain.md, 建档立卡: 一般贫困户 /
--             低保贫困户 / 特困供养贫困户; report-backs read "其中：低保户X户Y人…"): households and
--             people not yet exited (未脱贫) and registered (现有建档), counted as registry_summary
--             counts them. Every category appears, with zeros, in the order of the enum. It is
--             registry_by with the dimension category (one definition for every breakdown).
-- grain:      one row per 贫困户属性 (category)
-- params:     $as_of DATE (NULL = today),
--             $region VARCHAR (NULL or empty = the top of the package; an unknown code gives no rows)
-- reads:      registry_by (dimension = 'category')
with final as (
    select value as category, households_poor, people_poor, households_registered, people_registered
    from registry_by
    order by ordinal
)

select * from final
