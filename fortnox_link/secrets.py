"""Secrets in the operating system's keyring, and nowhere else.

Fortnox tokens, the Fortnox client secret and the order system's API key are stored with `keyring` under the
service name ``fortnox-link`` and the user name ``<profile>/<key>``. Nothing secret is ever written to SQLite,
to a settings file, to a log or into an exception text.

When keyring has no usable backend (its fail backend, a backend with priority below 1, or one of the plaintext
backends of ``keyrings.alt``) every operation raises :class:`SecretStoreUnavailable` with instructions in Swedish
and English. There is no silent fallback to a plaintext file.

Every secret value read or written is registered in :data:`registry`; the log redaction filter
(`fortnox_link.logs.RedactingFilter`) masks every registered value wherever it appears.
"""

from __future__ import annotations

import contextlib
import json
import threading
from collections.abc import Mapping
from typing import Any, Final

import keyring
import keyring.errors
from keyring.backend import KeyringBackend

SERVICE: Final = "fortnox-link"

FORTNOX_TOKENS: Final = "fortnox_tokens"
FORTNOX_CLIENT_SECRET: Final = "fortnox_client_secret"  # noqa: S105 - the key's name, not a secret
EXTEND_API_KEY: Final = "extend_api_key"
SECRET_KEYS: Final = (FORTNOX_TOKENS, FORTNOX_CLIENT_SECRET, EXTEND_API_KEY)

# Values shorter than this are not registered for redaction: masking every "1" or "ok" in the logs would make
# them unreadable, and no real token, secret or API key is that short.
MIN_REGISTERED_LENGTH: Final = 6

# keyrings.alt's file backends: plaintext, or "encrypted" with a password asked for on the terminal (useless to a
# GUI and to a scheduled run). Selecting one with PYTHON_KEYRING_BACKEND does not make it acceptable.
_PLAINTEXT_BACKENDS: Final = frozenset({"PlaintextKeyring", "EncryptedKeyring"})

UNAVAILABLE_MESSAGE: Final = (
    "Det finns ingen säker nyckelring att spara inloggningsuppgifter i, så Fortnox Link sparar dem inte. "
    "På en Linux-dator med skrivbord: installera och lås upp en Secret Service (GNOME Keyring eller KWallet). "
    "På en server utan skrivbord: installera en krypterad nyckelring (t.ex. keyrings.cryptfile) och välj den "
    "med miljövariabeln PYTHON_KEYRING_BACKEND (t.ex. "
    "PYTHON_KEYRING_BACKEND=keyrings.cryptfile.cryptfile.CryptFileKeyring), eller använd ett servicekonto "
    "(client credentials), som inte behöver någon sparad refresh-token.\n"
    "No secure keyring is available to store credentials in, so Fortnox Link does not store them. "
    "On a Linux desktop: install and unlock a Secret Service (GNOME Keyring or KWallet). "
    "On a headless server: install an encrypted keyring backend (e.g. keyrings.cryptfile) and select it with the "
    "environment variable PYTHON_KEYRING_BACKEND (e.g. "
    "PYTHON_KEYRING_BACKEND=keyrings.cryptfile.cryptfile.CryptFileKeyring), or use a service account "
    "(client credentials), which needs no stored refresh token."
)


class SecretStoreError(RuntimeError):
    """The keyring refused an operation. The text never contains a secret."""


class SecretStoreUnavailable(SecretStoreError):
    """No usable, non-plaintext keyring backend: see the message for what to do."""

    def __init__(self, detail: str = "") -> None:
        self.detail = detail
        text = UNAVAILABLE_MESSAGE if not detail else f"{UNAVAILABLE_MESSAGE}\n({detail})"
        super().__init__(text)


class SecretRegistry:
    """Every secret value the app has seen in this process, for the log redaction filter. Thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._values: set[str] = set()
        self._version = 0

    def register(self, value: str | None) -> None:
        if not value or len(value) < MIN_REGISTERED_LENGTH:
            return
        with self._lock:
            if value not in self._values:
                self._values.add(value)
                self._version += 1

    def register_json(self, document: Any) -> None:
        """Register every string inside a JSON-like value (a token set: access and refresh token alike)."""
        if isinstance(document, str):
            self.register(document)
        elif isinstance(document, Mapping):
            for item in document.values():
                self.register_json(item)
        elif isinstance(document, list | tuple):
            for item in document:
                self.register_json(item)

    def contains(self, value: str) -> bool:
        with self._lock:
            return value in self._values

    def snapshot(self) -> tuple[int, frozenset[str]]:
        """(version, values): the version changes whenever a value is added, so callers can cache."""
        with self._lock:
            return self._version, frozenset(self._values)

    def clear(self) -> None:
        with self._lock:
            self._values.clear()
            self._version += 1


registry: Final = SecretRegistry()


def _backend_name(backend: KeyringBackend) -> str:
    cls = type(backend)
    return f"{cls.__module__}.{cls.__qualname__}"


def _unusable_reason(backend: KeyringBackend) -> str | None:
    """Why this backend must not hold our secrets, or None when it may."""
    cls = type(backend)
    module = cls.__module__
    name = _backend_name(backend)
    if module == "keyring.backends.fail" or module == "keyring.backends.null":
        return f"keyring backend {name} cannot store anything"
    plaintext = cls.__name__ == "PlaintextKeyring"
    if plaintext or (module.startswith("keyrings.alt") and cls.__name__ in _PLAINTEXT_BACKENDS):
        return f"keyring backend {name} keeps secrets in a file, which Fortnox Link does not accept"
    try:
        priority = float(backend.priority)
    except Exception as exc:  # a backend whose priority check fails is not viable
        return f"keyring backend {name} is not viable ({type(exc).__name__})"
    if priority < 1:
        return f"keyring backend {name} has priority {priority:g} (below 1: not recommended)"
    chained = getattr(backend, "backends", None)
    if module == "keyring.backends.chainer" and chained is not None:
        members = list(chained)
        if not members:
            return "keyring's chainer has no backend to chain"
        for member in members:
            reason = _unusable_reason(member)
            if reason is not None:
                return f"chained {reason}"
    return None


def check_backend(backend: KeyringBackend | None = None) -> KeyringBackend:
    """The keyring backend in use, or :class:`SecretStoreUnavailable` when it is not acceptable for secrets."""
    chosen = backend if backend is not None else keyring.get_keyring()
    reason = _unusable_reason(chosen)
    if reason is not None:
        raise SecretStoreUnavailable(reason)
    return chosen


def _user(profile: str, key: str) -> str:
    if key not in SECRET_KEYS:
        raise ValueError(f"unknown secret key {key!r}; known keys: {', '.join(SECRET_KEYS)}")
    if not profile or "/" in profile:
        raise ValueError(f"invalid profile name for secrets: {profile!r}")
    return f"{profile}/{key}"


class SecretStore:
    """The secrets of one company profile (keyring user names ``<profile>/<key>``)."""

    def __init__(self, profile: str, *, secret_registry: SecretRegistry | None = None) -> None:
        if not profile or "/" in profile:
            raise ValueError(f"invalid profile name for secrets: {profile!r}")
        self.profile = profile
        self._registry = secret_registry if secret_registry is not None else registry

    def __repr__(self) -> str:
        return f"SecretStore(profile={self.profile!r})"

    def _backend(self) -> KeyringBackend:
        return check_backend()

    def get(self, key: str) -> str | None:
        user = _user(self.profile, key)
        backend = self._backend()
        try:
            value = backend.get_password(SERVICE, user)
        except keyring.errors.KeyringLocked as exc:
            raise SecretStoreUnavailable(f"the keyring is locked ({type(exc).__name__})") from None
        except keyring.errors.KeyringError as exc:
            raise SecretStoreError(f"could not read {key} for profile {self.profile}: {type(exc).__name__}") from None
        if value is None:
            return None
        self._register(key, value)
        return str(value)

    def set(self, key: str, value: str) -> None:
        user = _user(self.profile, key)
        if not isinstance(value, str) or not value:
            raise ValueError(f"secret {key} must be a non-empty string")
        self._register(key, value)
        backend = self._backend()
        try:
            backend.set_password(SERVICE, user, value)
        except keyring.errors.KeyringLocked as exc:
            raise SecretStoreUnavailable(f"the keyring is locked ({type(exc).__name__})") from None
        except keyring.errors.KeyringError as exc:
            raise SecretStoreError(f"could not save {key} for profile {self.profile}: {type(exc).__name__}") from None

    def delete(self, key: str) -> bool:
        """Delete one secret; False when there was none."""
        user = _user(self.profile, key)
        backend = self._backend()
        try:
            if backend.get_password(SERVICE, user) is None:
                return False
            backend.delete_password(SERVICE, user)
        except keyring.errors.PasswordDeleteError:
            return False
        except keyring.errors.KeyringLocked as exc:
            raise SecretStoreUnavailable(f"the keyring is locked ({type(exc).__name__})") from None
        except keyring.errors.KeyringError as exc:
            raise SecretStoreError(f"could not delete {key} for profile {self.profile}: {type(exc).__name__}") from None
        return True

    def delete_all(self) -> list[str]:
        """Delete every secret of this profile; returns the keys that existed."""
        return [key for key in SECRET_KEYS if self.delete(key)]

    # -- the Fortnox token set, stored as one JSON document ------------------------------------------------

    def get_fortnox_tokens(self) -> dict[str, Any] | None:
        raw = self.get(FORTNOX_TOKENS)
        if raw is None:
            return None
        try:
            document = json.loads(raw)
        except ValueError:
            raise SecretStoreError(f"the stored Fortnox token set of profile {self.profile} is not JSON") from None
        if not isinstance(document, dict):
            raise SecretStoreError(f"the stored Fortnox token set of profile {self.profile} is not an object")
        self._registry.register_json(document)
        return document

    def set_fortnox_tokens(self, tokens: Mapping[str, Any]) -> None:
        self._registry.register_json(dict(tokens))
        self.set(FORTNOX_TOKENS, json.dumps(dict(tokens), ensure_ascii=False, sort_keys=True))

    def _register(self, key: str, value: str) -> None:
        self._registry.register(value)
        if key == FORTNOX_TOKENS:
            with contextlib.suppress(ValueError):
                self._registry.register_json(json.loads(value))
