-- indicator:  registry_by_cause
-- definition: the registry at a date broken down by 主要致贫原因 (docs/domain.md, 建档立卡: 因病,
--             因残, 因学, … 其他): households and people not yet exited (未脱贫) and registered
--             (现有建档), counted as registry_summary counts them. Every cause appears, with zeros,
--             in the order of the enum (the order of the contract's list). It is registry_by with the
--             dimension cause (one definition for every breakdown).
-- grain:      one row per 主要致贫原因 (main_cause)
-- params:     $as_of DATE (NULL = today),
--             $region VARCHAR (NULL or empty = the top of the package; an unknown code gives no rows)
-- reads:      registry_by (dimension = 'cause')
with final as (
    select value as main_cause, households_poor, people_poor, households_registered, people_registered
    from registry_by
    order by ordinal
)

select * from final
