"""The report-back's monitoring section (ui/report.py) on tests/fixtures/monitoring: the sentence and
the table with the figures of its EXPECTED.md, in Chinese and English; a package without monitoring
data has no such section."""

from __future__ import annotations

import datetime as dt

from ui.report import build_report

COUNTY, WEST = "532999000000", "532999200000"  # 试点县, 西乡


def test_the_monitoring_sentence_of_the_county_mid_2025(monitoring):
    report = build_report(monitoring, dt.date(2025, 6, 30), COUNTY, "national", "zh")
    section = report.sections[-1]
    assert section.heading == "五、防止返贫动态监测"
    assert section.paragraphs == (
        "截至2025年6月30日，全县累计识别监测对象7户18人，其中已消除风险3户8人，风险消除率42.86%；未消除风险4户10人，"
        "其中因病2户6人、因学1户4人、因灾1户2人、因意外事故2户4人（一户有多种风险类型的，分别计入）。",)
    table = report.tables[-1]
    assert table.title == "表10 防返贫监测对象（按类别）"
    assert table.frame.values.tolist()[0][:7] == ["脱贫不稳定户", 3, 10, 1, 4, 2, 6]
    assert [row[0] for row in table.frame.values.tolist()] == ["脱贫不稳定户", "边缘易致贫户", "突发严重困难户"]


def test_in_english(monitoring):
    report = build_report(monitoring, dt.date(2025, 6, 30), COUNTY, "national", "en")
    assert report.sections[-1].paragraphs[0] == (
        "By 30 June 2025, 试点县 had identified 7 households, 18 people for monitoring; the risk of 3 households, "
        "8 people has been cleared, a clearance rate of 42.86%; 4 households, 10 people remain at risk, of them "
        "因病: 2 households, 6 people, 因学: 1 household, 4 people, 因灾: 1 household, 2 people, 因意外事故: 2 "
        "households, 4 people (a household with several risk types counts under each).")


def test_a_township_before_and_after_its_first_episode(monitoring):
    # 西乡 at 2023-12-31: E02 (J07 因产业项目失败, identified 2023-09-01) alone, at risk
    late_2023 = build_report(monitoring, dt.date(2023, 12, 31), WEST, "national", "zh")
    assert late_2023.sections[-1].paragraphs[0] == (
        "截至2023年12月31日，全乡累计识别监测对象1户2人，其中已消除风险0户0人，风险消除率0.00%；未消除风险1户2人，"
        "其中因产业项目失败1户2人（一户有多种风险类型的，分别计入）。")
    before = build_report(monitoring, dt.date(2021, 12, 31), WEST, "national", "zh")
    assert before.sections[-1].paragraphs[0] == "截至2021年12月31日，全乡尚未识别防返贫监测对象。"
    # 2022-06-30 in 东乡 (532999100000): M03 only, at risk since 2022-05-01; by 2023-12-31 it is cleared
    cleared = build_report(monitoring, dt.date(2023, 12, 31), "532999100000", "national", "zh")
    assert cleared.sections[-1].paragraphs[0] == (
        "截至2023年12月31日，全乡累计识别监测对象1户3人，其中已消除风险1户3人，风险消除率100.00%；已无未消除风险的监测对象。")


def test_no_monitoring_section_without_monitoring_data(tiny):
    report = build_report(tiny, dt.date(2019, 12, 31), "430101000000", "national", "zh")
    assert [s.heading[:2] for s in report.sections] == ["一、", "二、", "三、", "四、"]
    assert not any("监测" in t.title for t in report.tables)
