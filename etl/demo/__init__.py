"""Demo import package: a fictional county (演示县, labelled 演示数据) in the import contract.

What it is:  a seeded generator writing every file of docs/data-contract.md (Chinese file
             names and headers, UTF-8 CSV, dates YYYY-MM-DD, bools 是/否) plus 边界.geojson.
Grain:       one package per (scale, seed); same seed and scale give byte-identical files.
Parameters:  scale N multiplies the county (N=1: 12 乡镇, 200 村, ~15,000户/50,000人,
             ~1,500 projects; townships = round(12·√N), villages ≈ 200·N).
How:         county layout (regions, village years, boundaries) is drawn first and is small;
             households, members, events, incomes, assistance, projects and funds are drawn and
             written one township at a time from an rng keyed by (seed, township), so memory
             stays bounded at any scale.

The policy numbers below (poverty lines, exit shares, mixes) only shape fictional data; the
dashboard reads its own editable tables (docs/domain.md), never these constants.

Modules, in the order they build on each other: vocabulary (names, weights, calendar, ID numbers),
county (regions, village years), geometry (boundaries), households (and events), members, incomes
(household years, assistance), projects (and funds), monitoring (after 2020: 防返贫监测 episodes,
household years 2021-2025, assistance, households never registered, 衔接资金 projects; drawn from
streams of their own so the 2014-2020 rows are unchanged), writing (the package), departments (部门数据比对:
a year of department records and verifications, drawn after every other file from what they hold).
"""

from etl.demo.writing import write_demo_package

__all__ = ["write_demo_package"]
