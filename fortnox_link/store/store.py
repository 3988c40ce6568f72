"""`Store`: the local state of one company profile in one SQLite file (sqlite-utils).

Thread rule: a `Store` object may be shared between threads (the GUI thread and the sync worker), but a SQLite
connection never is. Each thread that touches the store gets its own connection, opened on first use and kept in
a thread-local; `close_thread()` closes the calling thread's connection (call it when a worker thread ends),
`close()` closes them all. Writes take SQLite's write lock with ``BEGIN IMMEDIATE`` and wait up to
``busy_timeout`` seconds for it; WAL lets readers go on while a writer works.
"""

from __future__ import annotations

import logging
import re
import sqlite3
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, Final

from sqlite_utils import Database

from ..logs import redact
from ..secrets import registry as secret_registry
from . import schema
from .models import (
    AuditEntry,
    Cursor,
    ExceptionItem,
    Intent,
    Link,
    MatchDecision,
    MatchResult,
    SyncRun,
    dumps,
    loads,
)

log = logging.getLogger(__name__)

DEFAULT_BUSY_TIMEOUT: Final = 10.0

# One token per process: runs this process started are not "interrupted" while it lives.
PROCESS_TOKEN: Final = uuid.uuid4().hex

_SECRET_LOOKING_KEY: Final = re.compile(r"token|secret|password|passwd|api[_-]?key|apikey", re.IGNORECASE)

_MISSING: Final = object()

Clock = Callable[[], datetime]


class StoreError(RuntimeError):
    """Base of the store's own errors."""


class StoreClosed(StoreError):
    pass


class SecretInSettings(StoreError, ValueError):
    """A secret-looking key or value was offered to the settings table; secrets belong in the keyring."""


class IntentConflict(StoreError):
    """An open (pending or unknown) intent exists already for this object."""

    def __init__(self, kind: str, source_id: str, existing_id: int | None) -> None:
        self.kind = kind
        self.source_id = source_id
        self.existing_id = existing_id
        super().__init__(f"an open intent exists already for {kind} {source_id} (intent {existing_id})")


class StateError(StoreError):
    """A row is not in a state that allows the requested change (a finished run, a closed intent, ...)."""


def _utc_now() -> datetime:
    return datetime.now(UTC)


def _ts(moment: datetime) -> str:
    if moment.tzinfo is None:
        raise ValueError("timestamps must be timezone-aware")
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def _dt(text: str) -> datetime:
    return datetime.fromisoformat(text)


def _opt_dt(text: str | None) -> datetime | None:
    return None if text is None else _dt(text)


def _check(value: str, allowed: Sequence[str], what: str) -> str:
    if value not in allowed:
        raise ValueError(f"unknown {what} {value!r}; expected one of {', '.join(allowed)}")
    return value


def _nonempty(value: str, what: str) -> str:
    if not isinstance(value, str) or not value:
        raise ValueError(f"{what} must be a non-empty string")
    return value


def _run(row: Mapping[str, Any]) -> SyncRun:
    counts = loads(row["counts"]) or {}
    return SyncRun(
        id=row["id"],
        connection=row["connection"],
        trigger=row["trigger"],
        started_at=_dt(row["started_at"]),
        finished_at=_opt_dt(row["finished_at"]),
        status=row["status"],
        counts={str(k): int(v) for k, v in counts.items()},
        message=row["message"],
    )


def _link(row: Mapping[str, Any]) -> Link:
    return Link(
        kind=row["kind"],
        source_id=row["source_id"],
        fortnox_id=row["fortnox_id"],
        fingerprint=row["fingerprint"],
        created_at=_dt(row["created_at"]),
        updated_at=_dt(row["updated_at"]),
    )


def _intent(row: Mapping[str, Any]) -> Intent:
    return Intent(
        id=row["id"],
        run_id=row["run_id"],
        kind=row["kind"],
        source_id=row["source_id"],
        payload_fingerprint=row["payload_fingerprint"],
        created_at=_dt(row["created_at"]),
        state=row["state"],
        fortnox_id=row["fortnox_id"],
        resolved_at=_opt_dt(row["resolved_at"]),
        error=row["error"],
        answer_summary=row["answer_summary"],
    )


def _audit(row: Mapping[str, Any]) -> AuditEntry:
    return AuditEntry(
        id=row["id"],
        at=_dt(row["at"]),
        run_id=row["run_id"],
        method=row["method"],
        path=row["path"],
        kind=row["kind"],
        source_id=row["source_id"],
        status=row["status"],
        fortnox_id=row["fortnox_id"],
        summary=row["summary"],
    )


def _exception(row: Mapping[str, Any]) -> ExceptionItem:
    return ExceptionItem(
        id=row["id"],
        connection=row["connection"],
        kind=row["kind"],
        source_id=row["source_id"],
        field=row["field"] or None,
        message=row["message"],
        details=loads(row["details"]) or {},
        status=row["status"],
        created_at=_dt(row["created_at"]),
        updated_at=_dt(row["updated_at"]),
        resolved_at=_opt_dt(row["resolved_at"]),
        resolution=row["resolution"],
    )


def _match_result(row: Mapping[str, Any]) -> MatchResult:
    return MatchResult(
        id=row["id"],
        purchase_order_id=row["purchase_order_id"],
        supplier_invoice_id=row["supplier_invoice_id"],
        outcome=row["outcome"],
        reason=row["reason"],
        differences=loads(row["differences"]) or {},
        documents_fingerprint=row["documents_fingerprint"],
        computed_at=_dt(row["computed_at"]),
    )


def _decision(row: Mapping[str, Any]) -> MatchDecision:
    return MatchDecision(
        id=row["id"],
        action=row["action"],
        purchase_order_id=row["purchase_order_id"],
        supplier_invoice_id=row["supplier_invoice_id"],
        reason=row["reason"],
        decided_at=_dt(row["decided_at"]),
        documents_fingerprint=row["documents_fingerprint"],
    )


def _secret_looking_keys(value: Any, prefix: str = "") -> list[str]:
    found: list[str] = []
    if isinstance(value, Mapping):
        for key, item in value.items():
            name = f"{prefix}.{key}" if prefix else str(key)
            if _SECRET_LOOKING_KEY.search(str(key)):
                found.append(name)
            found.extend(_secret_looking_keys(item, name))
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value):
            found.extend(_secret_looking_keys(item, f"{prefix}[{index}]"))
    return found


def _contains_registered_secret(value: Any) -> bool:
    if isinstance(value, str):
        return secret_registry.contains(value)
    if isinstance(value, Mapping):
        return any(_contains_registered_secret(v) for v in value.values())
    if isinstance(value, list | tuple):
        return any(_contains_registered_secret(v) for v in value)
    return False


class Store:
    """Typed access to one profile's database. Use `open_store()` to get one (it migrates)."""

    def __init__(self, path: Path, *, busy_timeout: float = DEFAULT_BUSY_TIMEOUT, clock: Clock | None = None) -> None:
        self.path = Path(path)
        self.busy_timeout = busy_timeout
        self._clock: Clock = clock if clock is not None else _utc_now
        self._local = threading.local()
        self._lock = threading.Lock()
        self._connections: list[Database] = []
        self._closed = False

    def __repr__(self) -> str:
        return f"Store({str(self.path)!r})"

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- connections ---------------------------------------------------------------------------------------

    def _open_connection(self) -> Database:
        conn = sqlite3.connect(
            str(self.path),
            timeout=self.busy_timeout,
            isolation_level=None,  # autocommit; transactions are explicit (BEGIN IMMEDIATE)
            check_same_thread=False,  # only so close() can close it; it is used by its own thread alone
        )
        try:
            conn.execute(f"PRAGMA busy_timeout = {int(self.busy_timeout * 1000)}")
            conn.execute("PRAGMA foreign_keys = ON")
            mode = self._switch_to_wal(conn)
            if str(mode).lower() != "wal":
                log.warning("SQLite could not use WAL for %s (journal mode %s)", self.path, mode)
            conn.execute("PRAGMA synchronous = FULL")  # an intent must survive a power cut, not just a crash
        except BaseException:
            conn.close()
            raise
        return Database(conn, execute_plugins=False)

    def _switch_to_wal(self, conn: sqlite3.Connection) -> str:
        """Turn WAL on. SQLite answers "database is locked" without waiting when two connections switch a new
        file's journal mode at the same moment, so retry for up to `busy_timeout`."""
        deadline = time.monotonic() + self.busy_timeout
        delay = 0.005
        while True:
            try:
                return str(conn.execute("PRAGMA journal_mode = WAL").fetchone()[0])
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) or time.monotonic() >= deadline:
                    raise
                time.sleep(delay)  # backoff between retries of a lock, not synchronization of tests
                delay = min(delay * 2, 0.1)

    @property
    def db(self) -> Database:
        """The calling thread's sqlite-utils `Database` (opened on first use in this thread)."""
        db: Database | None = getattr(self._local, "db", None)
        if db is not None:
            return db
        with self._lock:
            if self._closed:
                raise StoreClosed(f"the store {self.path} is closed")
            db = self._open_connection()
            self._connections.append(db)
        self._local.db = db
        return db

    @property
    def _conn(self) -> sqlite3.Connection:
        conn: sqlite3.Connection = self.db.conn
        return conn

    def close_thread(self) -> None:
        """Close the calling thread's connection (a worker thread calls this before it ends)."""
        db: Database | None = getattr(self._local, "db", None)
        if db is None:
            return
        self._local.db = None
        with self._lock:
            if db in self._connections:
                self._connections.remove(db)
        db.close()

    def close(self) -> None:
        """Close every connection of every thread. Call it when no thread uses the store any more."""
        with self._lock:
            self._closed = True
            connections, self._connections = self._connections, []
        self._local = threading.local()
        for db in connections:
            db.close()

    @property
    def schema_version(self) -> int:
        return schema.schema_version(self._conn)

    def migrate(self) -> int:
        return schema.migrate(self._conn)

    @contextmanager
    def transaction(self) -> Iterator[Store]:
        """All writes inside happen together or not at all (nested calls become savepoints).

        Use it to store records and advance their cursor in one go. Do not post to Fortnox inside it.
        """
        conn = self._conn
        if conn.in_transaction:
            name = f"sp_{uuid.uuid4().hex}"
            conn.execute(f"SAVEPOINT {name}")
            try:
                yield self
            except BaseException:
                if conn.in_transaction:
                    conn.execute(f"ROLLBACK TO {name}")
                    conn.execute(f"RELEASE {name}")
                raise
            conn.execute(f"RELEASE {name}")
            return
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield self
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")

    def _now(self) -> str:
        return _ts(self._clock())

    def _rows(self, sql: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
        return list(self.db.query(sql, params))

    def _row(self, sql: str, params: Sequence[Any] = ()) -> dict[str, Any] | None:
        rows = self._rows(sql, params)
        return rows[0] if rows else None

    def _exec(self, sql: str, params: Sequence[Any] = ()) -> sqlite3.Cursor:
        cursor: sqlite3.Cursor = self._conn.execute(sql, params)
        return cursor

    # -- settings ------------------------------------------------------------------------------------------

    def set_setting(self, key: str, value: Any) -> None:
        """Store a non-secret setting as JSON (str, int, bool, Decimal, date, None, lists and dicts of those).

        Keys that look like secrets (token, secret, password, api_key), dicts containing such keys and values
        that are known secrets are refused with `SecretInSettings`: secrets live in the keyring.
        """
        _nonempty(key, "setting key")
        if _SECRET_LOOKING_KEY.search(key):
            raise SecretInSettings(
                f"the setting {key!r} looks like a secret; secrets are kept in the keyring (fortnox_link.secrets)"
            )
        nested = _secret_looking_keys(value)
        if nested:
            raise SecretInSettings(f"the setting {key!r} holds secret-looking keys ({', '.join(nested)})")
        if _contains_registered_secret(value):
            raise SecretInSettings(f"the setting {key!r} holds a secret value")
        text = dumps(value)
        self._exec(
            "INSERT INTO settings (key, value, updated_at) VALUES (?, ?, ?) "
            "ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
            (key, text, self._now()),
        )

    def get_setting(self, key: str, default: Any = None) -> Any:
        row = self._row("SELECT value FROM settings WHERE key = ?", (key,))
        return default if row is None else loads(row["value"])

    def has_setting(self, key: str) -> bool:
        return self._row("SELECT 1 AS one FROM settings WHERE key = ?", (key,)) is not None

    def delete_setting(self, key: str) -> bool:
        return self._exec("DELETE FROM settings WHERE key = ?", (key,)).rowcount > 0

    def settings(self) -> dict[str, Any]:
        return {row["key"]: loads(row["value"]) for row in self._rows("SELECT key, value FROM settings ORDER BY key")}

    def _typed(self, key: str, default: Any, kind: str, convert: Callable[[Any], Any]) -> Any:
        value = self.get_setting(key, _MISSING)
        if value is _MISSING or value is None:
            return default
        try:
            return convert(value)
        except (TypeError, ValueError, InvalidOperation):
            raise ValueError(f"the setting {key!r} is not a {kind}: {value!r}") from None

    def get_setting_str(self, key: str, default: str | None = None) -> str | None:
        def conv(v: Any) -> str:
            if not isinstance(v, str):
                raise TypeError
            return v

        result: str | None = self._typed(key, default, "text", conv)
        return result

    def get_setting_int(self, key: str, default: int | None = None) -> int | None:
        def conv(v: Any) -> int:
            if isinstance(v, bool) or not isinstance(v, int):
                raise TypeError
            return v

        result: int | None = self._typed(key, default, "whole number", conv)
        return result

    def get_setting_bool(self, key: str, default: bool | None = None) -> bool | None:
        def conv(v: Any) -> bool:
            if not isinstance(v, bool):
                raise TypeError
            return v

        result: bool | None = self._typed(key, default, "true/false value", conv)
        return result

    def get_setting_decimal(self, key: str, default: Decimal | None = None) -> Decimal | None:
        def conv(v: Any) -> Decimal:
            if isinstance(v, bool) or not isinstance(v, str | int):
                raise TypeError
            return Decimal(v)

        result: Decimal | None = self._typed(key, default, "decimal number", conv)
        return result

    def get_setting_date(self, key: str, default: date | None = None) -> date | None:
        def conv(v: Any) -> date:
            if not isinstance(v, str):
                raise TypeError
            return date.fromisoformat(v)

        result: date | None = self._typed(key, default, "date", conv)
        return result

    # -- sync runs -----------------------------------------------------------------------------------------

    def start_run(self, connection: str, trigger: str, message: str | None = None) -> int:
        _check(connection, schema.CONNECTIONS, "connection")
        _check(trigger, schema.TRIGGERS, "trigger")
        cursor = self._exec(
            "INSERT INTO sync_runs (connection, trigger, started_at, status, counts, message, owner) "
            "VALUES (?, ?, ?, 'running', '{}', ?, ?)",
            (connection, trigger, self._now(), message, PROCESS_TOKEN),
        )
        assert cursor.lastrowid is not None
        return cursor.lastrowid

    def update_run(self, run_id: int, *, counts: Mapping[str, int] | None = None, message: str | None = None) -> None:
        """Progress of a running run (counts so far, a status line)."""
        with self.transaction():
            run = self._require_run(run_id)
            if run.status != "running":
                raise StateError(f"run {run_id} is {run.status}, not running")
            self._exec(
                "UPDATE sync_runs SET counts = ?, message = ? WHERE id = ?",
                (
                    self._counts(counts) if counts is not None else dumps(run.counts),
                    message if message is not None else run.message,
                    run_id,
                ),
            )

    def finish_run(
        self,
        run_id: int,
        status: str,
        *,
        counts: Mapping[str, int] | None = None,
        message: str | None = None,
    ) -> SyncRun:
        _check(status, schema.RUN_STATUSES[1:], "final run status")
        with self.transaction():
            run = self._require_run(run_id)
            if run.status != "running":
                raise StateError(f"run {run_id} is already {run.status}")
            self._exec(
                "UPDATE sync_runs SET status = ?, finished_at = ?, counts = ?, message = ? WHERE id = ?",
                (
                    status,
                    self._now(),
                    self._counts(counts) if counts is not None else dumps(run.counts),
                    message if message is not None else run.message,
                    run_id,
                ),
            )
        return self._require_run(run_id)

    @staticmethod
    def _counts(counts: Mapping[str, int]) -> str:
        for key, value in counts.items():
            if not isinstance(key, str) or isinstance(value, bool) or not isinstance(value, int):
                raise TypeError(f"run counts are whole numbers by name, not {key!r}: {value!r}")
        return dumps(dict(counts))

    def get_run(self, run_id: int) -> SyncRun | None:
        row = self._row("SELECT * FROM sync_runs WHERE id = ?", (run_id,))
        return None if row is None else _run(row)

    def _require_run(self, run_id: int) -> SyncRun:
        run = self.get_run(run_id)
        if run is None:
            raise StateError(f"no sync run {run_id}")
        return run

    def recent_runs(self, connection: str | None = None, limit: int = 50) -> list[SyncRun]:
        if connection is None:
            rows = self._rows("SELECT * FROM sync_runs ORDER BY id DESC LIMIT ?", (limit,))
        else:
            rows = self._rows(
                "SELECT * FROM sync_runs WHERE connection = ? ORDER BY id DESC LIMIT ?", (connection, limit)
            )
        return [_run(r) for r in rows]

    def last_run(self, connection: str, *, status: str | None = None) -> SyncRun | None:
        if status is None:
            row = self._row("SELECT * FROM sync_runs WHERE connection = ? ORDER BY id DESC LIMIT 1", (connection,))
        else:
            row = self._row(
                "SELECT * FROM sync_runs WHERE connection = ? AND status = ? ORDER BY id DESC LIMIT 1",
                (connection, status),
            )
        return None if row is None else _run(row)

    def interrupted_runs(self) -> list[SyncRun]:
        """Runs still marked 'running' that no code in this process is running: left behind by a crash."""
        rows = self._rows(
            "SELECT * FROM sync_runs WHERE status = 'running' AND (owner IS NULL OR owner != ?) ORDER BY id",
            (PROCESS_TOKEN,),
        )
        return [_run(r) for r in rows]

    def close_interrupted_run(self, run_id: int, reason: str) -> SyncRun:
        """Mark a run left behind by a crash as failed, with the reason as its message."""
        _nonempty(reason, "reason")
        with self.transaction():
            row = self._row("SELECT status, owner FROM sync_runs WHERE id = ?", (run_id,))
            if row is None:
                raise StateError(f"no sync run {run_id}")
            if row["status"] != "running":
                raise StateError(f"run {run_id} is {row['status']}, not running")
            if row["owner"] == PROCESS_TOKEN:
                raise StateError(f"run {run_id} is being run by this process; finish it with finish_run()")
            self._exec(
                "UPDATE sync_runs SET status = 'failed', finished_at = ?, message = ? WHERE id = ?",
                (self._now(), reason, run_id),
            )
        return self._require_run(run_id)

    # -- links ---------------------------------------------------------------------------------------------

    def get_link(self, kind: str, source_id: str) -> str | None:
        """The Fortnox id linked to this source record, or None."""
        row = self._row("SELECT fortnox_id FROM links WHERE kind = ? AND source_id = ?", (kind, source_id))
        return None if row is None else str(row["fortnox_id"])

    def link(self, kind: str, source_id: str) -> Link | None:
        row = self._row("SELECT * FROM links WHERE kind = ? AND source_id = ?", (kind, source_id))
        return None if row is None else _link(row)

    def save_link(self, kind: str, source_id: str, fortnox_id: str, fingerprint: str) -> None:
        """Insert or update (keeps created_at) the link source record -> Fortnox object."""
        _check(kind, schema.LINK_KINDS, "link kind")
        _nonempty(source_id, "source_id")
        _nonempty(fortnox_id, "fortnox_id")
        now = self._now()
        self._exec(
            "INSERT INTO links (kind, source_id, fortnox_id, fingerprint, created_at, updated_at) "
            "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (kind, source_id) DO UPDATE SET "
            "fortnox_id = excluded.fortnox_id, fingerprint = excluded.fingerprint, updated_at = excluded.updated_at",
            (kind, source_id, fortnox_id, fingerprint, now, now),
        )

    def links_to(self, kind: str, fortnox_id: str) -> list[Link]:
        """Source records linked to this Fortnox object (normally one)."""
        rows = self._rows(
            "SELECT * FROM links WHERE kind = ? AND fortnox_id = ? ORDER BY source_id", (kind, fortnox_id)
        )
        return [_link(r) for r in rows]

    def links(self, kind: str) -> list[Link]:
        return [_link(r) for r in self._rows("SELECT * FROM links WHERE kind = ? ORDER BY source_id", (kind,))]

    def delete_link(self, kind: str, source_id: str) -> bool:
        return self._exec("DELETE FROM links WHERE kind = ? AND source_id = ?", (kind, source_id)).rowcount > 0

    # -- cursors -------------------------------------------------------------------------------------------

    def get_cursor(self, name: str) -> str | None:
        row = self._row("SELECT value FROM cursors WHERE name = ?", (name,))
        return None if row is None else str(row["value"])

    def cursor(self, name: str) -> Cursor | None:
        row = self._row("SELECT * FROM cursors WHERE name = ?", (name,))
        return None if row is None else Cursor(row["name"], row["value"], _dt(row["updated_at"]))

    def set_cursor(self, name: str, value: str) -> None:
        """Advance a stream's cursor. Only after the records up to it are stored: same transaction, or after it."""
        _nonempty(name, "cursor name")
        if not isinstance(value, str):
            raise TypeError("a cursor value is text")
        self._exec(
            "INSERT INTO cursors (name, value, updated_at) VALUES (?, ?, ?) "
            "ON CONFLICT (name) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
            (name, value, self._now()),
        )

    def delete_cursor(self, name: str) -> bool:
        """Forget a cursor: the stream is read from its beginning next time."""
        return self._exec("DELETE FROM cursors WHERE name = ?", (name,)).rowcount > 0

    # -- write-ahead intents -------------------------------------------------------------------------------

    def begin_intent(self, kind: str, source_id: str, fingerprint: str, run_id: int | None) -> int:
        """Record that we are about to create `kind` `source_id` in Fortnox. Committed before it returns.

        Raises `IntentConflict` when an open (pending or unknown) intent exists for the same object, and
        `StateError` inside `transaction()` (the intent would not be on disk before the POST).
        """
        _nonempty(kind, "intent kind")
        _nonempty(source_id, "source_id")
        _nonempty(fingerprint, "fingerprint")
        conn = self._conn
        if conn.in_transaction:
            raise StateError("begin_intent() must not run inside a transaction: it has to be committed at once")
        try:
            cursor = conn.execute(
                "INSERT INTO intents (run_id, kind, source_id, payload_fingerprint, created_at, state) "
                "VALUES (?, ?, ?, ?, ?, 'pending')",
                (run_id, kind, source_id, fingerprint, self._now()),
            )
        except sqlite3.IntegrityError as exc:
            if "UNIQUE" not in str(exc).upper():
                raise  # another constraint (an unknown run_id, ...)
            raise IntentConflict(kind, source_id, self.open_intent(kind, source_id)) from exc
        assert cursor.lastrowid is not None
        return cursor.lastrowid

    def _close_intent(self, intent_id: int, sql: str, params: tuple[Any, ...], allowed: tuple[str, ...]) -> None:
        with self.transaction():
            row = self._row("SELECT state FROM intents WHERE id = ?", (intent_id,))
            if row is None:
                raise StateError(f"no intent {intent_id}")
            if row["state"] not in allowed:
                raise StateError(f"intent {intent_id} is {row['state']}")
            self._exec(sql, (*params, intent_id))

    def complete_intent(self, intent_id: int, fortnox_id: str, summary: str) -> None:
        """The object exists in Fortnox as `fortnox_id`; `summary` is Fortnox's answer (number, message)."""
        _nonempty(fortnox_id, "fortnox_id")
        self._close_intent(
            intent_id,
            "UPDATE intents SET state = 'done', fortnox_id = ?, answer_summary = ?, resolved_at = ?, error = NULL "
            "WHERE id = ?",
            (fortnox_id, redact(summary), self._now()),
            ("pending", "unknown"),
        )

    def fail_intent(self, intent_id: int, error: str) -> None:
        """Fortnox refused, or the object was certainly not created: the intent is closed, a retry may post."""
        self._close_intent(
            intent_id,
            "UPDATE intents SET state = 'failed', error = ?, resolved_at = ? WHERE id = ?",
            (redact(error), self._now()),
            ("pending", "unknown"),
        )

    def mark_unknown(self, intent_id: int, error: str) -> None:
        """No answer came: the object may or may not exist. Stays open until looked up in Fortnox."""
        self._close_intent(
            intent_id,
            "UPDATE intents SET state = 'unknown', error = ? WHERE id = ?",
            (redact(error),),
            ("pending", "unknown"),
        )

    def get_intent(self, intent_id: int) -> Intent | None:
        row = self._row("SELECT * FROM intents WHERE id = ?", (intent_id,))
        return None if row is None else _intent(row)

    def open_intent(self, kind: str, source_id: str) -> int | None:
        """The id of the open (pending or unknown) intent for this object, if any."""
        row = self._row(
            "SELECT id FROM intents WHERE kind = ? AND source_id = ? AND state IN ('pending', 'unknown')",
            (kind, source_id),
        )
        return None if row is None else int(row["id"])

    def open_intents(self, kind: str | None = None) -> list[Intent]:
        """Pending and unknown intents: each must be looked up in Fortnox before anything is posted again."""
        if kind is None:
            rows = self._rows("SELECT * FROM intents WHERE state IN ('pending', 'unknown') ORDER BY id")
        else:
            rows = self._rows(
                "SELECT * FROM intents WHERE state IN ('pending', 'unknown') AND kind = ? ORDER BY id", (kind,)
            )
        return [_intent(r) for r in rows]

    def intents_for(self, kind: str, source_id: str) -> list[Intent]:
        rows = self._rows("SELECT * FROM intents WHERE kind = ? AND source_id = ? ORDER BY id", (kind, source_id))
        return [_intent(r) for r in rows]

    # -- audit ---------------------------------------------------------------------------------------------

    def record_audit(
        self,
        method: str,
        path: str,
        status: int | None,
        *,
        run_id: int | None = None,
        kind: str | None = None,
        source_id: str | None = None,
        fortnox_id: str | None = None,
        summary: str | None = None,
    ) -> int:
        """One write to Fortnox. `status` is the HTTP status (None: no answer). `summary` is Fortnox's answer
        (document number, error code, its Swedish message); it is redacted before it is stored."""
        _nonempty(method, "method")
        _nonempty(path, "path")
        cursor = self._exec(
            "INSERT INTO audit (at, run_id, method, path, kind, source_id, status, fortnox_id, summary) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                self._now(),
                run_id,
                method.upper(),
                redact(path),
                kind,
                source_id,
                status,
                fortnox_id,
                None if summary is None else redact(summary),
            ),
        )
        assert cursor.lastrowid is not None
        return cursor.lastrowid

    def audit_entries(
        self,
        *,
        run_id: int | None = None,
        kind: str | None = None,
        source_id: str | None = None,
        limit: int = 500,
    ) -> list[AuditEntry]:
        """Newest first."""
        clause, params = _where(
            {
                "run_id": run_id,
                "kind": kind,
                "source_id": source_id,
            }
        )
        rows = self._rows(f"SELECT * FROM audit {clause}ORDER BY id DESC LIMIT ?", (*params, limit))  # noqa: S608
        return [_audit(r) for r in rows]

    def prune_audit(self, older_than_days: int) -> int:
        """Delete audit entries older than that many days; returns how many. Intents and links are kept."""
        if older_than_days < 0:
            raise ValueError("older_than_days must be 0 or more")
        limit = _ts(self._clock() - timedelta(days=older_than_days))
        return self._exec("DELETE FROM audit WHERE at < ?", (limit,)).rowcount

    # -- exceptions waiting for review ---------------------------------------------------------------------

    def report_exception(
        self,
        connection: str,
        kind: str,
        source_id: str,
        message: str,
        *,
        field: str | None = None,
        details: Mapping[str, Any] | None = None,
    ) -> ExceptionItem:
        """Raise a record for review. The same open one (connection, kind, source_id, field) is updated, not
        duplicated; one the user ignored stays ignored (its text is refreshed)."""
        _check(connection, schema.CONNECTIONS, "connection")
        _nonempty(kind, "exception kind")
        _nonempty(source_id, "source_id")
        _nonempty(message, "message")
        details_text = dumps(dict(details or {}))
        key = (connection, kind, source_id, field or "")
        now = self._now()
        with self.transaction():
            row = self._row(
                "SELECT id FROM exceptions WHERE connection = ? AND kind = ? AND source_id = ? AND field = ? "
                "AND status IN ('open', 'ignored') ORDER BY status = 'open' DESC, id DESC LIMIT 1",
                key,
            )
            if row is not None:
                item_id = int(row["id"])
                self._exec(
                    "UPDATE exceptions SET message = ?, details = ?, updated_at = ? WHERE id = ?",
                    (message, details_text, now, item_id),
                )
            else:
                cursor = self._exec(
                    "INSERT INTO exceptions (connection, kind, source_id, field, message, details, status, "
                    "created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, 'open', ?, ?)",
                    (*key, message, details_text, now, now),
                )
                assert cursor.lastrowid is not None
                item_id = cursor.lastrowid
        item = self.get_exception(item_id)
        assert item is not None
        return item

    def get_exception(self, exception_id: int) -> ExceptionItem | None:
        row = self._row("SELECT * FROM exceptions WHERE id = ?", (exception_id,))
        return None if row is None else _exception(row)

    def open_exceptions(self, connection: str | None = None, *, source_id: str | None = None) -> list[ExceptionItem]:
        where = ["status = 'open'"]
        params: list[Any] = []
        if connection is not None:
            where.append("connection = ?")
            params.append(connection)
        if source_id is not None:
            where.append("source_id = ?")
            params.append(source_id)
        rows = self._rows(f"SELECT * FROM exceptions WHERE {' AND '.join(where)} ORDER BY id", params)  # noqa: S608
        return [_exception(r) for r in rows]

    def exceptions(self, connection: str | None = None, status: str | None = None) -> list[ExceptionItem]:
        clause, params = _where(
            {
                "connection": connection,
                "status": None if status is None else _check(status, schema.EXCEPTION_STATUSES, "exception status"),
            }
        )
        return [_exception(r) for r in self._rows(f"SELECT * FROM exceptions {clause}ORDER BY id", params)]  # noqa: S608

    def open_exception_counts(self) -> dict[str, int]:
        """Open exceptions per connection (every connection present, 0 when none)."""
        counts = dict.fromkeys(schema.CONNECTIONS, 0)
        for row in self._rows(
            "SELECT connection, count(*) AS n FROM exceptions WHERE status = 'open' GROUP BY connection"
        ):
            counts[row["connection"]] = int(row["n"])
        return counts

    def _set_exception_status(self, exception_id: int, status: str, resolution: str, allowed: tuple[str, ...]) -> None:
        with self.transaction():
            row = self._row("SELECT status FROM exceptions WHERE id = ?", (exception_id,))
            if row is None:
                raise StateError(f"no exception {exception_id}")
            if row["status"] not in allowed:
                raise StateError(f"exception {exception_id} is {row['status']}")
            now = self._now()
            self._exec(
                "UPDATE exceptions SET status = ?, resolution = ?, resolved_at = ?, updated_at = ? WHERE id = ?",
                (status, resolution, now, now, exception_id),
            )

    def resolve_exception(self, exception_id: int, resolution: str) -> None:
        self._set_exception_status(exception_id, "resolved", resolution, ("open",))

    def ignore_exception(self, exception_id: int, reason: str) -> None:
        """The user does not want to see this again (until `reopen_exception`)."""
        self._set_exception_status(exception_id, "ignored", reason, ("open",))

    def reopen_exception(self, exception_id: int) -> None:
        with self.transaction():
            row = self._row("SELECT * FROM exceptions WHERE id = ?", (exception_id,))
            if row is None:
                raise StateError(f"no exception {exception_id}")
            if row["status"] == "open":
                return
            duplicate = self._row(
                "SELECT id FROM exceptions WHERE connection = ? AND kind = ? AND source_id = ? AND field = ? "
                "AND status = 'open'",
                (row["connection"], row["kind"], row["source_id"], row["field"]),
            )
            if duplicate is not None:
                raise StateError(f"exception {duplicate['id']} is open already for the same record and field")
            self._exec(
                "UPDATE exceptions SET status = 'open', resolution = NULL, resolved_at = NULL, updated_at = ? "
                "WHERE id = ?",
                (self._now(), exception_id),
            )

    def resolve_exceptions_for(self, connection: str, source_id: str, resolution: str = "went through later") -> int:
        """Close every open exception of a record that has now gone through; returns how many."""
        now = self._now()
        return self._exec(
            "UPDATE exceptions SET status = 'resolved', resolution = ?, resolved_at = ?, updated_at = ? "
            "WHERE connection = ? AND source_id = ? AND status = 'open'",
            (resolution, now, now, connection, source_id),
        ).rowcount

    # -- purchase matching ---------------------------------------------------------------------------------

    def record_match_result(
        self,
        purchase_order_id: str | None,
        supplier_invoice_id: str | None,
        outcome: str,
        *,
        documents_fingerprint: str,
        reason: str | None = None,
        differences: Mapping[str, Any] | None = None,
    ) -> MatchResult:
        """Insert or replace the result for this (purchase order, supplier invoice) pair; either may be None."""
        if purchase_order_id is None and supplier_invoice_id is None:
            raise ValueError("a match result needs a purchase order, a supplier invoice or both")
        _nonempty(outcome, "outcome")
        _nonempty(documents_fingerprint, "documents_fingerprint")
        diff_text = dumps(dict(differences or {}))
        now = self._now()
        with self.transaction():
            row = self._row(
                "SELECT id FROM match_results WHERE purchase_order_id IS ? AND supplier_invoice_id IS ?",
                (purchase_order_id, supplier_invoice_id),
            )
            if row is None:
                cursor = self._exec(
                    "INSERT INTO match_results (purchase_order_id, supplier_invoice_id, outcome, reason, "
                    "differences, documents_fingerprint, computed_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                    (purchase_order_id, supplier_invoice_id, outcome, reason, diff_text, documents_fingerprint, now),
                )
                assert cursor.lastrowid is not None
                result_id = cursor.lastrowid
            else:
                result_id = int(row["id"])
                self._exec(
                    "UPDATE match_results SET outcome = ?, reason = ?, differences = ?, documents_fingerprint = ?, "
                    "computed_at = ? WHERE id = ?",
                    (outcome, reason, diff_text, documents_fingerprint, now, result_id),
                )
        result = self._row("SELECT * FROM match_results WHERE id = ?", (result_id,))
        assert result is not None
        return _match_result(result)

    def match_result(self, purchase_order_id: str | None, supplier_invoice_id: str | None) -> MatchResult | None:
        row = self._row(
            "SELECT * FROM match_results WHERE purchase_order_id IS ? AND supplier_invoice_id IS ?",
            (purchase_order_id, supplier_invoice_id),
        )
        return None if row is None else _match_result(row)

    def match_results(
        self,
        *,
        purchase_order_id: str | None = None,
        supplier_invoice_id: str | None = None,
        outcome: str | None = None,
    ) -> list[MatchResult]:
        clause, params = _where(
            {
                "purchase_order_id": purchase_order_id,
                "supplier_invoice_id": supplier_invoice_id,
                "outcome": outcome,
            }
        )
        return [_match_result(r) for r in self._rows(f"SELECT * FROM match_results {clause}ORDER BY id", params)]  # noqa: S608

    def clear_match_results(
        self, *, purchase_order_id: str | None = None, supplier_invoice_id: str | None = None
    ) -> int:
        """Delete the results that involve this purchase order or this supplier invoice (before recomputing)."""
        if purchase_order_id is None and supplier_invoice_id is None:
            raise ValueError("name a purchase order or a supplier invoice")
        return self._exec(
            "DELETE FROM match_results WHERE (? IS NOT NULL AND purchase_order_id = ?) "
            "OR (? IS NOT NULL AND supplier_invoice_id = ?)",
            (purchase_order_id, purchase_order_id, supplier_invoice_id, supplier_invoice_id),
        ).rowcount

    def record_decision(
        self,
        action: str,
        purchase_order_id: str | None,
        supplier_invoice_id: str | None,
        *,
        documents_fingerprint: str,
        reason: str | None = None,
    ) -> MatchDecision:
        """A user's decision. Decisions are never edited; the latest for a pair is the one in force."""
        _check(action, schema.DECISION_ACTIONS, "decision")
        if purchase_order_id is None and supplier_invoice_id is None:
            raise ValueError("a decision needs a purchase order, a supplier invoice or both")
        _nonempty(documents_fingerprint, "documents_fingerprint")
        cursor = self._exec(
            "INSERT INTO match_decisions (action, purchase_order_id, supplier_invoice_id, reason, decided_at, "
            "documents_fingerprint) VALUES (?, ?, ?, ?, ?, ?)",
            (action, purchase_order_id, supplier_invoice_id, reason, self._now(), documents_fingerprint),
        )
        row = self._row("SELECT * FROM match_decisions WHERE id = ?", (cursor.lastrowid,))
        assert row is not None
        return _decision(row)

    def decisions(
        self, *, purchase_order_id: str | None = None, supplier_invoice_id: str | None = None
    ) -> list[MatchDecision]:
        """Decision history, newest first, for a purchase order and/or a supplier invoice (or all)."""
        clause, params = _where(
            {
                "purchase_order_id": purchase_order_id,
                "supplier_invoice_id": supplier_invoice_id,
            }
        )
        rows = self._rows(f"SELECT * FROM match_decisions {clause}ORDER BY id DESC", params)  # noqa: S608
        return [_decision(r) for r in rows]

    def current_decision(
        self, purchase_order_id: str | None, supplier_invoice_id: str | None, documents_fingerprint: str
    ) -> MatchDecision | None:
        """The decision in force for exactly this pair: the latest one, except that an 'accept' made for
        other documents (the fingerprint changed since) no longer counts."""
        row = self._row(
            "SELECT * FROM match_decisions WHERE purchase_order_id IS ? AND supplier_invoice_id IS ? "
            "ORDER BY id DESC LIMIT 1",
            (purchase_order_id, supplier_invoice_id),
        )
        if row is None:
            return None
        decision = _decision(row)
        if decision.action == "accept" and decision.documents_fingerprint != documents_fingerprint:
            return None
        return decision

    def is_accepted(self, purchase_order_id: str | None, supplier_invoice_id: str | None, fingerprint: str) -> bool:
        decision = self.current_decision(purchase_order_id, supplier_invoice_id, fingerprint)
        return decision is not None and decision.action == "accept"


def _where(filters: Mapping[str, Any]) -> tuple[str, list[Any]]:
    """`WHERE a = ? AND b = ? ` and its parameters, for the filters that are not None (empty when none is)."""
    given = {column: value for column, value in filters.items() if value is not None}
    clause = f"WHERE {' AND '.join(f'{column} = ?' for column in given)} " if given else ""
    return clause, list(given.values())


def open_store(path: Path, *, busy_timeout: float = DEFAULT_BUSY_TIMEOUT, clock: Clock | None = None) -> Store:
    """Open (creating it and its folder if needed) and migrate the database at `path`."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    store = Store(path, busy_timeout=busy_timeout, clock=clock)
    try:
        store.migrate()
    except BaseException:
        store.close()
        raise
    return store
