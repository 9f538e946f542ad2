-- query:      exit_rules
-- definition: the village exit rule presets (贫困村出列标准) loaded from data/reference/exit_rules.csv:
--             one row per preset and criterion with its threshold(s) and note, for the preset picker
--             and for stating the rules beside the village exit check
-- grain:      one row per preset and criterion, ordered by preset then criterion
-- params:     none
with final as (
    select preset, criterion, threshold, threshold_west, note
    from exit_rules
)

select * from final
order by preset, criterion
