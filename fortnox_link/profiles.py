"""Company profiles: several companies side by side (an accounting bureau's case).

Each profile has its own folder ``<home>/profiles/<name>/`` with its database ``fortnox-link.db`` (settings
included) and its own secrets namespace in the keyring (``<name>/<key>``). ``<home>`` is
``platformdirs.user_data_dir("FortnoxLink", appauthor=False)``, or ``$FORTNOX_LINK_HOME`` when that is set (tests
and the demo use it to stay out of the real user folder).

``<home>/profiles.json`` remembers the profile names and which one is the default. It holds nothing else, and
never anything secret.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import tempfile
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

import platformdirs

from .logs import APP_NAME, HOME_ENV
from .secrets import SecretStore
from .store import Store, open_store

DB_FILE_NAME: Final = "fortnox-link.db"
PROFILES_FILE: Final = "profiles.json"
MAX_NAME_LENGTH: Final = 64

_NAME: Final = re.compile(r"[A-Za-z0-9åäöÅÄÖ_-]+")
# Names Windows cannot use for a folder, whatever the case.
_WINDOWS_RESERVED: Final = frozenset(
    {"con", "prn", "aux", "nul"} | {f"com{i}" for i in range(1, 10)} | {f"lpt{i}" for i in range(1, 10)}
)


class ProfileError(ValueError):
    """A profile name is invalid, taken or unknown, or its files could not be removed."""


def app_home() -> Path:
    """The app's data folder: ``$FORTNOX_LINK_HOME`` or the platform's user data folder."""
    override = os.environ.get(HOME_ENV)
    if override:
        return Path(override)
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def validate_profile_name(name: str) -> str:
    """The name in canonical form (Unicode NFC), or `ProfileError`.

    Letters a-z, A-Z, å, ä, ö, digits, ``-`` and ``_``; 1 to 64 characters; no path separators; not a name
    Windows reserves (CON, NUL, COM1, ...).
    """
    if not isinstance(name, str):
        raise ProfileError("a profile name is text")
    canonical = unicodedata.normalize("NFC", name)
    if not canonical:
        raise ProfileError("Profilnamnet får inte vara tomt. / The profile name must not be empty.")
    if len(canonical) > MAX_NAME_LENGTH:
        raise ProfileError(
            f"Profilnamnet får vara högst {MAX_NAME_LENGTH} tecken. / "
            f"The profile name may be at most {MAX_NAME_LENGTH} characters."
        )
    if not _NAME.fullmatch(canonical):
        raise ProfileError(
            f"Ogiltigt profilnamn {name!r}: använd bokstäver (a–ö), siffror, - och _. / "
            f"Invalid profile name {name!r}: use letters (a–z, å, ä, ö), digits, - and _."
        )
    if canonical.lower() in _WINDOWS_RESERVED:
        raise ProfileError(f"{name!r} är reserverat av Windows. / {name!r} is reserved by Windows.")
    return canonical


@dataclass(frozen=True)
class Profile:
    """One company: its folder, database and secrets."""

    name: str
    home: Path

    @property
    def folder(self) -> Path:
        return self.home / "profiles" / self.name

    @property
    def db_path(self) -> Path:
        return self.folder / DB_FILE_NAME

    def open_store(self) -> Store:
        return open_store(self.db_path)

    def secrets(self) -> SecretStore:
        return SecretStore(self.name)


def _home(home: Path | None) -> Path:
    return home if home is not None else app_home()


def _registry_path(home: Path) -> Path:
    return home / PROFILES_FILE


def _read_registry(home: Path) -> dict[str, Any]:
    path = _registry_path(home)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return _rebuild_registry(home)
    except ValueError:
        # A damaged file: rebuild the list from the folders (the default is forgotten, nothing else is lost).
        return _rebuild_registry(home)
    names = [n for n in data.get("profiles", []) if isinstance(n, str)]
    default = data.get("default")
    return {"profiles": names, "default": default if isinstance(default, str) else None}


def _rebuild_registry(home: Path) -> dict[str, Any]:
    names: list[str] = []
    folder = home / "profiles"
    if folder.is_dir():
        for entry in sorted(folder.iterdir()):
            if not (entry / DB_FILE_NAME).is_file():
                continue
            try:
                names.append(validate_profile_name(entry.name))
            except ProfileError:
                continue
    return {"profiles": names, "default": None}


def _write_registry(home: Path, data: dict[str, Any]) -> None:
    home.mkdir(parents=True, exist_ok=True)
    document = {"version": 1, "default": data["default"], "profiles": sorted(set(data["profiles"]), key=str.lower)}
    fd, tmp = tempfile.mkstemp(prefix=".profiles-", suffix=".json", dir=home)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(document, handle, ensure_ascii=False, indent=2)
            handle.write("\n")
        os.replace(tmp, _registry_path(home))  # atomic on Windows and POSIX alike
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _find(names: list[str], name: str) -> str | None:
    """The registered spelling of `name`, compared case-insensitively (Windows and macOS folders are)."""
    for existing in names:
        if existing.casefold() == name.casefold():
            return existing
    return None


def list_profiles(home: Path | None = None) -> list[Profile]:
    root = _home(home)
    return [Profile(n, root) for n in sorted(_read_registry(root)["profiles"], key=str.lower)]


def get_profile(name: str, home: Path | None = None) -> Profile:
    root = _home(home)
    found = _find(_read_registry(root)["profiles"], validate_profile_name(name))
    if found is None:
        raise ProfileError(f"Profilen {name!r} finns inte. / There is no profile {name!r}.")
    return Profile(found, root)


def default_profile(home: Path | None = None) -> Profile | None:
    """The remembered default; else the only profile, or the first by name; None when there are none."""
    root = _home(home)
    data = _read_registry(root)
    names = sorted(data["profiles"], key=str.lower)
    if not names:
        return None
    chosen = _find(names, data["default"]) if data["default"] else None
    return Profile(chosen or names[0], root)


def set_default_profile(name: str, home: Path | None = None) -> Profile:
    root = _home(home)
    data = _read_registry(root)
    found = _find(data["profiles"], validate_profile_name(name))
    if found is None:
        raise ProfileError(f"Profilen {name!r} finns inte. / There is no profile {name!r}.")
    data["default"] = found
    _write_registry(root, data)
    return Profile(found, root)


def create_profile(name: str, home: Path | None = None, *, make_default: bool | None = None) -> Profile:
    """Create the folder and an empty, migrated database. The first profile becomes the default."""
    root = _home(home)
    canonical = validate_profile_name(name)
    data = _read_registry(root)
    existing = _find(data["profiles"], canonical)
    if existing is not None:
        raise ProfileError(f"Profilen {existing!r} finns redan. / The profile {existing!r} exists already.")
    profile = Profile(canonical, root)
    profile.folder.mkdir(parents=True, exist_ok=True)
    profile.open_store().close()
    data["profiles"].append(canonical)
    if make_default or (make_default is None and not data["default"]):
        data["default"] = canonical
    _write_registry(root, data)
    return profile


def delete_profile(name: str, home: Path | None = None, *, forget_secrets: bool = True) -> None:
    """Delete a profile: its secrets in the keyring first, then its folder, then its entry.

    Close every `Store` of the profile first (Windows cannot delete an open database). If the keyring cannot
    be reached, `SecretStoreUnavailable` is raised and nothing is deleted; pass ``forget_secrets=False`` to
    delete the files anyway and leave any secrets in the keyring.
    """
    profile = get_profile(name, home)
    if forget_secrets:
        profile.secrets().delete_all()  # SecretStoreUnavailable: nothing deleted yet
    if profile.folder.exists():
        try:
            shutil.rmtree(profile.folder)
        except OSError as exc:
            raise ProfileError(
                f"Kunde inte ta bort {profile.folder} ({exc.strerror}); är programmet öppet för profilen? / "
                f"Could not delete {profile.folder} ({exc.strerror}); is the profile still open?"
            ) from exc
    data = _read_registry(profile.home)
    data["profiles"] = [n for n in data["profiles"] if n != profile.name]
    if data["default"] == profile.name:
        data["default"] = sorted(data["profiles"], key=str.lower)[0] if data["profiles"] else None
    _write_registry(profile.home, data)
