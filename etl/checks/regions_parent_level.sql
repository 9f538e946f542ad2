-- check:    regions_parent_level
-- severity: error
-- zh:       上级区划的层级应比本级高一级（本级：{detail}）
-- en:       the parent must be exactly one level up (this level: {detail})
-- why:      省 > 市 > 县 > 乡镇 > 村; the enum order of region_level is that order
select 'regions' as table_name, r._row as row_number, 'parent_code' as column_name,
       r.parent_code || ' (' || p.level || ')' as value, cast(r.level as varchar) as detail,
       case cast(r.level as varchar) when '省' then 'province' when '市' then 'prefecture' when '县' then 'county'
            when '乡镇' then 'township' when '村' then 'village' end as detail_en
from stg_regions as r
join stg_regions as p on p.code = r.parent_code
where r.level is not null and p.level is not null
  and enum_code(r.level) <> enum_code(p.level) + 1
