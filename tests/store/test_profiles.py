"""Company profiles side by side: folders, databases, secrets and the profiles.json registry."""

from __future__ import annotations

import json
from pathlib import Path

import keyring
import keyring.backends.fail
import pytest

from fortnox_link.profiles import (
    DB_FILE_NAME,
    ProfileError,
    app_home,
    create_profile,
    default_profile,
    delete_profile,
    get_profile,
    list_profiles,
    set_default_profile,
    validate_profile_name,
)
from fortnox_link.secrets import EXTEND_API_KEY, FORTNOX_CLIENT_SECRET, SERVICE, SecretStoreUnavailable
from tests.keyring_memory import MemoryKeyring


def test_the_home_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("FORTNOX_LINK_HOME", str(tmp_path / "x"))
    assert app_home() == tmp_path / "x"
    profile = create_profile("acme")
    assert profile.db_path == tmp_path / "x" / "profiles" / "acme" / DB_FILE_NAME
    assert profile.db_path.is_file()
    monkeypatch.delenv("FORTNOX_LINK_HOME")
    assert app_home().name == "FortnoxLink"


@pytest.mark.parametrize("name", ["acme", "Bygg_AB", "Åkeri-Öst", "räksmörgås", "a", "x" * 64, "2025-test"])
def test_valid_names(name: str) -> None:
    assert validate_profile_name(name) == name


@pytest.mark.parametrize(
    "name",
    ["", "x" * 65, "a/b", "a\\b", "..", ".", "a b", "acme.db", "con", "NUL", "Com1", "lpt9", "é", "a:b", "ab\x00"],
)
def test_invalid_names(name: str) -> None:
    with pytest.raises(ProfileError):
        validate_profile_name(name)


def test_decomposed_unicode_names_are_stored_composed(tmp_path: Path) -> None:
    decomposed = "A\u030akeri"  # "Åkeri" as macOS may hand it over
    profile = create_profile(decomposed, tmp_path)
    assert profile.name == "\u00c5keri"
    assert get_profile(decomposed, tmp_path).name == "\u00c5keri"


def test_profiles_side_by_side(tmp_path: Path) -> None:
    acme = create_profile("acme", tmp_path)
    bygg = create_profile("Bygg_AB", tmp_path)
    assert [p.name for p in list_profiles(tmp_path)] == ["acme", "Bygg_AB"]
    assert acme.db_path != bygg.db_path

    with acme.open_store() as store:
        store.set_setting("invoicing.enabled", True)
        store.save_link("customer", "C-1", "1", "f")
    with bygg.open_store() as store:
        assert store.get_setting("invoicing.enabled") is None
        assert store.get_link("customer", "C-1") is None
    with acme.open_store() as store:
        assert store.get_setting_bool("invoicing.enabled") is True


def test_names_are_unique_ignoring_case(tmp_path: Path) -> None:
    create_profile("Acme", tmp_path)
    with pytest.raises(ProfileError, match="finns redan"):
        create_profile("acme", tmp_path)
    assert get_profile("ACME", tmp_path).name == "Acme"
    with pytest.raises(ProfileError, match="finns inte"):
        get_profile("other", tmp_path)


def test_the_default_profile(tmp_path: Path) -> None:
    assert default_profile(tmp_path) is None
    create_profile("first", tmp_path)
    create_profile("second", tmp_path)
    first = default_profile(tmp_path)
    assert first is not None and first.name == "first"  # the first one created becomes the default
    set_default_profile("second", tmp_path)
    again = default_profile(tmp_path)
    assert again is not None and again.name == "second"
    create_profile("third", tmp_path, make_default=True)
    third = default_profile(tmp_path)
    assert third is not None and third.name == "third"


def test_profiles_json_holds_only_names_and_the_default(tmp_path: Path, memory_keyring: MemoryKeyring) -> None:
    acme = create_profile("acme", tmp_path)
    acme.secrets().set(FORTNOX_CLIENT_SECRET, "cs-should-not-leak-1")
    with acme.open_store() as store:
        store.set_setting("fortnox.client_id", "public-client-id")
    document = json.loads((tmp_path / "profiles.json").read_text(encoding="utf-8"))
    assert document == {"version": 1, "default": "acme", "profiles": ["acme"]}
    everything = b"".join(p.read_bytes() for p in tmp_path.rglob("*") if p.is_file())
    assert b"cs-should-not-leak-1" not in everything  # not in profiles.json, not in the database, nowhere on disk


def test_delete_profile_removes_its_folder_and_its_secrets(tmp_path: Path, memory_keyring: MemoryKeyring) -> None:
    acme = create_profile("acme", tmp_path)
    other = create_profile("other", tmp_path)
    acme.secrets().set(FORTNOX_CLIENT_SECRET, "cs-acme-delete-1")
    acme.secrets().set(EXTEND_API_KEY, "ek-acme-delete-1")
    other.secrets().set(EXTEND_API_KEY, "ek-other-keep-1")

    delete_profile("acme", tmp_path)

    assert not acme.folder.exists()
    assert [p.name for p in list_profiles(tmp_path)] == ["other"]
    new_default = default_profile(tmp_path)
    assert new_default is not None and new_default.name == "other"
    assert list(memory_keyring.passwords) == [(SERVICE, "other/extend_api_key")]
    assert other.db_path.is_file()


def test_delete_without_a_keyring_deletes_nothing_unless_told(tmp_path: Path) -> None:
    acme = create_profile("acme", tmp_path)
    previous = keyring.get_keyring()
    keyring.set_keyring(keyring.backends.fail.Keyring())  # type: ignore[no-untyped-call]
    try:
        with pytest.raises(SecretStoreUnavailable):
            delete_profile("acme", tmp_path)
        assert acme.db_path.is_file()
        delete_profile("acme", tmp_path, forget_secrets=False)
        assert not acme.folder.exists()
    finally:
        keyring.set_keyring(previous)


def test_a_lost_profiles_json_is_rebuilt_from_the_folders(tmp_path: Path) -> None:
    create_profile("acme", tmp_path)
    create_profile("bygg", tmp_path)
    (tmp_path / "profiles.json").unlink()
    assert [p.name for p in list_profiles(tmp_path)] == ["acme", "bygg"]
    (tmp_path / "profiles.json").write_text("{not json", encoding="utf-8")
    assert [p.name for p in list_profiles(tmp_path)] == ["acme", "bygg"]
