-- derive:  region_closure
-- grain:   one row per region and each of its ancestors, itself included (depth 0)
-- why:     every figure aggregates up the 区划 tree and is filterable at any node; a filter on a
--          node becomes `where ancestor_code = $region` joined on descendant_code
insert into region_closure
with recursive up(ancestor_code, descendant_code, depth) as (
    select code, code, 0 from regions
    union all
    select r.parent_code, up.descendant_code, up.depth + 1
    from up
    join regions as r on r.code = up.ancestor_code
    where r.parent_code is not null
)

select up.ancestor_code, up.descendant_code, up.depth, d.level as descendant_level
from up
join regions as d on d.code = up.descendant_code
