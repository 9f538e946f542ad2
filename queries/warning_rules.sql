-- query:      warning_rules
-- definition: the warning rules of 部门数据比对 (docs/domain.md, 部门数据比对) loaded from
--             data/reference/warning_rules.csv, for the rule-set picker of the 部门预警 page and for
--             stating the rules beside it: one row per rule with its set, department, item, level, basis
--             and amounts, and on every row how many department records the package holds (0: the
--             package has no 部门比对数据 file, and the page says so)
-- columns:    rule_set, rule_id, department, item, level, basis, amount, amount_others, note, records
-- grain:      one row per rule; set `default` last, the others by name, then by department and rule
-- params:     none
with final as (
    select w.rule_set, w.rule_id, cast(w.department as varchar) as department, w.item, w.level, w.basis,
        w.amount, w.amount_others, w.note,
        (select count(*) from department_records) as records
    from warning_rules as w
    order by w.rule_set = 'default', w.rule_set, w.department, w.rule_id
)

select * from final
