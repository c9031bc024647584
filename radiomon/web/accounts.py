"""Staff accounts: argon2 password hashes, API tokens, the session secret.

What ``radiomon users`` and the login page share. Passwords are hashed with
argon2id (argon2-cffi's defaults); the API token is random, shown once when
the account is created and stored only as its SHA-256.
"""

from __future__ import annotations

import hashlib
import os
import re
import secrets
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from radiomon.archive import Archive
from radiomon.errors import QueryError

_hasher = PasswordHasher()
_NAME = re.compile(r"^[\w.@-]{1,64}$", re.UNICODE)

# Checked against when the name is unknown, so a wrong name costs the same
# time as a wrong password and does not tell which names exist.
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))


def token_sha256(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def add_user(archive: Archive, name: str, password: str) -> str:
    """Create the account; returns its API token (shown once, never stored in clear)."""
    if not _NAME.match(name):
        raise QueryError(f"user name {name!r}: use letters, digits, '.', '@', '-' or '_' (at most 64)")
    if len(password) < 8:
        raise QueryError("the password is too short; use at least 8 characters")
    token = secrets.token_urlsafe(32)
    if archive.add_user(name, _hasher.hash(password), token_sha256(token)) is None:
        raise QueryError(f"user {name!r} already exists; remove it first (radiomon users remove {name})")
    return token


def check_password(archive: Archive, name: str, password: str) -> bool:
    """True when ``name`` exists and ``password`` is its password."""
    user = archive.user(name)
    try:
        _hasher.verify(user["password_hash"] if user else _DUMMY_HASH, password)
    except (VerificationError, InvalidHashError):
        return False
    if user is None:
        return False
    if _hasher.check_needs_rehash(user["password_hash"]):
        archive.set_password_hash(name, _hasher.hash(password))
    return True


def user_for_token(archive: Archive, token: str) -> str | None:
    """The user name an API token belongs to, if any."""
    user = archive.user_by_token(token_sha256(token))
    return user["name"] if user else None


def secret_key(archive_path: Path) -> bytes:
    """The session-signing key, made once and kept beside the archive (mode 0600),
    so sessions survive a restart and every worker of one deployment agrees."""
    path = Path(f"{archive_path}.secret")
    try:
        return bytes.fromhex(path.read_text(encoding="ascii").strip())
    except FileNotFoundError:
        pass
    key = secrets.token_bytes(32)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process made it first: use theirs
        return bytes.fromhex(path.read_text(encoding="ascii").strip())
    with os.fdopen(fd, "w", encoding="ascii") as out:
        out.write(key.hex())
    return key
