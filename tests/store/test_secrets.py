"""Secrets in the keyring only; a clear refusal when there is no usable keyring."""

from __future__ import annotations

import json
from collections.abc import Iterator

import keyring
import keyring.backends.fail
import keyring.backends.null
import pytest
from keyring.backend import KeyringBackend

from fortnox_link.secrets import (
    EXTEND_API_KEY,
    FORTNOX_CLIENT_SECRET,
    FORTNOX_TOKENS,
    SERVICE,
    SecretRegistry,
    SecretStore,
    SecretStoreUnavailable,
    check_backend,
    registry,
)
from tests.keyring_memory import MemoryKeyring


def test_set_get_delete_in_the_profiles_namespace(memory_keyring: MemoryKeyring) -> None:
    acme = SecretStore("acme")
    other = SecretStore("Bygg_AB")
    acme.set(FORTNOX_CLIENT_SECRET, "client-secret-acme-123")
    other.set(FORTNOX_CLIENT_SECRET, "client-secret-bygg-456")
    acme.set(EXTEND_API_KEY, "extend-key-acme-789")

    assert memory_keyring.passwords[(SERVICE, "acme/fortnox_client_secret")] == "client-secret-acme-123"
    assert memory_keyring.passwords[(SERVICE, "Bygg_AB/fortnox_client_secret")] == "client-secret-bygg-456"
    assert acme.get(FORTNOX_CLIENT_SECRET) == "client-secret-acme-123"
    assert acme.get(FORTNOX_TOKENS) is None

    assert acme.delete(EXTEND_API_KEY) is True
    assert acme.delete(EXTEND_API_KEY) is False
    assert acme.get(EXTEND_API_KEY) is None
    assert other.get(FORTNOX_CLIENT_SECRET) == "client-secret-bygg-456"


def test_delete_all_removes_every_secret_of_one_profile_only(memory_keyring: MemoryKeyring) -> None:
    acme = SecretStore("acme")
    acme.set_fortnox_tokens({"access_token": "at-acme-000001", "refresh_token": "rt-acme-000001"})
    acme.set(FORTNOX_CLIENT_SECRET, "cs-acme-000001")
    acme.set(EXTEND_API_KEY, "ek-acme-000001")
    SecretStore("other").set(EXTEND_API_KEY, "ek-other-000001")

    assert sorted(acme.delete_all()) == sorted([FORTNOX_TOKENS, FORTNOX_CLIENT_SECRET, EXTEND_API_KEY])
    assert list(memory_keyring.passwords) == [(SERVICE, "other/extend_api_key")]


def test_the_token_set_is_one_json_document(memory_keyring: MemoryKeyring) -> None:
    store = SecretStore("acme")
    tokens = {"access_token": "at-json-0000001", "refresh_token": "rt-json-0000001", "expires_at": 1767225600}
    store.set_fortnox_tokens(tokens)
    assert json.loads(memory_keyring.passwords[(SERVICE, "acme/fortnox_tokens")]) == tokens
    assert store.get_fortnox_tokens() == tokens


def test_every_secret_read_or_written_is_registered_for_redaction(memory_keyring: MemoryKeyring) -> None:
    SecretStore("acme").set_fortnox_tokens({"access_token": "at-registered-01", "refresh_token": "rt-registered-01"})
    assert registry.contains("at-registered-01") and registry.contains("rt-registered-01")
    # a value put in the keyring by another process is registered when read
    memory_keyring.set_password(SERVICE, "acme/extend_api_key", "read-from-keyring-01")
    assert not registry.contains("read-from-keyring-01")
    assert SecretStore("acme").get(EXTEND_API_KEY) == "read-from-keyring-01"
    assert registry.contains("read-from-keyring-01")


def test_unknown_keys_and_bad_profiles_are_refused(memory_keyring: MemoryKeyring) -> None:
    with pytest.raises(ValueError, match="unknown secret key"):
        SecretStore("acme").set("password", "x" * 10)
    with pytest.raises(ValueError, match="profile"):
        SecretStore("a/b")
    with pytest.raises(ValueError, match="non-empty"):
        SecretStore("acme").set(EXTEND_API_KEY, "")
    assert memory_keyring.passwords == {}


def test_repr_shows_no_secret(memory_keyring: MemoryKeyring) -> None:
    store = SecretStore("acme")
    store.set(EXTEND_API_KEY, "ek-repr-0000001")
    assert "ek-repr" not in repr(store)


@pytest.fixture
def keyring_backend() -> Iterator[None]:
    previous = keyring.get_keyring()
    try:
        yield
    finally:
        keyring.set_keyring(previous)


def test_the_fail_backend_gives_the_clear_message(keyring_backend: None) -> None:
    keyring.set_keyring(keyring.backends.fail.Keyring())  # type: ignore[no-untyped-call]
    with pytest.raises(SecretStoreUnavailable) as caught:
        SecretStore("acme").get(FORTNOX_TOKENS)
    text = str(caught.value)
    # Swedish and English, and what to do in each case
    assert "Det finns ingen säker nyckelring" in text
    assert "No secure keyring is available" in text
    assert "GNOME Keyring" in text and "KWallet" in text
    assert "PYTHON_KEYRING_BACKEND" in text and "keyrings.cryptfile" in text
    assert "client credentials" in text
    assert "keyring.backends.fail.Keyring" in text
    with pytest.raises(SecretStoreUnavailable):
        SecretStore("acme").set(FORTNOX_CLIENT_SECRET, "never-stored-anywhere")


def test_a_null_backend_is_refused(keyring_backend: None) -> None:
    keyring.set_keyring(keyring.backends.null.Keyring())  # type: ignore[no-untyped-call]
    with pytest.raises(SecretStoreUnavailable, match="cannot store"):
        SecretStore("acme").set(EXTEND_API_KEY, "never-stored-anywhere")


class PlaintextKeyring(MemoryKeyring):
    """Stands in for keyrings.alt.file.PlaintextKeyring (same class name), with a priority that would pass."""

    priority = 5


class LowPriorityKeyring(MemoryKeyring):
    priority = 0.5  # type: ignore[assignment]


def test_plaintext_and_low_priority_backends_are_refused_never_used(keyring_backend: None) -> None:
    plaintext = PlaintextKeyring()
    keyring.set_keyring(plaintext)
    with pytest.raises(SecretStoreUnavailable, match="file"):
        SecretStore("acme").set(FORTNOX_CLIENT_SECRET, "must-not-be-written")
    assert plaintext.passwords == {}

    low = LowPriorityKeyring()
    keyring.set_keyring(low)
    with pytest.raises(SecretStoreUnavailable, match=r"priority 0\.5"):
        SecretStore("acme").set(FORTNOX_CLIENT_SECRET, "must-not-be-written")
    assert low.passwords == {}


def test_a_keyrings_alt_backend_is_recognised_by_its_module() -> None:
    fake = type("EncryptedKeyring", (MemoryKeyring,), {"__module__": "keyrings.alt.file", "priority": 5})
    backend: KeyringBackend = fake()
    with pytest.raises(SecretStoreUnavailable, match=r"keyrings\.alt\.file\.EncryptedKeyring"):
        check_backend(backend)
    assert check_backend(MemoryKeyring()) is not None


def test_the_registry_ignores_short_values_and_can_snapshot() -> None:
    own = SecretRegistry()
    own.register("ok")
    own.register(None)
    own.register_json({"a": ["long-enough-1", {"b": "long-enough-2"}], "n": 5})
    version, values = own.snapshot()
    assert values == {"long-enough-1", "long-enough-2"}
    own.register("long-enough-1")
    assert own.snapshot()[0] == version  # nothing new, same version
