-- query:      exit_criteria
-- definition: the criteria of the exit standards (docs/domain.md, Exit standards), listed once in
--             queries/shared/macros.sql (exit_criteria): a village's (贫困村出列, judged by
--             village_exit_check; which of them a preset requires is in exit_rules) and a
--             household's (贫困户脱贫: income above the line, 两不愁三保障 and safe water, judged by
--             household_exit_check and village_households). Pages read their criteria, in this
--             order, from here; their labels are translations (ui/i18n.py).
-- columns:    standard (village / household), ordinal (reading order within the standard),
--             criterion (the key the checks name), needs_threshold (a preset must give its threshold)
-- grain:      one row per standard and criterion, in reading order
-- params:     none
with final as (
    select standard, ordinal, criterion, needs_threshold
    from exit_criteria()
)

select * from final
order by standard desc, ordinal
