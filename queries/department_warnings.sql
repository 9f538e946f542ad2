-- query:      department_warnings
-- definition: the warnings of 部门数据比对 (docs/domain.md, 部门数据比对): every department record dated $start to
--             $end whose 证件号码 matches a member of a household of $region and which meets a warning
--             rule in use (data/reference/warning_rules.csv, worked out at load in department_rule_hits).
--             Rules in use: $rules names a rule set — its rules, and the rules of set `default` for every
--             department and 事项 it has no rule of its own for; NULL or empty = every rule of every set.
--             A warning is closed by a verification (核实结果) dated on or before $end; otherwise its
--             status is 待核实 and it is open. days_open: record date to the verification date, or to $end
--             while open. was_monitored_on_record_date: a monitoring episode of the household was open on
--             the record's date. is_registered: the household was 建档立卡 (first 识别纳入) by that date.
--             Privacy: the person's and the head's names and the ID number masked (macros mask_name,
--             mask_id); the unmasked values never leave the database.
-- columns:    warning_id, record_id, rule_set, rule_id, level, department, item, record_date, amount, bar
--             (the amount the record exceeded; NULL when the rule has none or the household's income is
--             unknown), person_name_masked, id_number_masked, household_id, head_name_masked,
--             village_code, village_name, township_code, township_name, is_registered,
--             was_monitored_on_record_date, status (已纳入监测 | 已在监测 | 排除 | 待核实), is_open,
--             verified_on, verification_note, days_open
-- grain:      one row per warning; open first, then the longest open, then by record date and 预警编号
-- params:     $start DATE (NULL = every earlier record), $end DATE (NULL = today),
--             $region VARCHAR (NULL or empty = the top of the package; an unknown code gives no rows),
--             $rules VARCHAR (a rule set of warning_rules; NULL or empty = every rule)
with params as (
    -- one row; none when $region names no region, and then the result is empty
    select coalesce($start, date '0001-01-01') as start_day, coalesce($end, current_date) as end_day,
        nullif(trim($rules), '') as rule_set, r.region_code
    from region_in_view($region) as r
),

area as (select code from area_in_view($region)),  -- the region and all under it (macro area_in_view)

rules_in_use as (
    -- the set's own rules, and the defaults for the department and 事项 it has none for
    select w.rule_id
    from warning_rules as w, params
    where params.rule_set is null
       or w.rule_set = params.rule_set
       or (w.rule_set = 'default' and not exists (
               select 1 from warning_rules as o
               where o.rule_set = params.rule_set and o.department = w.department and o.item = w.item))
),

hits as (
    select h.*
    from department_rule_hits as h, params
    where h.rule_id in (select rule_id from rules_in_use)
      and h.village_code in (select code from area)
      and h.record_date between params.start_day and params.end_day
),

final as (
    select
        h.warning_id,
        h.record_id,
        h.rule_set,
        h.rule_id,
        h.level,
        cast(h.department as varchar) as department,
        h.item,
        h.record_date,
        h.amount,
        h.bar,
        mask_name(m.name) as person_name_masked,
        mask_id(dm.id_key) as id_number_masked,  -- the normalised number (full-width made half-width)
        h.household_id,
        mask_name(hh.head_name) as head_name_masked,
        h.village_code,
        v.name as village_name,
        t.code as township_code,
        t.name as township_name,
        coalesce(h.registered_on <= h.record_date, false) as is_registered,
        h.monitored_on_date as was_monitored_on_record_date,
        coalesce(cast(vf.outcome as varchar), '待核实') as status,
        vf.warning_id is null as is_open,
        vf.verified_on,
        vf.note as verification_note,
        date_diff('day', h.record_date, coalesce(vf.verified_on, params.end_day)) as days_open
    from hits as h
    cross join params
    join department_record_matches as dm on dm.record_id = h.record_id
    join members as m on m.person_id = h.person_id
    join households as hh on hh.household_id = h.household_id
    join regions as v on v.code = h.village_code
    left join regions as t on t.code = v.parent_code
    left join verifications as vf on vf.warning_id = h.warning_id and vf.verified_on <= params.end_day
    order by is_open desc, days_open desc, h.record_date, h.warning_id
)

select * from final
