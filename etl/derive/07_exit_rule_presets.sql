-- derive:  exit_rule_presets
-- grain:   one row per preset of exit_rules (data/reference/exit_rules.csv, checked at load)
-- why:     docs/domain.md (贫困村出列): a preset is the incidence threshold (西部 its own) plus the
--          province's required items. queries/village_exit_check.sql reads the chosen preset as one
--          row of flags and thresholds.
insert into exit_rule_presets
select
    preset,
    bool_or(criterion = 'incidence') as requires_incidence,
    max(threshold) filter (where criterion = 'incidence') as incidence_threshold,
    max(coalesce(threshold_west, threshold)) filter (where criterion = 'incidence') as incidence_threshold_west,
    bool_or(criterion = 'collective_income') as requires_collective_income,
    max(threshold) filter (where criterion = 'collective_income') as collective_income_threshold,
    bool_or(criterion = 'collective_economy') as requires_collective_economy,
    bool_or(criterion = 'paved_road') as requires_paved_road,
    bool_or(criterion = 'power') as requires_power,
    bool_or(criterion = 'safe_water') as requires_safe_water,
    bool_or(criterion = 'broadband') as requires_broadband,
    bool_or(criterion = 'clinic') as requires_clinic,
    bool_or(criterion = 'culture_center') as requires_culture_center,
    bool_or(criterion = 'leading_industry') as requires_leading_industry
from exit_rules
group by preset
