"""A sync worker writes while the GUI thread reads: one connection per thread, no 'database is locked'."""

from __future__ import annotations

import threading

from fortnox_link.store import Store, StoreClosed


def test_each_thread_gets_its_own_connection(store: Store) -> None:
    main_conn = store.db.conn
    seen: list[object] = []

    def worker() -> None:
        seen.append(store.db.conn)
        seen.append(store.db.conn)
        store.close_thread()

    t = threading.Thread(target=worker)
    t.start()
    t.join()
    assert seen[0] is seen[1]
    assert seen[0] is not main_conn
    assert store.db.conn is main_conn


def test_a_worker_writes_while_the_gui_thread_reads(store: Store) -> None:
    items = 300
    started = threading.Event()
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            run_id = store.start_run("invoicing", "schedule")
            started.set()
            for n in range(items):
                intent_id = store.begin_intent("invoice", f"B-{n}", "f", run_id)
                store.save_link("invoice", f"B-{n}", str(4000 + n), "f")
                store.complete_intent(intent_id, str(4000 + n), "created")
                store.update_run(run_id, counts={"created": n + 1})
            store.finish_run(run_id, "ok", counts={"created": items})
        except BaseException as exc:
            errors.append(exc)
            started.set()
        finally:
            store.close_thread()

    t = threading.Thread(target=worker)
    t.start()
    assert started.wait(timeout=30)
    reads = 0
    last_seen = 0
    while t.is_alive() or reads == 0:
        runs = store.recent_runs("invoicing", limit=1)
        created = runs[0].counts.get("created", 0) if runs else 0
        assert created >= last_seen  # the GUI never sees progress go backwards
        last_seen = created
        links = len(store.links("invoice"))
        assert links >= created  # links are saved before the run's count says so
        reads += 1
    t.join()
    assert errors == []
    assert len(store.links("invoice")) == items
    final = store.last_run("invoicing")
    assert final is not None and final.status == "ok" and final.counts == {"created": items}
    assert store.open_intents() == []


def test_a_closed_store_refuses_new_connections(store: Store) -> None:
    store.close()
    failures: list[BaseException] = []

    def worker() -> None:
        try:
            store.get_cursor("x")
        except BaseException as exc:
            failures.append(exc)

    t = threading.Thread(target=worker)
    t.start()
    t.join()
    assert len(failures) == 1 and isinstance(failures[0], StoreClosed)
