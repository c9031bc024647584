"""Staff accounts: argon2 password hashes, API tokens, sessions, the session secret.

What ``radiomon users`` and the login page share. Passwords are hashed with
argon2id (argon2-cffi's defaults); the API token is random, shown once when
the account is created and stored only as its SHA-256. A signed-in browser
holds a random session id in its (signed) cookie; the archive keeps only
its SHA-256, so signing out, removing the account, changing its password or
``radiomon users logout-all`` ends the session on every web worker at once.

Passwords are normalized to Unicode NFC before they are hashed and checked
(RFC 8265's OpaqueString: the same "contraseña" typed with a composed "ñ" or
with "n" plus a combining tilde is one password); NFC, not NFKC, so that
compatibility characters stay distinct and no entropy is folded away.
"""

from __future__ import annotations

import hashlib
import os
import re
import secrets
import unicodedata
from datetime import datetime, timedelta
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from radiomon import timeutil
from radiomon.archive import Archive
from radiomon.archive.users import ROLES
from radiomon.config import WebConfig
from radiomon.errors import ConfigError, QueryError

_hasher = PasswordHasher()
_NAME = re.compile(r"^[\w.@-]{1,64}$", re.UNICODE)
MIN_PASSWORD = 8

# Checked against when the name is unknown, so a wrong name costs the same
# time as a wrong password and does not tell which names exist.
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))


def normalized_password(password: str) -> str:
    return unicodedata.normalize("NFC", password)


def token_sha256(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def add_user(archive: Archive, name: str, password: str, role: str = "prensa") -> str:
    """Create the account; returns its API token (shown once, never stored in clear)."""
    name = unicodedata.normalize("NFC", name)
    _check_role(role)
    if not _NAME.match(name):
        raise QueryError(f"user name {name!r}: use letters, digits, '.', '@', '-' or '_' (at most 64)")
    _check_length(password)
    token = secrets.token_urlsafe(32)
    if archive.add_user(name, _hasher.hash(normalized_password(password)), token_sha256(token), role) is None:
        taken = archive.user(name)
        same = (f" (as {taken['name']!r}: names are one account whatever their case)"
                if taken and taken["name"] != name else "")
        raise QueryError(f"user {name!r} already exists{same}; remove it first (radiomon users remove {name})")
    return token


def _check_role(role: str) -> None:
    if role not in ROLES:
        raise QueryError(f"role {role!r}: use {' or '.join(ROLES)}")


def set_role(archive: Archive, name: str, role: str) -> str:
    """Make ``name`` a ``prensa`` or ``coordinador`` user; returns the account's name as stored."""
    _check_role(role)
    user = archive.user(name)
    if user is None or not archive.set_role(name, role):
        raise QueryError(f"no user {name!r}; `radiomon users list` shows who exists")
    return user["name"]


def set_password(archive: Archive, name: str, password: str) -> str:
    """A new password for ``name``; every browser signed in as the user is signed out.
    Returns the account's name as stored."""
    _check_length(password)
    user = archive.user(name)
    if user is None or not archive.set_password_hash(name, _hasher.hash(normalized_password(password)),
                                                     end_sessions=True):
        raise QueryError(f"no user {name!r}; `radiomon users list` shows who exists")
    return user["name"]


def end_sessions(archive: Archive, name: str | None = None) -> int:
    """Sign out every browser of ``name`` (of everyone when None); returns how many sessions ended."""
    if name is None:
        return archive.end_web_sessions()
    user = archive.user(name)
    if user is None:
        raise QueryError(f"no user {name!r}; `radiomon users list` shows who exists")
    return archive.end_web_sessions(user["id"])


def _check_length(password: str) -> None:
    if len(normalized_password(password)) < MIN_PASSWORD:
        raise QueryError(f"the password is too short; use at least {MIN_PASSWORD} characters")


def check_password(archive: Archive, name: str, password: str) -> dict | None:
    """The account when ``name`` exists and ``password`` is its password, else None."""
    user = archive.user(name)
    stored = user["password_hash"] if user else _DUMMY_HASH
    plain = normalized_password(password)
    legacy = False
    if not _verify(stored, plain):
        # Hashes set before passwords were normalized were made of the text as typed.
        if plain == password or user is None or not _verify(stored, password):
            return None
        legacy = True
    if user is None:
        return None
    if legacy or _hasher.check_needs_rehash(stored):
        archive.set_password_hash(user["name"], _hasher.hash(plain))
    return user


def _verify(stored: str, password: str) -> bool:
    try:
        return _hasher.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False


def new_session(archive: Archive, user: dict, address: str | None, options: WebConfig) -> str:
    """Sign ``user`` in: the random session id for the cookie (only its SHA-256 is stored)."""
    session_id = secrets.token_urlsafe(32)
    archive.add_web_session(user["id"], token_sha256(session_id), _now(), address,
                            idle=session_idle(options), lifetime=session_lifetime(options))
    return session_id


def session_user(archive: Archive, session_id: str, options: WebConfig) -> str | None:
    """Who a cookie's session id signs in, while the session lives."""
    return archive.web_session_user(token_sha256(session_id), _now(), session_idle(options), session_lifetime(options))


def _now() -> datetime:
    return datetime.now(timeutil.UTC)


def end_session(archive: Archive, session_id: str) -> None:
    archive.end_web_session(token_sha256(session_id))


def session_idle(options: WebConfig) -> timedelta:
    return timedelta(hours=options.session_idle_hours)


def session_lifetime(options: WebConfig) -> timedelta:
    return timedelta(days=options.session_max_days)


def user_for_token(archive: Archive, token: str) -> str | None:
    """The user name an API token belongs to, if any."""
    user = archive.user_by_token(token_sha256(token))
    return user["name"] if user else None


def secret_key(archive_path: Path) -> bytes:
    """The session-signing key, made once and kept beside the archive (mode 0600),
    so sessions survive a restart and every worker of one deployment agrees.

    A key that exists but cannot be read is an error (never replaced: that
    would sign everyone out, and a second worker would disagree)."""
    path = Path(f"{archive_path}.secret")
    try:
        return _read_key(path)
    except FileNotFoundError:
        pass
    key = secrets.token_bytes(32)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process made it first: use theirs
        return _read_key(path)
    except OSError as err:
        raise ConfigError(f"{path}: cannot create the web session key ({err.strerror or err}); "
                          "let the user running radiomon write in the archive's folder") from None
    with os.fdopen(fd, "w", encoding="ascii") as out:
        out.write(key.hex())
    return key


def _read_key(path: Path) -> bytes:
    try:
        key = bytes.fromhex(path.read_text(encoding="ascii").strip())
    except FileNotFoundError:
        raise
    except OSError as err:
        raise ConfigError(f"{path}: cannot read the web session key ({err.strerror or err}); let the user running "
                          "radiomon read it (chown, chmod 600), or delete it to make a new one "
                          "(that signs everyone out)") from None
    except ValueError:  # not hex, or not ASCII
        key = b""
    if len(key) < 16:
        raise ConfigError(f"{path}: not a web session key (expected 64 hex digits); "
                          "delete it to make a new one (that signs everyone out)")
    return key
