"""The sandbox command: prints the environment for Fortnox Link, serves until stopped."""

from __future__ import annotations

import argparse
import subprocess
import sys
import threading

import pytest
import requests

from fortnox_link.sandbox import cli


def parse(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    cli.add_arguments(parser)
    return parser.parse_args(argv)


def test_arguments() -> None:
    args = parse("--port", "8780", "--seed", "empty", "--no-rate-limit", "--token-lifetime", "60")
    assert (args.port, args.seed, args.no_rate_limit, args.token_lifetime) == (8780, "empty", True, 60)
    with pytest.raises(SystemExit):
        parse("--seed", "full")


def test_run_prints_the_environment_lines(capsys: pytest.CaptureFixture[str]) -> None:
    stop = threading.Event()
    stop.set()
    assert cli.run(parse("--seed", "empty"), stop=stop) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split("=", 1)[0] for line in lines] == [
        "FORTNOX_API_URL",
        "FORTNOX_OAUTH_URL",
        "FORTNOX_CLIENT_ID",
        "FORTNOX_CLIENT_SECRET",
    ]
    assert lines[0].startswith("FORTNOX_API_URL=http://127.0.0.1:")
    assert lines[1] == lines[0].replace("FORTNOX_API_URL", "FORTNOX_OAUTH_URL") + "/oauth-v1"


def test_module_serves_until_stopped() -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "fortnox_link.sandbox", "--seed", "empty", "--no-rate-limit"],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        env = dict(process.stdout.readline().strip().split("=", 1) for _ in range(4))
        answer = requests.post(
            env["FORTNOX_OAUTH_URL"] + "/token",
            data={"grant_type": "refresh_token", "refresh_token": "nope"},
            auth=(env["FORTNOX_CLIENT_ID"], env["FORTNOX_CLIENT_SECRET"]),
            timeout=5,
        )
        assert answer.json()["error"] == "invalid_grant"
    finally:
        process.terminate()
        process.wait(timeout=10)
        if process.stdout is not None:
            process.stdout.close()
