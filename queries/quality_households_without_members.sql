-- query:      quality_households_without_members
-- definition: data check (returns the bad rows; none = pass): households in $region registered at
--             $as_of (建档立卡, docs/domain.md: a registered household has its members 家庭成员)
--             with no member present that day — every member's 减少日期 is on or before $as_of (or
--             every 加入日期 after it) while no 自然销户 or 清退 removed the household. The load
--             refuses a household without a 户主 row; it cannot see members leaving one by one.
--             Such a household counts as 1户0人 in every figure.
-- columns:    household_id, head_name_masked (as village_households masks it), village_code,
--             village_name, township_name, status (未脱贫 / 已脱贫 at $as_of), n_members (member
--             rows in the members file), last_left_on (the latest date a member left, on or before
--             $as_of; NULL when none left)
-- grain:      one row per such household, by village then household
-- params:     $as_of DATE (NULL = today),
--             $region VARCHAR (NULL or empty = the top of the package; an unknown code gives no rows)
with params as (  -- one row; none when $region names no region (macro view_params, queries/shared/macros.sql)
    select as_of, region_code from view_params($as_of, null, $region)
),

registered as (
    select s.household_id, s.village_code, cast(s.status as varchar) as status
    from household_status_spans as s
    join region_closure as c on c.descendant_code = s.village_code
    join params on c.ancestor_code = params.region_code
    where s.valid_from <= params.as_of and params.as_of < s.valid_to
),

nobody_counted as (
    -- registered with nobody counted: no person span (a member present in the registered household) that day
    select r.*
    from registered as r
    anti join (
        select p.household_id
        from person_status_spans as p, params
        where p.valid_from <= params.as_of and params.as_of < p.valid_to
    ) as present using (household_id)
),

members_known as (
    select
        m.household_id,
        count(*) as n_members,
        max(m.valid_to) filter (where m.valid_to <= params.as_of) as last_left_on
    from member_spans as m, params
    where m.household_id in (select household_id from nobody_counted)
    group by m.household_id
),

final as (
    select
        r.household_id,
        -- privacy: the head's name keeps its first and last character (rule of village_households)
        mask_name(h.head_name) as head_name_masked,
        r.village_code,
        v.name as village_name,
        t.name as township_name,
        r.status,
        coalesce(m.n_members, 0) as n_members,
        m.last_left_on
    from nobody_counted as r
    join households as h using (household_id)
    left join members_known as m using (household_id)
    left join regions as v on v.code = r.village_code
    left join regions as t on t.code = v.parent_code
    order by r.village_code, r.household_id
)

select * from final
