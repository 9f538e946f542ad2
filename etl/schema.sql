-- schema:     the one definition of Tuopin's tables (import contract v1, docs/data-contract.md)
-- convention: each imported table is preceded by
--                 -- file: <english stem> | <中文 stem> | required|recommended|optional
--             (a missing required file is an error, a missing recommended one a warning)
--             and each of its columns carries
--                 -- <中文表头> [| optional]
--             The column name is the English alias. etl/contract.py reads these comments, so the
--             headers a user may write, the types they are parsed as, the enum values and aliases
--             are all defined here and nowhere else. "optional" on a column means the header may be
--             missing from the file; NOT NULL means a value is required in every row.
--             Enum aliases are written after the type as: -- aliases: 别名=正式值, ...
--             A table's rules in words are written between its file line and the table as
--                 -- rule: <sentence>   (continued on lines starting "--       ")
--             scripts/contract_doc.py renders all of this into docs/data-contract.md.

create type region_level as enum ('省', '市', '县', '乡镇', '村');
create type region_type as enum ('东部', '中部', '西部');
create type household_category as enum ('一般贫困户', '低保贫困户', '特困供养贫困户');
-- aliases: 低保户=低保贫困户, 五保户=特困供养贫困户, 五保贫困户=特困供养贫困户, 一般户=一般贫困户
create type main_cause as enum (
    '因病', '因残', '因学', '因灾', '缺土地', '缺水', '缺技术', '缺劳力', '缺资金',
    '交通条件落后', '自身发展动力不足', '因婚', '其他'
);
create type sex as enum ('男', '女');
create type health as enum ('健康', '长期慢性病', '患有大病', '残疾');
create type labor as enum ('普通劳动力', '技能劳动力', '弱劳动力', '丧失劳动力', '无劳动力');
create type event_type as enum ('识别纳入', '标注脱贫', '返贫', '清退', '自然销户');
create type project_category as enum (
    '产业发展', '基础设施', '公共服务', '就业扶贫', '易地搬迁', '危房改造', '教育扶贫',
    '健康扶贫', '金融扶贫', '生态扶贫', '综合保障', '项目管理费', '其他'
);
create type fund_source as enum (
    '中央财政专项扶贫资金', '省级财政专项扶贫资金', '市级财政专项扶贫资金',
    '县级财政专项扶贫资金', '统筹整合涉农资金', '地方政府债券', '社会帮扶资金', '其他',
    '中央财政衔接推进乡村振兴补助资金', '省级财政衔接推进乡村振兴补助资金',
    '市级财政衔接推进乡村振兴补助资金', '县级财政衔接推进乡村振兴补助资金'
);
-- aliases: 中央衔接资金=中央财政衔接推进乡村振兴补助资金, 省级衔接资金=省级财政衔接推进乡村振兴补助资金, 市级衔接资金=市级财政衔接推进乡村振兴补助资金, 县级衔接资金=县级财政衔接推进乡村振兴补助资金, 省财政衔接推进乡村振兴补助资金=省级财政衔接推进乡村振兴补助资金, 市财政衔接推进乡村振兴补助资金=市级财政衔接推进乡村振兴补助资金, 县财政衔接推进乡村振兴补助资金=县级财政衔接推进乡村振兴补助资金
create type fund_stage as enum ('下达', '拨付', '支出', '报账');
create type measure as enum (
    '产业', '就业', '教育', '健康', '小额信贷', '危房改造', '易地搬迁', '生态护林', '兜底保障', '结对帮扶'
);
create type household_status as enum ('未脱贫', '已脱贫');
create type monitoring_kind as enum ('脱贫不稳定户', '边缘易致贫户', '突发严重困难户');
-- aliases: 脱贫不稳定=脱贫不稳定户, 边缘易致贫=边缘易致贫户, 边缘户=边缘易致贫户, 突发严重困难=突发严重困难户, 突发困难户=突发严重困难户
create type risk_type as enum (
    '因病', '因学', '因残', '因灾', '因意外事故', '因产业项目失败', '因务工就业不稳', '因人口变化', '其他'
);
create type lead_source as enum ('农户自主申报', '基层干部排查', '部门筛查预警');
create type department as enum ('医保', '教育', '民政', '住建', '残联', '公安', '人社', '其他');
-- aliases: 医疗保障=医保, 医保局=医保, 教育局=教育, 民政局=民政, 住房城乡建设=住建, 住建局=住建, 残联会=残联, 公安局=公安, 人社局=人社, 人力资源社会保障=人社
create type verification_outcome as enum ('已纳入监测', '已在监测', '排除');
-- aliases: 纳入监测=已纳入监测, 新纳入监测=已纳入监测, 已是监测对象=已在监测, 排除风险=排除, 不纳入=排除

-- file: regions | 区划 | required
-- rule: Exactly one top node, the only row with an empty 上级代码; every other 上级代码 is a code of this
--       file, exactly one level up (省 > 市 > 县 > 乡镇 > 村).
-- rule: 是否贫困村 applies to 村 rows only, 地区类型 to 省 and 县 rows only (elsewhere ignored, with a
--       warning); 西部 picks the western incidence threshold of the village exit standard.
-- rule: 出列日期 is the day a poor village was announced exited; 计划出列年度 the year it is planned to.
create table regions (
    code                varchar primary key,          -- 区划代码
    name                varchar not null,             -- 名称
    level               region_level not null,        -- 层级
    parent_code         varchar,                      -- 上级代码
    is_poor_village     boolean,                      -- 是否贫困村 | optional
    planned_exit_year   integer,                      -- 计划出列年度 | optional
    exit_date           date,                         -- 出列日期 | optional
    region_type         region_type                   -- 地区类型 | optional
);

-- file: village_year | 村年度情况 | required
-- rule: One row per village and year; 区划代码 is a 村 of the regions file. A row is in force from 1
--       January of its year until the village's next row: the latest year ≤ the as-of date applies.
-- rule: 农业户籍人口 is the denominator of 贫困发生率; counts cannot be negative; an empty 主导产业 means none.
create table village_year (
    year                integer not null,             -- 年度
    village_code        varchar not null,             -- 区划代码
    rural_population    integer not null check (rural_population >= 0),  -- 农业户籍人口
    households_total    integer check (households_total >= 0),          -- 总户数
    collective_income   decimal(18, 2),               -- 村集体经济收入
    per_capita_income   decimal(18, 2),               -- 农村居民人均可支配收入 | optional
    paved_road          boolean,                      -- 通硬化路
    power               boolean,                      -- 通动力电
    safe_water          boolean,                      -- 安全饮水
    broadband           boolean,                      -- 通宽带
    clinic              boolean,                      -- 标准化卫生室
    culture_center      boolean,                      -- 综合文化服务中心
    leading_industry    varchar,                      -- 主导产业
    primary key (village_code, year)
);

-- file: households | 贫困户 | required
-- rule: 区划代码 is a 村 of the regions file. A household with a 识别纳入 event in the events file is a
--       建档立卡 household and needs its 贫困户属性 and 主要致贫原因. A package with monitoring episodes may
--       also hold households that were never registered (边缘户: no 识别纳入 event, both may be empty); they
--       count in no registry figure. Without monitoring episodes every household needs a 识别纳入 event.
-- rule: 户主姓名 and 户主证件号码 are those of the household's 户主 row in the members file (a warning when
--       they differ); an ID number is an 18-character resident ID whose check digit (GB 11643) is
--       verified (a warning when it fails).
create table households (
    household_id        varchar primary key,          -- 户编号
    village_code        varchar not null,             -- 区划代码
    head_name           varchar,                      -- 户主姓名
    head_id_number      varchar,                      -- 户主证件号码
    category            household_category,       -- 贫困户属性
    main_cause          main_cause                -- 主要致贫原因
);

-- file: members | 家庭成员 | required
-- rule: 户编号 is in the households file; each household has exactly one member whose 与户主关系 is 户主.
-- rule: 加入日期 empty = the household's first 识别纳入 date (a later date is a 自然增加); 减少日期 is the day the
--       person left (自然减少), after the join date; both fall while the household is registered.
--       In a household never registered (边缘户) an empty 加入日期 means a member from the start.
-- rule: 出生日期 may be derived from id_number when empty (digits 7–14 of a resident ID).
create table members (
    person_id           varchar primary key,          -- 人员编号
    household_id        varchar not null,             -- 户编号
    name                varchar,                      -- 姓名
    id_number           varchar,                      -- 证件号码
    relation            varchar not null,             -- 与户主关系
    sex                 sex,                          -- 性别
    birth_date          date,                         -- 出生日期
    health              health,                       -- 健康状况
    labor               labor,                        -- 劳动技能
    student_status      varchar,                      -- 在校生状况 | optional
    medical_insured     boolean,                      -- 城乡居民基本医疗保险 | optional
    joined_on           date,                         -- 加入日期 | optional
    left_on             date,                         -- 减少日期 | optional
    left_reason         varchar,                      -- 减少原因 | optional
    check (left_on is null or joined_on is null or left_on > joined_on)
);

-- file: events | 动态管理记录 | required
-- rule: 户编号 is in the households file. Replaying a household's events in date order gives its
--       status on any date; a household with no 识别纳入 on or before a date is not registered then.
-- rule: Impossible sequences (标注脱贫 of a household not 未脱贫, 返贫 of one not 已脱贫, 清退 or 自然销户 of one not
--       registered, 识别纳入 of one registered) and two events of one household on one day are refused,
--       naming the household.
create table events (
    event_id            varchar primary key,          -- 记录编号
    household_id        varchar not null,             -- 户编号
    event_type          event_type not null,          -- 变动类型
    event_date          date not null,                -- 变动日期
    reason              varchar                       -- 变动原因 | optional
);

-- file: projects | 扶贫项目 | recommended
-- rule: 区划代码 is a 乡镇 or a 村 of the regions file; a project belongs to its 年度.
create table projects (
    project_id              varchar primary key,      -- 项目编号
    name                    varchar not null,         -- 项目名称
    category                project_category not null,  -- 项目类型
    region_code             varchar not null,         -- 区划代码
    year                    integer not null,         -- 年度
    batch                   varchar,                  -- 批次 | optional
    planned_amount          decimal(18, 2),           -- 计划投资
    planned_start           date,                     -- 计划开工日期 | optional
    started_on              date,                     -- 实际开工日期 | optional
    planned_end             date,                     -- 计划完工日期 | optional
    completed_on            date,                     -- 实际完工日期 | optional
    beneficiary_households  integer,                  -- 受益贫困户数 | optional
    beneficiary_people      integer,                  -- 受益贫困人口 | optional
    department              varchar                   -- 主管部门 | optional
);

-- file: funds | 资金明细 | recommended
-- rule: Every money movement of a project, one row each; 项目编号 is in the projects file; corrections
--       are negative rows.
create table funds (
    fund_id             varchar primary key,          -- 记录编号
    project_id          varchar not null,             -- 项目编号
    source              fund_source not null,         -- 资金来源
    stage               fund_stage not null,          -- 环节
    date                date not null,                -- 日期
    amount              decimal(18, 2) not null       -- 金额
);

-- file: targets | 年度目标 | optional
-- rule: 区划代码 is in the regions file. A row is either a plan of the year (计划减贫户数 / 计划减贫人数 / 计划出列村数)
--       or a spending target: 支出进度目标 with 截止日期 (e.g. 0.30 by 2019-03-31); a value is given at most
--       once per year and region (and deadline).
create table targets (
    year                    integer not null,         -- 年度
    region_code             varchar not null,         -- 区划代码
    planned_exit_households integer,                  -- 计划减贫户数 | optional
    planned_exit_people     integer,                  -- 计划减贫人数 | optional
    planned_exit_villages   integer,                  -- 计划出列村数 | optional
    spending_target         decimal(9, 4) check (spending_target between 0 and 1),  -- 支出进度目标 | optional
    deadline                date                      -- 截止日期 | optional
);

-- file: household_year | 户年度收入与保障 | optional
-- rule: 户编号 is in the households file; one row per household and year. Drives the household exit
--       standard and the 错退 risk list; 家庭人口 empty = the members present on 31 December of the year.
-- rule: Years after 2020 are welcome (also for households never registered): they are judged against
--       the monitoring threshold of the year (data/reference/monitoring_thresholds.csv) for the 漏监测
--       and 风险消除 checks.
create table household_year (
    year                integer not null,             -- 年度
    household_id        varchar not null,             -- 户编号
    size                integer check (size > 0),     -- 家庭人口 | optional
    wages               decimal(18, 2),               -- 工资性收入 | optional
    business_income     decimal(18, 2),               -- 生产经营性收入 | optional
    property_income     decimal(18, 2),               -- 财产性收入 | optional
    transfer_income     decimal(18, 2),               -- 转移性收入 | optional
    business_costs      decimal(18, 2),               -- 生产经营性支出 | optional
    food_clothing       boolean,                      -- 吃穿不愁 | optional
    education           boolean,                      -- 义务教育有保障 | optional
    medical             boolean,                      -- 基本医疗有保障 | optional
    housing             boolean,                      -- 住房安全有保障 | optional
    water               boolean,                      -- 饮水安全有保障 | optional
    primary key (household_id, year)
);

-- file: assistance | 帮扶措施 | optional
-- rule: 户编号 is in the households file; one row per assistance measure given to a household.
create table assistance (
    household_id        varchar not null,             -- 户编号
    measure             measure not null,             -- 措施类型
    date                date,                         -- 日期
    amount              decimal(18, 2),               -- 金额 | optional
    note                varchar                       -- 说明 | optional
);

-- file: monitoring | 防返贫监测对象 | optional
-- rule: One row per monitoring episode (防止返贫监测对象, from 认定 to 风险消除); a household may have
--       several, which must not overlap: the next one is identified on or after the day the previous one was cleared.
--       户编号 is in the households file, registered (建档立卡) or not.
-- rule: 风险类型 holds one or more risk types separated by 、 or , (因病、因学); 风险消除日期 is empty while
--       the household is at risk and is after 认定日期; 发现日期 (the day the lead was found) is not
--       after 认定日期.
create table monitoring (
    monitoring_id       varchar primary key,          -- 监测编号
    household_id        varchar not null,             -- 户编号
    kind                monitoring_kind not null,     -- 监测对象类别
    risks               varchar not null,             -- 风险类型
    lead_source         lead_source,                  -- 线索来源 | optional
    found_on            date,                         -- 发现日期 | optional
    identified_on       date not null,                -- 认定日期
    cleared_on          date,                         -- 风险消除日期 | optional
    note                varchar                       -- 备注 | optional
);

-- file: department_records | 部门比对数据 | optional
-- rule: One row per record another department sent for comparison (docs/domain.md, 部门数据比对). 证件号码 is
--       matched to the members file by its normalised form (spaces removed, full-width characters made
--       half-width, x upper case); a record whose ID number matches nobody is not an error: the data-quality
--       page lists it (masked) with a count. 金额 (e.g. 医疗自付费用) cannot be negative.
-- rule: Which records raise a warning is said by the warning rules (data/reference/warning_rules.csv):
--       department, 事项, and an optional amount bar, fixed or relative to the household's figures.
create table department_records (
    record_id           varchar primary key,          -- 记录编号
    department          department not null,          -- 部门
    item                varchar not null,             -- 事项
    id_number           varchar not null,             -- 证件号码
    date                date not null,                -- 日期
    amount              decimal(18, 2),               -- 金额 | optional
    note                varchar                       -- 说明 | optional
);

-- file: verifications | 核实结果 | optional
-- rule: One row per warning checked (核实): 预警编号 as the dashboard's export of open warnings gives it,
--       the outcome (已纳入监测 / 已在监测 / 排除) and the day of the check. A 预警编号 that names no warning of
--       the package under any rule set is reported as a warning of the load, not dropped silently, and so
--       is a 核实日期 before the date of the warning's record.
create table verifications (
    warning_id          varchar primary key,          -- 预警编号
    outcome             verification_outcome not null, -- 核实结论
    verified_on         date not null,                -- 核实日期
    note                varchar                       -- 说明 | optional
);

-- file: date_ranges | 日期区间 | optional
-- rule: Dates only known to lie in a span, one row each: 记录编号 names a record of the file 文件 (events,
--       members or monitoring, by its English or Chinese name) and 列 the column holding the date, which
--       holds 最晚日期; the day itself lies between 最早日期 (empty = unknown) and 最晚日期. A package converted
--       from roster snapshots (python -m etl from-roster, etl/roster/) lists here every date it could only
--       place between two snapshots; the load warns about each one, naming the record's row.
create table date_ranges (
    table_name          varchar not null,             -- 文件
    record_id           varchar not null,             -- 记录编号
    column_name         varchar not null,             -- 列
    earliest            date,                         -- 最早日期
    latest              date not null,                -- 最晚日期
    note                varchar                       -- 说明 | optional
);

-- Boundaries are not tabular: etl/boundaries.py reads GeoJSON or a zipped Shapefile, reprojects to
-- EPSG:4326 and stores one row per region here.
-- rule: File: 边界 / boundaries (.geojson or .json, or a .zip holding a Shapefile); optional. Each feature
--       carries the 区划代码 (or code) of a 村 or 乡镇 of the regions file; any coordinate system.
create table boundaries (
    region_code         varchar primary key,
    level               region_level not null,
    geometry_wkb        blob not null,                -- full-resolution geometry, EPSG:4326
    geojson             varchar not null,             -- simplified geometry for display (GeoJSON text)
    centroid_lon        double not null,
    centroid_lat        double not null
);

-- Reference data shipped with the product (data/reference/*.csv), editable by users.
create table poverty_lines (
    year                integer primary key,
    line                decimal(18, 2) not null,      -- 元 per person-year, current prices
    note                varchar
);

-- rule: 监测范围 (monitoring threshold): the per-capita net income line of a year under which a household
--       is a monitoring concern. One row per year and region: region_code a 12-digit 省, 市 or 县 code
--       (XX0000000000, XXXX00000000, XXXXXX000000) or empty for everywhere; a code covers the villages
--       whose codes begin with its 2, 4 or 6 leading digits and the deepest covering row applies. A bad
--       year, amount or region, or a year and region given twice, stops the load with file, row and
--       column (etl/thresholds.py). A year without a row has no threshold, and the figures that need
--       one say so.
create table monitoring_thresholds (
    year                integer not null,             -- the year the threshold applies to
    region_code         varchar,                      -- 省/市/县 code; empty = everywhere
    threshold           decimal(18, 2) not null,      -- 元 per person-year (per-capita net income)
    note                varchar                       -- where the figure comes from
);

-- rule: 预警规则 (warning rules of 部门数据比对, docs/domain.md): which department records raise a warning.
--       One row per rule: rule_set (a named set; the rows of set `default` apply under every set that
--       has no rule of its own for the same department and item), rule_id (unique in the file: with the
--       record it makes the warning's 预警编号), department, item (事项, as the department writes it),
--       level 高/中/低, basis ('' = every record, fixed = 金额 above amount, income_share = 金额 above
--       amount × the household's per-capita net income of the year before, threshold_split = above
--       amount where that income is at or below the monitoring threshold of that year — or unknown —
--       and above amount_others elsewhere), note. Checked at load (etl/warning_rules.py).
create table warning_rules (
    rule_set            varchar not null,
    rule_id             varchar primary key,
    department          department not null,
    item                varchar not null,
    level               varchar not null,             -- 高 / 中 / 低
    basis               varchar,                      -- NULL / fixed / income_share / threshold_split
    amount              decimal(18, 4),               -- 元, or a share of income for income_share
    amount_others       decimal(18, 4),               -- 元, threshold_split above the threshold
    note                varchar
);

create table exit_rules (
    preset              varchar not null,             -- national / hunan / shaanxi / henan / user-defined
    criterion           varchar not null,             -- incidence / collective_income / collective_economy / paved_road / ...
    threshold           decimal(18, 4),               -- incidence: max ratio; collective_income: min 元
    threshold_west      decimal(18, 4),               -- incidence threshold where the region is 西部
    note                varchar,
    primary key (preset, criterion)
);

-- ---------------------------------------------------------------------------------------------
-- Derived tables, filled by etl/derive/*.sql after a package passed validation. They make every
-- later question a range lookup. Spans are half-open: valid_from <= D < valid_to; an open span
-- ends on 9999-12-31.

-- one row per region and each of its ancestors (and itself, depth 0)
create table region_closure (
    ancestor_code       varchar not null,
    descendant_code     varchar not null,
    depth               integer not null,
    descendant_level    region_level not null,
    primary key (ancestor_code, descendant_code)
);

-- one row per household per stretch of unchanged status while registered
create table household_status_spans (
    household_id        varchar not null,
    village_code        varchar not null,
    status              household_status not null,
    valid_from          date not null,
    valid_to            date not null,
    started_by          event_type not null,          -- the event that opened the span
    ended_by            event_type,                   -- the event that closed it (null = still open)
    category            household_category not null,  -- the household's 贫困户属性 and 主要致贫原因,
    main_cause          main_cause not null,          -- carried here so breakdowns need no join
    primary key (household_id, valid_from)
);

-- one row per member per stretch of presence in the household (join to leave)
create table member_spans (
    person_id           varchar primary key,
    household_id        varchar not null,
    valid_from          date not null,
    valid_to            date not null
);

-- one row per member per household status span they overlap: "who counts as what on day D"
create table person_status_spans (
    person_id           varchar not null,
    household_id        varchar not null,
    village_code        varchar not null,
    status              household_status not null,
    valid_from          date not null,
    valid_to            date not null,
    category            household_category not null,  -- the household's, as in household_status_spans
    main_cause          main_cause not null
);

-- one row per village per village_year row, with the dates that row is in force
create table village_year_spans (
    village_code        varchar not null,
    year                integer not null,
    valid_from          date not null,
    valid_to            date not null,
    primary key (village_code, year)
);

-- one row per load: where the data came from
create table load_info (
    loaded_at           timestamp not null,
    package             varchar not null,
    package_sha256      varchar,
    tuopin_version      varchar,
    rows_loaded         bigint not null,
    warnings            integer not null,
    seconds             double
);

-- the warnings of the load that built this database (errors never reach a database)
create table load_problems (
    severity            varchar not null,
    file                varchar not null,
    row_number          bigint,
    column_name         varchar,
    value               varchar,
    check_name          varchar not null,
    message_zh          varchar not null,
    message_en          varchar not null
);

-- ---------------------------------------------------------------------------------------------
-- derived for the indicator queries
-- Filled by etl/derive/1N_*.sql after the tables above; each one serves queries/*.sql.

-- one row per household_year row: the household exit standard (docs/domain.md, 贫困户退出:
-- per-capita net income not below the poverty line of that year, 两不愁三保障 and safe water)
-- judged once, for queries/household_exit_check.sql and queries/village_households.sql.
-- Criteria keys: income, food_clothing, education, medical, housing, water. NULL = no data = fails.
create table household_year_checks (
    household_id        varchar not null,
    year                integer not null,
    size                integer,                      -- 家庭人口; when empty, the members present on 12-31
    net_income          decimal(18, 2),               -- wages + business + property + transfers − costs
    per_capita_income   decimal(18, 2),               -- net_income ÷ size
    poverty_line        decimal(18, 2),               -- poverty_lines.line of the year
    income_pass         boolean,                      -- net_income ≥ line × size; NULL = no data
    food_clothing       boolean,
    education           boolean,
    medical             boolean,
    housing             boolean,
    water               boolean,
    failing_criteria    varchar[] not null,           -- keys not passed (no data included)
    no_data_criteria    varchar[] not null,           -- the failing keys that fail for lack of data
    primary key (household_id, year)
);

-- one row per village, day and movement of the registry (docs/domain.md, 动态管理), for
-- queries/flows.sql: the households and people whose state (not registered / 未脱贫 / 已脱贫)
-- changes that day by that movement, and the signed effect on the registry and the still-poor
-- stocks. Movements: 识别纳入, 返贫, 标注脱贫, 清退, 自然销户, 自然增加, 自然减少. People still
-- registered are listed as leaving (自然减少) on 9999-12-31, where their spans end.
create table flow_movements (
    village_code        varchar not null,
    changed_on          date not null,
    movement            varchar not null,
    households          integer not null,             -- households that move (≥ 0; 0 for member movements)
    people              integer not null,             -- people that move (≥ 0)
    registry_households integer not null,             -- signed effect on the registered (现有建档) 户
    registry_people     integer not null,             -- ... 人
    poor_households     integer not null,             -- signed effect on the still-poor (未脱贫) 户
    poor_people         integer not null              -- ... 人
);

-- one row per household and year in which it was marked exited (标注脱贫) whose check of that year
-- fails (household_year_checks, or every criterion as no data when there is no household_year row):
-- the 错退 risk list of queries/household_exit_check.sql, worked out once for every year
create table household_exit_checks (
    household_id        varchar not null,
    village_code        varchar not null,
    year                integer not null,
    exited_on           date not null,                -- the latest 标注脱贫 of the year
    size                integer,
    net_income          decimal(18, 2),
    per_capita_income   decimal(18, 2),
    poverty_line        decimal(18, 2),
    income_pass         boolean,
    food_clothing       boolean,
    education           boolean,
    medical             boolean,
    housing             boolean,
    water               boolean,
    failing_criteria    varchar[] not null,
    no_data_criteria    varchar[] not null,
    primary key (household_id, year)
);

-- one row per member whose ID number (trimmed, upper case) is also a member's of another household:
-- the only people queries/quality_members_in_several_households.sql needs to look at on a date
create table members_sharing_id (
    person_id           varchar primary key,
    household_id        varchar not null,
    id_key              varchar not null
);

-- one row per village exit rule preset (exit_rules read as a whole): which criteria it requires and
-- with which thresholds, for queries/village_exit_check.sql
create table exit_rule_presets (
    preset                      varchar primary key,
    requires_incidence          boolean not null,
    incidence_threshold         decimal(18, 4),
    incidence_threshold_west    decimal(18, 4),       -- threshold_west, or the threshold when empty
    requires_collective_income  boolean not null,
    collective_income_threshold decimal(18, 4),
    requires_collective_economy boolean not null,
    requires_paved_road         boolean not null,
    requires_power              boolean not null,
    requires_safe_water         boolean not null,
    requires_broadband          boolean not null,
    requires_clinic             boolean not null,
    requires_culture_center     boolean not null,
    requires_leading_industry   boolean not null
);

-- one row per monitoring episode (防返贫监测, docs/domain.md, After 2020 / 防返贫监测), with the risk
-- types as a list, the household's village and whether (since when) it is a 建档立卡 household:
-- the monitoring queries (queries/monitoring_*.sql) read this instead of the text of the file
create table monitoring_episodes (
    monitoring_id       varchar primary key,
    household_id        varchar not null,
    village_code        varchar not null,
    kind                monitoring_kind not null,
    risks               risk_type[] not null,         -- distinct, in the order of the risk type list
    lead_source         lead_source,
    found_on            date,
    identified_on       date not null,
    cleared_on          date,
    valid_to            date not null,                -- cleared_on; 9999-12-31 while at risk
    registered_on       date                          -- first 识别纳入 (NULL: never registered, 边缘户)
);

-- one row per village and year a monitoring threshold covers (monitoring_thresholds: the deepest
-- region whose code covers the village's; the row for everywhere last), for the 漏监测 and 风险消除
-- checks. A village and year without a row has no threshold: the queries say so.
create table monitoring_village_thresholds (
    village_code        varchar not null,
    year                integer not null,
    threshold           decimal(18, 2) not null,
    threshold_region    varchar,                      -- the region_code of the row applied (NULL = everywhere)
    primary key (village_code, year)
);

-- one row per household with an assistance measure (帮扶措施 rows without a date left out): the first date
-- of each measure type, and of the first 产业 or 就业 measure, for queries/assistance_coverage.sql
-- ("at least one measure dated on or before the date" is then a comparison per household)
create table household_measure_dates (
    household_id            varchar primary key,
    industry_or_employment  date,                     -- the first 产业 or 就业 measure
    industry                date,                     -- 产业
    employment              date,                     -- 就业
    education               date,                     -- 教育
    health                  date,                     -- 健康
    microcredit             date,                     -- 小额信贷
    housing_repair          date,                     -- 危房改造
    relocation              date,                     -- 易地搬迁
    forest_ranger           date,                     -- 生态护林
    safety_net              date,                     -- 兜底保障
    pairing                 date                      -- 结对帮扶
);

-- one row per department record (部门比对数据): the member its 证件号码 matches (normalised: spaces
-- removed, full-width made half-width, upper case; the member present on the record's date first,
-- else the latest to join), NULL when it matches nobody (listed by quality_department_records_unmatched)
create table department_record_matches (
    record_id           varchar primary key,
    id_key              varchar,                      -- the normalised ID number
    person_id           varchar,
    household_id        varchar,
    village_code        varchar
);

-- one row per matched department record and warning rule (of any rule set) it meets: the warnings
-- every set can give, with the stable 预警编号 (md5 of record_id|rule_id), for
-- queries/department_warnings.sql and the load's check of the verifications file
create table department_rule_hits (
    warning_id          varchar primary key,          -- 'W' + the first 12 hex digits of md5(record_id|rule_id)
    record_id           varchar not null,
    rule_set            varchar not null,
    rule_id             varchar not null,
    level               varchar not null,
    department          department not null,
    item                varchar not null,
    record_date         date not null,
    amount              decimal(18, 2),
    bar                 decimal(18, 2),               -- the amount the record had to exceed (NULL: none, or unknown income)
    person_id           varchar not null,
    household_id        varchar not null,
    village_code        varchar not null,
    registered_on       date,                         -- the household's first 识别纳入 (NULL: never 建档立卡)
    monitored_on_date   boolean not null              -- a monitoring episode open on the record's date
);
