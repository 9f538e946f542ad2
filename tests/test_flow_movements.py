"""flow_movements (etl/derive/11_flow_movements.sql), the movements flows sums over a window.

The rows of the tiny fixture are worked out by hand from tests/fixtures/tiny/EXPECTED.md (the stories
of H1–H6 and their members); on every day, the running sums of the signed columns must be the stocks
counted on the status spans (registry_summary's), for tiny, the western township 试点乡 and the demo county.
"""

from __future__ import annotations

import datetime as dt

import pytest

from queries import Database

YICUN, ERCUN, SANCUN = "430101100001", "430101100002", "430101200001"  # 一村, 二村, 三村
END = dt.date(9999, 12, 31)
COLUMNS = ("village_code, changed_on, movement, households, people, registry_households, registry_people, "
           "poor_households, poor_people")


def test_tiny_rows_worked_by_hand(tiny):
    got = tiny.connection.execute(f"select {COLUMNS} from flow_movements order by all").fetchall()
    expected = [
        # village, day, movement, 户, 人, registry 户/人, still poor 户/人
        (YICUN, dt.date(2014, 5, 1), "识别纳入", 3, 6, 3, 6, 3, 6),  # H1 (P1–P3), H2 (P5, P6), H3 (P7)
        (YICUN, dt.date(2016, 11, 30), "标注脱贫", 1, 3, 0, 0, -1, -3),  # H1
        (YICUN, dt.date(2017, 3, 1), "自然增加", 0, 1, 0, 1, 0, 0),  # P4 joins exited H1
        (YICUN, dt.date(2017, 10, 15), "标注脱贫", 1, 2, 0, 0, -1, -2),  # H2
        (YICUN, dt.date(2018, 3, 10), "自然销户", 1, 1, -1, -1, -1, -1),  # H3, poor
        (YICUN, dt.date(2018, 6, 1), "返贫", 1, 2, 0, 0, 1, 2),  # H2
        (YICUN, dt.date(2018, 12, 1), "自然减少", 0, 1, 0, -1, 0, -1),  # P6 leaves poor H2
        (YICUN, dt.date(2019, 9, 30), "标注脱贫", 1, 1, 0, 0, -1, -1),  # H2: P5 only
        (YICUN, END, "自然减少", 0, 5, 0, -5, 0, 0),  # still registered: H1 P1–P4, H2 P5, all exited
        (ERCUN, dt.date(2014, 5, 1), "识别纳入", 1, 4, 1, 4, 1, 4),  # H4
        (ERCUN, dt.date(2017, 6, 20), "清退", 1, 4, -1, -4, -1, -4),  # H4, poor
        (ERCUN, dt.date(2017, 7, 1), "识别纳入", 1, 2, 1, 2, 1, 2),  # H5 (补录)
        (ERCUN, dt.date(2018, 12, 1), "标注脱贫", 1, 2, 0, 0, -1, -2),  # H5
        (ERCUN, dt.date(2019, 5, 1), "自然增加", 0, 1, 0, 1, 0, 0),  # P14 joins exited H5
        (ERCUN, END, "自然减少", 0, 3, 0, -3, 0, 0),  # H5 P12–P14, exited
        (SANCUN, dt.date(2014, 5, 1), "识别纳入", 1, 3, 1, 3, 1, 3),  # H6
        (SANCUN, dt.date(2016, 8, 1), "自然减少", 0, 1, 0, -1, 0, -1),  # P16 dies, H6 poor
        (SANCUN, END, "自然减少", 0, 2, 0, -2, 0, -2),  # H6 P15, P17, never exits
    ]
    assert got == sorted(expected)


NET_CHANGE_VS_SPANS = """
-- per village and day: the signed columns of flow_movements against the status spans opening (+1)
-- and closing (-1) that day; equal nets on every day make the running sums the stocks on every day
with from_spans as (
    select village_code, valid_from as day, 1 as registry_households,
        case when status = '未脱贫' then 1 else 0 end as poor_households, 0 as registry_people, 0 as poor_people
    from household_status_spans
    union all
    select village_code, valid_to, -1, case when status = '未脱贫' then -1 else 0 end, 0, 0
    from household_status_spans
    union all
    select village_code, valid_from, 0, 0, 1, case when status = '未脱贫' then 1 else 0 end
    from person_status_spans
    union all
    select village_code, valid_to, 0, 0, -1, case when status = '未脱贫' then -1 else 0 end
    from person_status_spans
),
spans_net as (
    select village_code, day, sum(registry_households) as rh, sum(registry_people) as rp,
        sum(poor_households) as ph, sum(poor_people) as pp
    from from_spans
    group by all
),
movements_net as (
    select village_code, changed_on as day, sum(registry_households) as rh, sum(registry_people) as rp,
        sum(poor_households) as ph, sum(poor_people) as pp
    from flow_movements
    group by all
)
select village_code, day, m.rh, s.rh, m.rp, s.rp, m.ph, s.ph, m.pp, s.pp
from movements_net as m
full join spans_net as s using (village_code, day)
where day < date '9999-12-31'  -- open spans end there; flows lists only their people as leaving
  and (coalesce(m.rh, 0) <> coalesce(s.rh, 0) or coalesce(m.rp, 0) <> coalesce(s.rp, 0)
       or coalesce(m.ph, 0) <> coalesce(s.ph, 0) or coalesce(m.pp, 0) <> coalesce(s.pp, 0))
order by all
"""


@pytest.mark.parametrize("fixture", ["tiny", "township", "demo_db_path"])
def test_running_sums_are_the_stocks_on_every_day(fixture, request):
    db = request.getfixturevalue(fixture)
    if fixture == "demo_db_path":
        with Database(db) as opened:
            assert opened.connection.execute("select count(*) from flow_movements").fetchone()[0] > 1000
            assert opened.connection.execute(NET_CHANGE_VS_SPANS).fetchall() == []
    else:
        assert db.connection.execute(NET_CHANGE_VS_SPANS).fetchall() == []


def test_one_row_per_village_day_and_movement_each_moving_someone(tiny, township):
    for db in (tiny, township):
        con = db.connection
        assert con.execute("select count(*) = count(distinct (village_code, changed_on, movement)) "
                           "from flow_movements").fetchone()[0]
        assert con.execute("select count(*) from flow_movements where households < 0 or people < 0 "
                           "or (households = 0 and people = 0)").fetchone()[0] == 0
