-- derive:  department_rule_hits
-- grain:   one row per matched department record and warning rule (of any rule set) it meets
-- why:     docs/domain.md, 部门数据比对: a record becomes a warning (预警) when a rule of the set in use
--          names its department and 事项 and, where the rule has an amount bar, its 金额 is above it:
--          fixed (the amount), income_share (that share of the household's per-capita net income of the
--          year before the record, household_year_checks) or threshold_split (the amount where that income
--          is at or below the monitoring threshold of that year for the village, or unknown; amount_others
--          elsewhere). Unknown household income never hides a lead: an income_share rule then warns on
--          any amount (bar NULL). A record without 金额 does not meet a rule with a bar.
--          The 预警编号 is 'W' + the first 12 hex digits of md5(record_id || '|' || rule_id): the same
--          record and rule give the same number in every import, so an exported list and the
--          verifications file made from it line up.
insert into department_rule_hits
with first_identified as (
    select household_id, min(event_date) as registered_on
    from events
    where event_type = '识别纳入'
    group by household_id
),

records as (
    select r.record_id, r.department, r.item, r.date, r.amount,
        m.person_id, m.household_id, m.village_code,
        c.per_capita_income, t.threshold
    from department_records as r
    join department_record_matches as m using (record_id)
    left join household_year_checks as c on c.household_id = m.household_id and c.year = year(r.date) - 1
    left join monitoring_village_thresholds as t on t.village_code = m.village_code and t.year = year(r.date) - 1
    where m.person_id is not null
),

candidates as (
    select r.*, w.rule_set, w.rule_id, w.level, w.basis,
        cast(case w.basis
            when 'fixed' then w.amount
            when 'income_share' then w.amount * r.per_capita_income
            when 'threshold_split' then
                case when r.per_capita_income is null or r.threshold is null or r.per_capita_income <= r.threshold
                     then w.amount else w.amount_others end
        end as decimal(18, 2)) as bar
    from records as r
    join warning_rules as w on w.department = r.department and w.item = trim(r.item)
),

final as (
    select 'W' || upper(left(md5(c.record_id || '|' || c.rule_id), 12)) as warning_id,
        c.record_id, c.rule_set, c.rule_id, c.level, c.department, trim(c.item) as item, c.date as record_date,
        c.amount, c.bar, c.person_id, c.household_id, c.village_code, f.registered_on,
        exists (select 1 from monitoring_episodes as e
                where e.household_id = c.household_id and e.identified_on <= c.date and c.date < e.valid_to)
            as monitored_on_date
    from candidates as c
    left join first_identified as f using (household_id)
    where c.basis is null
       or (c.amount is not null and (c.bar is null or c.amount > c.bar))
)

select * from final
