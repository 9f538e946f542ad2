"""How many script runs of one server process go on at once: two by default (`TUOPIN_CONCURRENT_RUNS`).

Streamlit gives every session's run a thread of its own, and the threads share one interpreter lock.
When 32 people click within a few seconds, 32 runs would otherwise share it turn by turn, each taking
32 times as long, every one of them finishing late. With two at a time, runs finish in the order they
started, one's DuckDB work (which lets the lock go) overlaps the other's Python, and a run waiting
here costs nothing. Under bench/load_test.py's 32 users on one worker, in three rounds of four
against the code before (uvloop came with it), this halved the click median and the p95 click and
the whole process spent about a fifth less CPU per click, as threads no longer contend for the lock
(README, Benchmarks: "Two runs at a time, and uvloop").

dashboard.py enters the gate before its run's first step and leaves it when the run ends, however it
ends (st.stop and st.rerun end a run by an exception). Work of a run that waits on something other
than this process's CPU, an import, or the demo built on first start, steps out of the gate while it
runs (`released`), so it does not keep everyone else's runs to one at a time meanwhile.

Runs waiting here are let in in the order they came (threading.Condition wakes its waiters first in,
first out). A run never waits here for another run: a run that needs a result another run is
computing (ui/data.SharedResults) is already inside the gate, and so is the run computing it.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager

ENV = "TUOPIN_CONCURRENT_RUNS"
DEFAULT = 2


def limit() -> int:
    """The number of runs let in at once: TUOPIN_CONCURRENT_RUNS when it is a whole number of at least 1,
    else the default."""
    text = os.environ.get(ENV, "").strip()
    return int(text) if text.isdigit() and int(text) >= 1 else DEFAULT


class Gate:
    """At most `size` threads inside at once; each thread knows whether it is inside, so leaving twice, or
    leaving without having entered, does nothing."""

    def __init__(self, size: int):
        self._slots = threading.BoundedSemaphore(size)
        self._inside = threading.local()
        self._count_lock = threading.Lock()
        self.inside = 0  # threads inside now
        self.most = 0  # the most that were ever inside at once

    def holds(self) -> bool:
        return getattr(self._inside, "held", False)

    def enter(self) -> None:
        if self.holds():
            return
        self._slots.acquire()
        self._inside.held = True
        with self._count_lock:
            self.inside += 1
            self.most = max(self.most, self.inside)

    def leave(self) -> None:
        if not self.holds():
            return
        self._inside.held = False
        with self._count_lock:
            self.inside -= 1
        self._slots.release()

    @contextmanager
    def released(self) -> Iterator[None]:
        """Outside the gate for the block (when inside it), back in (waiting for a place) afterwards."""
        held = self.holds()
        if held:
            self.leave()
        try:
            yield
        finally:
            if held:
                self.enter()


_GATE = Gate(limit())


def runs() -> Gate:
    """This server process's gate."""
    return _GATE
