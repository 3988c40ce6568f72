"""Non-secret settings: typed round trips, and secrets refused."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from fortnox_link.secrets import registry
from fortnox_link.store import SecretInSettings, Store, open_store


def test_typed_values_round_trip_through_the_file(store: Store) -> None:
    store.set_setting("invoicing.enabled", True)
    store.set_setting("invoicing.sales_account", "3001")
    store.set_setting("invoicing.batch_size", 25)
    store.set_setting("inventory.threshold", Decimal("1234.50"))
    store.set_setting("inventory.start_date", date(2025, 1, 1))
    store.set_setting("matching.tolerance", {"amount": Decimal("1.00"), "percent": Decimal("0.5")})
    path = store.path
    store.close()

    reopened = open_store(path)
    try:
        assert reopened.get_setting_bool("invoicing.enabled") is True
        assert reopened.get_setting_str("invoicing.sales_account") == "3001"
        assert reopened.get_setting_int("invoicing.batch_size") == 25
        amount = reopened.get_setting_decimal("inventory.threshold")
        assert amount == Decimal("1234.50") and str(amount) == "1234.50"
        assert reopened.get_setting_date("inventory.start_date") == date(2025, 1, 1)
        assert reopened.get_setting("matching.tolerance") == {"amount": "1.00", "percent": "0.5"}
        raw = reopened.db.execute("SELECT value FROM settings WHERE key = 'inventory.threshold'").fetchone()[0]
        assert raw == '"1234.50"'  # the Decimal's text, never a binary float
        assert set(reopened.settings()) == {
            "invoicing.enabled",
            "invoicing.sales_account",
            "invoicing.batch_size",
            "inventory.threshold",
            "inventory.start_date",
            "matching.tolerance",
        }
    finally:
        reopened.close()


def test_defaults_overwrites_and_deletes(store: Store) -> None:
    assert store.get_setting_int("missing", 7) == 7
    assert store.get_setting("missing") is None
    assert not store.has_setting("x")
    store.set_setting("x", 1)
    store.set_setting("x", 2)
    assert store.get_setting_int("x") == 2
    assert store.db["settings"].count == 1
    assert store.delete_setting("x") is True
    assert store.delete_setting("x") is False
    assert store.get_setting_int("x", 0) == 0


def test_a_value_of_the_wrong_type_is_an_error_not_a_guess(store: Store) -> None:
    store.set_setting("n", "12")
    store.set_setting("flag", 1)
    with pytest.raises(ValueError, match="not a whole number"):
        store.get_setting_int("n")
    with pytest.raises(ValueError, match="not a true/false"):
        store.get_setting_bool("flag")
    store.set_setting("amount", "12,50")
    with pytest.raises(ValueError, match="not a decimal"):
        store.get_setting_decimal("amount")


def test_floats_are_refused(store: Store) -> None:
    with pytest.raises(TypeError, match="Decimal"):
        store.set_setting("inventory.threshold", 12.5)
    with pytest.raises(TypeError, match="Decimal"):
        store.set_setting("matching.tolerance", {"amount": 0.1})
    assert not store.has_setting("inventory.threshold")


@pytest.mark.parametrize(
    "key",
    ["fortnox_token", "fortnox.refresh_token", "client_secret", "Extend_API_KEY", "proxy.password", "apikey"],
)
def test_secret_looking_keys_are_refused(store: Store, key: str) -> None:
    with pytest.raises(SecretInSettings, match="keyring"):
        store.set_setting(key, "abc")
    assert not store.has_setting(key)


def test_secret_looking_nested_keys_and_known_secret_values_are_refused(store: Store) -> None:
    with pytest.raises(SecretInSettings, match="access_token"):
        store.set_setting("fortnox", {"client_id": "x", "auth": {"access_token": "eyJ..."}})
    registry.register("sk_live_very_secret_value_1")
    with pytest.raises(SecretInSettings, match="secret value"):
        store.set_setting("extend.endpoint_note", ["a", "sk_live_very_secret_value_1"])
    assert store.settings() == {}
