-- query:      data_span
-- definition: the dates the package covers, for the as-of picker: the first and last dated record
--             among 动态管理记录 (events), 资金明细 (funds), 出列日期 (regions) and the 认定 and 风险消除 dates
--             of 防返贫监测对象 (monitoring, after 2020), the first and last year of
--             村年度情况 (village_year), has_monitoring: whether the package holds monitoring episodes, and
--             last_household_year: the latest year of 户年度收入与保障 (household_year; NULL = none)
-- grain:      one row
-- params:     none
with dated as (
    select min(event_date) as first_date, max(event_date) as last_date from events
    union all
    select min(date), max(date) from funds
    union all
    select min(exit_date), max(exit_date) from regions
    union all
    select min(identified_on), greatest(max(identified_on), max(cleared_on)) from monitoring
),

final as (
    select
        (select min(first_date) from dated) as first_date,
        (select max(last_date) from dated) as last_date,
        (select min(year) from village_year) as first_year,
        (select max(year) from village_year) as last_year,
        exists (select 1 from monitoring) as has_monitoring,
        (select max(year) from household_year) as last_household_year
)

select * from final
