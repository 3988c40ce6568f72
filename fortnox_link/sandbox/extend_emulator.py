"""A local stand-in for the order system's REST endpoint (docs/extend-contract.md), on loopback.

    emulator = ExtendEmulator(api_key="demo-key", source=DemoSource()).start()
    source = ExtendApiSource(emulator.url, "demo-key")
    ...
    emulator.writebacks      # what was written back, in order
    emulator.fail_next(2)    # the next two requests get HTTP 503 (status=None: the connection is dropped)
    emulator.stop()

It serves the raw records of a `RawRecords` provider (the demo source) as they are, the deliberately bad ones too,
with the same paging, filtering, authentication and error answers the contract asks of the real system.
"""

from __future__ import annotations

import copy
import json
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Protocol
from urllib.parse import parse_qsl, unquote, urlsplit

from ..fortnox.jsoncodec import dumps
from ..sources.records import MatchStatus, RecordKind
from ..sources.validate import parse_timestamp

BASE_PATH = "/api/fortnox-link/v1"
PATHS: dict[str, RecordKind] = {
    "invoice-bases": RecordKind.INVOICE_BASIS,
    "purchase-orders": RecordKind.PURCHASE_ORDER,
    "inventory-events": RecordKind.INVENTORY_EVENT,
    "articles": RecordKind.ARTICLE,
    "suppliers": RecordKind.SUPPLIER,
}
ID_FIELD: dict[RecordKind, str] = {
    RecordKind.INVOICE_BASIS: "id",
    RecordKind.PURCHASE_ORDER: "order_number",
    RecordKind.INVENTORY_EVENT: "id",
    RecordKind.ARTICLE: "article_number",
    RecordKind.SUPPLIER: "supplier_number",
}
CHANGING = (RecordKind.INVOICE_BASIS, RecordKind.PURCHASE_ORDER, RecordKind.INVENTORY_EVENT)
MAX_PAGE_SIZE = 1000
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


class RawRecords(Protocol):
    """Anything that has records in the contract's JSON shape (the demo source has)."""

    def raw_records(self, kind: RecordKind) -> list[dict[str, Any]]: ...


@dataclass(frozen=True)
class WriteBack:
    kind: str  # "invoice_number" or "match_status"
    record_id: str
    body: dict[str, Any]
    at: datetime


@dataclass(frozen=True)
class SeenRequest:
    method: str
    path: str  # below the base path, e.g. "invoice-bases"
    query: tuple[tuple[str, str], ...]
    auth_ok: bool

    def param(self, name: str) -> str | None:
        return next((v for k, v in self.query if k == name), None)


@dataclass
class _Fault:
    remaining: int
    status: int | None  # None: drop the connection without an answer
    path_contains: str | None


@dataclass
class _State:
    records: dict[RecordKind, dict[str, dict[str, Any]]] = field(default_factory=dict)
    writebacks: list[WriteBack] = field(default_factory=list)
    requests: list[SeenRequest] = field(default_factory=list)
    faults: list[_Fault] = field(default_factory=list)


def _moment(raw: Mapping[str, Any]) -> datetime:
    try:
        return parse_timestamp(raw.get("modified_at"))
    except ValueError:
        return _EPOCH


class ExtendEmulator:
    def __init__(
        self,
        *,
        api_key: str = "demo-key",
        port: int = 0,
        host: str = "127.0.0.1",
        source: RawRecords | None = None,
        records: Mapping[RecordKind, Iterable[Mapping[str, Any]]] | None = None,
        company: str = "Demo company",
    ) -> None:
        if host not in ("127.0.0.1", "localhost"):
            raise ValueError("the emulator only listens on loopback")
        self.api_key = api_key
        self.company = company
        self._host, self._port = host, port
        self._lock = threading.Lock()
        self._state = _State()
        for kind in ID_FIELD:
            given: Iterable[Mapping[str, Any]] = ()
            if records is not None and kind in records:
                given = records[kind]
            elif source is not None:
                given = source.raw_records(kind)
            self._state.records[kind] = {str(r.get(ID_FIELD[kind]) or ""): copy.deepcopy(dict(r)) for r in given}
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- life -------------------------------------------------------------------------------------------------------

    def start(self) -> ExtendEmulator:
        emulator = self

        class Handler(_Handler):
            owner = emulator

        self._server = ThreadingHTTPServer((self._host, self._port), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, name="extend-emulator", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> ExtendEmulator:
        return self.start()

    def __exit__(self, *_: object) -> None:
        self.stop()

    @property
    def url(self) -> str:
        if self._server is None:
            raise RuntimeError("the emulator is not started")
        address = self._server.server_address
        host, port = str(address[0]), int(address[1])
        shown = f"[{host}]" if ":" in host else host
        return f"http://{shown}:{port}{BASE_PATH}"

    # -- for tests and demos ------------------------------------------------------------------------------------------

    @property
    def writebacks(self) -> list[WriteBack]:
        with self._lock:
            return list(self._state.writebacks)

    @property
    def requests(self) -> list[SeenRequest]:
        with self._lock:
            return list(self._state.requests)

    def fail_next(self, count: int, *, status: int | None = 503, path_contains: str | None = None) -> None:
        """The next `count` requests (whose path contains `path_contains`, if given) fail with `status`."""
        with self._lock:
            self._state.faults.append(_Fault(count, status, path_contains))

    def upsert(self, kind: RecordKind, raw: Mapping[str, Any]) -> None:
        """Add or change a record, as the order system would (set its modified_at to say when)."""
        with self._lock:
            self._state.records[kind][str(raw.get(ID_FIELD[kind]) or "")] = copy.deepcopy(dict(raw))

    def record(self, kind: RecordKind, record_id: str) -> dict[str, Any] | None:
        with self._lock:
            found = self._state.records[kind].get(record_id)
            return copy.deepcopy(found) if found is not None else None

    # -- serving ----------------------------------------------------------------------------------------------------

    def _take_fault(self, path: str) -> _Fault | None:
        with self._lock:
            for fault in self._state.faults:
                if fault.remaining > 0 and (fault.path_contains is None or fault.path_contains in path):
                    fault.remaining -= 1
                    return fault
            return None

    def _see(self, seen: SeenRequest) -> None:
        with self._lock:
            self._state.requests.append(seen)

    def _list(self, kind: RecordKind, query: list[tuple[str, str]]) -> tuple[int, Any]:
        params = dict(query)
        try:
            page_size = int(params.get("page_size", "100"))
            if not 1 <= page_size <= MAX_PAGE_SIZE:
                raise ValueError
        except ValueError:
            return 400, _error("bad_request", f"page_size must be a whole number from 1 to {MAX_PAGE_SIZE}")
        since: datetime | None = None
        if params.get("updated_since"):
            try:
                since = parse_timestamp(params["updated_since"])
            except ValueError:
                return 400, _error("bad_request", "updated_since must be an ISO 8601 timestamp")
        after_id = params.get("after_id")
        with self._lock:
            records = [copy.deepcopy(r) for r in self._state.records[kind].values()]
        key_field = ID_FIELD[kind]
        if kind is RecordKind.ARTICLE and any(k == "number" for k, _ in query):
            wanted = {v for k, v in query if k == "number"}
            items = [r for r in records if str(r.get(key_field) or "") in wanted]
            return 200, {"items": items, "has_more": False, "position": None}
        if kind in CHANGING:
            keyed = sorted(((_moment(r), str(r.get(key_field) or "")), r) for r in records)
            if since is not None and after_id is not None:
                keyed = [(k, r) for k, r in keyed if k > (since, after_id)]
            elif since is not None:
                keyed = [(k, r) for k, r in keyed if k[0] >= since]
        else:
            keyed = sorted(((_EPOCH, str(r.get(key_field) or "")), r) for r in records)
            if after_id is not None:
                keyed = [(k, r) for k, r in keyed if k[1] > after_id]
        page = keyed[:page_size]
        position = None
        if page:
            (moment, last_id), _ = page[-1]
            position = {"after_id": last_id}
            if kind in CHANGING:
                position["updated_since"] = moment.isoformat()
        return 200, {"items": [r for _, r in page], "has_more": len(keyed) > page_size, "position": position}

    def _write_back(self, kind: RecordKind, record_id: str, what: str, body: Any) -> tuple[int, Any]:
        if not isinstance(body, dict):
            return 400, _error("bad_request", "the body must be a JSON object")
        if what == "invoice-number" and kind is RecordKind.INVOICE_BASIS:
            number = body.get("invoice_number")
            if not isinstance(number, str | int) or not str(number).strip():
                return 400, _error("bad_request", "invoice_number is missing")
            entry = {"invoice_number": str(number)}
            name = "invoice_number"
        elif what == "match-status" and kind is RecordKind.PURCHASE_ORDER:
            try:
                status = MatchStatus(str(body.get("status")))
            except ValueError:
                allowed = ", ".join(s.value for s in MatchStatus)
                return 400, _error("bad_request", f"status must be one of: {allowed}")
            entry = {"status": status.value, "detail": str(body.get("detail") or "")}
            name = "match_status"
        else:
            return 404, _error("not_found", "no such write-back")
        with self._lock:
            if record_id not in self._state.records[kind]:
                return 404, _error("not_found", f"no {kind.label} {record_id}")
            self._state.writebacks.append(WriteBack(name, record_id, entry, datetime.now(UTC)))
        return 200, {"ok": True}

    def handle(self, method: str, target: str, headers: Mapping[str, str], body: bytes) -> tuple[int, Any]:
        split = urlsplit(target)
        path = split.path
        query = parse_qsl(split.query, keep_blank_values=True)
        inner = path[len(BASE_PATH) :].strip("/") if path.startswith(BASE_PATH) else None
        auth_ok = self._authorized(headers)
        self._see(SeenRequest(method, inner if inner is not None else path, tuple(query), auth_ok))
        if inner is None:
            return 404, _error("not_found", f"nothing at {path}; the API is under {BASE_PATH}")
        if not auth_ok:
            return 401, _error("unauthorized", "missing or wrong API key")
        parts = [unquote(p) for p in inner.split("/")] if inner else []
        if parts == ["ping"] and method == "GET":
            return 200, {"system": "Extend Backend (emulator)", "version": "1", "company": self.company}
        if len(parts) == 1 and parts[0] in PATHS:
            if method != "GET":
                return 405, _error("method_not_allowed", f"{method} is not allowed here")
            return self._list(PATHS[parts[0]], query)
        if len(parts) == 3 and parts[0] in PATHS:
            if method not in ("PUT", "POST"):
                return 405, _error("method_not_allowed", f"{method} is not allowed here")
            try:
                decoded = json.loads(body.decode("utf-8")) if body else None
            except (ValueError, UnicodeDecodeError):
                return 400, _error("bad_request", "the body is not JSON")
            return self._write_back(PATHS[parts[0]], parts[1], parts[2], decoded)
        return 404, _error("not_found", f"nothing at {path}")

    def _authorized(self, headers: Mapping[str, str]) -> bool:
        lowered = {k.lower(): v for k, v in headers.items()}
        bearer = lowered.get("authorization", "")
        if bearer[:7].lower() == "bearer " and bearer[7:].strip() == self.api_key:
            return True
        return lowered.get("x-api-key", "").strip() == self.api_key


def _error(code: str, message: str) -> dict[str, Any]:
    return {"error": {"code": code, "message": message}}


class _Handler(BaseHTTPRequestHandler):
    owner: ExtendEmulator
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        pass  # quiet; the emulator keeps its own record of requests

    def _serve(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        fault = self.owner._take_fault(self.path)
        if fault is not None:
            if fault.status is None:
                self.close_connection = True
                return  # no answer at all: the client sees the connection drop
            self._send(fault.status, _error("unavailable", "injected fault"))
            return
        status, answer = self.owner.handle(self.command, self.path, dict(self.headers.items()), body)
        self._send(status, answer)

    def _send(self, status: int, answer: Any) -> None:
        data = dumps(answer).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        if status == 401:
            self.send_header("WWW-Authenticate", 'Bearer realm="fortnox-link"')
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_PUT = do_POST = do_DELETE = _serve
