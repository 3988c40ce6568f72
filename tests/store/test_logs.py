"""The log file and stderr never show a secret."""

from __future__ import annotations

import logging
import logging.handlers
from pathlib import Path

import pytest

from fortnox_link.logs import LOG_FILE_NAME, MAX_BYTES, RedactingFilter, default_log_dir, redact, setup_logging
from fortnox_link.secrets import registry

pytestmark = pytest.mark.usefixtures("restore_root_logging")


def _flush() -> None:
    for handler in logging.getLogger().handlers:
        handler.flush()


def test_a_logged_token_an_exception_and_a_formatted_arg_come_out_masked(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = setup_logging(logging.DEBUG, tmp_path)
    registry.register("registered-token-AAAA1111")
    log = logging.getLogger("fortnox_link.test")

    log.info("token is registered-token-AAAA1111 here")
    log.info("refresh gave %s", {"access_token": "eyJ.formatted.arg", "expires_in": 3600})
    log.warning("calling with %s %s", "Authorization:", "Bearer eyJ.split.between.args")
    try:
        raise RuntimeError("refused: refresh_token=rt-in-exception-9999&grant_type=refresh_token")
    except RuntimeError:
        log.exception("refresh failed")
    _flush()

    text = path.read_text(encoding="utf-8")
    for secret in ("registered-token-AAAA1111", "eyJ.formatted.arg", "eyJ.split.between.args", "rt-in-exception-9999"):
        assert secret not in text
    assert "token is *** here" in text
    assert "'access_token': '***'" in text and "'expires_in': 3600" in text
    assert "Authorization: ***" in text
    assert "refresh_token=***&grant_type=refresh_token" in text
    assert "Traceback" in text and "RuntimeError" in text  # the traceback itself is still there

    err = capsys.readouterr().err
    assert "Authorization: ***" in err and "eyJ.split.between.args" not in err  # stderr has WARNING and up
    assert "token is" not in err  # INFO does not go to stderr
    assert "rt-in-exception-9999" not in err and "refresh failed" in err


def test_the_log_file_is_utf8_and_in_the_home_logs_folder(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("FORTNOX_LINK_HOME", str(tmp_path / "home"))
    assert default_log_dir() == tmp_path / "home" / "logs"
    path = setup_logging("INFO")
    assert path == tmp_path / "home" / "logs" / LOG_FILE_NAME
    logging.getLogger("fortnox_link").info("Räkenskapsår saknas för 2026 – åäö")
    _flush()
    assert "Räkenskapsår saknas för 2026 – åäö" in path.read_bytes().decode("utf-8")


def test_the_file_rotates_at_one_megabyte_keeping_five(tmp_path: Path) -> None:
    path = setup_logging(logging.INFO, tmp_path)
    handlers = [h for h in logging.getLogger().handlers if isinstance(h, logging.handlers.RotatingFileHandler)]
    assert len(handlers) == 1
    assert handlers[0].maxBytes == MAX_BYTES == 1_000_000 and handlers[0].backupCount == 5
    line = "x" * 1000
    for _ in range(1200):
        logging.getLogger("fortnox_link").info(line)
    _flush()
    assert (tmp_path / f"{LOG_FILE_NAME}.1").is_file()
    assert path.stat().st_size < MAX_BYTES


def test_calling_setup_again_replaces_its_handlers(tmp_path: Path) -> None:
    setup_logging(logging.INFO, tmp_path)
    setup_logging(logging.DEBUG, tmp_path)
    ours = [h for h in logging.getLogger().handlers if any(isinstance(f, RedactingFilter) for f in h.filters)]
    assert len(ours) == 2
    assert logging.getLogger().level == logging.DEBUG


@pytest.mark.parametrize(
    ("text", "secret"),
    [
        ('{"access_token": "eyJ0eXAi.abc", "token_type": "bearer"}', "eyJ0eXAi.abc"),
        ('{"refresh_token":"rt\\"quoted"}', 'rt\\"quoted'),
        ("grant_type=authorization_code&code=AbC-123-xyz&redirect_uri=x", "AbC-123-xyz"),
        ("client_secret=s3cr3t-value", "s3cr3t-value"),
        ("{'api_key': 'extend-key-1'}", "extend-key-1"),
        ("FORTNOX_CLIENT_SECRET=abcdef", "abcdef"),
        ("Authorization: Basic dXNlcjpwYXNz", "dXNlcjpwYXNz"),
        ("headers={'Authorization': 'Bearer eyJ.hdr'}", "eyJ.hdr"),
        ("Access-Token: legacy-token-1", "legacy-token-1"),
        ("sent Bearer eyJ.loose in text", "eyJ.loose"),
    ],
)
def test_redaction_patterns(text: str, secret: str) -> None:
    out = redact(text)
    assert secret not in out
    assert "***" in out


def test_what_is_not_secret_stays_readable() -> None:
    text = '{"ErrorInformation": {"error": 1, "message": "Kunden finns inte", "code": 2000433}} kod code=2000433'
    assert redact(text) == text
    assert redact('{"token_type": "bearer", "expires_in": 3600}') == '{"token_type": "bearer", "expires_in": 3600}'
