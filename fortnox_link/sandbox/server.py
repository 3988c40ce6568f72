"""The sandbox as a real HTTP server on loopback, and the `Sandbox` object tests, demo mode and the CLI use.

Standard library only: `ThreadingHTTPServer` with daemon threads, HTTP/1.1 with Content-Length on every answer
so keep-alive works with `requests`' connection pool. `stop()` returns promptly: it ends the serve loop, shuts
down every open connection (idle keep-alive ones included) and cuts injected delays short.

Order of checks for a /3 request (as Fortnox): injected fault -> `Authorization: Bearer` (401) -> rate limit per
access token (429; counted before anything else happens, so a refused request has no effect) -> integration
licence (2001103) -> route (404) -> module licence (2001101) -> scope (2000663) -> body (2002115/2001392) ->
the operation.
"""

from __future__ import annotations

import contextlib
import logging
import socket
import threading
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from ..fortnox import jsoncodec
from ..fortnox.ratelimit import SlidingWindowCounter
from . import errors
from .company import INTEGRATION, Company
from .config import SandboxConfig
from .errors import ApiError, error_body
from .faults import FaultPlan, FaultRule
from .messages import Exchange, Response
from .oauth import OAuthServer
from .resources import ApiRequest, Router, build_router
from .seed import apply_seed

log = logging.getLogger(__name__)

Observer = Callable[[Exchange], None]

UNAUTHORIZED_MESSAGE = "Ogiltig inloggning"
MISSING_TOKEN_MESSAGE = "Kan inte logga in, access-token eller client-secret saknas(2)."  # noqa: S105
RATE_LIMIT_MESSAGE = "Too many requests"


class SandboxStats:
    """Counters since start (thread-safe): requests, answers by status, calls per (method, path template)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.total_requests = 0
        self.status_counts: Counter[int] = Counter()
        self.by_operation: Counter[tuple[str, str]] = Counter()
        self.refresh_count = 0
        self.dropped = 0

    @property
    def requests(self) -> int:
        return self.total_requests

    def count_request(self) -> None:
        with self._lock:
            self.total_requests += 1

    def count_answer(self, method: str, operation: str, status: int) -> None:
        with self._lock:
            self.status_counts[status] += 1
            self.by_operation[(method, operation)] += 1

    def count_drop(self, method: str, operation: str) -> None:
        with self._lock:
            self.dropped += 1
            self.by_operation[(method, operation)] += 1

    def count_refresh(self) -> None:
        with self._lock:
            self.refresh_count += 1

    def reset(self) -> None:
        with self._lock:
            self.total_requests = 0
            self.status_counts.clear()
            self.by_operation.clear()
            self.refresh_count = 0
            self.dropped = 0


class _RateLimiter:
    def __init__(self, config: SandboxConfig) -> None:
        self._limit = config.rate_limit
        self._clock = config.rate_limit_clock
        self._windows: dict[str, SlidingWindowCounter] = {}
        self._lock = threading.Lock()

    def admit(self, token: str) -> bool:
        if self._limit is None:
            return True
        with self._lock:
            window = self._windows.get(token)
            if window is None:
                window = self._windows[token] = SlidingWindowCounter(self._limit[0], self._limit[1])
            return window.try_admit(self._clock())


class Sandbox:
    """A local Fortnox: `Sandbox(seed="demo").start()`, or `with Sandbox() as sb: ...`."""

    def __init__(
        self,
        seed: str = "demo",
        config: SandboxConfig | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
    ) -> None:
        self.config = config or SandboxConfig()
        self.host = host
        self.port = port
        self.company = Company(clock=self.config.clock)
        apply_seed(seed, self.company, self.config)
        self.seed = seed
        self.faults = FaultPlan()
        self.stats = SandboxStats()
        self.observers: list[Observer] = []
        self.oauth = OAuthServer(self.config, on_refresh=self.stats.count_refresh)
        self.router: Router = build_router()
        self._limiter = _RateLimiter(self.config)
        self._stopping = threading.Event()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle -----------------------------------------------------------------------------------------------

    def start(self) -> Sandbox:
        if self._server is not None:
            raise RuntimeError("the sandbox is already running")
        self._stopping.clear()
        server = _Server((self.host, self.port), _Handler)
        server.sandbox = self
        self._server = server
        self.port = server.server_address[1]
        self._thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.05}, name="fortnox-sandbox", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        server, self._server = self._server, None
        if server is None:
            return
        self._stopping.set()
        server.shutdown()
        server.close_connections()
        server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=2.0)
            self._thread = None

    def __enter__(self) -> Sandbox:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @property
    def running(self) -> bool:
        return self._server is not None

    # -- what clients need ---------------------------------------------------------------------------------------

    @property
    def api_url(self) -> str:
        if self._server is None:
            raise RuntimeError("start the sandbox first")
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    @property
    def oauth_url(self) -> str:
        return f"{self.api_url}/oauth-v1"

    @property
    def client_id(self) -> str:
        return self.config.client_id

    @property
    def client_secret(self) -> str:
        return self.config.client_secret

    def env_lines(self) -> list[str]:
        return [
            f"FORTNOX_API_URL={self.api_url}",
            f"FORTNOX_OAUTH_URL={self.oauth_url}",
            f"FORTNOX_CLIENT_ID={self.client_id}",
            f"FORTNOX_CLIENT_SECRET={self.client_secret}",
        ]

    def issue_code(self, scopes: list[str] | None = None, redirect_uri: str | None = None) -> str:
        """An authorization code as if the user had approved (exchange it at /oauth-v1/token)."""
        return self.oauth.issue_code(scopes, redirect_uri)

    def issue_tokens(self, scopes: list[str] | None = None) -> dict[str, str | int]:
        """A token answer (access_token, refresh_token, ...) without going through HTTP."""
        return self.oauth.issue_tokens(scopes)

    # -- request handling ----------------------------------------------------------------------------------------

    def dispatch(
        self, method: str, path: str, query: Mapping[str, str], headers: Mapping[str, str], body: bytes
    ) -> tuple[Response, str, Any]:
        """Answer one request: (response, operation name for stats, request body as observers see it)."""
        if path.startswith("/oauth-v1/"):
            return self._dispatch_oauth(method, path, query, headers, body)
        if path.startswith("/3/") or path == "/3":
            return self._dispatch_api(method, path, query, headers, body)
        return Response.json(404, error_body(errors.NOT_FOUND, f"Sökvägen finns inte: {path}")), path, None

    def _dispatch_oauth(
        self, method: str, path: str, query: Mapping[str, str], headers: Mapping[str, str], body: bytes
    ) -> tuple[Response, str, Any]:
        if path == "/oauth-v1/auth" and method == "GET":
            return self.oauth.authorize(query), path, None
        if path == "/oauth-v1/token" and method == "POST":
            form = {k: v[-1] for k, v in parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True).items()}
            return self.oauth.token(headers, form), path, form
        answer = Response.json(404, {"error": "invalid_request", "error_description": f"Unknown endpoint {path}"})
        return answer, path, None

    def _dispatch_api(
        self, method: str, path: str, query: Mapping[str, str], headers: Mapping[str, str], body: bytes
    ) -> tuple[Response, str, Any]:
        parsed: Any = None
        json_error = False
        if body.strip():
            try:
                parsed = jsoncodec.loads(body)
            except ValueError:
                json_error = True
        operation = path
        try:
            scheme, _, token = headers.get("Authorization", "").partition(" ")
            if scheme.lower() != "bearer" or not token.strip():
                raise ApiError(401, errors.MISSING_CREDENTIALS, MISSING_TOKEN_MESSAGE)
            access = self.oauth.access_token(token.strip())
            if access is None:
                raise ApiError(401, errors.INVALID_LOGIN, UNAUTHORIZED_MESSAGE)
            if not self._limiter.admit(access.token):
                raise ApiError(429, errors.RATE_LIMITED, RATE_LIMIT_MESSAGE)
            parts = [unquote(p) for p in path.strip("/").split("/")]
            with self.company.lock:
                if INTEGRATION not in self.company.licences:
                    raise ApiError(400, errors.INTEGRATION_LICENCE_MISSING, "Api-licens saknas.")
                found = self.router.resolve(method, parts)
                if found is None:
                    raise ApiError(404, errors.NOT_FOUND, f"Sökvägen finns inte: {method} {path}")
                route, path_params = found
                operation = route.template
                if route.licence is not None and route.licence not in self.company.licences:
                    raise ApiError(400, errors.LICENCE_MISSING, "Det finns ingen aktiv licens för önskat scope")
                if route.scope is not None and route.scope not in access.scopes:
                    raise ApiError(400, errors.SCOPE_MISSING, f"Har inte behörighet för scope ({route.scope})")
                if json_error:
                    raise ApiError(400, errors.JSON_SYNTAX, "Error deserializing JSON: JSON_ERROR_SYNTAX")
                request = ApiRequest(
                    method=method,
                    path=path,
                    params={k.lower(): v for k, v in query.items()},
                    body=parsed,
                    path_params=path_params,
                    config=self.config,
                )
                status, answer = route.handler(self.company, request)
            return Response.json(status, answer), operation, parsed
        except ApiError as exc:
            return Response.json(exc.status, exc.body()), operation, parsed
        except Exception:
            log.exception("sandbox failed on %s %s", method, path)
            return Response.json(500, error_body(errors.SYSTEM_EXCEPTION, "System exception")), operation, parsed

    def operation_name(self, method: str, path: str) -> str:
        """The path template a request is counted under ("/3/invoices/{DocumentNumber}"), else the path."""
        if path.startswith("/3/"):
            found = self.router.resolve(method, [unquote(p) for p in path.strip("/").split("/")])
            if found is not None:
                return found[0].template
        return path

    def _notify(self, exchange: Exchange) -> None:
        for observer in list(self.observers):
            try:
                observer(exchange)
            except Exception:
                log.exception("sandbox observer %r failed", observer)

    def _wait(self, seconds: float) -> bool:
        """Sleep `seconds` unless the sandbox stops first; True when it is stopping."""
        return self._stopping.wait(seconds) if seconds > 0 else self._stopping.is_set()

    def _serve(self, handler: _Handler, body: bytes) -> None:
        method = handler.command
        split = urlsplit(handler.path)
        path = split.path or "/"
        query = {k: v[-1] for k, v in parse_qs(split.query, keep_blank_values=True).items()}
        self.stats.count_request()
        decision = self.faults.decide(method, path)
        if decision.latency and self._wait(decision.latency):
            handler.drop()
            return
        action: FaultRule | None = decision.action
        if action is not None and action.kind == "drop":
            self.stats.count_drop(method, self.operation_name(method, path))
            handler.drop()
            return
        if action is not None and action.kind == "error":
            message = "Internt serverfel (injicerat av sandlådan)"
            response = Response.json(action.status, error_body(errors.SYSTEM_EXCEPTION, message))
            operation, request_body = self.operation_name(method, path), _json_or_none(body)
        else:
            headers = {k: v for k, v in handler.headers.items()}
            response, operation, request_body = self.dispatch(method, path, query, headers, body)
        if action is not None and action.kind == "commit_then_timeout" and (action.drop or self._wait(action.delay)):
            self.stats.count_drop(method, operation)
            handler.drop()
            return
        # Counted and shown to observers before the answer leaves, so that whatever a client saw is already in
        # the stats and checked by the contract recorder when the client's call returns.
        self.stats.count_answer(method, operation, response.status)
        if self.observers and (path.startswith("/3/") or path.startswith("/oauth-v1/")):
            self._notify(
                Exchange(
                    method=method,
                    path=path,
                    query=query,
                    request_body=request_body,
                    status=response.status,
                    response_body=response.parsed_body(),
                    content_type=response.content_type,
                    route=operation,
                )
            )
        handler.send(response)


def _json_or_none(body: bytes) -> Any:
    try:
        return jsoncodec.loads(body) if body.strip() else None
    except ValueError:
        return None


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    sandbox: Sandbox

    def __init__(self, address: tuple[str, int], handler: type[BaseHTTPRequestHandler]) -> None:
        self.address_family = socket.AF_INET6 if ":" in address[0] else socket.AF_INET
        self._connections: set[socket.socket] = set()
        self._connections_lock = threading.Lock()
        super().__init__(address, handler)

    def track(self, connection: socket.socket, add: bool) -> None:
        with self._connections_lock:
            if add:
                self._connections.add(connection)
            else:
                self._connections.discard(connection)

    def close_connections(self) -> None:
        with self._connections_lock:
            connections: Iterable[socket.socket] = list(self._connections)
        for connection in connections:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "FortnoxSandbox/1.0"
    timeout = 120  # idle keep-alive connections are closed after this many seconds
    disable_nagle_algorithm = True  # headers and body go out in two writes: no 40 ms delayed-ACK stalls
    server: _Server

    def setup(self) -> None:
        super().setup()
        self.server.track(self.connection, True)

    def finish(self) -> None:
        try:
            super().finish()
        finally:
            self.server.track(self.connection, False)

    def log_message(self, format: str, *args: Any) -> None:
        log.debug("%s - %s", self.address_string(), format % args)

    def _read_body(self) -> bytes:
        length = self.headers.get("Content-Length")
        if length:
            return self.rfile.read(int(length))
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            chunks = []
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    self.rfile.readline()
                    break
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
            return b"".join(chunks)
        return b""

    def _handle(self) -> None:
        try:
            body = self._read_body()
        except (OSError, ValueError):
            self.close_connection = True
            return
        self.server.sandbox._serve(self, body)

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = _handle

    def send(self, response: Response) -> None:
        try:
            self.send_response(response.status)
            for name, value in response.headers.items():
                self.send_header(name, value)
            if response.content_type:
                self.send_header("Content-Type", response.content_type)
            self.send_header("Content-Length", str(len(response.body)))
            self.end_headers()
            self.wfile.write(response.body)
            self.wfile.flush()
        except OSError:
            self.close_connection = True

    def drop(self) -> None:
        """Close the connection without answering (the client sees a reset or an empty reply)."""
        self.close_connection = True
        with contextlib.suppress(OSError):
            self.connection.shutdown(socket.SHUT_RDWR)
