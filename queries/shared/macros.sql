-- Shared SQL functions of the query files, so a rule written once serves every query. The import writes
-- them into the file it builds as persistent macros, with a digest of this file (queries.persist_macros);
-- on a file without this digest the runner defines them as temporary macros on every cursor it opens.
-- Not a catalog query (this folder is not scanned).

-- Personal data is masked in SQL, before anything leaves the database (README, Security):
-- a name keeps its first and last character (张*华; 2 characters → 张*, 1 → *), an ID number its
-- first 6 and last 4 (shorter ones are fully masked).
create or replace temp macro mask_name(name) as
    case
        when name is null then null
        when length(name) <= 1 then '*'
        when length(name) = 2 then left(name, 1) || '*'
        else left(name, 1) || repeat('*', length(name) - 2) || right(name, 1)
    end;

create or replace temp macro mask_id(id_number) as
    case
        when id_number is null then null
        when length(id_number) >= 15 then left(id_number, 6) || '********' || right(id_number, 4)
        else repeat('*', length(id_number))
    end;

-- The region tree (regions, region_closure; etl/schema.sql). package_root(): the top of the package.
create or replace temp macro package_root() as (select code from regions where parent_code is null);

-- The region a view opens on when none is chosen — the dashboard's sidebar and `python -m queries`
-- alike (query default_region): from `root` (NULL = the package's top) walk down while a region has
-- exactly one child, so a package whose top is 省 > 市 > one 县 opens on the county. It is the
-- deepest region whose depth below root holds a single region at every level down to it.
create or replace temp macro default_region(root) as (
    select any_value(c.descendant_code)
    from region_closure as c
    where c.ancestor_code = coalesce(root, package_root())
      and c.depth = (
          select coalesce(min(d.depth) filter (where d.regions > 1) - 1, max(d.depth))
          from (select depth, count(*) as regions from region_closure
                where ancestor_code = coalesce(root, package_root()) group by depth) as d
      )
);

-- The region a query is asked about: one row with its code, none when `region` names no region
-- (then the query's result is empty). NULL = the package's top, which holds every village.
create or replace temp macro region_in_view(region) as table
    select code as region_code from regions where code = coalesce(region, package_root());

-- The region and everything under it (region_closure), for `village_code in (select code from …)`.
create or replace temp macro area_under(region_code) as table
    select descendant_code as code, descendant_level as level, depth
    from region_closure where ancestor_code = region_code;

-- The one parameter row of a view, the preamble of the query files: as_of (NULL = today), year (NULL =
-- the year of as_of) and the region asked about (region_in_view); no row when `region` names no region,
-- and then the query's result is empty. A query without a year passes NULL and leaves that column.
create or replace temp macro view_params(as_of, year, region) as table
    select coalesce(as_of, current_date) as as_of,
        coalesce(year, year(coalesce(as_of, current_date))) as year, r.region_code
    from region_in_view(region) as r;

-- The region asked about and everything under it (area_under of region_in_view): code, level, depth.
create or replace temp macro area_in_view(region) as table
    select a.* from region_in_view(region) as r, area_under(r.region_code) as a;

-- The criteria of the exit standards (docs/domain.md, Exit standards), listed once, in the order they
-- are read out: a village's (贫困村出列; judged by village_exit_check under a preset of exit_rules —
-- needs_threshold: the preset must give a threshold) and a household's (贫困户脱贫: 一达标两不愁三保障,
-- judged by household_year_checks, etl/derive/10_household_year_checks.sql). Query exit_criteria
-- shows it to the pages; etl/load.py checks the presets against it.
create or replace temp macro exit_criteria() as table
    select * from (values
        ('village', 1, 'incidence', true),
        ('village', 2, 'collective_income', true),
        ('village', 3, 'collective_economy', false),
        ('village', 4, 'paved_road', false),
        ('village', 5, 'power', false),
        ('village', 6, 'safe_water', false),
        ('village', 7, 'broadband', false),
        ('village', 8, 'clinic', false),
        ('village', 9, 'culture_center', false),
        ('village', 10, 'leading_industry', false),
        ('household', 1, 'income', false),
        ('household', 2, 'food_clothing', false),
        ('household', 3, 'education', false),
        ('household', 4, 'medical', false),
        ('household', 5, 'housing', false),
        ('household', 6, 'water', false)
    ) as c(standard, ordinal, criterion, needs_threshold);

-- The periods (month / quarter / year) overlapping [first_day, last_day], each dated by its first day
-- (period) and ending on its last day or on last_day when that is earlier (period_end: the current,
-- unfinished period "so far"). A first_day after last_day is an error.
create or replace temp macro periods_between(first_day, last_day, kind) as table
    select
        cast(g.period_start as date) as period,
        least(cast(g.period_start + s.step - interval 1 day as date), last_day) as period_end
    from (
        select
            case kind when 'month' then interval 1 month when 'quarter' then interval 3 month
                      else interval 1 year end as step,
            case when first_day <= last_day then true
                 else error('开始日期晚于结束日期 / start is after end: ' || first_day || ' > ' || last_day)
            end as is_valid
    ) as s,
        generate_series(date_trunc(kind, first_day), date_trunc(kind, last_day), s.step) as g(period_start)
    where s.is_valid;

-- The 乡镇 and 村 each region lies in (the region itself or an ancestor; NULL where none is), by code
-- and name: a project, placed at a 乡镇 or a 村, is listed and grouped under them.
create or replace temp macro region_places() as table
    select
        c.descendant_code as region_code,
        max(a.code) filter (where a.level = '乡镇') as township_code,
        max(a.name) filter (where a.level = '乡镇') as township_name,
        max(a.code) filter (where a.level = '村') as village_code,
        max(a.name) filter (where a.level = '村') as village_name
    from region_closure as c
    join regions as a on a.code = c.ancestor_code
    group by c.descendant_code;

-- The registry at the date as_of (docs/domain.md, 建档立卡; registry_summary's counting rule): the
-- households (unit 'household', household_status_spans) and the people (unit 'person',
-- person_status_spans) in the registry that day, each with its status (未脱贫 / 已脱贫), village and
-- the household's 贫困户属性 and 主要致贫原因.
create or replace temp macro registry_at(as_of) as table
    select 'household' as unit, s.household_id, s.village_code, s.status, s.category, s.main_cause
    from household_status_spans as s
    where s.valid_from <= as_of and as_of < s.valid_to
    union all
    select 'person', s.household_id, s.village_code, s.status, s.category, s.main_cause
    from person_status_spans as s
    where s.valid_from <= as_of and as_of < s.valid_to;

-- The 村年度情况 row of each village in force at the date as_of (village_year_spans: a year's row
-- holds from its date until the next year's).
create or replace temp macro village_year_at(as_of) as table
    select v.*
    from village_year as v
    join village_year_spans as s using (village_code, year)
    where s.valid_from <= as_of and as_of < s.valid_to;

-- The villages (村) under a region, with their township, for the data checks that list villages.
create or replace temp macro villages_under(region_code) as table
    select v.code as village_code, v.name as village_name, v.parent_code as township_code,
        t.name as township_name, coalesce(v.is_poor_village, false) as is_poor_village
    from region_closure as c
    join regions as v on v.code = c.descendant_code
    left join regions as t on t.code = v.parent_code
    where c.ancestor_code = region_code and v.level = '村';

-- The region asked about (as region_in_view) only when it holds every village of the package: what
-- belongs to the whole package (the load's warnings) is shown to such a region alone.
create or replace temp macro region_holding_package(region) as table
    select r.region_code
    from region_in_view(region) as r
    where not exists (
        select 1 from regions as v
        where v.level = '村'
          and not exists (select 1 from region_closure as c
                          where c.ancestor_code = r.region_code and c.descendant_code = v.code)
    );

-- A window's first day when none is given: 1 January of the year of its last day (NULL = today).
create or replace temp macro window_start(first_day, last_day) as
    coalesce(first_day, cast(date_trunc('year', coalesce(last_day, current_date)) as date));

-- household_year_checks (etl/derive/10_household_year_checks.sql) as known on the date as_of. A row
-- whose 家庭人口 is empty is sized there by the members present on 31 December of its year; while that
-- day is after as_of, the members who join or leave later are not known yet, so such a row is sized
-- by the members present on as_of, and its per-capita income, income test and criteria lists follow
-- that size (the same income rule: net income ≥ line × size; no members = no data). Every other row
-- is the stored one, so on or after 31 December nothing differs from household_year_checks.
create or replace temp macro household_year_checks_at(as_of) as table
    with early as (
        select c.household_id, c.year,
            (select nullif(cast(count(*) as integer), 0) from member_spans as m
             where m.household_id = c.household_id and m.valid_from <= as_of and as_of < m.valid_to) as size
        from household_year_checks as c
        join household_year as y using (household_id, year)
        where y.size is null and as_of < make_date(c.year, 12, 31)
    ),
    resized as (
        select c.household_id, c.year, e.size, c.net_income, c.poverty_line,
            c.net_income >= c.poverty_line * e.size as income_pass,
            c.food_clothing, c.education, c.medical, c.housing, c.water, c.failing_criteria, c.no_data_criteria
        from household_year_checks as c
        join early as e using (household_id, year)
    )
    select * from household_year_checks as c
    where not exists (select 1 from early as e where e.household_id = c.household_id and e.year = c.year)
    union all by name
    select household_id, year, size, net_income,
        cast(net_income / size as decimal(18, 2)) as per_capita_income,
        poverty_line, income_pass, food_clothing, education, medical, housing, water,
        -- 'income' leads both lists, as household_year_checks orders them
        list_concat(case when income_pass is not true then ['income'] else [] end,
                    list_filter(failing_criteria, lambda k: k <> 'income')) as failing_criteria,
        list_concat(case when income_pass is null then ['income'] else [] end,
                    list_filter(no_data_criteria, lambda k: k <> 'income')) as no_data_criteria
    from resized;

-- The 户年度收入与保障 rows as known on as_of (household_year_checks_at) judged against the monitoring
-- line (docs/domain.md, After 2020 / 防返贫监测): the threshold of the row's year for the household's
-- village (monitoring_village_thresholds; none: threshold NULL, threshold_missing, income not judged)
-- and failing, the keys that fail — income (net income < threshold × 家庭人口), food_clothing,
-- education, medical, housing, water (answered 否); an empty item or income is not judged.
create or replace temp macro monitoring_year_checks_at(as_of) as table
    select c.household_id, h.village_code, c.year, c.size, c.net_income, c.per_capita_income, t.threshold,
        t.threshold is null as threshold_missing,
        list_filter([
            case when c.net_income < t.threshold * c.size then 'income' end,
            case when c.food_clothing = false then 'food_clothing' end,
            case when c.education = false then 'education' end,
            case when c.medical = false then 'medical' end,
            case when c.housing = false then 'housing' end,
            case when c.water = false then 'water' end
        ], lambda k: k is not null) as failing
    from household_year_checks_at(as_of) as c
    join households as h using (household_id)
    left join monitoring_village_thresholds as t on t.village_code = h.village_code and t.year = c.year;

-- The monitoring state at the date as_of (docs/domain.md, After 2020 / 防返贫监测 — the counting rule):
-- one row per household identified on or before as_of, from its latest episode by as_of (episodes never
-- overlap): at_risk (that episode is open at as_of) or else cleared (cleared on or before as_of); the
-- episode's village_code, kind, risks, lead_source, identified_on and cleared_on (NULL while at risk at
-- as_of); registered (ever 建档立卡 by as_of: a 识别纳入 on or before it) and people (its members present
-- at as_of). A household's episodes all carry its village (monitoring_episodes), so a query keeps the
-- households of its region by village_code.
create or replace temp macro monitoring_state_at(as_of) as table
    with latest as (
        select e.household_id, e.village_code, e.kind, e.risks, e.lead_source, e.identified_on,
            case when e.cleared_on <= as_of then e.cleared_on end as cleared_on,
            e.valid_to > as_of as at_risk,
            coalesce(e.registered_on <= as_of, false) as registered
        from monitoring_episodes as e
        where e.identified_on <= as_of
        qualify row_number() over (partition by e.household_id order by e.identified_on desc) = 1
    )
    select l.*,
        (select count(*) from member_spans as m
         where m.household_id = l.household_id and m.valid_from <= as_of and as_of < m.valid_to) as people
    from latest as l;

-- The exits of the days first_day to last_day (docs/domain.md, Indicators — Exit counts): the 标注脱贫
-- rows of flow_movements (etl/derive/11_flow_movements.sql), per village and day — the households and
-- the people present both the day before and on the exit date, as flows counts them. exits_by_period
-- and township_progress count these rows.
create or replace temp macro exits_between(first_day, last_day) as table
    select f.village_code, f.changed_on as exited_on, f.households, f.people
    from flow_movements as f
    where f.movement = '标注脱贫' and f.changed_on between first_day and last_day;

-- The annual exit plan (计划减贫 of 年度目标) of every region and year: the region's own targets row, or
-- else the sum of the rows at the nearest level below it that has any (a region and year without
-- any: no row). exits_by_period and township_progress read their plans here.
create or replace temp macro exit_plans() as table
    select c.ancestor_code as region_code, t.year,
        sum(t.planned_exit_households) as planned_households,
        sum(t.planned_exit_people) as planned_people
    from targets as t
    join region_closure as c on c.descendant_code = t.region_code
    where t.planned_exit_households is not null or t.planned_exit_people is not null
    group by c.ancestor_code, t.year, c.depth
    qualify row_number() over (partition by c.ancestor_code, t.year order by c.depth) = 1;

-- The money of each project of the year `year` (docs/domain.md, Funds 资金): its region, 实际开工 and
-- 完工 dates and the money of each stage 下达 / 拨付 / 支出 / 报账 summed over its fund rows dated on
-- or before as_of (negative correction rows included; a project without such rows has 0).
-- funds_summary and township_progress add these up.
create or replace temp macro project_money(as_of, year) as table
    select p.project_id, p.region_code, p.started_on, p.completed_on,
        coalesce(sum(f.amount) filter (where f.stage = '下达'), 0) as allocated,
        coalesce(sum(f.amount) filter (where f.stage = '拨付'), 0) as disbursed,
        coalesce(sum(f.amount) filter (where f.stage = '支出'), 0) as spent,
        coalesce(sum(f.amount) filter (where f.stage = '报账'), 0) as reimbursed
    from projects as p
    left join funds as f on f.project_id = p.project_id and f.date <= as_of
    where p.year = year
    group by p.project_id, p.region_code, p.started_on, p.completed_on;
