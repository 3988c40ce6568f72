"""Run store operations in a child process that then dies without any clean-up (os._exit), as a crash would."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def run_and_crash(db_path: Path, body: str) -> str:
    """Open the store at `db_path` as `store` in a new Python process, run `body`, print, then os._exit(0).

    Returns what the child printed. Nothing is closed, committed or flushed by Python on the way out.
    """
    code = "\n".join(
        [
            "import os, sys",
            "from pathlib import Path",
            "from fortnox_link.store import open_store",
            f"store = open_store(Path({str(db_path)!r}))",
            textwrap.dedent(body),
            "sys.stdout.flush()",
            "os._exit(0)",
        ]
    )
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(REPO), env.get("PYTHONPATH", "")])
    done = subprocess.run(  # noqa: S603 - our own interpreter and our own code
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, env=env, check=False
    )
    assert done.returncode == 0, done.stderr
    return done.stdout
