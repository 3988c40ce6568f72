"""The store is the IntentLog that the exactly-once helper (fortnox_link.sync.once) runs on."""

from __future__ import annotations

from typing import Any

import pytest

from fortnox_link.store import Store

once = pytest.importorskip("fortnox_link.sync.once")
fortnox = pytest.importorskip("fortnox_link.fortnox")


def test_ensure_created_after_a_lost_answer_finds_the_object_next_run(store: Store) -> None:
    created_in_fortnox: dict[str, dict[str, Any]] = {}
    posts: list[str] = []

    def create_lost() -> dict[str, Any]:
        posts.append("B-1")
        created_in_fortnox["B-1"] = {"DocumentNumber": "4501"}
        raise fortnox.OutcomeUnknownError("no answer", method="POST", path="/3/invoices")

    def lookup_nothing_yet() -> dict[str, Any] | None:
        return None  # Fortnox had not indexed it yet when we looked right away

    with pytest.raises(fortnox.OutcomeUnknownError):
        once.ensure_created(
            store,
            kind="invoice",
            source_id="B-1",
            fingerprint="f",
            run_id=None,
            create=create_lost,
            lookup=lookup_nothing_yet,
            id_of=lambda d: str(d["DocumentNumber"]),
        )
    assert [i.state for i in store.open_intents()] == ["unknown"]

    def create_again() -> dict[str, Any]:
        posts.append("B-1 again")
        return {"DocumentNumber": "9999"}

    result = once.ensure_created(
        store,
        kind="invoice",
        source_id="B-1",
        fingerprint="f",
        run_id=None,
        create=create_again,
        lookup=lambda: created_in_fortnox.get("B-1"),
        id_of=lambda d: str(d["DocumentNumber"]),
    )
    assert result.fortnox_id == "4501" and result.created is False
    assert posts == ["B-1"]  # never posted twice
    assert store.get_link("invoice", "B-1") == "4501"
    assert store.open_intents() == []
