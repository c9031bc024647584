"""Users: the staff accounts that sign in to the web UI.

Only hashes are stored: the password as argon2 (hashed and checked in
:mod:`radiomon.web.accounts`), the API token as its SHA-256 (a random
token needs no slow hash, and a lookup by hash stays one index probe).
A name is found whatever its case (``name_key``, see
:func:`radiomon.archive.schema.user_name_key`); ``name`` keeps the spelling
it was created with.
"""

from __future__ import annotations

from radiomon.archive.db import ArchiveBase, now_iso
from radiomon.archive.schema import user_name_key

_COLUMNS = "id, name, password_hash, token_sha256, created_utc, role"
ROLES = ("prensa", "coordinador")  # what a user may do; see SCHEMA_V7


class UsersMixin(ArchiveBase):
    def add_user(self, name: str, password_hash: str, token_sha256: str, role: str = "prensa") -> int | None:
        """A new account; None when the name is taken (in any case)."""
        key = user_name_key(name)
        with self.write() as conn:
            if conn.execute("SELECT 1 FROM users WHERE name_key = ? OR name = ?", (key, name)).fetchone():
                return None
            return conn.execute(
                "INSERT INTO users (name, name_key, password_hash, token_sha256, created_utc, role) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                (name, key, password_hash, token_sha256, now_iso(), role),
            ).lastrowid

    def remove_user(self, name: str) -> bool:
        """Delete the account and its sessions. The exact name is tried first, so of two
        accounts that an old archive holds as "ana" and "Ana", each can be removed."""
        with self.write() as conn:
            found = self._user_id(name)
            if found is None:
                return False
            conn.execute("DELETE FROM web_sessions WHERE user_id = ?", (found,))
            conn.execute("DELETE FROM users WHERE id = ?", (found,))
            return True

    def set_password_hash(self, name: str, password_hash: str, *, end_sessions: bool = False) -> bool:
        """Store a new password hash (a rehash with raised argon2 parameters, or a new
        password: then, with ``end_sessions``, every browser signed in as the user is signed out)."""
        with self.write() as conn:
            found = self._user_id(name)
            if found is None:
                return False
            conn.execute("UPDATE users SET password_hash = ? WHERE id = ?", (password_hash, found))
            if end_sessions:
                conn.execute("DELETE FROM web_sessions WHERE user_id = ?", (found,))
            return True

    def set_role(self, name: str, role: str) -> bool:
        """Make ``name`` a ``prensa`` or ``coordinador`` user; False when there is no such user."""
        with self.write() as conn:
            found = self._user_id(name)
            return found is not None and conn.execute("UPDATE users SET role = ? WHERE id = ?",
                                                      (role, found)).rowcount > 0

    def user(self, name: str) -> dict | None:
        rows = self.query(f"SELECT {_COLUMNS} FROM users WHERE name_key = ?", (user_name_key(name),))
        return rows[0] if rows else None

    def _user_id(self, name: str) -> int | None:
        row = self.conn.execute("SELECT id FROM users WHERE name = ? OR name_key = ? ORDER BY name = ? DESC LIMIT 1",
                                (name, user_name_key(name), name)).fetchone()
        return row[0] if row else None

    def user_by_token(self, token_sha256: str) -> dict | None:
        rows = self.query(f"SELECT {_COLUMNS} FROM users WHERE token_sha256 = ?", (token_sha256,))
        return rows[0] if rows else None

    def users(self) -> list[dict]:
        """Every account (name, role and creation time), by name."""
        return self.query("SELECT id, name, role, created_utc FROM users ORDER BY name")

    def user_count(self) -> int:
        return self.conn.execute("SELECT count(*) FROM users").fetchone()[0]
