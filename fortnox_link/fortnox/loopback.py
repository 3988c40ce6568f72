"""Catch the OAuth redirect on a loopback port, as desktop apps do (RFC 8252 section 7.3).

`LoopbackReceiver` listens on 127.0.0.1, answers the browser with a short bilingual page, and hands the code to
whoever waits for it, after checking the `state` it was started with.
"""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from urllib.parse import parse_qs, urlsplit

CALLBACK_PATH = "/fortnox-link/callback"

_PAGE = """<!doctype html><html lang="sv"><head><meta charset="utf-8"><title>Fortnox Link</title></head>
<body style="font-family:sans-serif;margin:3em"><h1>{title_sv}</h1><p>{text_sv}</p><hr><p lang="en">{text_en}</p>
</body></html>"""


class AuthorizationDenied(Exception):
    """The user declined in Fortnox, or the redirect carried an error."""


class LoopbackReceiver:
    def __init__(self, state: str, *, port: int = 0, host: str = "127.0.0.1") -> None:
        self._state = state
        self._done = threading.Event()
        self.code: str | None = None
        self.error: str | None = None
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                parts = urlsplit(self.path)
                if parts.path != CALLBACK_PATH:
                    self.send_error(404)
                    return
                query = parse_qs(parts.query)
                ok = receiver._accept(query)
                page = _PAGE.format(
                    title_sv="Klart!" if ok else "Något gick fel",
                    text_sv="Du kan stänga fliken och gå tillbaka till Fortnox Link."
                    if ok
                    else f"Anslutningen avbröts: {receiver.error}. Gå tillbaka till Fortnox Link och försök igen.",
                    text_en="You can close this tab and return to Fortnox Link."
                    if ok
                    else "The connection was not completed. Return to Fortnox Link and try again.",
                ).encode("utf-8")
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(page)))
                self.end_headers()
                self.wfile.write(page)

            def log_message(self, format: str, *args: object) -> None:  # the query holds the code: never log
                return None

        self._server = HTTPServer((host, port), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, name="oauth-loopback", daemon=True)

    @property
    def redirect_uri(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}{CALLBACK_PATH}"

    def _accept(self, query: dict[str, list[str]]) -> bool:
        if self._done.is_set():
            return self.code is not None
        if query.get("state") != [self._state]:
            self.error = "state does not match"
            return False  # a stray or forged request; keep waiting for the real one
        if "error" in query:
            self.error = query.get("error_description", query["error"])[0]
        else:
            self.code = query.get("code", [""])[0] or None
            if self.code is None:
                self.error = "no code in the redirect"
        self._done.set()
        return self.code is not None

    def __enter__(self) -> LoopbackReceiver:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    def wait(self, timeout: float) -> str | None:
        """The code, or None on timeout; raises AuthorizationDenied when Fortnox reported an error."""
        if not self._done.wait(timeout):
            return None
        if self.code is None:
            raise AuthorizationDenied(self.error or "authorization failed")
        return self.code
