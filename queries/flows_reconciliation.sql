-- indicator:  flows_reconciliation
-- definition: the reconciliation of the window [$start, $end] (docs/domain.md, 动态管理 — the flows:
--             期初 + 增加 − 减少 = 期末), worked out from the flows query's rows: for each stock
--             (registry 现有建档, still-poor 未脱贫) and unit (户, 人), the opening stock, what its
--             movements added (inflow: the positive effects) and took away (outflow: the negative
--             ones), computed = opening + inflow − outflow, the closing stock flows counts on the
--             status spans, change = closing − opening, is_reconciled = (computed = closing), and
--             all_reconciled on every row (all four stocks of its window reconcile), and the window
--             (period_start, period_end). The overview's flag and the dynamics page read this; with
--             $period, every month / quarter / year of [$start, $end] at once (flows' windows: the
--             data-quality page's yearly table).
-- grain:      one row per window, stock and unit (4): registry then poor, households then people
-- params:     $start DATE (NULL = 1 January of $end's year), $end DATE (NULL = today),
--             $period VARCHAR one of month|quarter|year (NULL = [$start, $end] is the one window),
--             $region VARCHAR (NULL or empty = the top of the package; an unknown code gives no rows)
-- reads:      flows
with effects as (
    -- each flows row's signed effect on each stock (stock rows hold the stock itself)
    select f.period_start, f.period_end, f.movement, f.direction, u.stock, u.unit,
        case u.stock || '_' || u.unit
            when 'registry_households' then f.registry_households
            when 'registry_people' then f.registry_people
            when 'poor_households' then f.poor_households
            else f.poor_people
        end as value
    from flows as f
    cross join (values (1, 'registry', 'households'), (2, 'registry', 'people'), (3, 'poor', 'households'),
                       (4, 'poor', 'people')) as u(ordinal, stock, unit)
),

stocks as (
    select *
    from (values (1, 'registry', 'households', '期初在册', '期末在册'),
                 (2, 'registry', 'people', '期初在册', '期末在册'),
                 (3, 'poor', 'households', '期初未脱贫', '期末未脱贫'),
                 (4, 'poor', 'people', '期初未脱贫', '期末未脱贫')) as s(ordinal, stock, unit, opening_row, closing_row)
),

summed as (
    select
        e.period_start, e.period_end, s.ordinal, s.stock, s.unit,
        cast(any_value(e.value) filter (where e.movement = s.opening_row) as bigint) as opening,
        cast(coalesce(sum(greatest(e.value, 0)) filter (where e.direction <> 'stock'), 0) as bigint) as inflow,
        cast(coalesce(sum(greatest(-e.value, 0)) filter (where e.direction <> 'stock'), 0) as bigint) as outflow,
        cast(any_value(e.value) filter (where e.movement = s.closing_row) as bigint) as closing
    from stocks as s
    join effects as e on e.stock = s.stock and e.unit = s.unit
    group by e.period_start, e.period_end, s.ordinal, s.stock, s.unit
),

final as (
    select
        stock,
        unit,
        opening,
        inflow,
        outflow,
        opening + inflow - outflow as computed,
        closing,
        closing - opening as change,
        opening + inflow - outflow = closing as is_reconciled,
        bool_and(opening + inflow - outflow = closing) over (partition by period_start) as all_reconciled,
        period_start,
        period_end
    from summed
    order by period_start, ordinal
)

select * from final
