"""`fortnox-link sandbox` / `python -m fortnox_link.sandbox`: run the sandbox until Ctrl-C.

It prints the environment that points Fortnox Link at it, one `NAME=value` per line:

    FORTNOX_API_URL=http://127.0.0.1:8780
    FORTNOX_OAUTH_URL=http://127.0.0.1:8780/oauth-v1
    FORTNOX_CLIENT_ID=sandbox-client
    FORTNOX_CLIENT_SECRET=...
"""

from __future__ import annotations

import argparse
import sys
import threading
from collections.abc import Sequence

from .config import SandboxConfig
from .seed import SEEDS
from .server import Sandbox


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=0, help="port to listen on (default: a free port)")
    parser.add_argument("--seed", choices=SEEDS, default="demo", help="company to start with (default demo)")
    parser.add_argument("--no-rate-limit", action="store_true", help="do not answer 429 (25 requests / 5 s)")
    parser.add_argument(
        "--token-lifetime", type=int, default=3600, metavar="S", help="access token lifetime in seconds"
    )


def run(args: argparse.Namespace, *, stop: threading.Event | None = None) -> int:
    """Start, print the environment lines, serve until Ctrl-C (or until `stop` is set)."""
    if args.token_lifetime < 1:
        print("--token-lifetime must be at least 1 second", file=sys.stderr)
        return 2
    config = SandboxConfig(
        rate_limit=None if args.no_rate_limit else (25, 5.0),
        access_token_lifetime=args.token_lifetime,
    )
    try:
        sandbox = Sandbox(seed=args.seed, config=config, host=args.host, port=args.port).start()
    except OSError as exc:
        print(f"cannot listen on {args.host}:{args.port}: {exc}", file=sys.stderr)
        return 1
    waiter = stop or threading.Event()
    try:
        for line in sandbox.env_lines():
            print(line, flush=True)
        while not waiter.wait(0.5):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        sandbox.stop()
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="fortnox-link sandbox", description="Run the local Fortnox sandbox.")
    add_arguments(parser)
    return run(parser.parse_args(argv))
