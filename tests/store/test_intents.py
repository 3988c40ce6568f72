"""The write-ahead intent log: committed before the POST, visible after a crash, one open intent per object."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import pytest

from fortnox_link.secrets import registry
from fortnox_link.store import IntentConflict, StateError, Store, open_store

from .crash import run_and_crash


def test_an_intent_is_committed_before_begin_intent_returns(store: Store, db_path: Path) -> None:
    intent_id = store.begin_intent("invoice", "B-1", "sha256:x", None)
    # Another connection (as another process would) sees it at once: it is on disk, not in an open transaction.
    other = sqlite3.connect(db_path)
    try:
        row = other.execute("SELECT kind, source_id, state FROM intents WHERE id = ?", (intent_id,)).fetchone()
    finally:
        other.close()
    assert row == ("invoice", "B-1", "pending")


def test_a_crash_between_intent_and_outcome_is_visible_on_restart(db_path: Path) -> None:
    out = run_and_crash(
        db_path,
        """
        run_id = store.start_run("invoicing", "manual")
        intent_id = store.begin_intent("invoice", "B-77", "sha256:abc", run_id)
        print(intent_id)
        # ...the POST would go out here; the process dies before the answer is recorded
        """,
    )
    intent_id = int(out)

    store = open_store(db_path)
    try:
        pending = store.open_intents()
        assert [(i.id, i.kind, i.source_id, i.state) for i in pending] == [(intent_id, "invoice", "B-77", "pending")]
        assert pending[0].payload_fingerprint == "sha256:abc"
        assert store.open_intent("invoice", "B-77") == intent_id
        # nothing may be posted again for that object until the intent is resolved
        with pytest.raises(IntentConflict):
            store.begin_intent("invoice", "B-77", "sha256:abc", None)
        # resolved by looking it up in Fortnox: found
        store.complete_intent(intent_id, "4501", "found in Fortnox after an interrupted run")
        assert store.open_intents() == []
    finally:
        store.close()


def test_an_intent_is_visible_to_a_new_store_while_the_first_one_is_still_open(db_path: Path) -> None:
    first = open_store(db_path)
    try:
        intent_id = first.begin_intent("voucher", "E-9", "sha256:v", None)
        # no close, no commit call, no outcome: a second store (the app after a restart) finds it
        again = open_store(db_path)
        try:
            assert [i.id for i in again.open_intents("voucher")] == [intent_id]
            assert again.open_intents("invoice") == []
        finally:
            again.close()
    finally:
        first.close()


def test_outcomes(store: Store) -> None:
    run_id = store.start_run("invoicing", "manual")
    done = store.begin_intent("invoice", "B-1", "f1", run_id)
    failed = store.begin_intent("invoice", "B-2", "f2", run_id)
    unknown = store.begin_intent("customer", "C-1", "f3", run_id)

    store.complete_intent(done, "4501", "Faktura 4501 skapad")
    store.fail_intent(failed, "Kund saknas (2000433)")
    store.mark_unknown(unknown, "no answer from Fortnox (timeout)")

    d = store.get_intent(done)
    assert d is not None and d.state == "done" and d.fortnox_id == "4501" and d.resolved_at is not None
    assert d.answer_summary == "Faktura 4501 skapad" and d.run_id == run_id and not d.is_open
    f = store.get_intent(failed)
    assert f is not None and f.state == "failed" and f.error == "Kund saknas (2000433)" and f.resolved_at is not None
    u = store.get_intent(unknown)
    assert u is not None and u.state == "unknown" and u.resolved_at is None and u.is_open

    assert [i.id for i in store.open_intents()] == [unknown]
    assert [i.id for i in store.open_intents("customer")] == [unknown]
    assert store.open_intents("invoice") == []
    # a failed intent does not block a new attempt; a done one does not either (the link does that)
    retry = store.begin_intent("invoice", "B-2", "f2b", run_id)
    assert [i.id for i in store.intents_for("invoice", "B-2")] == [failed, retry]


def test_closed_intents_cannot_change_again(store: Store) -> None:
    intent_id = store.begin_intent("invoice", "B-1", "f", None)
    store.complete_intent(intent_id, "4501", "ok")
    with pytest.raises(StateError, match="done"):
        store.fail_intent(intent_id, "late error")
    with pytest.raises(StateError, match="done"):
        store.mark_unknown(intent_id, "late")
    with pytest.raises(StateError, match="no intent"):
        store.complete_intent(999, "1", "x")
    intent = store.get_intent(intent_id)
    assert intent is not None and intent.state == "done" and intent.error is None


def test_an_unknown_intent_can_be_resolved_either_way(store: Store) -> None:
    a = store.begin_intent("invoice", "B-1", "f", None)
    store.mark_unknown(a, "timeout")
    store.complete_intent(a, "4501", "found by ExternalInvoiceReference1")
    b = store.begin_intent("invoice", "B-2", "f", None)
    store.mark_unknown(b, "timeout")
    store.fail_intent(b, "not created: not found in Fortnox")
    assert store.open_intents() == []


def test_only_one_open_intent_per_object(store: Store) -> None:
    first = store.begin_intent("invoice", "B-1", "f", None)
    with pytest.raises(IntentConflict) as caught:
        store.begin_intent("invoice", "B-1", "f", None)
    assert caught.value.existing_id == first
    store.mark_unknown(first, "timeout")
    with pytest.raises(IntentConflict):
        store.begin_intent("invoice", "B-1", "f", None)
    # other objects are not affected
    store.begin_intent("invoice", "B-2", "f", None)
    store.begin_intent("customer", "B-1", "f", None)


def test_the_database_itself_enforces_one_open_intent(store: Store) -> None:
    store.begin_intent("invoice", "B-1", "f", None)
    with pytest.raises(sqlite3.IntegrityError, match="UNIQUE"):
        store.db.execute(
            "INSERT INTO intents (kind, source_id, payload_fingerprint, created_at, state) "
            "VALUES ('invoice', 'B-1', 'f', '2025-01-01T00:00:00+00:00', 'unknown')"
        )


def test_two_workers_racing_for_the_same_object_get_one_intent(db_path: Path) -> None:
    setup = open_store(db_path)
    setup.close()
    workers = 8
    barrier = threading.Barrier(workers)
    won: list[int] = []
    lost: list[IntentConflict] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def worker() -> None:
        store = open_store(db_path)  # each worker its own store and connection, as separate processes would
        try:
            barrier.wait()
            intent_id = store.begin_intent("invoice", "B-1", "f", None)
            with lock:
                won.append(intent_id)
        except IntentConflict as exc:
            with lock:
                lost.append(exc)
        except BaseException as exc:
            with lock:
                errors.append(exc)
        finally:
            store.close()

    threads = [threading.Thread(target=worker) for _ in range(workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert len(won) == 1
    assert len(lost) == workers - 1


def test_begin_intent_refuses_to_run_inside_a_transaction(store: Store) -> None:
    with pytest.raises(StateError, match="committed at once"), store.transaction():
        store.begin_intent("invoice", "B-1", "f", None)
    assert store.open_intents() == []


def test_an_unknown_run_is_a_plain_integrity_error(store: Store) -> None:
    with pytest.raises(sqlite3.IntegrityError, match="FOREIGN KEY"):
        store.begin_intent("invoice", "B-1", "f", 12345)


def test_secrets_in_answers_and_errors_are_redacted(store: Store) -> None:
    registry.register("rt-0123456789-secret")
    a = store.begin_intent("invoice", "B-1", "f", None)
    store.fail_intent(a, "refresh failed for refresh_token=rt-0123456789-secret; Authorization: Bearer abc.def")
    intent = store.get_intent(a)
    assert intent is not None and intent.error is not None
    assert "rt-0123456789-secret" not in intent.error and "abc.def" not in intent.error
    assert "***" in intent.error
