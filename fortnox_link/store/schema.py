"""The database layout and its forward migrations.

The schema version is SQLite's ``PRAGMA user_version``. ``MIGRATIONS[n]`` takes a database from version ``n`` to
``n + 1``; each step runs in its own ``BEGIN IMMEDIATE`` transaction together with the new ``user_version``, so a
step either happens completely or not at all, and two processes opening an old database at once cannot both run
it. Steps only ever add (tables, columns, indexes) or copy; they never drop data. A database whose version is
newer than this code knows is refused (:class:`SchemaTooNew`), never "repaired".

Rules for a new step: append a function, never edit a released one; a test builds a database at the previous
version by hand, with rows, and checks every row survives the upgrade.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Sequence
from typing import Final

CONNECTIONS: Final = ("invoicing", "matching", "inventory")
TRIGGERS: Final = ("manual", "schedule", "cli")
RUN_STATUSES: Final = ("running", "ok", "partial", "failed", "cancelled")
LINK_KINDS: Final = ("customer", "article", "invoice", "voucher", "supplier", "supplier_invoice", "purchase_order")
INTENT_STATES: Final = ("pending", "done", "failed", "unknown")
EXCEPTION_STATUSES: Final = ("open", "resolved", "ignored")
DECISION_ACTIONS: Final = ("accept", "link", "unlink", "ignore")


class SchemaError(RuntimeError):
    """The database cannot be used by this version of the app."""


class SchemaTooNew(SchemaError):
    """The database was written by a newer version of Fortnox Link."""


def _in(values: Sequence[str]) -> str:
    return "(" + ", ".join(f"'{v}'" for v in values) + ")"


def _v0_to_v1(conn: sqlite3.Connection) -> None:
    """The core: settings, sync runs, links, cursors, write-ahead intents, the audit of writes to Fortnox."""
    statements = [
        """CREATE TABLE settings (
            key TEXT PRIMARY KEY NOT NULL,
            value TEXT NOT NULL,
            updated_at TEXT NOT NULL
        )""",
        f"""CREATE TABLE sync_runs (
            id INTEGER PRIMARY KEY,
            connection TEXT NOT NULL CHECK (connection IN {_in(CONNECTIONS)}),
            trigger TEXT NOT NULL CHECK (trigger IN {_in(TRIGGERS)}),
            started_at TEXT NOT NULL,
            finished_at TEXT,
            status TEXT NOT NULL DEFAULT 'running' CHECK (status IN {_in(RUN_STATUSES)}),
            counts TEXT NOT NULL DEFAULT '{{}}',
            message TEXT
        )""",
        "CREATE INDEX sync_runs_connection_started ON sync_runs (connection, started_at)",
        "CREATE INDEX sync_runs_status ON sync_runs (status)",
        f"""CREATE TABLE links (
            kind TEXT NOT NULL CHECK (kind IN {_in(LINK_KINDS)}),
            source_id TEXT NOT NULL,
            fortnox_id TEXT NOT NULL,
            fingerprint TEXT NOT NULL,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            PRIMARY KEY (kind, source_id)
        )""",
        "CREATE INDEX links_kind_fortnox_id ON links (kind, fortnox_id)",
        """CREATE TABLE cursors (
            name TEXT PRIMARY KEY NOT NULL,
            value TEXT NOT NULL,
            updated_at TEXT NOT NULL
        )""",
        f"""CREATE TABLE intents (
            id INTEGER PRIMARY KEY,
            run_id INTEGER REFERENCES sync_runs (id),
            kind TEXT NOT NULL,
            source_id TEXT NOT NULL,
            payload_fingerprint TEXT NOT NULL,
            created_at TEXT NOT NULL,
            state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN {_in(INTENT_STATES)}),
            fortnox_id TEXT,
            resolved_at TEXT,
            error TEXT
        )""",
        # At most one open intent per object: two workers can never both post the same thing.
        "CREATE UNIQUE INDEX intents_one_open ON intents (kind, source_id) WHERE state IN ('pending', 'unknown')",
        "CREATE INDEX intents_kind_source ON intents (kind, source_id)",
        "CREATE INDEX intents_run ON intents (run_id)",
        """CREATE TABLE audit (
            id INTEGER PRIMARY KEY,
            at TEXT NOT NULL,
            run_id INTEGER REFERENCES sync_runs (id),
            method TEXT NOT NULL,
            path TEXT NOT NULL,
            kind TEXT,
            source_id TEXT,
            status INTEGER,
            fortnox_id TEXT,
            summary TEXT
        )""",
        "CREATE INDEX audit_at ON audit (at)",
        "CREATE INDEX audit_kind_source ON audit (kind, source_id)",
        "CREATE INDEX audit_run ON audit (run_id)",
    ]
    for sql in statements:
        conn.execute(sql)


def _v1_to_v2(conn: sqlite3.Connection) -> None:
    """Review and matching: exceptions, match results and decisions; who runs a sync; Fortnox's answer to an intent."""
    statements = [
        # Which process started a run, so one left 'running' by a crash can be told from one still going.
        "ALTER TABLE sync_runs ADD COLUMN owner TEXT",
        "ALTER TABLE intents ADD COLUMN answer_summary TEXT",
        f"""CREATE TABLE exceptions (
            id INTEGER PRIMARY KEY,
            connection TEXT NOT NULL CHECK (connection IN {_in(CONNECTIONS)}),
            kind TEXT NOT NULL,
            source_id TEXT NOT NULL,
            field TEXT NOT NULL DEFAULT '',
            message TEXT NOT NULL,
            details TEXT NOT NULL DEFAULT '{{}}',
            status TEXT NOT NULL DEFAULT 'open' CHECK (status IN {_in(EXCEPTION_STATUSES)}),
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            resolved_at TEXT,
            resolution TEXT
        )""",
        """CREATE UNIQUE INDEX exceptions_one_open
            ON exceptions (connection, kind, source_id, field) WHERE status = 'open'""",
        "CREATE INDEX exceptions_status_connection ON exceptions (status, connection)",
        "CREATE INDEX exceptions_connection_source ON exceptions (connection, source_id)",
        """CREATE TABLE match_results (
            id INTEGER PRIMARY KEY,
            purchase_order_id TEXT,
            supplier_invoice_id TEXT,
            outcome TEXT NOT NULL,
            reason TEXT,
            differences TEXT NOT NULL DEFAULT '{}',
            documents_fingerprint TEXT NOT NULL,
            computed_at TEXT NOT NULL,
            CHECK (purchase_order_id IS NOT NULL OR supplier_invoice_id IS NOT NULL)
        )""",
        """CREATE UNIQUE INDEX match_results_pair
            ON match_results (ifnull(purchase_order_id, ''), ifnull(supplier_invoice_id, ''))""",
        "CREATE INDEX match_results_purchase_order ON match_results (purchase_order_id)",
        "CREATE INDEX match_results_supplier_invoice ON match_results (supplier_invoice_id)",
        "CREATE INDEX match_results_outcome ON match_results (outcome)",
        f"""CREATE TABLE match_decisions (
            id INTEGER PRIMARY KEY,
            action TEXT NOT NULL CHECK (action IN {_in(DECISION_ACTIONS)}),
            purchase_order_id TEXT,
            supplier_invoice_id TEXT,
            reason TEXT,
            decided_at TEXT NOT NULL,
            documents_fingerprint TEXT NOT NULL,
            CHECK (purchase_order_id IS NOT NULL OR supplier_invoice_id IS NOT NULL)
        )""",
        "CREATE INDEX match_decisions_purchase_order ON match_decisions (purchase_order_id, supplier_invoice_id)",
        "CREATE INDEX match_decisions_supplier_invoice ON match_decisions (supplier_invoice_id)",
    ]
    for sql in statements:
        conn.execute(sql)


Migration = Callable[[sqlite3.Connection], None]

# MIGRATIONS[n] takes the database from version n to n + 1. Append only.
MIGRATIONS: Final[list[Migration]] = [_v0_to_v1, _v1_to_v2]
LATEST_VERSION: Final = len(MIGRATIONS)


def schema_version(conn: sqlite3.Connection) -> int:
    row = conn.execute("PRAGMA user_version").fetchone()
    return int(row[0])


def migrate(conn: sqlite3.Connection, migrations: Sequence[Migration] | None = None) -> int:
    """Bring the database up to the latest version, one step per transaction; returns the version reached.

    `conn` must be in autocommit mode (``isolation_level=None``) with no transaction open.
    """
    steps = list(MIGRATIONS if migrations is None else migrations)
    latest = len(steps)
    if conn.in_transaction:
        raise SchemaError("migrate() needs a connection with no open transaction")
    while True:
        conn.execute("BEGIN IMMEDIATE")
        try:
            # Read the version under the write lock: another process may have migrated meanwhile.
            version = schema_version(conn)
            if version > latest:
                raise SchemaTooNew(
                    f"the database has schema version {version}, newer than this app knows ({latest}); "
                    "update Fortnox Link"
                )
            if version == latest:
                conn.execute("COMMIT")
                return version
            steps[version](conn)
            conn.execute(f"PRAGMA user_version = {version + 1}")
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
