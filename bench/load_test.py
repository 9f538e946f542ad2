"""Load test ("concurrent use and faults"): many users click through a real `streamlit run`
while imports replace the database under them.

- The server: `streamlit run dashboard.py` (a subprocess; `--workers N`: N of them behind nginx) on a
  temporary database built from variant A of a county: the demo county (`--county demo`, the default:
  12 乡镇, 200 村, about 15,000 households, as etl/demo writes it) or the tiny fixture county
  (`--county tiny`: 4 households, for quick checks; tests/test_load.py uses it). An accounts store
  with one leader account (county scope) that every simulated user signs in with, through the
  sign-in form, and an account for each township: with `--accounts mixed` every other user signs in
  as a township's staff (scoped to it, so fewer sessions share its views).
- The users: real websocket sessions (`/_stcore/stream`), one per user, all in one asyncio loop here.
  Each speaks the browser's protocol (BackMsg with ClientState and widget states; ForwardMsg back)
  without rendering, so 30+ of them fit on a small machine that could not run 30 browsers. Each signs
  in, then clicks: a page in the navigation, another as-of quarter end, a township, back to the whole
  county. An interaction is timed from sending the click until its script run finished (including a
  rerun it triggers, e.g. after sign-in) — the server's round trip, without the browser's drawing.
- The imports: meanwhile a loader thread runs `python -m etl load` (a separate process, as an
  administrator would) alternately with variant B and variant A, each swapping the served file
  atomically. Variant B of the tiny county is renamed 小试县 → 新名县 with one more household (4户10人 →
  5户11人); variant B of the demo county is renamed 演示县 → 新名县 (a load takes about 5 s). (Scenario's
  imports="kill" instead SIGKILLs one import midway; tests/test_load.py uses it.)
- Errors: an exception element in any run, a run that does not finish (timeout), a closed websocket,
  a page not found, an error alert, a Python traceback in the server's log.
- Consistency: every element of one script run (the breadcrumb with the county's name, the footer
  with the package's path, charts and tables, the registered-households tile on the overview) must
  belong to ONE variant: a run showing anything of A and anything of B is a violation; so is a tile
  that matches neither variant's figure. A run must also show a variant that was being served at
  some moment during the interaction ("stale" otherwise). After the last import every user clicks
  once more and must see the last variant. A run showing neither variant is counted ("unmarked": the
  check saw nothing). A township's page names the township, the same in both variants, so its runs
  are told apart by the footer's package name, which every page shows, one that ends early too.

    .venv/bin/python bench/load_test.py                      # 32 users, 8 clicks each, ≥ 4 imports
    .venv/bin/python bench/load_test.py --accounts mixed     # every other user a township's staff
    .venv/bin/python bench/load_test.py --county tiny        # the four-household county (quick)
    .venv/bin/python bench/load_test.py --users 50 --clicks 20 --think 1 --import-pause 0.5
    .venv/bin/python bench/load_test.py --users 1 --clicks 30 --imports 0    # one user alone

It prints users, interactions, errors, median / p95 interaction time, imports done, consistency
violations, the server's CPU time per interaction (the whole process, every thread, over the
interactions: the capacity of one server process), and each script run's own CPU (ui/run_cpu.py:
median, p95, mean, and by page), and each interaction's CPU, its runs added up (median, p95, and by
kind of interaction; `--interactions FILE` writes them all to a CSV file). The users arrive over 2 s (a burst of sign-ins); `--arrive S` spreads
them over S seconds, so that sign-ins happen while the others click.

tests/test_load.py runs a smaller version of the same and asserts 0 errors and 0 violations.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import random
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from ui import gate, run_cpu  # noqa: E402 - after the path: the dashboard's gate and per-run CPU log

RUN_CPU_ENV = run_cpu.ENV

TINY = ROOT / "tests" / "fixtures" / "tiny"
USERNAME, PASSWORD = "leader", "load-test-password"
TOWNSHIP_USER = "township"  # township0, township1, …: one account per township (Setup.townships)
# What tells the two variants apart (both are searched in every message of a run, as UTF-8 and as the
# \\u escapes of JSON, e.g. inside a plotly figure): the county's name and the package folder's name.
MARKERS = {
    "A": ("小试县", "variant_A_package"),
    "B": ("新名县", "variant_B_package"),
}


@dataclass(frozen=True)
class County:
    """Which county the server serves: its two variants' marks and the county's code (the leader's scope)."""

    name: str
    markers: dict[str, tuple[str, str]]
    root: str


COUNTIES = {
    # tests/fixtures/tiny: 4户10人 (variant B 5户11人); a load takes about a second
    "tiny": County("tiny", MARKERS, "430101000000"),
    # the bundled demo county (etl/demo, scale 1): 12 乡镇, 200 村, about 15,000户 50,000人; variant B is
    # the same county renamed 演示县 → 新名县 (figures equal; the marks tell the variants apart); a load
    # takes about 5 s
    "demo": County("demo", {"A": ("演示县", "variant_A_package"), "B": ("新名县", "variant_B_package")},
                   "439901000000"),
}
REGISTERED_LABEL = "建档立卡（现有）"  # the overview tile whose figure differs (t("registered"), zh)


# ---- the two variants --------------------------------------------------------------------------


def _check_digit(first17: str) -> str:
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    return "10X98765432"[sum(int(c) * w for c, w in zip(first17, weights, strict=True)) % 11]


def write_variants(folder: Path, county: County = COUNTIES["tiny"]) -> dict[str, Path]:
    """Tiny: variant A = the fixture as it is; variant B = the county renamed 新名县 and a seventh
    household H7 (1 person, 三村, registered 2014-05-01), so the county registers 5户11人, not 4户10人.
    Demo: variant A = the demo package (data/demo when this version's generator wrote it, else written
    here); variant B = the same, the county renamed 新名县."""
    from tests.packages import copy_package, edit_csv

    if county.name == "demo":
        return _demo_variants(folder, county)
    a = copy_package(TINY, folder / MARKERS["A"][1])
    b = copy_package(TINY, folder / MARKERS["B"][1])
    edit_csv(b, "区划", lambda rows: [dict(r, 名称="新名县") if r["名称"] == "小试县" else r for r in rows])
    person_id = "43010119600101001" + _check_digit("43010119600101001")
    edit_csv(b, "贫困户", lambda rows: rows + [dict(
        rows[-1], 户编号="H7", 区划代码="430101200001", 户主姓名="郑七", 户主证件号码=person_id)])
    edit_csv(b, "家庭成员", lambda rows: rows + [dict(
        rows[-1], 人员编号="P18", 户编号="H7", 姓名="郑七", 证件号码=person_id, 与户主关系="户主", 性别="男",
        出生日期="1960-01-01", 加入日期="", 减少日期="", 减少原因="")])
    edit_csv(b, "动态管理记录", lambda rows: rows + [dict(
        rows[-1], 记录编号="E14", 户编号="H7", 变动类型="识别纳入", 变动日期="2014-05-01", 变动原因="")])
    return {"A": a, "B": b}


def _demo_variants(folder: Path, county: County) -> dict[str, Path]:
    from etl import service
    from etl.demo import write_demo_package
    from tests.packages import copy_package, edit_csv

    source = service.DEMO_PACKAGE
    if not service.demo_package_current():
        source = folder / "demo"
        write_demo_package(source, scale=1, seed=2014)
    a = copy_package(source, folder / county.markers["A"][1])
    b = copy_package(source, folder / county.markers["B"][1])
    old, new = county.markers["A"][0], county.markers["B"][0]
    edit_csv(b, "区划", lambda rows: [dict(r, 名称=r["名称"].replace(old, new)) if r["区划代码"] == county.root
                                    else r for r in rows])
    return {"A": a, "B": b}


def registered_figures(db: Path) -> dict[str, str]:
    """The overview's registered tile at county level for every quarter end: {date: '4户10人'}."""
    import pandas as pd

    from queries import Database
    from ui.formatting import count

    with Database(db) as opened:
        span = opened.query("data_span").iloc[0]
        ends = pd.date_range(span.first_date.date(), span.last_date.date() + pd.offsets.QuarterEnd(0), freq="QE")
        figures = {}
        for end in ends:
            row = opened.query("registry_summary", as_of=end.date()).iloc[0]
            figures[f"{end:%Y-%m-%d}"] = f"{count(row.households_registered)}户{count(row.people_registered)}人"
    return figures


@dataclass
class Setup:
    folder: Path
    db: Path
    accounts: Path
    packages: dict[str, Path]
    figures: dict[str, dict[str, str]]  # variant -> as-of -> registered tile
    county: County = COUNTIES["tiny"]
    townships: tuple[str, ...] = ()  # a township account for each (TOWNSHIP_USER + its number)
    ready_seconds: float | None = None  # the imports' time for computing views ahead (None: the loader's default)


def prepare(folder: Path, county: str = "tiny") -> Setup:
    """Both variants' packages, the served database (variant A) and the accounts store."""
    from access import Store
    from etl.load import load_package

    chosen = COUNTIES[county]
    packages = write_variants(folder / "packages", chosen)
    served = folder / "served" / "tuopin.duckdb"
    load_package(packages["A"], served)
    probe = folder / "probe" / "tuopin.duckdb"  # read for variant B's figures only, then removed
    load_package(packages["B"], probe, ready_seconds=0)  # so no views computed ahead for it
    figures = {"A": registered_figures(served), "B": registered_figures(probe)}
    shutil.rmtree(probe.parent)
    accounts = folder / "accounts.sqlite"
    store = Store(accounts)
    store.add(USERNAME, PASSWORD, "leader", chosen.root, display_name="县扶贫办")
    townships = township_codes(served, chosen.root)
    for number, code in enumerate(townships):
        store.add(f"{TOWNSHIP_USER}{number}", PASSWORD, "township", code, display_name="乡镇工作人员")
    return Setup(folder, served, accounts, packages, figures, chosen, townships)


def township_codes(db: Path, county: str) -> tuple[str, ...]:
    from queries import Database

    with Database(db) as opened:
        regions = opened.query("regions")
    return tuple(regions[(regions.level == "乡镇") & (regions.parent_code == county)].code)


# ---- the server --------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Server:
    proc: subprocess.Popen
    url: str
    log: Path

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def tracebacks(self) -> list[str]:
        """Every traceback (and ERROR log line) the server wrote."""
        text = self.log.read_text(encoding="utf-8", errors="replace")
        found = []
        for block in re.split(r"\n(?=\S)", text):
            if block.startswith("Traceback") or re.match(r"^\d{4}-\d\d-\d\d [\d:.]+ ERROR", block):
                found.append(block.strip())
        return found


def start_server(db: Path, accounts: Path, log: Path, timeout: float = 90, run_cpu_log: Path | None = None) -> Server:
    port = free_port()
    env = dict(os.environ, TUOPIN_DB=str(db), TUOPIN_ACCOUNTS=str(accounts))
    if run_cpu_log is not None:  # every script run's CPU (ui/run_cpu.py)
        env[RUN_CPU_ENV] = str(run_cpu_log)
    out = open(log, "wb")
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "dashboard.py", "--server.headless", "true",
         "--server.port", str(port), "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none"],
        cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
    )
    out.close()
    server = Server(proc, f"http://127.0.0.1:{port}", log)
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(f"{server.url}/_stcore/health", timeout=2) as response:
                if response.status == 200:
                    return server
        except OSError:
            pass
        if time.monotonic() > deadline or proc.poll() is not None:
            server.stop()
            raise RuntimeError(f"streamlit did not start:\n{log.read_text(errors='replace')}")
        time.sleep(0.2)


class ClusterServer:
    """scripts/serve.py's workers behind nginx, seen like one Server."""

    def __init__(self, cluster):
        self.cluster = cluster
        self.url = cluster.url

    @property
    def pids(self) -> list[int]:
        return self.cluster.pids

    def stop(self) -> None:
        self.cluster.stop()

    def tracebacks(self) -> list[str]:
        return [t for i in range(self.cluster.workers)
                for t in Server(None, "", self.cluster.log(i)).tracebacks()]


def start_cluster(db: Path, accounts: Path, folder: Path, workers: int,
                  run_cpu_log: Path | None = None) -> ClusterServer:
    """`workers` servers behind nginx on a free port (scripts/serve.py; needs nginx installed)."""
    from scripts.serve import Cluster

    run_dir = folder / "serve"
    run_dir.mkdir()
    env = {"TUOPIN_DB": str(db), "TUOPIN_ACCOUNTS": str(accounts)}
    if run_cpu_log is not None:
        env[RUN_CPU_ENV] = str(run_cpu_log)
    cluster = Cluster(workers, port=free_port(), address="127.0.0.1", run_dir=run_dir, env=env,
                      streamlit_args=["--server.fileWatcherType", "none"])
    return ClusterServer(cluster.start())


# ---- one simulated user: a websocket session speaking Streamlit's protocol ----------------------


class SessionError(Exception):
    pass


@dataclass
class Run:
    """What one script run sent: every message's bytes, the widgets and the errors in it."""

    raw: list[bytes] = field(default_factory=list)
    widgets: dict[str, tuple[str, object]] = field(default_factory=dict)  # id -> (kind, proto)
    metrics: list[tuple[str, str]] = field(default_factory=list)  # (label, value)
    errors: list[str] = field(default_factory=list)
    status: str = ""


@dataclass
class Interaction:
    user: int
    label: str
    started: float  # time.monotonic()
    finished: float
    runs: list[Run]
    page: str
    as_of: str | None
    region: str | None
    session: str | None = None  # the server's id of the user's session (its run CPU log names it)

    @property
    def seconds(self) -> float:
        return self.finished - self.started


def _escaped(text: str) -> bytes:
    return "".join(f"\\u{ord(c):04x}" if ord(c) > 127 else c for c in text).encode()


def marker_bytes(markers: dict[str, tuple[str, str]]) -> dict[str, list[bytes]]:
    """Each mark as UTF-8, as JSON's \\u escapes and as Markdown escapes it (ui/plain.md: the footer's
    package name, variant\\_A\\_package, the one mark a township's pages show: their breadcrumb names
    the township, the same in both variants)."""
    return {variant: [m.encode() for m in marks] + [_escaped(m) for m in marks if not m.isascii()]
            + [m.replace("_", "\\_").encode() for m in marks if "_" in m]
            for variant, marks in markers.items()}


MARKER_BYTES = marker_bytes(MARKERS)


class User:
    """One browser tab's worth of protocol: connect, rerun with widget states, collect the runs."""

    def __init__(self, number: int, url: str, timeout: float):
        self.number = number
        self.username = USERNAME  # the county leader, unless the scenario gives it a township's account
        self.url = url.replace("http://", "ws://") + "/_stcore/stream"
        self.timeout = timeout
        self.ws = None
        self.pages: dict[str, str] = {}  # url path -> page script hash
        self.page = ""  # current page's url path
        self.page_hash = ""
        self.query_string = ""
        self.values: dict[str, object] = {}  # widget id -> WidgetState we set (kept like a browser)
        self.last: Run | None = None
        self.session_id: str | None = None  # the server's, from its new_session messages

    async def connect(self) -> None:
        import websockets

        # as a browser: the page first, then the websocket with the cookies it set (behind
        # scripts/serve.py's nginx, the cookie that keeps this session on one worker)
        cookie = await asyncio.to_thread(self._page_cookies)
        self.ws = await websockets.connect(self.url, subprotocols=["streamlit"], max_size=None,
                                           open_timeout=self.timeout, ping_interval=None,
                                           additional_headers={"Cookie": cookie} if cookie else None)

    def _page_cookies(self) -> str:
        page = self.url.replace("ws://", "http://").removesuffix("/_stcore/stream") + "/"
        with urllib.request.urlopen(page, timeout=self.timeout) as response:
            return "; ".join(c.split(";")[0] for c in response.headers.get_all("Set-Cookie") or [])

    async def close(self) -> None:
        if self.ws is not None:
            await self.ws.close()

    def widget(self, kind: str, *, label: str | None = None, key: str | None = None):
        """The widget of the last run by its label or its user key (ids end with '-<key>')."""
        for wid, (k, proto) in (self.last.widgets if self.last else {}).items():
            if k == kind and ((label is not None and proto.label == label) or
                              (key is not None and wid.endswith("-" + key))):
                return proto
        raise SessionError(f"no {kind} {label or key!r} on page {self.page!r}")

    async def rerun(self, *, page_hash: str | None = None, triggers: dict | None = None) -> tuple[list[Run], float]:
        """Send one rerun (a click) and collect every run it causes until a run finishes normally."""
        from streamlit.proto.BackMsg_pb2 import BackMsg
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

        msg = BackMsg()
        state = msg.rerun_script
        state.query_string = self.query_string
        state.page_script_hash = page_hash if page_hash is not None else self.page_hash
        present = set(self.last.widgets) if self.last else set()
        for wid, value in self.values.items():
            if wid in present:
                state.widget_states.widgets.add().CopyFrom(value)
        for wid, value in (triggers or {}).items():
            entry = state.widget_states.widgets.add()
            entry.id = wid
            entry.trigger_value = value
        started = time.monotonic()
        await self.ws.send(msg.SerializeToString())
        runs: list[Run] = []
        current: Run | None = None
        deadline = started + self.timeout
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise SessionError(f"no finished run within {self.timeout:.0f} s")
            try:
                raw = await asyncio.wait_for(self.ws.recv(), remaining)
            except TimeoutError as exc:
                raise SessionError(f"no finished run within {self.timeout:.0f} s") from exc
            forward = ForwardMsg()
            forward.ParseFromString(raw)
            kind = forward.WhichOneof("type")
            if kind == "new_session":
                current = Run()
                runs.append(current)
                self.session_id = forward.new_session.initialize.session_id or self.session_id
                continue
            if current is None:
                continue  # a message of an earlier run (nothing we asked for)
            if kind == "delta":
                current.raw.append(raw)
                self._element(forward.delta, current)
            elif kind == "navigation":
                current.raw.append(raw)
                # the default page is the overview (its url path is "" or "home"; dashboard.py's hidden
                # /overview page only switches to it, so it is not a page of its own here)
                self.pages = {"overview" if p.is_default else p.url_pathname: p.page_script_hash
                              for p in forward.navigation.app_pages
                              if p.is_default or p.url_pathname != "overview"}
                self.page_hash = forward.navigation.page_script_hash
                self.page = next((name for name, h in self.pages.items() if h == self.page_hash), "")
            elif kind == "page_info_changed":
                self.query_string = forward.page_info_changed.query_string
            elif kind == "page_not_found":
                current.errors.append(f"page not found: {forward.page_not_found.page_name}")
            elif kind == "script_finished":
                status = ForwardMsg.ScriptFinishedStatus.Name(forward.script_finished)
                current.status = status
                if status == "FINISHED_WITH_COMPILE_ERROR":
                    current.errors.append("compile error")
                if status != "FINISHED_EARLY_FOR_RERUN":
                    self.last = current
                    return runs, time.monotonic()

    @staticmethod
    def _element(delta, run: Run) -> None:
        if delta.WhichOneof("type") != "new_element":
            return
        element = delta.new_element
        kind = element.WhichOneof("type")
        if kind == "exception":
            run.errors.append(f"exception {element.exception.type}: {element.exception.message}")
        elif kind == "alert" and element.alert.format == element.alert.ERROR:
            run.errors.append(f"error alert: {element.alert.body}")
        elif kind == "metric":
            run.metrics.append((element.metric.label, element.metric.body))
        elif kind in ("selectbox", "text_input", "button", "date_input", "radio", "checkbox", "multiselect"):
            proto = getattr(element, kind)
            if getattr(proto, "id", ""):
                run.widgets[proto.id] = (kind, proto)

    def current(self, box) -> str:
        """The option a selectbox shows: what we chose, what the server set, or its default."""
        if box.set_value and box.HasField("raw_value"):
            return box.raw_value
        if box.id in self.values:
            return self.values[box.id].string_value
        if box.HasField("raw_value"):
            return box.raw_value
        return box.options[box.default] if box.HasField("default") else ""

    def set_string(self, wid: str, value: str) -> None:
        from streamlit.proto.WidgetStates_pb2 import WidgetState

        state = WidgetState(id=wid, string_value=value)
        self.values[wid] = state


# ---- the scenario ------------------------------------------------------------------------------


PAGES_SKIPPED = {"data_import", "admin"}  # a leader has neither (and they change the data)


@dataclass
class Timeline:
    """When each import ran (it swapped its file in at some moment of [started, finished])."""

    first: str
    imports: list[tuple[float, float, str, str]] = field(default_factory=list)  # started, finished, old, new
    lock: threading.Lock = field(default_factory=threading.Lock)
    running: tuple[float, str, str] | None = None  # an import under way: started, old, new

    def served_during(self, start: float, end: float) -> set[str]:
        """The variants the served file may have held at some moment in [start, end]."""
        with self.lock:
            imports = list(self.imports)
            if self.running is not None:  # not finished yet: it may have swapped its file in already
                imports.append((self.running[0], float("inf"), *self.running[1:]))
        state = self.first
        possible = set()
        for began, done, old, new in imports:
            if done < start:
                state = new
            elif began <= end:
                possible |= {old, new}
        possible.add(state)
        return possible


@dataclass(frozen=True)
class ComputedAhead:
    stored: int
    asked: int
    seconds: float
    out_of_time: bool


AHEAD_LINE = re.compile(r"computed ahead (\d+) of (\d+) view\(s\).* in ([\d.]+) s(（时间用完 out of time）)?")


def computed_ahead(cli_output: str) -> ComputedAhead | None:
    """The etl CLI's line on the views an import computed ahead (etl/__main__.py), None without one."""
    match = AHEAD_LINE.search(cli_output)
    if match is None:
        return None
    return ComputedAhead(int(match[1]), int(match[2]), float(match[3]), match[4] is not None)


@dataclass
class Results:
    users: int = 0
    interactions: list[Interaction] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    violations: list[str] = field(default_factory=list)
    stale: list[str] = field(default_factory=list)
    imports: int = 0
    killed_imports: int = 0
    import_failures: list[str] = field(default_factory=list)
    seen: dict[str, int] = field(default_factory=dict)
    unmarked: list[str] = field(default_factory=list)  # a page run showing neither variant's marks
    tile_checks: int = 0  # registered tiles compared with both variants' figures
    final_variant: str = ""
    seconds: float = 0.0
    client_cpu: float = 0.0  # CPU seconds of this process (the simulated users)
    server_cpu: float | None = None  # CPU seconds of the streamlit server during the scenario
    server_peak_mib: float | None = None  # the server's peak resident memory (VmHWM) at the end
    run_cpu: list[run_cpu.Run] = field(default_factory=list)  # (page, CPU ms, session, queries) of every run
    import_seconds: list[float] = field(default_factory=list)  # each import's wall time (computing ahead included)
    # each import's computing ahead (queries/ready.py), read from the etl CLI's line: views stored, asked,
    # seconds, and whether its time ran out before every view asked for was computed
    computed_ahead: list[ComputedAhead] = field(default_factory=list)


def evidence(run: Run, figures: dict[str, dict[str, str]], as_of: str | None,
             at_top: bool, markers: dict[str, list[bytes]] = MARKER_BYTES) -> tuple[set[str], list[str], int]:
    """The variants a run's content belongs to, what in it belongs to neither, and how many
    registered tiles were compared."""
    found = set()
    for variant, needles in markers.items():
        if any(needle in raw for raw in run.raw for needle in needles):
            found.add(variant)
    odd, tiles = [], 0
    if at_top and as_of:
        for label, value in run.metrics:
            if label == REGISTERED_LABEL:
                tiles += 1
                matching = {v for v, per_date in figures.items() if per_date.get(as_of) == value}
                if not matching:
                    odd.append(f"registered tile {value!r} at {as_of} is neither variant's")
                elif len(matching) == 1:
                    found |= matching
    return found, odd, tiles


def served_variant(db: Path) -> str:
    """Which variant the database file holds now (by the package its last load came from)."""
    from queries import Database

    with Database(db) as opened:
        package = str(opened.query("load_info").iloc[0].package)
    return next(v for v, (_, folder) in MARKERS.items() if package.endswith(folder))


def import_command(setup: Setup, variant: str, quiet: bool = True) -> list[str]:
    return [sys.executable, "-m", "etl", "load", str(setup.packages[variant]), "--db", str(setup.db),
            *(["--quiet"] if quiet else []),
            *(["--ready-seconds", str(setup.ready_seconds)] if setup.ready_seconds is not None else [])]


def kill_import_midway(setup: Setup, variant: str) -> None:
    """Start an import of `variant` and SIGKILL it once it is reading the package (its work folder
    exists, the swap has not happened): the etl CLI prints its progress to stderr."""
    import signal

    proc = subprocess.Popen(import_command(setup, variant, quiet=False), cwd=ROOT, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True)
    try:
        for line in proc.stderr:
            if "读取 reading" in line:
                break
        else:
            raise RuntimeError(f"the import ended before reading (exit {proc.wait()})")
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()


def _pids(pid: int | list[int] | None) -> list[int]:
    return [] if pid is None else [pid] if isinstance(pid, int) else list(pid)


def _peak_mib(pid: int | list[int] | None) -> float | None:
    """The server's peak resident set size so far (Linux VmHWM), in MiB; of several worker processes,
    the sum of their peaks."""
    peaks = []
    for one in _pids(pid):
        try:
            status = Path(f"/proc/{one}/status").read_text()
        except (OSError, TypeError):
            return None
        kib = next((int(line.split()[1]) for line in status.splitlines() if line.startswith("VmHWM:")), None)
        if kib is None:
            return None
        peaks.append(kib / 1024)
    return sum(peaks) if peaks else None


def _cpu_seconds(pid: int | list[int] | None) -> float | None:
    """CPU seconds the server's process (or worker processes, added up) used so far."""
    if pid is None:
        return None
    import psutil

    total = 0.0
    for one in _pids(pid):
        times = psutil.Process(one).cpu_times()
        total += times.user + times.system
    return total


class Scenario:
    """`imports`: "alternate" (import the other variant again and again until the users are done),
    "kill" (one import of the other variant, SIGKILLed midway) or "none"."""

    def __init__(self, setup: Setup, url: str, users: int, clicks: int, think: float, timeout: float,
                 min_imports: int, seed: int, imports: str = "alternate", import_pause: float = 0.5,
                 arrive: float = 2.0, mixed: bool = False):
        self.setup, self.url = setup, url
        self.mixed = mixed  # every other user signs in with a township's account (their scopes share less)
        self.markers = marker_bytes(setup.county.markers)
        self.arrive = arrive  # the users arrive (open the page and sign in) at random over this many seconds
        self.n_users, self.clicks, self.think, self.timeout = users, clicks, think, timeout
        self.min_imports = min_imports if imports != "none" else 0
        self.imports = imports
        self.import_pause = import_pause
        self.random = random.Random(seed)
        self.results = Results(users=users)
        self.timeline = Timeline(first=served_variant(setup.db))
        self.signed_in = 0
        self.all_signed_in = threading.Event()
        self.stop_imports = threading.Event()
        self.imports_done = 0

    # -- the loader thread (imports in a separate process, like an administrator's CLI) --

    def loader(self) -> None:
        self.all_signed_in.wait()
        current = self.timeline.first
        try:
            while not self.stop_imports.is_set():
                new = "B" if current == "A" else "A"
                if self.imports == "kill":
                    kill_import_midway(self.setup, new)
                    self.results.killed_imports += 1
                    self.imports_done += 1
                    return
                began = time.monotonic()
                with self.timeline.lock:  # from now on the file may hold either (the swap comes before exit)
                    self.timeline.running = (began, current, new)
                done = subprocess.run(import_command(self.setup, new), cwd=ROOT, capture_output=True, text=True)
                finished = time.monotonic()
                if done.returncode != 0:
                    self.results.import_failures.append(done.stdout[-2000:] + done.stderr[-2000:])
                    return
                with self.timeline.lock:
                    self.timeline.imports.append((began, finished, current, new))
                    self.timeline.running = None
                if (ahead := computed_ahead(done.stdout)) is not None:
                    self.results.computed_ahead.append(ahead)
                current = new
                self.imports_done += 1
                self.stop_imports.wait(self.import_pause)
        except Exception as exc:  # noqa: BLE001 - reported as a failed import
            self.results.import_failures.append(f"{type(exc).__name__}: {exc}")

    # -- one user --

    def record(self, user: User, label: str, started: float, runs: list[Run], finished: float) -> Interaction:
        as_of = region = None
        match = re.search(r"as_of=(\d{4}-\d\d-\d\d)", user.query_string)
        if match:
            as_of = match.group(1)
        match = re.search(r"region=(\d+)", user.query_string)
        if match:
            region = match.group(1)
        interaction = Interaction(user.number, label, started, finished, runs, user.page, as_of, region,
                                  user.session_id)
        self.results.interactions.append(interaction)
        served = self.timeline.served_during(started, finished)
        for run in runs:
            for error in run.errors:
                self.results.errors.append(f"user {user.number} {label} on {user.page}: {error}")
            at_top = user.username == USERNAME and region in (None, self.setup.county.root) and user.page == "overview"
            found, odd, tiles = evidence(run, self.setup.figures, as_of, at_top, self.markers)
            self.results.tile_checks += tiles
            # every run of the leader's names the county (its breadcrumb); a township's page names the
            # township, the same in both variants, and shows the package's name in the footer (every page
            # does, one that ends early for want of data too: ui/state.stop_page)
            if not found and run is runs[-1] and label != "open":
                self.results.unmarked.append(f"user {user.number} {label} on {user.page}")
            for problem in odd:
                self.results.violations.append(f"user {user.number} {label}: {problem}")
            if len(found) > 1:
                self.results.violations.append(
                    f"user {user.number} {label} on {user.page}: one run shows data of both A and B")
            elif found:
                variant = next(iter(found))
                self.results.seen[variant] = self.results.seen.get(variant, 0) + 1
                if variant not in served:
                    self.results.stale.append(f"user {user.number} {label} on {user.page}: shows {variant}, "
                                              f"the file held {sorted(served)} during the interaction")
        return interaction

    async def click(self, user: User, label: str, **rerun) -> Interaction:
        started = time.monotonic()
        runs, finished = await user.rerun(**rerun)
        return self.record(user, label, started, runs, finished)

    async def sign_in(self, user: User) -> None:
        await user.connect()
        await self.click(user, "open")  # the sign-in form
        name = user.widget("text_input", label="用户名")
        secret = user.widget("text_input", label="密码")
        submit = user.widget("button", label="登录")
        user.set_string(name.id, user.username)
        user.set_string(secret.id, PASSWORD)
        await self.click(user, "sign in", triggers={submit.id: True})
        if "overview" not in user.pages:
            raise SessionError(f"not signed in (pages {sorted(user.pages)})")

    async def one_click(self, user: User, rng: random.Random) -> None:
        choice = rng.random()
        if choice < 0.55:
            pages = [p for p in user.pages if p not in PAGES_SKIPPED and p != user.page]
            target = rng.choice(pages)
            await self.click(user, f"page {target}", page_hash=user.pages[target])
        elif choice < 0.8:
            box = user.widget("selectbox", key="as_of_choice")
            options = [o for o in box.options[:-1] if o != user.current(box)]  # the last is 'another date'
            user.set_string(box.id, rng.choice(options[:8]))
            await self.click(user, "as-of date")
        else:
            box = user.widget("selectbox", key="pick_1")
            current = user.current(box)
            options = [o for o in box.options if o != current]
            chosen = rng.choice(options)
            user.set_string(box.id, chosen)
            await self.click(user, "county" if chosen == box.options[0] else "township")

    async def user_session(self, number: int, seed: int) -> None:
        rng = random.Random(seed)
        user = User(number, self.url, self.timeout)
        if self.mixed and number % 2 == 0 and self.setup.townships:  # every other user a township's
            user.username = f"{TOWNSHIP_USER}{(number // 2 - 1) % len(self.setup.townships)}"
        try:
            await asyncio.sleep(rng.random() * self.arrive)  # users arrive over `arrive` seconds
            await self.sign_in(user)
            self.signed_in += 1
            if self.signed_in == self.n_users:
                self.all_signed_in.set()
            done = 0
            # a bounded number of clicks; more (up to 3×) while the imports have not happened yet
            while done < self.clicks or (self.imports_done < self.min_imports and done < 3 * self.clicks
                                         and not self.results.import_failures):
                await asyncio.sleep(rng.uniform(0.5, 1.5) * self.think)
                await self.one_click(user, rng)
                done += 1
            self.finished_clicking += 1
            while not self.imports_stopped.is_set():  # until the last import is in
                await asyncio.sleep(0.1)
            # then one more click after the user's usual thinking (not all 32 in the same instant)
            await asyncio.sleep(rng.uniform(0.5, 1.5) * self.think)
            await self.final_check(user)
        except Exception as exc:  # noqa: BLE001 - every failure of a user is an error of the test
            self.results.errors.append(f"user {number}: {type(exc).__name__}: {exc}")
            self.all_signed_in.set()
        finally:
            await user.close()

    async def final_check(self, user: User) -> None:
        """After the last import: the next click shows the last variant, in every session."""
        interaction = await self.click(user, "after the imports", page_hash=user.pages["overview"])
        found, _, _ = evidence(interaction.runs[-1], self.setup.figures, None, False, self.markers)
        if found != {self.results.final_variant}:
            self.results.violations.append(
                f"user {user.number}: after the last import ({self.results.final_variant}) shows {sorted(found)}")

    async def main(self) -> None:
        self.finished_clicking = 0
        self.imports_stopped = asyncio.Event()
        loader = threading.Thread(target=self.loader, daemon=True)
        if self.imports != "none":
            loader.start()
        sessions = [asyncio.create_task(self.user_session(i + 1, self.random.randrange(1 << 30)))
                    for i in range(self.n_users)]
        while self.finished_clicking + len([s for s in sessions if s.done()]) < self.n_users:
            await asyncio.sleep(0.2)
        self.stop_imports.set()
        if loader.is_alive():
            await asyncio.to_thread(loader.join)
        with self.timeline.lock:
            self.results.final_variant = self.timeline.imports[-1][3] if self.timeline.imports else self.timeline.first
        self.results.imports = len(self.timeline.imports)
        self.results.import_seconds = [finished - began for began, finished, _old, _new in self.timeline.imports]
        self.imports_stopped.set()
        await asyncio.gather(*sessions)

    def run(self, server_pid: int | list[int] | None = None) -> Results:
        server = _cpu_seconds(server_pid)
        started, client = time.monotonic(), time.process_time()
        asyncio.run(self.main())
        self.results.seconds = time.monotonic() - started
        self.results.client_cpu = time.process_time() - client
        if server is not None:
            self.results.server_cpu = _cpu_seconds(server_pid) - server
            self.results.server_peak_mib = _peak_mib(server_pid)
        return self.results


# ---- where the server's CPU goes (py-spy, requirements-dev.txt) --------------------------------

# Each sample is put in the category of its innermost frame that matches one (the leaf first): plotly's
# JSON encoding inside st.plotly_chart counts as plotly, pandas inside the query runner as the query,
# Streamlit's element code called by a page as Streamlit. py-spy names files relative to sys.path
# ("streamlit/…", "ui/data.py", a page as "overview.py").
PROFILE_CATEGORIES = (
    ("sign-in (Argon2id)", ("argon2",)),
    ("queries (DuckDB + runner)", ("duckdb", "queries/__init__.py")),
    ("result cache (hits, copies)", ("runtime/caching/", "SharedResults")),
    ("plotly figures + JSON", ("plotly/", "_plotly_utils")),
    ("DataFrame -> Arrow", ("pyarrow", "dataframe_util.py", "elements/arrow.py", "elements/lib/column_config")),
    ("delta protocol + websocket", ("google/protobuf", "_pb2", "forward_msg", "tornado/", "websocket", "uvicorn/",
                                    "app_session.py", "message_cache", "runtime/runtime.py")),
    ("Streamlit elements + script runner", ("streamlit/",)),
    ("page and ui code (own Python)", ("(ui/", "(access/", "(common/", "dashboard.py",
                                       *(f"({page.stem}.py:" for page in (ROOT / "pages").glob("*.py")))),
)


# A sample whose innermost frame is one of these is a thread waiting (py-spy's idle detection misses
# some): not counted as CPU.
IDLE_LEAVES = ("EpollSelector.select", "polling_path_watcher.py:90", "Condition.wait", "Event.wait",
               "_worker (concurrent/futures/thread.py", "sleep (asyncio")


def start_profiler(pid: int, out: Path) -> subprocess.Popen:
    """py-spy sampling the server (100 Hz, without pausing it) until stop_profiler."""
    spy = Path(sys.executable).with_name("py-spy")
    return subprocess.Popen([str(spy), "record", "--pid", str(pid), "--format", "raw", "--rate", "100",
                             "--nonblocking", "--output", str(out)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def stop_profiler(proc: subprocess.Popen) -> None:
    import signal

    proc.send_signal(signal.SIGINT)  # py-spy writes its output on Ctrl-C
    try:
        proc.wait(timeout=60)
    except subprocess.TimeoutExpired:
        proc.kill()
    time.sleep(1)  # the output file is complete a moment after py-spy exits


def profile_breakdown(raw: Path) -> dict[str, float]:
    """Share of the server's sampled CPU per PROFILE_CATEGORIES (py-spy's collapsed stacks: frames root
    first, separated by ';', the sample count last); samples of waiting threads (IDLE_LEAVES) left out."""
    totals: dict[str, int] = {}
    for line in raw.read_text(encoding="utf-8", errors="replace").splitlines():
        stack, _, count = line.rpartition(" ")
        if not count.isdigit():
            continue
        frames = stack.split(";")
        if any(idle in frames[-1] for idle in IDLE_LEAVES):
            continue
        category = "other (interpreter, gc, threads)"
        for frame in reversed(frames):
            found = next((name for name, needles in PROFILE_CATEGORIES if any(n in frame for n in needles)), None)
            if found:
                category = found
                break
        totals[category] = totals.get(category, 0) + int(count)
    everything = sum(totals.values()) or 1
    return {name: totals[name] / everything for name in sorted(totals, key=totals.get, reverse=True)}


# ---- figures -----------------------------------------------------------------------------------


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def _run_cpu(results: Results, measure) -> float | None:
    values = [run.ms for run in results.run_cpu]
    return round(measure(values), 1) if values else None


def interaction_cpu(results: Results) -> tuple[list[float], int]:
    """The script CPU of each interaction: its runs' CPU added up. Each session's logged runs are taken in
    the order they ended, as many for each of its interactions (in order) as the user saw runs. Returns
    the interactions' CPU ms and how many interactions could not be matched (fewer runs logged)."""
    matched, unmatched = _matched_cpu(results)
    return [ms for _interaction, ms in matched], unmatched


def _matched_cpu(results: Results) -> tuple[list[tuple[Interaction, float]], int]:
    matched, unmatched = _matched_runs(results)
    return [(interaction, sum(run.ms for run in runs)) for interaction, runs in matched], unmatched


def _matched_runs(results: Results) -> tuple[list[tuple[Interaction, list[run_cpu.Run]]], int]:
    """Each interaction with its logged runs (ui/run_cpu.Run: CPU and the queries computed, read ahead,
    asked), and how many interactions could not be matched."""
    from collections import deque

    logged: dict[str, deque] = {}
    for run in results.run_cpu:
        logged.setdefault(run.session, deque()).append(run)
    matched, unmatched = [], 0
    for interaction in sorted(results.interactions, key=lambda i: i.started):
        queue = logged.get(interaction.session or "", deque())
        if len(queue) < len(interaction.runs) or not interaction.runs:
            unmatched += 1
            continue
        matched.append((interaction, [queue.popleft() for _ in interaction.runs]))
    return matched, unmatched


def write_interactions(results: Results, path: Path) -> None:
    """Every interaction with its wall time, its runs' script CPU and their catalog queries computed and
    read ahead (empty when not matched)."""
    import csv

    runs = {id(i): logged for i, logged in _matched_runs(results)[0]}
    with open(path, "w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(["user", "kind", "page", "as_of", "region", "started_s", "wall_ms", "script_cpu_ms", "runs",
                         "queries_computed", "queries_ahead"])
        first = min((i.started for i in results.interactions), default=0.0)
        for i in sorted(results.interactions, key=lambda i: i.started):
            logged = runs.get(id(i))
            own = ([f"{sum(r.ms for r in logged):.1f}", len(i.runs), sum(r.computed for r in logged),
                    sum(r.ahead for r in logged)] if logged is not None else ["", len(i.runs), "", ""])
            writer.writerow([i.user, _label(i), i.page, i.as_of or "", i.region or "", f"{i.started - first:.3f}",
                             f"{i.seconds * 1000:.1f}", *own])


def _label(interaction: Interaction) -> str:
    return "page" if interaction.label.startswith("page") else interaction.label


def _query_totals(results: Results) -> tuple[int, int, int]:
    computed = sum(run.computed for run in results.run_cpu)
    ahead = sum(run.ahead for run in results.run_cpu)
    return computed, ahead, sum(run.asked for run in results.run_cpu) - computed - ahead


def _interaction_cpu(results: Results, measure) -> float | None:
    values, _ = interaction_cpu(results)
    return round(measure(values), 1) if values else None


def report(results: Results, server_errors: list[str]) -> dict:
    clicks = [i for i in results.interactions if i.label not in ("open", "sign in")]
    times = [i.seconds * 1000 for i in clicks]
    figures = {
        "users": results.users,
        "interactions": len(results.interactions),
        "clicks (excluding open and sign-in)": len(clicks),
        "errors": len(results.errors) + len(server_errors) + len(results.import_failures),
        "median ms": round(statistics.median(times)) if times else None,
        "p95 ms": round(percentile(times, 0.95)) if times else None,
        "max ms": round(max(times)) if times else None,
        "sign-in median ms": round(statistics.median(
            [i.seconds * 1000 for i in results.interactions if i.label == "sign in"] or [0])),
        "imports done": results.imports,
        "import seconds median": (round(statistics.median(results.import_seconds), 1)
                                  if results.import_seconds else None),
        # the views each import computed ahead: stored of asked (median), and how many imports ran out of time
        "imports computing ahead: stored / asked median, out of time": (
            f"{statistics.median(a.stored for a in results.computed_ahead):.0f} / "
            f"{statistics.median(a.asked for a in results.computed_ahead):.0f}, "
            f"{sum(a.out_of_time for a in results.computed_ahead)} of {len(results.computed_ahead)}"
            if results.computed_ahead else None),
        "imports killed midway": results.killed_imports,
        "consistency violations": len(results.violations),
        "stale runs": len(results.stale),
        "page runs showing neither variant": len(results.unmarked),
        "registered tiles checked": results.tile_checks,
        "runs showing A / B": f"{results.seen.get('A', 0)} / {results.seen.get('B', 0)}",
        "wall seconds": round(results.seconds, 1),
        "server CPU ms per interaction": (round(results.server_cpu * 1000 / len(results.interactions))
                                          if results.server_cpu is not None and results.interactions else None),
        "server peak memory MiB": (round(results.server_peak_mib) if results.server_peak_mib is not None
                                   else None),
        # each script run's own thread (ui/run_cpu.py): what one click costs the server, hits and misses apart
        "script runs": len(results.run_cpu),
        "script run CPU ms median": _run_cpu(results, statistics.median),
        "script run CPU ms p95": _run_cpu(results, lambda v: percentile(v, 0.95)),
        "script run CPU ms mean": _run_cpu(results, statistics.mean),
        # the runs of one interaction added up (a sign-in is the form's run and the overview's)
        "CPU per interaction ms median (its runs)": _interaction_cpu(results, statistics.median),
        "CPU per interaction ms p95 (its runs)": _interaction_cpu(results, lambda v: percentile(v, 0.95)),
        "interactions without their runs logged": interaction_cpu(results)[1] if results.run_cpu else None,
        # what the runs' catalog queries were: computed, read from the results an import computed ahead
        # (queries/ready.py), or shared in memory
        "queries computed / read ahead / shared": (
            " / ".join(str(n) for n in _query_totals(results)) if results.run_cpu else None),
        # how many runs one server process let in at once (ui/gate.py), per worker
        "most script runs at once": (" / ".join(str(n) for n in run_cpu.most_at_once(results.run_cpu).values())
                                     if results.run_cpu else None),
        "client CPU seconds": round(results.client_cpu, 1),
    }
    return figures


def print_report(figures: dict, results: Results, server_errors: list[str]) -> None:
    width = max(len(k) for k in figures)
    for key, value in figures.items():
        print(f"{key:<{width}}  {value}")
    for title, items in (("errors", results.errors), ("server log", server_errors),
                         ("import failures", results.import_failures), ("violations", results.violations),
                         ("stale", results.stale), ("unmarked", results.unmarked)):
        if items:
            print(f"\n{title} ({len(items)}), first 10:")
            for item in items[:10]:
                print("  " + item.replace("\n", "\n    ")[:2000])
    by_page: dict[str, list[float]] = {}
    for run in results.run_cpu:
        by_page.setdefault(run.page, []).append(run.ms)
    if by_page:
        print(f"\n{'script runs by page':<22}{'n':>6}{'CPU ms median':>15}{'p95':>8}{'total s':>9}")
        for page, values in sorted(by_page.items(), key=lambda item: -sum(item[1])):
            print(f"{page:<22}{len(values):>6}{statistics.median(values):>15.0f}{percentile(values, 0.95):>8.0f}"
                  f"{sum(values) / 1000:>9.1f}")
    by_label: dict[str, list[float]] = {}
    for i in results.interactions:
        by_label.setdefault(_label(i), []).append(i.seconds * 1000)
    runs_by_label: dict[str, list[list[run_cpu.Run]]] = {}
    for i, logged in _matched_runs(results)[0]:
        runs_by_label.setdefault(_label(i), []).append(logged)
    # computed / ahead: the catalog queries its runs computed and read from those computed ahead, per
    # interaction on average
    print(f"\n{'interaction':<22}{'n':>6}{'median ms':>12}{'p95 ms':>10}{'CPU ms median':>15}{'p95':>8}"
          f"{'computed':>10}{'ahead':>7}")
    for label, times in sorted(by_label.items()):
        logged = runs_by_label.get(label)
        line = f"{label:<22}{len(times):>6}{statistics.median(times):>12.0f}{percentile(times, 0.95):>10.0f}"
        if logged:
            cpu = [sum(r.ms for r in runs) for runs in logged]
            line += (f"{statistics.median(cpu):>15.0f}{percentile(cpu, 0.95):>8.0f}"
                     f"{statistics.mean(sum(r.computed for r in runs) for runs in logged):>10.1f}"
                     f"{statistics.mean(sum(r.ahead for r in runs) for runs in logged):>7.1f}")
        print(line)


def load_test(users: int, clicks: int, think: float, min_imports: int, timeout: float = 120, seed: int = 5,
              import_pause: float = 0.5, folder: Path | None = None,
              verbose: bool = True, profile: Path | None = None,
              workers: int = 0, arrive: float = 2.0, county: str = "tiny",
              interactions_csv: Path | None = None, mixed: bool = False,
              ready_seconds: float | None = None) -> tuple[dict, Results, list[str]]:
    """`workers` > 0: that many Streamlit processes behind nginx (scripts/serve.py), not one server.
    `ready_seconds`: the imports' time for computing ahead the views asked for (queries/ready.py)."""
    own = folder is None
    folder = Path(folder or tempfile.mkdtemp(prefix="tuopin-load-test-"))
    try:
        setup = prepare(folder, county)
        setup.ready_seconds = ready_seconds
        run_cpu_log = folder / "run-cpu.log"
        server = (start_cluster(setup.db, setup.accounts, folder, workers, run_cpu_log) if workers
                  else start_server(setup.db, setup.accounts, folder / "server.log", run_cpu_log=run_cpu_log))
        spy = start_profiler(server.proc.pid, profile) if profile and not workers else None
        try:
            results = Scenario(setup, server.url, users, clicks, think, timeout, min_imports, seed,
                               imports="alternate" if min_imports > 0 else "none",
                               import_pause=import_pause, arrive=arrive, mixed=mixed).run(server.pids if workers else server.proc.pid)
        finally:
            if spy is not None:
                stop_profiler(spy)
            server.stop()
        server_errors = server.tracebacks()
        results.run_cpu = run_cpu.read(run_cpu_log) if run_cpu_log.exists() else []
        figures = report(results, server_errors)
        if interactions_csv is not None:
            write_interactions(results, interactions_csv)
        if verbose:
            print_report(figures, results, server_errors)
            if profile and profile.exists():
                print(f"\nserver CPU by category (py-spy, {profile}):")
                for name, share in profile_breakdown(profile).items():
                    print(f"  {name:<40}{share:>7.1%}")
        return figures, results, server_errors
    finally:
        if own:
            shutil.rmtree(folder, ignore_errors=True)


def yardstick(rounds: int = 5) -> str:
    """How fast this machine's core is at the moment, to set one day's figures beside another's (shared
    hosts differ by half and more): the fastest of `rounds` runs of a fixed pure-Python loop and of a
    fixed DuckDB aggregate, in CPU ms. The page runs' CPU scales with both."""
    import duckdb

    def fastest(work) -> float:
        times = []
        for _ in range(rounds):
            started = time.process_time()
            work()
            times.append((time.process_time() - started) * 1000)
        return min(times)

    def loop() -> None:
        total = 0
        for i in range(2_000_000):
            total += i

    with duckdb.connect() as connection:
        connection.execute("set threads = 1")
        sql = "select count(distinct i % 9973), sum(i) from range(2000000) t(i)"
        return (f"yardstick: Python loop {fastest(loop):.0f} ms, DuckDB aggregate "
                f"{fastest(lambda: connection.execute(sql).fetchall()):.0f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--users", type=int, default=32)
    parser.add_argument("--clicks", type=int, default=8, help="clicks per user after signing in")
    parser.add_argument("--think", type=float, default=5.0, help="mean seconds between a user's clicks")
    parser.add_argument("--imports", type=int, default=4, help="at least this many imports during the clicks (0: none)")
    parser.add_argument("--import-pause", type=float, default=10, help="seconds between one import and the next")
    parser.add_argument("--timeout", type=float, default=120, help="seconds one interaction may take")
    parser.add_argument("--seed", type=int, default=5)
    parser.add_argument("--arrive", type=float, default=2.0, help="the users arrive (open and sign in) at random "
                        "over this many seconds: 2, a burst; longer, sign-ins among the others' clicks")
    parser.add_argument("--workers", type=int, default=0, help="N > 0: N servers behind nginx "
                        "(scripts/serve.py, sticky sessions) instead of one `streamlit run`")
    parser.add_argument("--county", choices=sorted(COUNTIES), default="demo", help="the county served: the demo "
                        "county (about 15,000 households; the default) or the tiny fixture (4, a quick check)")
    parser.add_argument("--accounts", choices=("leader", "mixed"), default="leader", help="leader: every "
                        "user signs in as the county leader; mixed: every other user as a township's staff "
                        "(an account per township, so their views share less)")
    parser.add_argument("--interactions", type=Path, help="write every interaction (user, kind, page, date, "
                        "region, wall ms, script CPU ms) to this CSV file")
    parser.add_argument("--ready-seconds", type=float, help="the imports' time for computing ahead the views "
                        "the server was asked for (etl load --ready-seconds; default the loader's, 0: none)")
    parser.add_argument("--profile", type=Path, help="sample the server with py-spy into this file (collapsed "
                        "stacks) and print where its CPU went")
    parser.add_argument("--concurrent-runs", type=int, help="script runs each server process lets in at once "
                        f"({gate.ENV}; default {gate.DEFAULT}, ui/gate.py; a number above the users: no limit)")
    args = parser.parse_args()
    if args.concurrent_runs is not None:  # the server processes inherit this process's environment
        os.environ[gate.ENV] = str(args.concurrent_runs)
    mixed = " (every other one a township's)" if args.accounts == "mixed" else ""
    print(f"{dt.datetime.now():%Y-%m-%d %H:%M:%S}: the {args.county} county, {args.users} users{mixed} × "
          f"{args.clicks} clicks, think {args.think} s, ≥ {args.imports} imports, {args.import_pause} s apart, arriving over {args.arrive} s"
          + (f", {args.workers} workers behind nginx" if args.workers else "")
          + (f", imports computing ahead for {args.ready_seconds} s" if args.ready_seconds is not None else "")
          + f", {gate.limit()} script runs at once per server process"
          + f"; load average {os.getloadavg()[0]:.1f}; {yardstick()}")
    figures, _, _ = load_test(args.users, args.clicks, args.think, args.imports, args.timeout, args.seed,
                              args.import_pause, profile=args.profile, workers=args.workers, arrive=args.arrive,
                              county=args.county, interactions_csv=args.interactions,
                              mixed=args.accounts == "mixed", ready_seconds=args.ready_seconds)
    sys.exit(0 if figures["errors"] == 0 and figures["consistency violations"] == 0 and not figures["stale runs"]
             and not figures["page runs showing neither variant"] else 1)


if __name__ == "__main__":
    main()
