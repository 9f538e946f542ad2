"""The repository explains itself: docs/data-contract.md is what scripts/contract_doc.py renders from
etl/schema.sql today, and every place that cites docs/domain.md or the data contract names a section
(or quotes words) that the document holds."""

from __future__ import annotations

import re

from etl.contract import contract, parse_schema, schema_sql
from scripts import contract_doc
from tests.conftest import ROOT

DOMAIN = ROOT / "docs" / "domain.md"


def test_the_committed_contract_document_is_current():
    assert contract_doc.DOC_PATH == ROOT / "docs" / "data-contract.md"
    assert contract_doc.DOC_PATH.read_text(encoding="utf-8") == contract_doc.render(), (
        "docs/data-contract.md is stale: run python scripts/contract_doc.py")
    assert contract_doc.main(["--check"]) == 0


def test_the_document_follows_the_schema():
    text = contract_doc.render()
    for spec in contract().files:
        assert f"## {spec.stem_zh} · {spec.table}\n" in text
        for column in spec.columns:
            assert f"| {column.header_zh} | {column.name} |" in text, column
    # a value list, an alias, a rule and a check constraint of schema.sql reach the document
    assert "one of: 一般贫困户 (一般户) / 低保贫困户 (低保户) / 特困供养贫困户 (五保户, 五保贫困户)" in text
    assert "- Every money movement of a project, one row each; 项目编号 is in the projects file; corrections are " \
           "negative rows." in text
    assert "| 农业户籍人口 | rural_population | integer | required; `rural_population >= 0` | required |" in text
    assert "| 家庭人口 | size | integer | may be empty; `size > 0` | may be missing |" in text

    # ... and a change to schema.sql changes the document
    schema = schema_sql()
    renamed = schema.replace("-- 农业户籍人口", "-- 户籍农业人口")
    more_rules = schema.replace("-- file: funds | 资金明细 | recommended\n",
                                "-- file: funds | 资金明细 | recommended\n-- rule: 金额 is in 元,\n--       never 万元.\n")
    optional = schema.replace("-- 主导产业\n", "-- 主导产业 | optional\n")
    assert parse_schema(renamed).file("village_year").column("rural_population").header_zh == "户籍农业人口"
    assert "| 户籍农业人口 | rural_population |" in contract_doc.render(renamed)
    assert "- 金额 is in 元, never 万元.\n" in contract_doc.render(more_rules)
    assert "| 主导产业 | leading_industry | text | may be empty | may be missing |" in contract_doc.render(optional)
    assert "| 主导产业 | leading_industry | text | may be empty | required |" in text


# --- citations ------------------------------------------------------------------------------------

CITING = ("queries", "etl", "ui", "pages", "access", "bench", "scripts", "tests")


def normalized(text: str) -> str:
    """Comment and docstring lines joined into one line each paragraph would read as."""
    text = re.sub(r"\n[ \t]*(?:--|#)?[ \t]*", " ", text)
    return re.sub(r"\s+", " ", text)


def headings() -> list[str]:
    """Every heading of docs/domain.md, as its title and as 'parent — title' (### under ##)."""
    found, parent = [], ""
    for level, title in re.findall(r"^(#{2,4}) (.+)$", DOMAIN.read_text(encoding="utf-8"), flags=re.MULTILINE):
        if level == "##":
            parent = title
            found.append(title)
        else:
            found += [title, f"{parent} — {title}"]
    return found


def quotes_after(text: str, start: int) -> list[str]:
    """The double-quoted phrases of a citation: from start to the first ')' or ';' outside quotes."""
    phrases, inside, begin = [], False, 0
    for i in range(start, min(len(text), start + 400)):
        if text[i] == '"':
            if inside:
                phrases.append(text[begin:i])
            inside, begin = not inside, i + 1
        elif text[i] in ");" and not inside:
            break
    return phrases


def sources():
    for folder in CITING:
        for path in sorted((ROOT / folder).rglob("*")):
            if path.suffix in {".py", ".sql"} and "fixtures" not in path.parts and path.name != "test_docs.py":
                yield path
    yield ROOT / "README.md"


def test_every_citation_of_the_domain_note_names_one_of_its_sections():
    titles = headings()
    assert {"Who uses it", "建档立卡", "动态管理 — the flows", "贫困发生率", "Indicators — Exit counts",
            "Exit standards — household 贫困户退出", "Exit standards — village 贫困村出列", "错退 — wrong exits",
            "Funds 资金", "Poverty line", "How reports read"} <= set(titles)
    domain_text = normalized(DOMAIN.read_text(encoding="utf-8"))
    checked, wrong = 0, []
    for path in sources():
        text = normalized(path.read_text(encoding="utf-8"))
        for m in re.finditer(r"docs/domain\.md(?:, | \()", text):
            cited = text[m.end():m.end() + 200].lstrip('"')  # a section may be named in quotes
            term = re.split(r"[,:;)]| and ", cited, maxsplit=1)[0].strip()
            if not any(cited.startswith(t) for t in titles) and not any(term and term in t for t in titles):
                wrong.append(f"{path.relative_to(ROOT)}: no section for {cited[:60]!r}")
            for phrase in quotes_after(text, m.end()):
                if not all(piece.strip() in domain_text for piece in phrase.split("…")):
                    wrong.append(f"{path.relative_to(ROOT)}: docs/domain.md does not say {phrase!r}")
            checked += 1
    assert wrong == []
    assert checked >= 25  # the catalog's headers and the derive/check files cite it


def test_every_quote_of_the_data_contract_is_in_it():
    contract_text = normalized((ROOT / "docs" / "data-contract.md").read_text(encoding="utf-8"))
    checked, wrong = 0, []
    for path in sources():
        text = normalized(path.read_text(encoding="utf-8"))
        for m in re.finditer(r"data contract(?:, [^:\"]{1,40})?: ", text):
            for phrase in quotes_after(text, m.end()):
                checked += 1
                if phrase not in contract_text:
                    wrong.append(f"{path.relative_to(ROOT)}: docs/data-contract.md does not say {phrase!r}")
    assert wrong == []
    assert checked >= 3
