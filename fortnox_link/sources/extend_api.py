"""The `extend-api` source: the order system's REST endpoint for Fortnox Link (contract in docs/extend-contract.md).

    GET  {base}/ping
    GET  {base}/invoice-bases      ?updated_since=&after_id=&page_size=   -> {"items": [...], "has_more", "position"}
    GET  {base}/purchase-orders    (same)
    GET  {base}/inventory-events   (same)
    GET  {base}/suppliers          ?after_id=&page_size=
    GET  {base}/articles           ?number=A&number=B ...
    PUT  {base}/invoice-bases/{id}/invoice-number      {"invoice_number": "1042"}
    PUT  {base}/purchase-orders/{id}/match-status      {"status": "matched", "detail": "..."}

Paging is by position, not page number: a page ends at a (modified_at, id) position and the next page asks for what
comes after it. Page numbers would skip a record whenever one earlier in the order changed during the walk. The
cursor stored after a batch is the last position, so the next run asks only for what changed since.

Reads and the PUTs (both idempotent) are retried with exponential backoff on connection errors, timeouts, 429 and
5xx. The API key travels in a header only (`Authorization: Bearer <key>` by default, or `X-Api-Key`) and is never
logged or shown.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any
from urllib.parse import quote

import requests

from .base import (
    Batch,
    Cursor,
    SourceAuthError,
    SourceError,
    SourceNotFoundError,
    SourceUnavailableError,
    StartingPoint,
    StartingPoints,
    Watermark,
    apply_starting_point,
    foreign_cursor_note,
    gather,
)
from .records import (
    Article,
    InventoryEvent,
    InvoiceBasis,
    InvoiceNumberWriteBack,
    MatchStatus,
    MatchStatusWriteBack,
    PurchaseOrder,
    RecordKind,
    RecordProblem,
    Supplier,
)
from .validate import READERS, Checked, Place, parse_timestamp

log = logging.getLogger(__name__)

PATHS: dict[RecordKind, str] = {
    RecordKind.INVOICE_BASIS: "invoice-bases",
    RecordKind.PURCHASE_ORDER: "purchase-orders",
    RecordKind.INVENTORY_EVENT: "inventory-events",
    RecordKind.ARTICLE: "articles",
    RecordKind.SUPPLIER: "suppliers",
}
AUTH_STYLES = ("bearer", "x-api-key")
ARTICLE_CHUNK = 50
MAX_PAGES = 100_000
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})


@dataclass(frozen=True)
class Retry:
    attempts: int = 5  # tries in all, the first included
    backoff: float = 0.5  # seconds before the 2nd try; doubles each time
    backoff_max: float = 30.0

    def delay(self, attempt: int, retry_after: str | None = None) -> float:
        if retry_after is not None:
            try:
                return min(float(retry_after), self.backoff_max)
            except ValueError:
                pass
        return float(min(self.backoff * (2 ** (attempt - 1)), self.backoff_max))


class ExtendApiSource:
    """An OrderSource over the order system's REST endpoint."""

    name = "extend-api"

    def __init__(
        self,
        base_url: str,
        api_key: str,
        *,
        auth_style: str = "bearer",
        page_size: int = 200,
        starting_points: StartingPoints | None = None,
        retry: Retry | None = None,
        timeout: tuple[float, float] = (5.0, 30.0),
        session: requests.Session | None = None,
        sleep: Callable[[float], None] = time.sleep,
        now: Callable[[], datetime] | None = None,
    ) -> None:
        if not base_url.lower().startswith(("http://", "https://")):
            raise SourceError(f'the order system address "{base_url}" must start with https:// (or http://)')
        if auth_style not in AUTH_STYLES:
            raise SourceError(f'unknown way to send the API key "{auth_style}" (use {" or ".join(AUTH_STYLES)})')
        if not api_key.strip():
            raise SourceError("the API key for the order system is empty")
        self.base_url = base_url.rstrip("/")
        self._api_key = api_key.strip()
        self.auth_style = auth_style
        self.page_size = page_size
        self.starting_points = starting_points or StartingPoints()
        self.retry = retry or Retry()
        self.timeout = timeout
        self._session = session or requests.Session()
        self._own_session = session is None
        self._sleep = sleep
        self._now = now or (lambda: datetime.now(UTC))
        self.written_invoice_numbers: list[InvoiceNumberWriteBack] = []
        self.written_match_statuses: list[MatchStatusWriteBack] = []

    @property
    def origin(self) -> str:
        """What the cursors of this source belong to: another address is another order system."""
        return f"{self.name} {self.base_url}"

    def __repr__(self) -> str:
        return f"ExtendApiSource({self.base_url!r}, api_key=<hidden>, auth_style={self.auth_style!r})"

    # -- OrderSource ----------------------------------------------------------------------------------------------

    def test_connection(self) -> str:
        answer = self._request("GET", "ping")
        if not isinstance(answer, Mapping):
            raise SourceError(f"{self.base_url}/ping did not answer as the Fortnox Link contract says")
        system = str(answer.get("system") or "the order system")
        version = f" {answer['version']}" if answer.get("version") else ""
        company = f" for {answer['company']}" if answer.get("company") else ""
        return f"Connected to {system}{version}{company} at {self.base_url}"

    def invoice_bases(self, since: Cursor | None = None) -> Batch[InvoiceBasis]:
        return self._changes(RecordKind.INVOICE_BASIS, since, self.starting_points.invoicing)

    def purchase_orders(self, since: Cursor | None = None) -> Batch[PurchaseOrder]:
        return self._changes(RecordKind.PURCHASE_ORDER, since, self.starting_points.purchase_matching)

    def inventory_events(self, since: Cursor | None = None) -> Batch[InventoryEvent]:
        return self._changes(RecordKind.INVENTORY_EVENT, since, self.starting_points.inventory)

    def suppliers(self) -> Batch[Supplier]:
        results = [READERS[RecordKind.SUPPLIER](raw, Place()) for raw in self._walk(RecordKind.SUPPLIER, None)[0]]
        records, problems = gather(results)
        return Batch(records=records, problems=problems)

    def articles(self, numbers: Iterable[str]) -> Batch[Article]:
        wanted = list(dict.fromkeys(n.strip() for n in numbers if n.strip()))
        results: list[Checked[Any]] = []
        for i in range(0, len(wanted), ARTICLE_CHUNK):
            chunk = wanted[i : i + ARTICLE_CHUNK]
            answer = self._request("GET", "articles", params=[("number", n) for n in chunk])
            results.extend(READERS[RecordKind.ARTICLE](raw, Place()) for raw in self._items(answer, "articles"))
        records, problems = gather(results)
        found = {a.article_number for a in records} | {p.record_id for p in problems}
        missing = tuple(
            RecordProblem(RecordKind.ARTICLE, n, "article_number", "is not known to the order system")
            for n in wanted
            if n not in found
        )
        return Batch(records=tuple(a for a in records if a.article_number in wanted), problems=problems + missing)

    def write_invoice_number(self, basis_id: str, fortnox_document_number: str) -> None:
        path = f"invoice-bases/{quote(basis_id, safe='')}/invoice-number"
        self._request("PUT", path, body={"invoice_number": fortnox_document_number})
        self.written_invoice_numbers.append(InvoiceNumberWriteBack(basis_id, fortnox_document_number, self._now()))

    def write_match_status(self, purchase_order_id: str, status: MatchStatus, detail: str = "") -> None:
        status = MatchStatus(status)
        path = f"purchase-orders/{quote(purchase_order_id, safe='')}/match-status"
        self._request("PUT", path, body={"status": status.value, "detail": detail})
        self.written_match_statuses.append(MatchStatusWriteBack(purchase_order_id, status, detail, self._now()))

    def close(self) -> None:
        if self._own_session:
            self._session.close()

    def __enter__(self) -> ExtendApiSource:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    # -- reading ----------------------------------------------------------------------------------------------------

    def _changes(self, kind: RecordKind, since: Cursor | None, start: StartingPoint | None) -> Batch[Any]:
        mark = Watermark.decode(since, self.origin)
        raws, last = self._walk(kind, mark)
        results = [READERS[kind](raw, Place()) for raw in raws]
        records, problems = gather(results)
        cursor = last.encode(self.origin) if last is not None else (since if mark is not None else None)
        notes = foreign_cursor_note(since, self.origin)
        batch = Batch(records=records, problems=problems, cursor=cursor, notes=notes)
        return apply_starting_point(batch, start)

    def _walk(self, kind: RecordKind, mark: Watermark | None) -> tuple[list[Mapping[str, Any]], Watermark | None]:
        """Every item after `mark`, page by page; and the position after the last one."""
        items: list[Mapping[str, Any]] = []
        position = mark
        for _ in range(MAX_PAGES):
            params: list[tuple[str, str]] = [("page_size", str(self.page_size))]
            if position is not None:
                if kind not in (RecordKind.SUPPLIER, RecordKind.ARTICLE):
                    params.append(("updated_since", position.modified_at.isoformat()))
                params.append(("after_id", position.last_id))
            answer = self._request("GET", PATHS[kind], params=params)
            page = self._items(answer, PATHS[kind])
            items.extend(page)
            new_position = _position(answer, PATHS[kind]) if page else position
            more = bool(answer.get("has_more")) if isinstance(answer, Mapping) else False
            if not more:
                return items, new_position
            if new_position is None or new_position == position:
                raise SourceError(f"the order system's {PATHS[kind]} paging does not move on (same position twice)")
            position = new_position
        raise SourceError(f"the order system's {PATHS[kind]} has more than {MAX_PAGES} pages")

    @staticmethod
    def _items(answer: Any, what: str) -> list[Mapping[str, Any]]:
        items = answer.get("items") if isinstance(answer, Mapping) else None
        if not isinstance(items, list):
            raise SourceError(f'the order system\'s answer for {what} has no "items" list')
        return [item if isinstance(item, Mapping) else {} for item in items]

    # -- HTTP -------------------------------------------------------------------------------------------------------

    def _headers(self) -> dict[str, str]:
        headers = {"Accept": "application/json", "User-Agent": "fortnox-link"}
        if self.auth_style == "bearer":
            headers["Authorization"] = f"Bearer {self._api_key}"
        else:
            headers["X-Api-Key"] = self._api_key
        return headers

    def _request(
        self,
        method: str,
        path: str,
        *,
        params: list[tuple[str, str]] | None = None,
        body: Mapping[str, Any] | None = None,
    ) -> Any:
        url = f"{self.base_url}/{path}"
        data = json.dumps(body, ensure_ascii=False).encode("utf-8") if body is not None else None
        headers = self._headers()
        if data is not None:
            headers["Content-Type"] = "application/json; charset=utf-8"
        for attempt in range(1, self.retry.attempts + 1):
            last_try = attempt == self.retry.attempts
            try:
                response = self._session.request(
                    method, url, params=params, data=data, headers=headers, timeout=self.timeout
                )
            except (requests.ConnectionError, requests.Timeout) as error:
                log.warning("%s %s: no answer (%s), try %d of %d", method, path, type(error).__name__,
                            attempt, self.retry.attempts)  # fmt: skip
                if last_try:
                    raise SourceUnavailableError(
                        f"the order system at {self.base_url} did not answer after {attempt} tries "
                        f"({type(error).__name__})"
                    ) from None
                self._sleep(self.retry.delay(attempt))
                continue
            log.debug("%s %s -> %d", method, path, response.status_code)
            if response.status_code in RETRY_STATUSES and not last_try:
                log.warning("%s %s: HTTP %d, try %d of %d", method, path, response.status_code, attempt,
                            self.retry.attempts)  # fmt: skip
                self._sleep(self.retry.delay(attempt, response.headers.get("Retry-After")))
                continue
            return self._answer(method, path, response, attempt)
        raise AssertionError("unreachable")  # pragma: no cover

    def _answer(self, method: str, path: str, response: requests.Response, attempt: int) -> Any:
        status = response.status_code
        if 200 <= status < 300:
            if status == 204 or not response.content:
                return {}
            try:
                return json.loads(response.content.decode("utf-8"), parse_float=Decimal)
            except ValueError:
                raise SourceError(
                    f"the order system answered {method} /{path} with something that is not JSON"
                ) from None
        message = _error_message(response)
        if status in (401, 403):
            raise SourceAuthError(
                f"the order system refused the API key (HTTP {status}{': ' + message if message else ''}); "
                "check the key in the settings"
            )
        if status == 404 and method == "PUT":
            raise SourceNotFoundError(
                f"the order system does not know /{path} (HTTP 404{': ' + message if message else ''})"
            )
        if status in RETRY_STATUSES:
            raise SourceUnavailableError(
                f"the order system answered {method} /{path} with HTTP {status} {attempt} times"
                f"{': ' + message if message else ''}; try again later"
            )
        raise SourceError(
            f"the order system answered {method} /{path} with HTTP {status}{': ' + message if message else ''}"
        )


def _error_message(response: requests.Response) -> str:
    try:
        data = json.loads(response.content.decode("utf-8"))
    except (ValueError, UnicodeDecodeError):
        return ""
    error = data.get("error") if isinstance(data, dict) else None
    if isinstance(error, dict):
        return str(error.get("message") or error.get("code") or "")[:300]
    return str(error)[:300] if error else ""


def _position(answer: Any, what: str) -> Watermark:
    raw = answer.get("position") if isinstance(answer, Mapping) else None
    if not isinstance(raw, Mapping) or not raw.get("after_id"):
        raise SourceError(f'the order system\'s answer for {what} has items but no "position" to continue from')
    try:
        moment = parse_timestamp(raw["updated_since"]) if raw.get("updated_since") else datetime.min.replace(tzinfo=UTC)
    except ValueError:
        raise SourceError(f"the order system's position for {what} has an unreadable updated_since") from None
    return Watermark(moment, str(raw["after_id"]))
