-- query:      exit_rules
-- definition: the village exit rule presets (贫困村出列标准) loaded from data/reference/exit_rules.csv:
--             one row per preset and criterion with its threshold(s) and note, for the preset picker
--             and for stating the rules beside the village exit check; ordinal is the criterion's
--             place in the reading order of exit_criteria
-- grain:      one row per preset and criterion, ordered by preset then reading order
-- params:     none
with final as (
    select r.preset, r.criterion, r.threshold, r.threshold_west, r.note, c.ordinal
    from exit_rules as r
    left join exit_criteria() as c on c.standard = 'village' and c.criterion = r.criterion
)

select * from final
order by preset, ordinal, criterion
