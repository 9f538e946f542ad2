-- indicator:  department_warning_summary
-- definition: how the warnings of 部门数据比对 (docs/domain.md, 部门数据比对) were verified and closed, by department
--             and warning rule: the warnings of department_warnings over $start–$end in $region with the
--             rules in use ($rules as there; NULL = every rule, each rule its own row) — warnings,
--             verified by $end (核实结果 dated on or before it), of which 已纳入监测 / 已在监测 / 排除, still
--             open at $end, the median days from the record to its verification (verified ones only;
--             NULL when none), and the warned households that became monitoring objects within 30 days
--             of the record: not monitored on the record's date and a monitoring episode identified 0–30
--             days after it, on or before $end (a household counted once per row).
-- columns:    department, rule_set, rule_id, item, level, warnings, verified, identified (已纳入监测),
--             already_monitored (已在监测), ruled_out (排除), still_open, median_days_to_verify,
--             households_monitored_within_30_days
-- grain:      one row per department and rule with at least one warning; by department (in the order
--             of the department list), then rule
-- params:     $start DATE (NULL = every earlier record), $end DATE (NULL = today),
--             $region VARCHAR (NULL or empty = the top of the package; an unknown code gives no rows),
--             $rules VARCHAR (a rule set of warning_rules; NULL or empty = every rule)
-- reads:      department_warnings
with end_day as (
    select coalesce($end, current_date) as end_day
),

became as (
    -- warnings whose household was identified as a monitoring object within 30 days of the record
    select w.warning_id
    from department_warnings as w, end_day
    where not w.was_monitored_on_record_date
      and exists (
          select 1 from monitoring_episodes as e
          where e.household_id = w.household_id
            and e.identified_on between w.record_date and w.record_date + interval 30 day
            and e.identified_on <= end_day.end_day
      )
),

final as (
    select
        w.department,
        w.rule_set,
        w.rule_id,
        w.item,
        w.level,
        count(*) as warnings,
        count(*) filter (where not w.is_open) as verified,
        count(*) filter (where w.status = '已纳入监测') as identified,
        count(*) filter (where w.status = '已在监测') as already_monitored,
        count(*) filter (where w.status = '排除') as ruled_out,
        count(*) filter (where w.is_open) as still_open,
        median(w.days_open) filter (where not w.is_open) as median_days_to_verify,
        count(distinct w.household_id) filter (where w.warning_id in (select warning_id from became))
            as households_monitored_within_30_days
    from department_warnings as w
    group by w.department, w.rule_set, w.rule_id, w.item, w.level
    order by cast(w.department as department), w.rule_id
)

select * from final
