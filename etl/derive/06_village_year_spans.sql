-- derive:  village_year_spans
-- grain:   one row per village_year row, with the dates it is in force
-- why:     data contract: "the latest year ≤ the as-of date applies" — year Y is in force from
--          Y-01-01 until the village's next reported year begins (open-ended for the last one)
insert into village_year_spans
select village_code, year,
    make_date(year, 1, 1) as valid_from,
    coalesce(make_date(lead(year) over (partition by village_code order by year), 1, 1), date '9999-12-31')
        as valid_to
from village_year
