"""How much CPU each script run takes, for the load test (bench/load_test.py). When the environment
variable TUOPIN_RUN_CPU_LOG names a file, every run of dashboard.py appends one line to it: the page it
drew (its url path; "-" before the navigation, e.g. the sign-in form), the CPU milliseconds of the
run's own thread (time.thread_time: the script, its queries' planning and Python, Argon2id — not the
event loop sending the run's messages, nor DuckDB's worker threads), the session's id, so that the
load test can add up the runs of one click, how many of the run's catalog queries were computed,
read from the results an import computed ahead, and asked for in all (ui/data.take_query_counts), and
the server process and the run's span inside the gate (ui/gate.py: time.monotonic when it was let in
and when it ended), so that the load test can tell how many runs went on at once. Nothing is written
otherwise. Several server processes may append to one file: each line is one small O_APPEND write."""

from __future__ import annotations

import os
import time
from typing import NamedTuple

ENV = "TUOPIN_RUN_CPU_LOG"


def started() -> tuple[float, float]:
    """The run's thread CPU and the clock, as it starts."""
    return time.thread_time(), time.monotonic()


class Run(NamedTuple):
    page: str
    ms: float
    session: str
    computed: int = 0  # catalog queries computed in the run
    ahead: int = 0  # read from the results computed ahead (queries/ready.py)
    asked: int = 0  # asked for in all (the rest were shared results in memory)
    pid: int = 0  # the server process
    began: float = 0.0  # time.monotonic() when the run was let in (ui/gate.py) and when it ended
    ended: float = 0.0


def finished(start: tuple[float, float], page: str | None, queries: tuple[int, int, int] = (0, 0, 0)) -> None:
    """`queries`: the run's (computed, read ahead, asked) catalog queries."""
    path = os.environ.get(ENV)
    if not path:
        return
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    ctx = get_script_run_ctx()
    session = ctx.session_id if ctx is not None else "-"
    cpu, began = start
    counts = "\t".join(str(n) for n in queries)
    line = (f"{page or '-'}\t{(time.thread_time() - cpu) * 1000:.2f}\t{session}\t{counts}\t"
            f"{os.getpid()}\t{began:.4f}\t{time.monotonic():.4f}\n").encode()
    descriptor = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        os.write(descriptor, line)
    finally:
        os.close(descriptor)


def read(path) -> list[Run]:
    """Every run logged in `path`, in the order they ended."""
    runs = []
    with open(path, encoding="utf-8") as lines:
        for line in lines:
            fields = line.rstrip("\n").split("\t")
            if len(fields) == 9:
                runs.append(Run(fields[0], float(fields[1]), fields[2], *map(int, fields[3:7]),
                                float(fields[7]), float(fields[8])))
    return runs


def most_at_once(runs: list[Run]) -> dict[int, int]:
    """For each server process, the most runs that went on at once (their spans overlapping)."""
    events: dict[int, list[tuple[float, int]]] = {}
    for run in runs:
        events.setdefault(run.pid, []).extend(((run.began, 1), (run.ended, -1)))
    most = {}
    for pid, points in events.items():
        now = peak = 0
        for _moment, step in sorted(points):  # at the same moment an end (-1) comes before a start
            now += step
            peak = max(peak, now)
        most[pid] = peak
    return most
