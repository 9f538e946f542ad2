-- indicator:  department_warnings_overdue
-- definition: the overview's red flag of 部门数据比对 (docs/domain.md, 部门数据比对): warnings still open at $as_of
--             (no 核实结果 dated on or before it) more than 15 days after their record, in $region, with
--             the rules in use ($rules as in department_warnings; NULL = every rule), and the oldest one's
--             days open (NULL when none).
-- columns:    overdue_warnings, open_warnings, oldest_days_open
-- grain:      one row
-- params:     $as_of DATE (NULL = today),
--             $region VARCHAR (NULL or empty = the top of the package; an unknown code gives no rows),
--             $rules VARCHAR (a rule set of warning_rules; NULL or empty = every rule)
-- reads:      department_warnings (start = '0001-01-01', end = $as_of)
with final as (
    select
        count(*) filter (where is_open and days_open > 15) as overdue_warnings,
        count(*) filter (where is_open) as open_warnings,
        max(days_open) filter (where is_open) as oldest_days_open
    from department_warnings
)

select * from final
