#!/usr/bin/env python3
"""Run the whole test suite: lint, format check, types, tests.

    python3 scripts/test.py              # everything
    python3 scripts/test.py -k sandbox   # extra arguments go to pytest

Steps, in order, stopping at the first one that fails:

1. On Linux with apt (Debian, Ubuntu): make sure the system libraries Qt needs for the GUI tests are installed,
   installing only the missing ones (as root, or through `sudo -n`; otherwise it prints what to install).
2. Create `.venv` and install the project with its test extras (`scripts/_bootstrap.py`).
3. `ruff check .`, `ruff format --check .`, `mypy`, `pytest`, all with `QT_QPA_PLATFORM=offscreen` so no
   display is needed.

The exit code is the first failing step's (pytest's 5, "no tests collected", counts as a failure). At the end
it prints one line per step with its result and duration, then pytest's counts.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

from _bootstrap import REPO_ROOT, ensure_venv, require_python, say

# The Debian packages behind Qt's offscreen and xcb platforms, its fonts, and a virtual display for screenshots.
QT_DEBIAN_PACKAGES = (
    "fontconfig",
    "fonts-dejavu-core",
    "libxcb-icccm4",
    "libxcb-keysyms1",
    "libxcb-cursor0",
    "libxkbcommon-x11-0",
    "libegl1",
    "libgl1",
    "libdbus-1-3",
    "xvfb",
    "xauth",
)

PYTEST_EXIT_MEANINGS = {
    1: "tests failed",
    2: "interrupted",
    3: "internal error",
    4: "usage error",
    5: "no tests collected",
}


@dataclass
class StepResult:
    name: str
    returncode: int | None  # None: not run
    seconds: float = 0.0
    note: str = ""


# --- system packages -------------------------------------------------------------------------------------------


def _missing_debian_packages(packages: tuple[str, ...]) -> list[str]:
    """The packages that `dpkg-query` does not report as 'install ok installed'."""
    missing = []
    for package in packages:
        result = subprocess.run(
            ["dpkg-query", "-W", "-f=${Status}", package],
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode != 0 or not result.stdout.strip().endswith("ok installed"):
            missing.append(package)
    return missing


def _run_apt(prefix: list[str], missing: list[str]) -> bool:
    """`apt-get update` then `apt-get install` the missing packages; True when both succeeded."""
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    commands = [
        [*prefix, "apt-get", "update", "-qq"],
        [*prefix, "apt-get", "install", "-y", "-qq", "--no-install-recommends", *missing],
    ]
    for command in commands:
        result = subprocess.run(command, env=env, capture_output=True, text=True, stdin=subprocess.DEVNULL, check=False)
        if result.returncode != 0:
            tail = "\n".join((result.stdout + result.stderr).strip().splitlines()[-8:])
            say(f"  `{' '.join(command)}` failed (exit code {result.returncode}):\n{tail}")
            return False
    return True


def ensure_qt_system_packages() -> None:
    """On Linux with apt and dpkg: install the Debian packages Qt's tests need, if any are missing.

    Never fails the run: when it cannot install, it says exactly what to install and goes on.
    """
    if not sys.platform.startswith("linux") or not (shutil.which("apt-get") and shutil.which("dpkg-query")):
        return
    missing = _missing_debian_packages(QT_DEBIAN_PACKAGES)
    if not missing:
        return
    say(f"Installing system packages for the Qt tests: {' '.join(missing)} …")
    geteuid = getattr(os, "geteuid", None)
    if geteuid is not None and geteuid() == 0:
        prefix: list[str] | None = []
    elif shutil.which("sudo"):
        # `sudo` resets the environment, so DEBIAN_FRONTEND is passed through `env`.
        prefix = ["sudo", "-n", "env", "DEBIAN_FRONTEND=noninteractive"]
    else:
        prefix = None
    if prefix is not None and _run_apt(prefix, missing):
        return
    say(
        "Could not install them (not root, and `sudo -n` is not available without a password). Please run:\n"
        f"  sudo apt-get install --no-install-recommends {' '.join(missing)}\n"
        "Going on without them; the Qt tests may fail."
    )


# --- the checks --------------------------------------------------------------------------------------------------


def _pytest_counts(junit_xml: Path) -> str | None:
    """'N passed, N failed, N skipped' from pytest's JUnit XML report, or None when there is none."""
    try:
        root = ET.parse(junit_xml).getroot()  # noqa: S314 (pytest's own report, in our temp dir)
    except (OSError, ET.ParseError):
        return None
    suites = [root] if root.tag == "testsuite" else root.findall("testsuite")
    if not suites:
        return None
    total = failed = skipped = 0
    for suite in suites:
        total += int(suite.get("tests", 0))
        failed += int(suite.get("failures", 0)) + int(suite.get("errors", 0))
        skipped += int(suite.get("skipped", 0))
    return f"{total - failed - skipped} passed, {failed} failed, {skipped} skipped"


def _run_step(name: str, command: list[str], env: dict[str, str]) -> StepResult:
    say(f"\n=== {name} ===")
    started = time.perf_counter()
    try:
        returncode = subprocess.run(command, cwd=REPO_ROOT, env=env, check=False).returncode
    except KeyboardInterrupt:
        returncode = 130
    return StepResult(name, returncode, time.perf_counter() - started)


def _print_summary(results: list[StepResult], total_seconds: float, counts: str | None) -> None:
    say("\nSummary")
    for result in results:
        if result.returncode is None:
            status = "skipped"
        elif result.returncode == 0:
            status = "ok"
        else:
            status = f"FAILED (exit code {result.returncode}{', ' + result.note if result.note else ''})"
        duration = f"{result.seconds:6.1f} s" if result.returncode is not None else "       -"
        say(f"  {result.name:<20} {duration}  {status}")
    failed = next((r for r in results if r.returncode not in (None, 0)), None)
    if failed is None:
        say(f"All {len(results)} steps passed in {total_seconds:.1f} s.")
    else:
        say(f"Stopped at '{failed.name}' after {total_seconds:.1f} s.")
    if counts:
        # Last line on purpose: the plain 'N passed, N failed' line that CI reads.
        say(f"pytest: {counts}")


def main(pytest_args: list[str]) -> int:
    require_python()
    started = time.perf_counter()
    ensure_qt_system_packages()
    python = str(ensure_venv(extras=["test"]))

    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    with tempfile.TemporaryDirectory(prefix="fortnox-link-test-") as tmp:
        junit_xml = Path(tmp) / "pytest.xml"
        report_args = [] if any(arg.startswith("--junit") for arg in pytest_args) else [f"--junitxml={junit_xml}"]
        steps = [
            ("ruff check", [python, "-m", "ruff", "check", "."]),
            ("ruff format --check", [python, "-m", "ruff", "format", "--check", "."]),
            ("mypy", [python, "-m", "mypy"]),
            ("pytest", [python, "-m", "pytest", *report_args, *pytest_args]),
        ]
        results = [StepResult(name, None) for name, _ in steps]
        exit_code = 0
        for index, (name, command) in enumerate(steps):
            results[index] = _run_step(name, command, env)
            returncode = results[index].returncode
            if returncode:
                if name == "pytest":
                    results[index].note = PYTEST_EXIT_MEANINGS.get(returncode, "")
                exit_code = returncode
                break
        counts = _pytest_counts(junit_xml)
    _print_summary(results, time.perf_counter() - started, counts)
    return exit_code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
