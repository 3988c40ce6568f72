"""Run Fortnox Link's benchmarks and print one JSON object per result line.

    python benchmarks/run.py                 # all benchmarks
    python benchmarks/run.py --quick         # smaller workloads, for a quick look
    python benchmarks/run.py --list          # names and descriptions
    python benchmarks/run.py NAME [NAME ...] # only these (a benchmark's NAME, or its module: bench_client, client)

A benchmark is a module `benchmarks/bench_*.py` that defines

    NAME: str
    DESCRIPTION: str
    def run(quick: bool) -> list[dict]:   # one dict per result line

and each dict has `name`, `value`, `unit`, `goal` and `detail` (a dict). The runner prints them to stdout as
`{"name": ..., "value": ..., "unit": ..., "goal": ..., "detail": {...}}`, one per line, and its progress to
stderr. A benchmark that raises (or cannot be imported) is reported as a line with an `"error"` key, the others
still run, and the runner exits with 1 at the end.

Outside the repository's `.venv` it re-runs itself with `.venv`'s Python when that exists (`scripts/test.py` or
`scripts/demo.py` creates it), so plain `python benchmarks/run.py` works.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib
import json
import os
import subprocess
import sys
import time
import traceback
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from types import ModuleType
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent
BENCH_DIR = REPO_ROOT / "benchmarks"
VENV_DIR = REPO_ROOT / ".venv"
NO_REEXEC_ENV = "FORTNOX_LINK_BENCH_NO_REEXEC"
RESULT_KEYS = ("name", "value", "unit", "goal", "detail")


# --- running on the project's venv ---------------------------------------------------------------------------------


def _venv_python() -> Path:
    if os.name == "nt":
        return VENV_DIR / "Scripts" / "python.exe"
    return VENV_DIR / "bin" / "python"


def _in_venv() -> bool:
    try:
        return Path(sys.prefix).resolve() == VENV_DIR.resolve()
    except OSError:
        return False


def reexec_in_venv(argv: Sequence[str]) -> int | None:
    """Run this script again with `.venv`'s Python when we are outside it and it exists; its exit code, or None."""
    python = _venv_python()
    if _in_venv() or not python.exists() or os.environ.get(NO_REEXEC_ENV):
        return None
    env = dict(os.environ, **{NO_REEXEC_ENV: "1"})
    child = subprocess.Popen([str(python), str(Path(__file__).resolve()), *argv], env=env)  # noqa: S603
    while True:
        try:
            return child.wait()
        except KeyboardInterrupt:  # the child got it too; let it finish its own way
            continue


# --- discovery -----------------------------------------------------------------------------------------------------


@dataclass
class Benchmark:
    module_name: str  # e.g. "bench_client"
    module: ModuleType | None
    import_error: str = ""
    import_traceback: str = ""

    @property
    def name(self) -> str:
        return str(getattr(self.module, "NAME", self.module_name))

    @property
    def description(self) -> str:
        if self.module is None:
            return f"(cannot be imported: {self.import_error})"
        return str(getattr(self.module, "DESCRIPTION", ""))

    def answers_to(self, wanted: str) -> bool:
        """True when `wanted` is this benchmark's NAME, its module name, or its module name without `bench_`."""
        return wanted in {self.name, self.module_name, self.module_name.removeprefix("bench_")}


def discover() -> list[Benchmark]:
    """Import every `benchmarks/bench_*.py`, sorted by file name; a failed import is kept with its error."""
    if str(REPO_ROOT) not in sys.path:
        sys.path.insert(0, str(REPO_ROOT))
    found = []
    for path in sorted(BENCH_DIR.glob("bench_*.py")):
        try:
            found.append(Benchmark(path.stem, importlib.import_module(f"benchmarks.{path.stem}")))
        except Exception as exc:
            found.append(Benchmark(path.stem, None, f"{type(exc).__name__}: {exc}", traceback.format_exc()))
    return found


# --- running -------------------------------------------------------------------------------------------------------


def _progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _json_default(value: object) -> object:
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, dt.date | dt.datetime | dt.time):
        return value.isoformat()
    if isinstance(value, set | frozenset | tuple):
        return list(value)
    return str(value)


def _error_line(name: str, error: str) -> dict[str, Any]:
    return {"name": name, "value": None, "unit": None, "goal": None, "detail": {}, "error": error}


def _normalize(raw: object, benchmark: Benchmark) -> dict[str, Any]:
    """One result in the documented key order; a malformed result becomes an error line."""
    if not isinstance(raw, dict):
        return _error_line(benchmark.name, f"result is a {type(raw).__name__}, not a dict")
    missing = [key for key in ("name", "value", "unit") if key not in raw]
    if missing:
        return _error_line(str(raw.get("name", benchmark.name)), f"result lacks {', '.join(missing)}")
    line = {key: raw.get(key) for key in RESULT_KEYS}
    if line["detail"] is None:
        line["detail"] = {}
    line.update({key: value for key, value in raw.items() if key not in RESULT_KEYS})
    return line


def run_benchmark(benchmark: Benchmark, quick: bool) -> list[dict[str, Any]]:
    """Run one benchmark; never raises, errors come back as result lines with an `error` key."""
    if benchmark.module is None:
        _progress(benchmark.import_traceback.rstrip())
        if "ModuleNotFoundError" in benchmark.import_error and not _in_venv():
            _progress("hint: run `python3 scripts/test.py` once; it creates .venv with the project installed")
        return [_error_line(benchmark.name, f"import failed: {benchmark.import_error}")]
    run = getattr(benchmark.module, "run", None)
    if not callable(run):
        return [_error_line(benchmark.name, "module defines no run(quick) function")]
    _progress(f"running {benchmark.name}{' (quick)' if quick else ''} …")
    started = time.perf_counter()
    try:
        results = run(quick)
    except Exception as exc:
        traceback.print_exc(file=sys.stderr)
        lines = [_error_line(benchmark.name, f"{type(exc).__name__}: {exc}")]
    else:
        if isinstance(results, dict):
            results = [results]
        if not isinstance(results, list) or not results:
            lines = [_error_line(benchmark.name, "run() returned no results")]
        else:
            lines = [_normalize(raw, benchmark) for raw in results]
    _progress(f"{benchmark.name} finished in {time.perf_counter() - started:.1f} s")
    return lines


def main(argv: Sequence[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="benchmarks/run.py",
        description="Run Fortnox Link's benchmarks; one JSON result per line on stdout.",
    )
    parser.add_argument("--quick", action="store_true", help="smaller workloads (a quick look, not a measurement)")
    parser.add_argument("--list", action="store_true", help="list the benchmarks and exit")
    parser.add_argument("names", nargs="*", metavar="NAME", help="benchmarks to run (default: all)")
    args = parser.parse_args(argv)

    benchmarks = discover()
    if args.list:
        for benchmark in benchmarks:
            print(f"{benchmark.name}  ({benchmark.module_name})\n    {benchmark.description}")
        return 0
    if args.names:
        unknown = [name for name in args.names if not any(b.answers_to(name) for b in benchmarks)]
        if unknown:
            known = ", ".join(b.name for b in benchmarks) or "none"
            parser.error(f"unknown benchmark(s): {', '.join(unknown)} (known: {known})")
        benchmarks = [b for b in benchmarks if any(b.answers_to(name) for name in args.names)]
    if not benchmarks:
        _progress("no benchmarks found (benchmarks/bench_*.py)")
        return 1

    failed = 0
    for benchmark in benchmarks:
        for line in run_benchmark(benchmark, args.quick):
            failed += "error" in line
            print(json.dumps(line, default=_json_default), flush=True)
    if failed:
        _progress(f"{failed} result(s) with an error")
        return 1
    return 0


if __name__ == "__main__":
    code = reexec_in_venv(sys.argv[1:])
    sys.exit(main(sys.argv[1:]) if code is None else code)
