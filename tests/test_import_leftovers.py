"""A browser import killed midway leaves nothing behind once the dashboard starts again (neither the
loader's work folder nor the uploaded package), and the audit log shows that it began."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import zipfile

from streamlit.testing.v1 import AppTest

from access import Store
from etl.load import load_package
from tests.conftest import ROOT, TINY

# Runs ui.importing.import_uploads in a process that SIGKILLs itself once the loader reports progress
# past staging: the uploaded package is on disk and the load is under way, as when the server dies.
KILLED_IMPORT = """
import os, signal, sys
from pathlib import Path
sys.path.insert(0, {root!r})
from ui.importing import Upload, import_uploads

def progress(fraction, message):
    if fraction > 0.1:
        os.kill(os.getpid(), signal.SIGKILL)

uploads = [Upload(p.name, p.read_bytes()) for p in sorted(Path({tiny!r}).iterdir()) if p.is_file()]
import_uploads(uploads, Path({db!r}), progress=progress)
"""


def zipped(folder) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        for path in sorted(folder.iterdir()):
            zf.write(path, path.name)
    return buffer.getvalue()


def leftovers(*folders) -> list[str]:
    return sorted(str(p) for folder in folders for p in folder.iterdir()
                  if "tuopin-upload" in p.name or "tuopin-load" in p.name)


def test_the_next_start_removes_what_a_killed_browser_import_left(tmp_path, monkeypatch, navigation_apptest):
    db = tmp_path / "data" / "tuopin.duckdb"
    load_package(TINY, db)
    temporary = tmp_path / "tmp"  # the system's temporary folder, for the killed process
    temporary.mkdir()
    script = KILLED_IMPORT.format(root=str(ROOT), tiny=str(TINY), db=str(db))
    killed = subprocess.run([sys.executable, "-c", script], env={**os.environ, "TMPDIR": str(temporary)},
                            capture_output=True, timeout=300)
    assert killed.returncode == -9, killed.stderr.decode()[-2000:]
    assert leftovers(db.parent, temporary), "the killed import left nothing: the test would prove nothing"

    monkeypatch.setenv("TUOPIN_DB", str(db))
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60).run()
    assert not at.exception
    assert leftovers(db.parent, temporary) == []
    assert {m.label: m.value for m in at.metric}["建档立卡（现有）"] == "4户10人"  # the old database serves


def test_the_start_of_an_import_is_audited(tmp_path, monkeypatch, navigation_apptest):
    db = tmp_path / "data" / "tuopin.duckdb"
    load_package(TINY, db)
    monkeypatch.setenv("TUOPIN_DB", str(db))
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60).run()
    at.switch_page("pages/data_import.py").run()
    at.file_uploader[0].set_value(("小试县.zip", zipped(TINY), "application/zip")).run()
    at.button(key="import_start").click().run()
    assert not at.exception
    log = Store(tmp_path / "accounts.sqlite").audit_log()  # newest first
    imports = [(action, detail) for _at, _user, _role, action, _region, detail in reversed(log)
               if action.startswith("import")]
    size = len(zipped(TINY))
    assert imports == [("import_started", f"小试县.zip: {size:,} bytes"), ("import", "小试县.zip: 81 rows")]
