#!/usr/bin/env python3
"""Run Fortnox Link in demo mode: the embedded Fortnox sandbox and a sample company, no account needed.

    python3 scripts/demo.py              # on Windows: py scripts\\demo.py
    python3 scripts/demo.py --headless   # extra arguments go to `fortnox-link demo`

Creates `.venv` and installs the project into it on first use (`scripts/_bootstrap.py`), then runs
`python -m fortnox_link demo` with the venv's Python and exits with its exit code.
"""

from __future__ import annotations

import subprocess
import sys

from _bootstrap import REPO_ROOT, ensure_venv, require_python


def main(demo_args: list[str]) -> int:
    require_python()
    python = ensure_venv()
    # A child process rather than os.exec*, which behaves badly on Windows consoles. Ctrl+C reaches the child
    # too (same console), so here it only waits for the child to finish.
    child = subprocess.Popen([str(python), "-m", "fortnox_link", "demo", *demo_args], cwd=REPO_ROOT)
    while True:
        try:
            return child.wait()
        except KeyboardInterrupt:
            continue


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
