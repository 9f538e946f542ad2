"""scripts/start.sh says what it is doing before each long step (the first install was silent for about
90 s): run in a copy of its folder with a stand-in .venv/bin/python that only records its calls."""

from __future__ import annotations

import shutil
import subprocess

from tests.conftest import ROOT


def test_start_sh_announces_each_step_before_it_runs(tmp_path):
    (tmp_path / "scripts").mkdir()
    shutil.copy(ROOT / "scripts" / "start.sh", tmp_path / "scripts" / "start.sh")
    (tmp_path / "requirements.txt").write_text("streamlit\n")
    log = tmp_path / "calls.log"
    python = tmp_path / ".venv" / "bin" / "python"
    python.parent.mkdir(parents=True)
    # the stand-in writes its call into the same stream as the script's messages, so their order shows
    python.write_text(f'#!/bin/sh\necho "CALL $*"\necho "CALL $*" >> "{log}"\n')
    python.chmod(0o755)
    run = subprocess.run(["bash", str(tmp_path / "scripts" / "start.sh"), "--server.port", "8599"],
                         capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    lines = run.stdout.splitlines()
    pip = next(i for i, line in enumerate(lines) if line.startswith("CALL -m pip install"))
    streamlit = next(i for i, line in enumerate(lines) if line.startswith("CALL -m streamlit run dashboard.py"))
    assert pip < streamlit
    assert any("installing or checking dependencies" in line and "安装" in line for line in lines[:pip])
    assert any("starting the dashboard" in line and "启动看板" in line for line in lines[pip + 1:streamlit])
    assert lines[streamlit].endswith("--server.port 8599")  # the caller's options reach streamlit
    assert log.read_text().count("CALL") == 2  # .venv existed: no new environment made


def test_start_sh_says_when_there_is_no_chinese_font_for_the_pdf(tmp_path):
    """No CJK font and no root to install one: start.sh says the PDF downloads are off and starts anyway
    (stand-ins for fc-list and id in front of PATH; the rest of the machine as it is)."""
    import os

    (tmp_path / "scripts").mkdir()
    shutil.copy(ROOT / "scripts" / "start.sh", tmp_path / "scripts" / "start.sh")
    (tmp_path / "requirements.txt").write_text("streamlit\n")
    python = tmp_path / ".venv" / "bin" / "python"
    python.parent.mkdir(parents=True)
    python.write_text('#!/bin/sh\necho "CALL $*"\n')
    python.chmod(0o755)
    stand_ins = tmp_path / "bin"
    stand_ins.mkdir()
    for name, script in (("fc-list", "#!/bin/sh\nexit 0\n"), ("id", "#!/bin/sh\necho 1000\n")):
        (stand_ins / name).write_text(script)
        (stand_ins / name).chmod(0o755)
    run = subprocess.run(["bash", str(tmp_path / "scripts" / "start.sh")], capture_output=True, text=True,
                         timeout=60, env=dict(os.environ, PATH=f"{stand_ins}:{os.environ['PATH']}"))
    assert run.returncode == 0, run.stderr
    lines = run.stdout.splitlines()
    notice = next(i for i, line in enumerate(lines) if "no Chinese font" in line)
    assert "fonts-noto-cjk" in lines[notice] and "PDF" in lines[notice]
    assert notice < next(i for i, line in enumerate(lines) if line.startswith("CALL -m streamlit run"))
