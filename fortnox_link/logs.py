"""Logging: a rotating UTF-8 log file per user, stderr for warnings, and redaction of every secret.

`setup_logging()` installs both handlers on the root logger, each with a :class:`RedactingFilter`, which masks

* every value registered in `fortnox_link.secrets.registry` (every secret read from or written to the keyring),
* ``Bearer <anything>``,
* the values of secret-looking keys in JSON, Python reprs and form or query text
  (``"access_token": "…"``, ``'refresh_token': '…'``, ``client_secret=…``, ``api_key=…``, ``code=…``),
* ``Authorization:`` (and ``Access-Token:``, ``Client-Secret:``, ``X-Api-Key:``) header values,

in the message, in its arguments, in exception tracebacks and in stack information. `redact()` is the same
masking as a function, for texts that are stored rather than logged (the audit table uses it).
"""

from __future__ import annotations

import logging
import logging.handlers
import os
import re
import sys
import threading
import traceback
from pathlib import Path
from typing import Final

import platformdirs

from .secrets import SecretRegistry, registry

APP_NAME: Final = "FortnoxLink"
HOME_ENV: Final = "FORTNOX_LINK_HOME"
LOG_FILE_NAME: Final = "fortnox-link.log"
MAX_BYTES: Final = 1_000_000
BACKUP_COUNT: Final = 5
MASK: Final = "***"

_FORMAT: Final = "%(asctime)s %(levelname)-7s %(threadName)s %(name)s: %(message)s"

# Keys whose values are secrets wherever they appear as key/value pairs.
_SECRET_KEY = r"[\w.-]*?(?:token|secret|password|passwd|api[_-]?key|apikey|authorization)[\w.-]*|code"  # noqa: S105

_NOT_SECRET_KEYS: Final = frozenset({"token_type", "expires_in", "scope"})

# "key": "value" and 'key': 'value' (JSON, Python reprs of dicts).
_QUOTED_PAIR = re.compile(
    r"""(?P<q>["'])(?P<key>""" + _SECRET_KEY + r""")(?P=q)\s*:\s*"""
    r"""(?P<vq>["'])(?P<value>(?:(?!(?P=vq))[^\\]|\\.)*)(?P=vq)""",
    re.IGNORECASE,
)
# key=value in form bodies, query strings, "k=v" texts (the value runs to the next separator).
_FORM_PAIR = re.compile(
    r"""(?<![\w-])(?P<key>""" + _SECRET_KEY + r""")=(?P<value>[^&\s"',;)}\]]+)""",
    re.IGNORECASE,
)
# Authorization: <scheme> <value>, and the other credential headers, as plain header text.
_HEADER = re.compile(
    r"""(?<![\w-])(?:proxy-)?(?:authorization|access-token|client-secret|x-api-key|api-key)\s*:\s*"""
    r"""(?!["'\s])(?P<value>(?:(?:bearer|basic|digest|token)\s+)?[^\s"',;}\]]+)""",
    re.IGNORECASE,
)
_BEARER = re.compile(r"""\bbearer\s+(?P<value>[^\s"',;}\]]+)""", re.IGNORECASE)

_registered_lock = threading.Lock()
_registered_cache: dict[int, tuple[int, re.Pattern[str] | None]] = {}


def _registered_pattern(source: SecretRegistry) -> re.Pattern[str] | None:
    version, values = source.snapshot()
    with _registered_lock:
        cached = _registered_cache.get(id(source))
        if cached is not None and cached[0] == version:
            return cached[1]
    pattern = re.compile("|".join(re.escape(v) for v in sorted(values, key=len, reverse=True))) if values else None
    with _registered_lock:
        _registered_cache[id(source)] = (version, pattern)
    return pattern


def _mask_value(match: re.Match[str]) -> str:
    value = match.group("value")
    key = match.groupdict().get("key")
    if value == MASK or (key is not None and key.lower() == "code" and value.isdigit()):
        return match.group(0)  # already masked; a numeric error code ("code=2000663") is no secret
    if key is not None and key.lower() in _NOT_SECRET_KEYS:
        return match.group(0)
    whole = match.group(0)
    start = match.start("value") - match.start(0)
    end = match.end("value") - match.start(0)
    return whole[:start] + MASK + whole[end:]


def redact(text: str, *, secret_registry: SecretRegistry | None = None) -> str:
    """`text` with every secret masked as ``***``."""
    if not text:
        return text
    pattern = _registered_pattern(secret_registry if secret_registry is not None else registry)
    if pattern is not None:
        text = pattern.sub(MASK, text)
    text = _QUOTED_PAIR.sub(_mask_value, text)
    text = _FORM_PAIR.sub(_mask_value, text)
    text = _HEADER.sub(_mask_value, text)
    text = _BEARER.sub(_mask_value, text)
    return text


class RedactingFilter(logging.Filter):
    """Masks secrets in a record's message, arguments, exception text and stack information. Never drops a record."""

    def __init__(self, secret_registry: SecretRegistry | None = None) -> None:
        super().__init__()
        self._registry = secret_registry

    def _redact(self, text: str) -> str:
        return redact(text, secret_registry=self._registry)

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:
            # Arguments that do not fit the format: mask each part; logging reports the mismatch itself.
            record.msg = self._redact(str(record.msg))
            if isinstance(record.args, tuple):
                record.args = tuple(self._redact(str(a)) for a in record.args)
            elif record.args:
                record.args = {k: self._redact(str(v)) for k, v in record.args.items()}
        else:
            # The merged text is redacted as one, so a secret split between format and argument is caught too.
            record.msg = self._redact(message)
            record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = "".join(traceback.format_exception(*record.exc_info)).rstrip("\n")
        if record.exc_text:
            record.exc_text = self._redact(record.exc_text)
        if record.stack_info:
            record.stack_info = self._redact(record.stack_info)
        return True


def default_log_dir() -> Path:
    """``<FORTNOX_LINK_HOME>/logs`` when that variable is set, else the platform's user log folder."""
    home = os.environ.get(HOME_ENV)
    if home:
        return Path(home) / "logs"
    return Path(platformdirs.user_log_dir(APP_NAME, appauthor=False))


class _OwnedHandler:
    """Marker for handlers that setup_logging installed, so a second call replaces rather than duplicates."""


class _FileHandler(logging.handlers.RotatingFileHandler, _OwnedHandler):
    pass


class _StderrHandler(logging.StreamHandler, _OwnedHandler):  # type: ignore[type-arg]
    pass


def _level(level: int | str) -> int:
    if isinstance(level, int):
        return level
    mapping = logging.getLevelNamesMapping()
    if level.upper() not in mapping:
        raise ValueError(f"unknown log level {level!r}")
    return mapping[level.upper()]


def setup_logging(
    level: int | str = logging.INFO,
    log_dir: Path | None = None,
    *,
    stderr_level: int | str = logging.WARNING,
) -> Path:
    """Install the rotating log file (1 MB x 5, UTF-8) and stderr handlers on the root logger; returns the file.

    Calling it again replaces the handlers it installed before (level changes, tests).
    """
    folder = log_dir if log_dir is not None else default_log_dir()
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / LOG_FILE_NAME

    root = logging.getLogger()
    for handler in list(root.handlers):
        if isinstance(handler, _OwnedHandler):
            root.removeHandler(handler)
            handler.close()

    formatter = logging.Formatter(_FORMAT)
    file_handler = _FileHandler(path, maxBytes=MAX_BYTES, backupCount=BACKUP_COUNT, encoding="utf-8", delay=True)
    file_handler.setLevel(_level(level))
    stderr_handler = _StderrHandler(sys.stderr)
    stderr_handler.setLevel(_level(stderr_level))
    for handler in (file_handler, stderr_handler):
        handler.setFormatter(formatter)
        handler.addFilter(RedactingFilter())
        root.addHandler(handler)

    root.setLevel(min(_level(level), _level(stderr_level)))
    return path
