-- check:    monitoring_risk_unknown
-- severity: error
-- zh:       风险类型含不允许的取值“{detail}”，应为以下一项或多项（以、或,分隔）：因病、因学、因残、因灾、因意外事故、因产业项目失败、因务工就业不稳、因人口变化、其他
-- en:       the risk types hold a value that is not allowed; give one or more of the 9 risk types (listed in the Chinese reason), separated by commas
-- why:      风险类型 holds one or more risk types (docs/domain.md, After 2020 / 防返贫监测)
with pieces as (
    select r._row, r.risks, trim(p.piece) as piece, p.position
    from raw_monitoring as r,
        unnest(regexp_split_to_array(trim(r.risks), '[、,，;；]')) with ordinality as p(piece, position)
    where nullif(trim(r.risks), '') is not null
),

final as (
    select 'monitoring' as table_name, _row as row_number, 'risks' as column_name, risks as value,
        string_agg(piece, '、' order by position) as detail, null as detail_en
    from pieces
    where piece <> '' and try_cast(piece as risk_type) is null
    group by _row, risks
)

select * from final
