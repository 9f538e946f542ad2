-- query:      quality_members_in_several_households
-- definition: data check (returns the bad rows; none = pass): people counted in more than one
--             household at $as_of — member rows (家庭成员) with the same 证件号码 (compared trimmed,
--             upper case) in different households, each present and registered that day
--             (person_status_spans, as registry_summary counts people; docs/domain.md, 建档立卡:
--             a person belongs to one household). The load refuses a repeated 人员编号; a person
--             entered twice under two 人员编号 gets through and is counted twice. A member who
--             left one household before joining another (婚出 → 婚入) is not flagged. Every row of
--             the group under $region is listed; the other households may lie outside it.
--             Candidates come from members_sharing_id (etl/derive/13_members_sharing_id.sql).
-- columns:    id_number_masked (first 6 and last 4 characters, as village_households masks),
--             person_id, name_masked, household_id, village_code, village_name, township_name,
--             n_households (households the ID is present in), households (their 户编号, sorted,
--             joined with "、"), person_group (1, 2, …: the same number on the rows of one ID),
--             people (on every row: how many IDs the list holds, the data-quality tile's figure)
-- grain:      one row per member row sharing its ID with a member of another household, by ID then
--             household
-- params:     $as_of DATE (NULL = today),
--             $region VARCHAR (NULL or empty = the top of the package; an unknown code gives no rows)
with params as (  -- one row; none when $region names no region (macro view_params, queries/shared/macros.sql)
    select as_of, region_code from view_params($as_of, null, $region)
),

present as (
    -- everyone counted on $as_of, anywhere in the package, whose ID number another household's
    -- member holds too (members_sharing_id, etl/derive/13_*: nobody else can be in two households)
    select p.person_id, p.household_id, p.village_code, k.id_key, m.id_number, m.name
    from members_sharing_id as k
    join person_status_spans as p using (person_id)
    join members as m using (person_id)
    cross join params
    where p.valid_from <= params.as_of and params.as_of < p.valid_to
),

shared_ids as (
    select id_key, count(distinct household_id) as n_households,
        string_agg(distinct household_id, '、' order by household_id) as households
    from present
    group by id_key
    having count(distinct household_id) > 1
),

listed as (
    select
        -- privacy: queries/shared/macros.sql (first 6 and last 4; first and last character)
        mask_id(p.id_number) as id_number_masked,
        p.person_id,
        mask_name(p.name) as name_masked,
        p.household_id,
        p.village_code,
        v.name as village_name,
        t.name as township_name,
        s.n_households,
        s.households,
        dense_rank() over (order by p.id_key) as person_group
    from present as p
    join shared_ids as s using (id_key)
    join region_closure as c on c.descendant_code = p.village_code
    join params on c.ancestor_code = params.region_code
    left join regions as v on v.code = p.village_code
    left join regions as t on t.code = v.parent_code
),

final as (
    select *, max(person_group) over () as people
    from listed
    order by person_group, household_id, person_id
)

select * from final
