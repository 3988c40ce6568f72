"""What passes through the sandbox: a response to write, and the exchange observers see afterwards."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..fortnox import jsoncodec

JSON = "application/json; charset=utf-8"
HTML = "text/html; charset=utf-8"


@dataclass
class Response:
    status: int
    body: bytes = b""
    content_type: str | None = None
    headers: dict[str, str] = field(default_factory=dict)

    @classmethod
    def json(cls, status: int, value: Any, headers: dict[str, str] | None = None) -> Response:
        return cls(status, jsoncodec.dump_bytes(value), JSON, dict(headers or {}))

    @classmethod
    def html(cls, status: int, text: str) -> Response:
        return cls(status, text.encode("utf-8"), HTML)

    @classmethod
    def redirect(cls, location: str) -> Response:
        return cls(302, b"", None, {"Location": location, "Cache-Control": "no-store"})

    def parsed_body(self) -> Any:
        """The JSON body as a client parses it (amounts as Decimal), or None for other bodies."""
        if self.content_type != JSON or not self.body:
            return None
        return jsoncodec.loads(self.body)


@dataclass(frozen=True)
class Exchange:
    """One request and its answer, handed to every observer after the answer was written."""

    method: str
    path: str  # raw path without query
    query: dict[str, str]
    request_body: Any  # parsed JSON, the form dict for the token endpoint, or None
    status: int
    response_body: Any  # parsed JSON or None
    content_type: str | None
    route: str | None = None  # the matched path template, e.g. "/3/invoices/{DocumentNumber}"
