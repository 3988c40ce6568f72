"""The connections this version can run, by name. Each takes a Company and returns a report dict."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

SyncFunction = Callable[..., dict[str, Any]]


def available_connections() -> dict[str, SyncFunction]:
    """Connections are registered here as they are built (invoicing, matching, inventory)."""
    from .invoicing import run_invoicing

    return {"invoicing": run_invoicing}
