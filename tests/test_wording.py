"""One word for one thing, in both languages (ui/i18n.py): money in one English unit, 完工率 for projects
completed, the region picker's "All townships" as the pages say it, English lists joined with commas."""

from __future__ import annotations

import re

from tests.conftest import ROOT
from ui.i18n import STRINGS, translate


def test_money_has_one_english_unit():
    assert translate("en", "wan_yuan_amount", v="10,657.16") == "10,657.16 × 10k yuan"
    assert translate("zh", "wan_yuan_amount", v="10,657.16") == "10,657.16万元"
    assert translate("en", "rpt_money", wan="10,657.16", yuan="106,571,600") == "10,657.16 × 10k yuan"
    others = {key: en for key, (_zh, en) in STRINGS.items() if re.search(r"10,000 yuan|CNY|RMB", en)}
    assert others == {}
    tens = {key for key, (zh, en) in STRINGS.items() if "万元" in zh}
    assert tens and all("10k yuan" in STRINGS[key][1] for key in tens), \
        {key: STRINGS[key][1] for key in tens if "10k yuan" not in STRINGS[key][1]}


def test_projects_completed_are_called_wan_gong_lv_everywhere():
    assert [key for key, (zh, _en) in STRINGS.items() if "竣工率" in zh] == []
    assert "完工率" in STRINGS["rpt_p_funds"][0] and "完工率" in STRINGS["funds_col_completion_rate"][0]


def test_the_sidebar_says_all_townships_as_the_pages_do():
    for language in ("zh", "en"):
        assert translate(language, "all_of_level_乡镇") == translate(language, "ve_all_townships")
    assert translate("en", "all_of_level_村") == "All villages"


def test_lists_in_sentences_follow_the_language():
    assert translate("zh", "list_sep").join(["石山村", "竹峰村"]) == "石山村、竹峰村"
    assert translate("en", "list_sep").join(["Shishan", "Zhufeng"]) == "Shishan, Zhufeng"
    # no page joins a list with the Chinese 、 whatever the language (ui/formatting.listed does)
    joined = [f"{path.name}:{n}" for path in sorted((ROOT / "pages").glob("*.py"))
              for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if '"、".join(' in line]
    assert joined == []
