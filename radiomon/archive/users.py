"""Users: the staff accounts that sign in to the web UI.

Only hashes are stored: the password as argon2 (hashed and checked in
:mod:`radiomon.web.accounts`), the API token as its SHA-256 (a random
token needs no slow hash, and a lookup by hash stays one index probe).
"""

from __future__ import annotations

from radiomon.archive.db import ArchiveBase, now_iso

_COLUMNS = "id, name, password_hash, token_sha256, created_utc"


class UsersMixin(ArchiveBase):
    def add_user(self, name: str, password_hash: str, token_sha256: str) -> int | None:
        """A new account; None when the name is taken."""
        with self.write() as conn:
            if conn.execute("SELECT 1 FROM users WHERE name = ?", (name,)).fetchone():
                return None
            return conn.execute(
                "INSERT INTO users (name, password_hash, token_sha256, created_utc) VALUES (?, ?, ?, ?)",
                (name, password_hash, token_sha256, now_iso()),
            ).lastrowid

    def remove_user(self, name: str) -> bool:
        with self.write() as conn:
            return conn.execute("DELETE FROM users WHERE name = ?", (name,)).rowcount > 0

    def set_password_hash(self, name: str, password_hash: str) -> None:
        """Store a rehashed password (argon2 parameters raised since it was set)."""
        with self.write() as conn:
            conn.execute("UPDATE users SET password_hash = ? WHERE name = ?", (password_hash, name))

    def user(self, name: str) -> dict | None:
        rows = self.query(f"SELECT {_COLUMNS} FROM users WHERE name = ?", (name,))
        return rows[0] if rows else None

    def user_by_token(self, token_sha256: str) -> dict | None:
        rows = self.query(f"SELECT {_COLUMNS} FROM users WHERE token_sha256 = ?", (token_sha256,))
        return rows[0] if rows else None

    def users(self) -> list[dict]:
        """Every account (name and creation time), by name."""
        return self.query("SELECT id, name, created_utc FROM users ORDER BY name")

    def user_count(self) -> int:
        return self.conn.execute("SELECT count(*) FROM users").fetchone()[0]
