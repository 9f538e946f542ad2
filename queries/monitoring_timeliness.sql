-- indicator:  monitoring_timeliness
-- definition: how fast leads become monitoring objects (docs/domain.md, After 2020 / 防返贫监测 —
--             timeliness: days from the lead (发现日期) to identification (认定日期), the share within
--             15 days): every episode identified in [$start, $end] in $region that has a 发现日期, with
--             its days and whether it was late (more than 15 days); the window's figures repeat on
--             every row: episodes (listed), within_15_days, share_within_15_days (within ÷ episodes),
--             late_episodes, and episodes_without_lead_date (identified in the window with no
--             发现日期, not judged and not listed). Late ones first (most days first), then by date.
-- columns:    monitoring_id, household_id, head_name_masked (as village_households masks it),
--             village_code, village_name, township_name, kind, lead_source, found_on, identified_on,
--             days, late, episodes, within_15_days, share_within_15_days, late_episodes,
--             episodes_without_lead_date
-- grain:      one row per episode identified in the window with a 发现日期
-- params:     $start DATE (NULL = 1 January of $end's year), $end DATE (NULL = today),
--             $region VARCHAR (NULL or empty = the top of the package; an unknown code gives no rows)
with params as (
    -- one row; none when $region names no region, and then every result is empty
    select
        case when window_start($start, $end) <= coalesce($end, current_date) then window_start($start, $end)
             else error('开始日期晚于结束日期 / start is after end: ' || window_start($start, $end) || ' > '
                        || coalesce($end, current_date))
        end as start_on,
        coalesce($end, current_date) as end_on,
        r.region_code
    from region_in_view($region) as r
),

area as (select code from area_in_view($region)),  -- the region and all under it (macro area_in_view)

in_window as (
    select e.*
    from monitoring_episodes as e, params
    where e.identified_on between params.start_on and params.end_on
      and e.village_code in (select code from area)
),

timed as (
    select w.*, cast(w.identified_on - w.found_on as integer) as days,
        w.identified_on - w.found_on > 15 as late
    from in_window as w
    where w.found_on is not null
),

final as (
    select
        t.monitoring_id,
        t.household_id,
        -- privacy: the head's name keeps its first and last character (rule of village_households)
        mask_name(h.head_name) as head_name_masked,
        t.village_code,
        v.name as village_name,
        tw.name as township_name,
        cast(t.kind as varchar) as kind,
        cast(t.lead_source as varchar) as lead_source,
        t.found_on,
        t.identified_on,
        t.days,
        t.late,
        count(*) over () as episodes,
        count(*) filter (where not t.late) over () as within_15_days,
        count(*) filter (where not t.late) over () / cast(count(*) over () as double) as share_within_15_days,
        count(*) filter (where t.late) over () as late_episodes,
        (select count(*) from in_window where found_on is null) as episodes_without_lead_date
    from timed as t
    join households as h using (household_id)
    left join regions as v on v.code = t.village_code
    left join regions as tw on tw.code = v.parent_code
    order by t.late desc, t.days desc, t.identified_on, t.monitoring_id
)

select * from final
