"""ui/gate.py: at most so many script runs of a server process at once, let in first come first served,
with a way out for an import's long wait. The real server's runs are checked against it by
tests/test_load.py (the spans every run logs never overlap more than the gate allows)."""

from __future__ import annotations

import threading
import time

import pytest

from ui import gate
from ui.run_cpu import Run, most_at_once


def _waiting(threads: list[threading.Thread], ready: list[threading.Event], timeout: float = 5) -> None:
    for thread, event in zip(threads, ready, strict=True):
        thread.start()
        if not event.wait(timeout):
            pytest.fail(f"{thread.name} did not reach the gate")


def _until(condition, timeout: float = 5) -> None:
    """Wait until `condition()` holds or `timeout` passes (the assertion after it says which)."""
    deadline = time.monotonic() + timeout
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.01)


def test_a_third_run_waits_until_one_of_two_leaves():
    runs = gate.Gate(2)
    inside, order = [], []
    leave = {name: threading.Event() for name in "abc"}
    at_gate = {name: threading.Event() for name in "abc"}

    def run(name: str) -> None:
        at_gate[name].set()
        runs.enter()
        inside.append(name)
        order.append(name)
        leave[name].wait(10)
        inside.remove(name)
        runs.leave()

    threads = {name: threading.Thread(target=run, args=(name,), name=name) for name in "abc"}
    _waiting([threads["a"], threads["b"]], [at_gate["a"], at_gate["b"]])
    _until(lambda: len(inside) == 2)
    assert sorted(inside) == ["a", "b"]
    _waiting([threads["c"]], [at_gate["c"]])
    time.sleep(0.2)
    assert "c" not in inside and runs.inside == 2  # the third waits at the gate
    leave["a"].set()
    threads["a"].join(5)
    _until(lambda: "c" in inside)
    assert sorted(inside) == ["b", "c"]
    assert sorted(order[:2]) == ["a", "b"] and order[2] == "c"
    leave["b"].set()
    leave["c"].set()
    for thread in threads.values():
        thread.join(5)
    assert runs.inside == 0 and runs.most == 2


def test_runs_waiting_are_let_in_in_the_order_they_came():
    runs = gate.Gate(1)
    runs.enter()  # this thread holds the only place
    came, let_in = [], []

    def run(name: str, arrived: threading.Event) -> None:
        came.append(name)
        arrived.set()
        runs.enter()
        let_in.append(name)
        runs.leave()

    for name in "pqrst":  # one after another: each is waiting before the next comes
        arrived = threading.Event()
        threading.Thread(target=run, args=(name, arrived), name=name, daemon=True).start()
        assert arrived.wait(5)
        time.sleep(0.05)
    runs.leave()
    _until(lambda: len(let_in) == 5)
    assert let_in == came == list("pqrst")


def test_leaving_twice_or_without_entering_frees_no_second_place():
    runs = gate.Gate(1)
    runs.leave()  # never entered: nothing happens (a BoundedSemaphore would raise on a release too many)
    runs.enter()
    runs.enter()  # entering again from inside does not wait for itself
    assert runs.inside == 1
    runs.leave()
    runs.leave()
    assert runs.inside == 0
    other = threading.Thread(target=lambda: (runs.enter(), runs.leave()))
    runs.enter()
    other.start()
    other.join(0.3)
    assert other.is_alive()  # one place only, still: the double leave freed nothing extra
    runs.leave()
    other.join(5)
    assert not other.is_alive()


def test_a_run_steps_out_for_an_import_and_comes_back_in_its_turn():
    runs = gate.Gate(1)
    runs.enter()
    others_ran = threading.Event()
    other = threading.Thread(target=lambda: (runs.enter(), others_ran.set(), runs.leave()))
    with runs.released():  # the import: another run goes on meanwhile
        other.start()
        assert others_ran.wait(5)
        assert not runs.holds()
    assert runs.holds() and runs.inside == 1  # back inside afterwards
    runs.leave()
    with runs.released():  # outside the gate already: nothing to step out of, nothing taken afterwards
        pass
    assert not runs.holds() and runs.inside == 0


def test_the_limit_comes_from_the_environment(monkeypatch):
    monkeypatch.delenv(gate.ENV, raising=False)
    assert gate.limit() == gate.DEFAULT == 2
    monkeypatch.setenv(gate.ENV, "5")
    assert gate.limit() == 5
    for refused in ("0", "-1", "two", "1.5", ""):
        monkeypatch.setenv(gate.ENV, refused)
        assert gate.limit() == gate.DEFAULT


def test_most_runs_at_once_per_server_process():
    def span(pid: int, began: float, ended: float) -> Run:
        return Run("overview", 1.0, "s", pid=pid, began=began, ended=ended)

    runs = [span(1, 0.0, 2.0), span(1, 1.0, 3.0), span(1, 2.0, 4.0),  # one ends as the next begins: two at once
            span(2, 0.0, 5.0), span(2, 1.0, 2.0), span(2, 1.5, 2.5), span(2, 6.0, 7.0)]
    assert most_at_once(runs) == {1: 2, 2: 3}
    assert most_at_once([]) == {}
