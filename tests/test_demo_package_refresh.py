"""The demo package on disk is written again when an older generator wrote it (etl/service.py,
demo_fingerprint): after an upgrade, the rebuilt demo database must show what this version's demo
holds (monitoring, department records), not the files an older version left in data/demo."""

from __future__ import annotations

import pytest

from etl import service


@pytest.mark.slow
def test_a_demo_package_left_by_an_older_generator_is_written_again(tmp_path, monkeypatch):
    package = tmp_path / "demo"
    package.mkdir()
    # what an older version left: a package without this version's files, and no generator stamp
    (package / "区划.csv").write_text("区划代码,名称,层级,上级代码\n", encoding="utf-8")
    monkeypatch.setattr(service, "DEMO_PACKAGE", package)
    assert not service.demo_package_current()

    service.build_demo(tmp_path / "tuopin.duckdb", lambda: True, lambda fraction, message: None)

    assert service.demo_package_current()
    assert (tmp_path / "demo.generator").read_text(encoding="utf-8").strip() == service.demo_fingerprint()
    assert (package / "防返贫监测对象.csv").stat().st_size > 1000  # this version's monitoring episodes
    written = {path.name: path.stat().st_mtime_ns for path in package.iterdir()}

    # a current package is reused as it is
    service.build_demo(tmp_path / "tuopin.duckdb", lambda: True, lambda fraction, message: None)
    assert {path.name: path.stat().st_mtime_ns for path in package.iterdir()} == written


def test_a_stamp_from_another_generator_is_not_current(tmp_path, monkeypatch):
    package = tmp_path / "demo"
    package.mkdir()
    monkeypatch.setattr(service, "DEMO_PACKAGE", package)
    (tmp_path / "demo.generator").write_text("0123456789abcdef\n", encoding="utf-8")
    assert not service.demo_package_current()
    (tmp_path / "demo.generator").write_text(service.demo_fingerprint() + "\n", encoding="utf-8")
    assert service.demo_package_current()
