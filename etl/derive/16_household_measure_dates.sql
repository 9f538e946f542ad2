-- derive:  household_measure_dates
-- grain:   one row per household with a dated assistance measure (帮扶措施)
-- why:     docs/domain.md, After 2020 / 防返贫监测 — assistance coverage: a household counts as covered
--          on D by a measure type once a measure of that type is dated on or before D, so the first
--          date of each type is all queries/assistance_coverage.sql needs
insert into household_measure_dates
select
    household_id,
    min(date) filter (where measure in ('产业', '就业')) as industry_or_employment,
    min(date) filter (where measure = '产业') as industry,
    min(date) filter (where measure = '就业') as employment,
    min(date) filter (where measure = '教育') as education,
    min(date) filter (where measure = '健康') as health,
    min(date) filter (where measure = '小额信贷') as microcredit,
    min(date) filter (where measure = '危房改造') as housing_repair,
    min(date) filter (where measure = '易地搬迁') as relocation,
    min(date) filter (where measure = '生态护林') as forest_ranger,
    min(date) filter (where measure = '兜底保障') as safety_net,
    min(date) filter (where measure = '结对帮扶') as pairing
from assistance
where date is not null
group by household_id
