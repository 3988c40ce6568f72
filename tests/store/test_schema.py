"""Opening, pragmas and forward migrations, on real SQLite files."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import pytest
from sqlite_utils import Database

from fortnox_link.store import LATEST_VERSION, SchemaTooNew, open_store, schema
from fortnox_link.store.schema import migrate

# The version-1 layout exactly as the first release created it. Frozen here on purpose: the migration test must
# start from what real users' files contain, not from whatever the code's first step happens to say today.
V1_SCHEMA = [
    "CREATE TABLE settings (key TEXT PRIMARY KEY NOT NULL, value TEXT NOT NULL, updated_at TEXT NOT NULL)",
    """CREATE TABLE sync_runs (
        id INTEGER PRIMARY KEY,
        connection TEXT NOT NULL CHECK (connection IN ('invoicing', 'matching', 'inventory')),
        trigger TEXT NOT NULL CHECK (trigger IN ('manual', 'schedule', 'cli')),
        started_at TEXT NOT NULL,
        finished_at TEXT,
        status TEXT NOT NULL DEFAULT 'running'
            CHECK (status IN ('running', 'ok', 'partial', 'failed', 'cancelled')),
        counts TEXT NOT NULL DEFAULT '{}',
        message TEXT)""",
    "CREATE INDEX sync_runs_connection_started ON sync_runs (connection, started_at)",
    "CREATE INDEX sync_runs_status ON sync_runs (status)",
    """CREATE TABLE links (
        kind TEXT NOT NULL CHECK (kind IN ('customer', 'article', 'invoice', 'voucher', 'supplier',
                                           'supplier_invoice', 'purchase_order')),
        source_id TEXT NOT NULL, fortnox_id TEXT NOT NULL, fingerprint TEXT NOT NULL,
        created_at TEXT NOT NULL, updated_at TEXT NOT NULL,
        PRIMARY KEY (kind, source_id))""",
    "CREATE INDEX links_kind_fortnox_id ON links (kind, fortnox_id)",
    "CREATE TABLE cursors (name TEXT PRIMARY KEY NOT NULL, value TEXT NOT NULL, updated_at TEXT NOT NULL)",
    """CREATE TABLE intents (
        id INTEGER PRIMARY KEY, run_id INTEGER REFERENCES sync_runs (id),
        kind TEXT NOT NULL, source_id TEXT NOT NULL, payload_fingerprint TEXT NOT NULL, created_at TEXT NOT NULL,
        state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'done', 'failed', 'unknown')),
        fortnox_id TEXT, resolved_at TEXT, error TEXT)""",
    "CREATE UNIQUE INDEX intents_one_open ON intents (kind, source_id) WHERE state IN ('pending', 'unknown')",
    "CREATE INDEX intents_kind_source ON intents (kind, source_id)",
    "CREATE INDEX intents_run ON intents (run_id)",
    """CREATE TABLE audit (
        id INTEGER PRIMARY KEY, at TEXT NOT NULL, run_id INTEGER REFERENCES sync_runs (id),
        method TEXT NOT NULL, path TEXT NOT NULL, kind TEXT, source_id TEXT, status INTEGER,
        fortnox_id TEXT, summary TEXT)""",
    "CREATE INDEX audit_at ON audit (at)",
    "CREATE INDEX audit_kind_source ON audit (kind, source_id)",
    "CREATE INDEX audit_run ON audit (run_id)",
]

V1_ROWS: dict[str, list[dict[str, object]]] = {
    "settings": [
        {"key": "invoicing.enabled", "value": "true", "updated_at": "2025-01-02T08:00:00.000000+00:00"},
        {"key": "invoicing.account", "value": '"3001"', "updated_at": "2025-01-02T08:00:00.000000+00:00"},
    ],
    "sync_runs": [
        {
            "id": 1,
            "connection": "invoicing",
            "trigger": "manual",
            "started_at": "2025-01-02T09:00:00.000000+00:00",
            "finished_at": "2025-01-02T09:01:00.000000+00:00",
            "status": "ok",
            "counts": '{"created": 2}',
            "message": "klart",
        },
        {
            "id": 2,
            "connection": "inventory",
            "trigger": "schedule",
            "started_at": "2025-01-03T09:00:00.000000+00:00",
            "finished_at": None,
            "status": "running",
            "counts": "{}",
            "message": None,
        },
    ],
    "links": [
        {
            "kind": "customer",
            "source_id": "C-1",
            "fortnox_id": "1001",
            "fingerprint": "sha256:aa",
            "created_at": "2025-01-02T09:00:10.000000+00:00",
            "updated_at": "2025-01-02T09:00:10.000000+00:00",
        },
        {
            "kind": "invoice",
            "source_id": "B-77",
            "fortnox_id": "4501",
            "fingerprint": "sha256:bb",
            "created_at": "2025-01-02T09:00:20.000000+00:00",
            "updated_at": "2025-01-02T09:00:20.000000+00:00",
        },
    ],
    "cursors": [{"name": "invoice_bases", "value": "2025-01-02T09:00:00Z|B-77", "updated_at": "2025-01-02T09:01Z"}],
    "intents": [
        {
            "id": 1,
            "run_id": 1,
            "kind": "invoice",
            "source_id": "B-77",
            "payload_fingerprint": "sha256:bb",
            "created_at": "2025-01-02T09:00:15.000000+00:00",
            "state": "done",
            "fortnox_id": "4501",
            "resolved_at": "2025-01-02T09:00:20.000000+00:00",
            "error": None,
        },
        {
            "id": 2,
            "run_id": 2,
            "kind": "voucher",
            "source_id": "E-9",
            "payload_fingerprint": "sha256:cc",
            "created_at": "2025-01-03T09:00:15.000000+00:00",
            "state": "pending",
            "fortnox_id": None,
            "resolved_at": None,
            "error": None,
        },
    ],
    "audit": [
        {
            "id": 1,
            "at": "2025-01-02T09:00:20.000000+00:00",
            "run_id": 1,
            "method": "POST",
            "path": "/3/invoices",
            "kind": "invoice",
            "source_id": "B-77",
            "status": 201,
            "fortnox_id": "4501",
            "summary": "Faktura 4501",
        }
    ],
}


def build_v1_database(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(path)
    with conn:
        for sql in V1_SCHEMA:
            conn.execute(sql)
        for table, rows in V1_ROWS.items():
            for row in rows:
                columns = ", ".join(row)
                marks = ", ".join("?" for _ in row)
                conn.execute(f"INSERT INTO {table} ({columns}) VALUES ({marks})", list(row.values()))  # noqa: S608
        conn.execute("PRAGMA user_version = 1")
    conn.close()


def test_a_new_database_is_at_the_latest_version_with_wal_and_foreign_keys(db_path: Path) -> None:
    store = open_store(db_path, busy_timeout=7.5)
    try:
        assert db_path.is_file()
        assert store.schema_version == LATEST_VERSION == 2
        conn = store.db.conn
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
        assert conn.execute("PRAGMA busy_timeout").fetchone()[0] == 7500
        assert set(store.db.table_names()) >= {
            "settings",
            "sync_runs",
            "links",
            "cursors",
            "intents",
            "audit",
            "exceptions",
            "match_results",
            "match_decisions",
        }
        assert any(i.name == "links_kind_fortnox_id" for i in store.db.table("links").indexes)
    finally:
        store.close()


def test_amounts_are_never_stored_as_real(db_path: Path) -> None:
    store = open_store(db_path)
    try:
        for table in store.db.table_names():
            for column in store.db[table].columns:
                assert column.type.upper() not in ("REAL", "FLOAT", "DOUBLE"), (table, column.name)
    finally:
        store.close()


def test_upgrading_a_version_1_database_keeps_every_row_and_adds_the_new_layout(db_path: Path) -> None:
    build_v1_database(db_path)

    store = open_store(db_path)
    try:
        assert store.schema_version == LATEST_VERSION
        db = store.db
        for table, rows in V1_ROWS.items():
            stored = list(db.query(f"SELECT * FROM {table}"))  # noqa: S608
            assert len(stored) == len(rows), table
            for original, now in zip(rows, stored, strict=True):
                assert {k: now[k] for k in original} == original, table
        # new columns and tables exist, with their defaults for old rows
        assert "owner" in db["sync_runs"].columns_dict
        assert "answer_summary" in db["intents"].columns_dict
        assert {"exceptions", "match_results", "match_decisions"} <= set(db.table_names())
        # and the typed API reads the old rows
        assert store.get_setting_bool("invoicing.enabled") is True
        assert store.get_link("invoice", "B-77") == "4501"
        assert [i.source_id for i in store.open_intents()] == ["E-9"]
        assert [r.id for r in store.interrupted_runs()] == [2]  # a v1 'running' run has no owner: interrupted
        assert store.get_run(1) is not None and store.get_run(1).counts == {"created": 2}  # type: ignore[union-attr]
        # the new tables work on the upgraded file
        item = store.report_exception("inventory", "missing_financial_year", "E-9", "Räkenskapsår saknas")
        assert item.status == "open"
    finally:
        store.close()


def test_a_failing_step_changes_nothing(db_path: Path) -> None:
    build_v1_database(db_path)

    def broken_step(conn: sqlite3.Connection) -> None:
        conn.execute("CREATE TABLE half_done (x TEXT)")
        conn.execute("ALTER TABLE links ADD COLUMN extra TEXT")
        raise RuntimeError("disk on fire")

    conn = sqlite3.connect(db_path, isolation_level=None)
    try:
        with pytest.raises(RuntimeError, match="disk on fire"):
            migrate(conn, [*schema.MIGRATIONS[:1], broken_step])
        assert conn.execute("PRAGMA user_version").fetchone()[0] == 1
        db = Database(conn)
        assert "half_done" not in db.table_names()
        assert "extra" not in db["links"].columns_dict
        assert db["links"].count == 2
    finally:
        conn.close()
    # and the real migration still goes through afterwards
    store = open_store(db_path)
    try:
        assert store.schema_version == LATEST_VERSION
    finally:
        store.close()


def test_a_database_from_a_newer_app_is_refused_untouched(db_path: Path) -> None:
    db_path.parent.mkdir(parents=True)
    conn = sqlite3.connect(db_path)
    conn.execute("CREATE TABLE future (x TEXT)")
    conn.execute(f"PRAGMA user_version = {LATEST_VERSION + 1}")
    conn.commit()
    conn.close()

    with pytest.raises(SchemaTooNew, match="newer"):
        open_store(db_path)

    conn = sqlite3.connect(db_path)
    try:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == LATEST_VERSION + 1
        assert [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")] == ["future"]
    finally:
        conn.close()


def test_two_threads_opening_a_new_file_at_once_migrate_it_once(db_path: Path) -> None:
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []
    versions: list[int] = []

    def opener() -> None:
        try:
            barrier.wait()
            s = open_store(db_path)
            versions.append(s.schema_version)
            s.close()
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=opener) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert versions == [LATEST_VERSION, LATEST_VERSION]
