"""Shared set-up for the Quick start scripts (`scripts/demo.py`, `scripts/test.py`).

Pure standard library, so it runs on a fresh machine that has nothing but Python 3.11+:

* creates `.venv` in the repository root when it is missing (the `venv` module, with pip);
* installs the project into it in editable mode (`pip install -e .` or `pip install -e .[extra,...]`);
* skips that install when nothing changed: a stamp file in `.venv` holds a hash of `pyproject.toml` and the
  extras installed with it. When `pyproject.toml` changes, or extras are asked for that were not installed
  with this version of it, pip runs again.

Everything else (the app, the test tools) runs with the venv's own Python, returned by `ensure_venv()`.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterable
from pathlib import Path

MIN_PYTHON = (3, 11)
REPO_ROOT = Path(__file__).resolve().parent.parent
VENV_DIR = REPO_ROOT / ".venv"
STAMP_FILE = VENV_DIR / ".fortnox-link-install.json"
PIP_QUIET = ("--disable-pip-version-check", "-q")


def require_python() -> None:
    """Exit with a clear message when the running Python is older than the project needs."""
    if sys.version_info < MIN_PYTHON:
        wanted = ".".join(str(part) for part in MIN_PYTHON)
        found = ".".join(str(part) for part in sys.version_info[:3])
        sys.exit(
            f"Fortnox Link needs Python {wanted} or newer; this is Python {found} ({sys.executable}).\n"
            f"Install Python {wanted}+ from https://www.python.org/downloads/ and run the script with it."
        )


def say(message: str) -> None:
    """Print one short progress line, at once (so it shows before a slow step starts)."""
    print(message, flush=True)


def venv_python(venv_dir: Path = VENV_DIR) -> Path:
    """The Python interpreter inside a virtual environment, on Windows and elsewhere."""
    if os.name == "nt":
        return venv_dir / "Scripts" / "python.exe"
    return venv_dir / "bin" / "python"


def running_in_venv(venv_dir: Path = VENV_DIR) -> bool:
    """True when this process already runs on the repository's `.venv`."""
    try:
        return Path(sys.prefix).resolve() == venv_dir.resolve()
    except OSError:
        return False


def pyproject_hash() -> str:
    """SHA-256 of `pyproject.toml`, the file that decides what gets installed."""
    return hashlib.sha256((REPO_ROOT / "pyproject.toml").read_bytes()).hexdigest()


def _read_stamp() -> dict[str, object]:
    try:
        data = json.loads(STAMP_FILE.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _installed_extras(current_hash: str) -> set[str] | None:
    """The extras installed for this exact `pyproject.toml`, or None when it was not installed (or changed)."""
    stamp = _read_stamp()
    extras = stamp.get("extras")
    if stamp.get("pyproject_sha256") != current_hash or not isinstance(extras, list):
        return None
    return {str(extra) for extra in extras}


def _write_stamp(current_hash: str, extras: set[str]) -> None:
    stamp = {"pyproject_sha256": current_hash, "extras": sorted(extras)}
    STAMP_FILE.write_text(json.dumps(stamp, indent=2) + "\n", encoding="utf-8")


def _create_venv() -> None:
    import venv

    say("Creating .venv …")
    try:
        venv.EnvBuilder(with_pip=True, clear=True).create(VENV_DIR)
    except (OSError, subprocess.CalledProcessError) as exc:
        shutil.rmtree(VENV_DIR, ignore_errors=True)  # half made (no pip): the next run starts over
        sys.exit(
            f"Could not create the virtual environment in {VENV_DIR}: {exc}\n"
            "On Debian or Ubuntu, install the 'python3-venv' package and run the script again."
        )
    if not venv_python().exists():
        sys.exit(f"Created {VENV_DIR}, but {venv_python()} is missing; delete .venv and try again.")


def ensure_venv(extras: Iterable[str] = ()) -> Path:
    """Make sure `.venv` exists and holds the project with `extras`; return the venv's Python.

    Safe to call on every run: when the stamp says the same `pyproject.toml` was already installed with (at
    least) these extras, it does nothing.
    """
    require_python()
    wanted = set(extras)
    python = venv_python()
    if not python.exists():
        _create_venv()

    current_hash = pyproject_hash()
    installed = _installed_extras(current_hash)
    if installed is not None and wanted <= installed:
        return python

    target = "." + (f"[{','.join(sorted(wanted))}]" if wanted else "")
    say(f"Installing dependencies (pip install -e {target}) …")
    result = subprocess.run(
        [str(python), "-m", "pip", "install", *PIP_QUIET, "-e", target],
        cwd=REPO_ROOT,
        check=False,
    )
    if result.returncode != 0:
        sys.exit(f"pip install -e {target} failed (exit code {result.returncode}); see the messages above.")
    # pip never removes extras, so what was installed before for this same pyproject.toml is still there.
    _write_stamp(current_hash, wanted | (installed or set()))
    return python
