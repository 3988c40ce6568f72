"""`fortnox-link`: the headless command line (also what the Quick start and schedulers run)."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence

from . import __version__


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="fortnox-link",
        description="Connects Extend Backend (orders, purchasing, stock) to Fortnox (accounting).",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true", help="log more detail to stderr")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    demo = sub.add_parser("demo", help="run against the embedded Fortnox sandbox and the sample company")
    demo.add_argument("--headless", action="store_true", help="no window: run and print what was done")

    from .sandbox import cli as sandbox_cli

    sandbox = sub.add_parser("sandbox", help="start the local Fortnox sandbox and print its environment")
    sandbox_cli.add_arguments(sandbox)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING, stream=sys.stderr)
    if args.command == "demo":
        from .demo import run_headless_demo

        return run_headless_demo()
    if args.command == "sandbox":
        from .sandbox import cli as sandbox_cli

        return sandbox_cli.run(args)
    parser.print_help()
    return 2
