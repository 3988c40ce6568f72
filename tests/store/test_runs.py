"""Sync runs: lifecycle, and runs left 'running' by a crash."""

from __future__ import annotations

from pathlib import Path

import pytest

from fortnox_link.store import StateError, Store, open_store

from .clock import FakeClock
from .crash import run_and_crash


def test_a_run_from_start_to_finish(store: Store, clock: FakeClock) -> None:
    run_id = store.start_run("invoicing", "manual")
    run = store.get_run(run_id)
    assert run is not None and run.status == "running" and run.finished_at is None and run.counts == {}
    store.update_run(run_id, counts={"created": 1}, message="Skapar fakturor")
    clock.advance(minutes=2)
    done = store.finish_run(run_id, "partial", counts={"created": 3, "failed": 1}, message="1 undantag")
    assert done.status == "partial"
    assert done.counts == {"created": 3, "failed": 1}
    assert done.message == "1 undantag"
    assert done.finished_at is not None and (done.finished_at - done.started_at).total_seconds() == 120
    with pytest.raises(StateError, match="already partial"):
        store.finish_run(run_id, "ok")
    with pytest.raises(StateError):
        store.update_run(run_id, counts={"created": 4})


def test_values_are_checked(store: Store) -> None:
    with pytest.raises(ValueError, match="connection"):
        store.start_run("payroll", "manual")
    with pytest.raises(ValueError, match="trigger"):
        store.start_run("invoicing", "cron")
    run_id = store.start_run("matching", "cli")
    with pytest.raises(ValueError, match="final run status"):
        store.finish_run(run_id, "running")
    with pytest.raises(TypeError, match="whole numbers"):
        store.update_run(run_id, counts={"amount": 1.5})  # type: ignore[dict-item]


def test_recent_and_last_runs(store: Store) -> None:
    a = store.start_run("invoicing", "schedule")
    store.finish_run(a, "ok")
    b = store.start_run("inventory", "manual")
    store.finish_run(b, "failed", message="Räkenskapsår saknas")
    c = store.start_run("invoicing", "manual")
    assert [r.id for r in store.recent_runs()] == [c, b, a]
    assert [r.id for r in store.recent_runs("invoicing")] == [c, a]
    last = store.last_run("invoicing")
    assert last is not None and last.id == c
    last_ok = store.last_run("invoicing", status="ok")
    assert last_ok is not None and last_ok.id == a
    assert store.last_run("matching") is None


def test_runs_of_this_process_are_not_interrupted(store: Store) -> None:
    run_id = store.start_run("invoicing", "manual")
    assert store.interrupted_runs() == []
    with pytest.raises(StateError, match="this process"):
        store.close_interrupted_run(run_id, "no")


def test_a_run_left_running_by_a_crash_is_seen_on_restart_and_can_be_closed(db_path: Path) -> None:
    out = run_and_crash(db_path, "print(store.start_run('inventory', 'schedule'))")
    crashed_id = int(out)

    store = open_store(db_path)
    try:
        interrupted = store.interrupted_runs()
        assert [r.id for r in interrupted] == [crashed_id]
        assert interrupted[0].status == "running" and interrupted[0].connection == "inventory"
        closed = store.close_interrupted_run(crashed_id, "Avbröts: programmet stängdes under körningen")
        assert closed.status == "failed"
        assert closed.message == "Avbröts: programmet stängdes under körningen"
        assert closed.finished_at is not None
        assert store.interrupted_runs() == []
        with pytest.raises(StateError, match="failed"):
            store.close_interrupted_run(crashed_id, "again")
    finally:
        store.close()
