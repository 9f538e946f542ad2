-- indicator:  village_exit_check
-- definition: village exit standards (docs/domain.md, Exit standards — village 贫困村出列) for each
--             registered poor village under $region at $as_of, under the preset $rules of
--             exit_rules (data/reference/exit_rules.csv, editable). incidence = 未脱贫人口 ÷ 农业户籍人口
--             as in poverty_incidence, passing when below the threshold — threshold_west where the
--             village's 县 or 省 is 西部; collective_income passes at or above its threshold;
--             collective_economy when income > 0 or a 主导产业 exists; each item (paved_road, power,
--             safe_water, broadband, clinic, culture_center, leading_industry) when present. The
--             village_year row is the one in force (latest year not after $as_of); a missing row or
--             an empty value fails its criterion as no data — never passes. An unknown preset raises
--             an error; a preset naming a criterion this query cannot judge, or lacking a threshold,
--             is refused when the data is loaded (etl/load.py, _check_reference).
-- columns:    village_code, village_name, township_name, is_west, planned_exit_year, exited_on
--             (出列日期 when on or before $as_of), data_year (village_year in force), rules;
--             per criterion its value, threshold and <criterion>_pass — NULL when the preset does not
--             require it, else true/false; overall_pass (every required criterion passes; never
--             NULL), is_exited (exited_on not NULL), is_failing (not overall_pass, exited or not) and
--             is_failing_not_exited (failing and not exited by $as_of: the villages still to bring up
--             to the standard), criteria_failed (how many criteria it fails); the gap:
--             people_to_exit = the fewest exits x ≥ 0 with (people_poor − x) ÷ rural_population
--             below the threshold, income_gap = collective income still missing (元);
--             failed_criteria, missing_items (required items known to be absent) and no_data (the
--             failing criteria without data) as lists of criterion keys.
-- grain:      one row per registered poor village (是否贫困村) under $region
-- params:     $as_of DATE (NULL = today), $rules VARCHAR (NULL = national; a preset of exit_rules),
--             $region VARCHAR (NULL or empty = the top of the package; an unknown code gives no rows)
with params as (  -- one row; none when $region names no region (macro view_params, queries/shared/macros.sql)
    select
        as_of,
        coalesce(
            (select any_value(preset) from exit_rule_presets where preset = coalesce($rules, 'national')),
            error('没有名为 ' || coalesce($rules, 'national') || ' 的出列标准预设（见 exit_rules） / '
                  || 'no exit rule preset named ' || coalesce($rules, 'national'))
        ) as preset,
        region_code
    from view_params($as_of, null, $region)
),

rules as (
    -- the preset as one row: what is required, with which thresholds (etl/derive/07_exit_rule_presets.sql)
    select r.*
    from exit_rule_presets as r
    join params using (preset)
),

villages as (
    select v.code as village_code, v.name as village_name, t.name as township_name,
        v.planned_exit_year, v.exit_date
    from regions as v
    join region_closure as c on c.descendant_code = v.code
    left join regions as t on t.code = v.parent_code, params
    where c.ancestor_code = params.region_code
      and v.level = '村' and v.is_poor_village
),

western as (
    select distinct c.descendant_code as village_code
    from region_closure as c
    join regions as a on a.code = c.ancestor_code
    where a.region_type = '西部' and c.descendant_code in (select village_code from villages)
),

poor_people as (  -- the poor people at the date, by village (macro registry_at)
    select s.village_code, count(*) as people_poor
    from registry_at((select as_of from params)) as s
    where s.unit = 'person' and s.status = '未脱贫' and s.village_code in (select village_code from villages)
    group by s.village_code
),

village_data as (  -- the 村年度情况 row in force at the date (macro village_year_at)
    select v.*
    from village_year_at((select as_of from params)) as v
    where v.village_code in (select village_code from villages)
),

measured as (
    select
        v.village_code,
        v.village_name,
        v.township_name,
        w.village_code is not null as is_west,
        v.planned_exit_year,
        case when v.exit_date <= params.as_of then v.exit_date end as exited_on,
        d.year as data_year,
        r.*,
        coalesce(p.people_poor, 0) as people_poor,
        d.rural_population,
        case when w.village_code is not null then r.incidence_threshold_west else r.incidence_threshold end
            as threshold,
        d.collective_income,
        nullif(trim(d.leading_industry), '') as leading_industry,
        d.paved_road, d.power, d.safe_water, d.broadband, d.clinic, d.culture_center
    from villages as v
    cross join params
    cross join rules as r
    left join western as w using (village_code)
    left join poor_people as p using (village_code)
    left join village_data as d using (village_code)
),

judged as (
    select *,
        case when requires_incidence
            then coalesce(rural_population > 0 and people_poor < threshold * rural_population, false)
        end as incidence_pass,
        case when requires_collective_income then coalesce(collective_income >= collective_income_threshold, false)
        end as collective_income_pass,
        case when requires_collective_economy
            then data_year is not null and (leading_industry is not null or coalesce(collective_income > 0, false))
        end as collective_economy_pass,
        case when requires_paved_road then coalesce(paved_road, false) end as paved_road_pass,
        case when requires_power then coalesce(power, false) end as power_pass,
        case when requires_safe_water then coalesce(safe_water, false) end as safe_water_pass,
        case when requires_broadband then coalesce(broadband, false) end as broadband_pass,
        case when requires_clinic then coalesce(clinic, false) end as clinic_pass,
        case when requires_culture_center then coalesce(culture_center, false) end as culture_center_pass,
        case when requires_leading_industry then data_year is not null and leading_industry is not null
        end as leading_industry_pass,
        -- "no data": the criterion is required and what it needs is missing
        requires_incidence and coalesce(rural_population, 0) = 0 as incidence_no_data,
        requires_collective_income and collective_income is null as collective_income_no_data,
        requires_collective_economy and leading_industry is null and collective_income is null
            as collective_economy_no_data,
        requires_leading_industry and data_year is null as leading_industry_no_data
    from measured
),

judgement as (
    select
        village_code,
        village_name,
        township_name,
        is_west,
        planned_exit_year,
        exited_on,
        data_year,
        preset as rules,
        cast(people_poor as bigint) as people_poor,
        cast(rural_population as bigint) as rural_population,
        people_poor / nullif(cast(rural_population as double), 0) as incidence,
        case when requires_incidence then cast(threshold as double) end as incidence_threshold,
        incidence_pass,
        collective_income,
        cast(collective_income_threshold as decimal(18, 2)) as collective_income_threshold,
        collective_income_pass,
        collective_economy_pass,
        paved_road, paved_road_pass,
        power, power_pass,
        safe_water, safe_water_pass,
        broadband, broadband_pass,
        clinic, clinic_pass,
        culture_center, culture_center_pass,
        leading_industry, leading_industry_pass,
        coalesce(incidence_pass, true) and coalesce(collective_income_pass, true)
            and coalesce(collective_economy_pass, true) and coalesce(paved_road_pass, true)
            and coalesce(power_pass, true) and coalesce(safe_water_pass, true)
            and coalesce(broadband_pass, true) and coalesce(clinic_pass, true)
            and coalesce(culture_center_pass, true) and coalesce(leading_industry_pass, true)
            as overall_pass,
        case when requires_incidence and rural_population > 0
            then cast(greatest(floor(people_poor - threshold * rural_population) + 1, 0) as bigint)
        end as people_to_exit,
        case when requires_collective_income and collective_income is not null
            then cast(greatest(collective_income_threshold - collective_income, 0) as decimal(18, 2))
        end as income_gap,
        list_filter([
            case when not incidence_pass then 'incidence' end,
            case when not collective_income_pass then 'collective_income' end,
            case when not collective_economy_pass then 'collective_economy' end,
            case when not paved_road_pass then 'paved_road' end,
            case when not power_pass then 'power' end,
            case when not safe_water_pass then 'safe_water' end,
            case when not broadband_pass then 'broadband' end,
            case when not clinic_pass then 'clinic' end,
            case when not culture_center_pass then 'culture_center' end,
            case when not leading_industry_pass then 'leading_industry' end
        ], lambda c: c is not null) as failed_criteria,
        list_filter([
            case when not collective_economy_pass and not collective_economy_no_data then 'collective_economy' end,
            case when paved_road_pass = false and paved_road is not null then 'paved_road' end,
            case when power_pass = false and power is not null then 'power' end,
            case when safe_water_pass = false and safe_water is not null then 'safe_water' end,
            case when broadband_pass = false and broadband is not null then 'broadband' end,
            case when clinic_pass = false and clinic is not null then 'clinic' end,
            case when culture_center_pass = false and culture_center is not null then 'culture_center' end,
            case when not leading_industry_pass and not leading_industry_no_data then 'leading_industry' end
        ], lambda c: c is not null) as missing_items,
        list_filter([
            case when incidence_no_data then 'incidence' end,
            case when collective_income_no_data then 'collective_income' end,
            case when collective_economy_no_data then 'collective_economy' end,
            case when requires_paved_road and paved_road is null then 'paved_road' end,
            case when requires_power and power is null then 'power' end,
            case when requires_safe_water and safe_water is null then 'safe_water' end,
            case when requires_broadband and broadband is null then 'broadband' end,
            case when requires_clinic and clinic is null then 'clinic' end,
            case when requires_culture_center and culture_center is null then 'culture_center' end,
            case when leading_industry_no_data then 'leading_industry' end
        ], lambda c: c is not null) as no_data
    from judged
),

final as (
    select *,
        len(failed_criteria) as criteria_failed,
        exited_on is not null as is_exited,
        not overall_pass as is_failing,
        not overall_pass and exited_on is null as is_failing_not_exited
    from judgement
    order by village_code
)

select * from final
