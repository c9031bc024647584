"""Roles: ``prensa`` (every account made before roles existed) and ``coordinador``."""

from __future__ import annotations

from flask import Blueprint

from radiomon.archive import Archive, schema
from radiomon.web import accounts, create_app
from radiomon.web.common import require_coordinator, user_role

try:
    from test_web_security import PASSWORD, sign_in
except ImportError:  # tests/ is a package in some layouts
    from tests.test_web_security import PASSWORD, sign_in


def test_users_add_takes_a_role_list_shows_it_and_role_changes_it(run, archive):
    assert run("users", "add", "ana", "--password-stdin", input=PASSWORD + "\n").exit_code == 0
    added = run("users", "add", "luz", "--role", "coordinador", "--password-stdin", input=PASSWORD + "\n")
    assert added.exit_code == 0 and "(coordinador)" in added.output
    listed = run("users", "list").output
    assert "ana  prensa" in listed and "luz  coordinador" in listed
    assert run("users", "role", "ANA", "coordinador").exit_code == 0
    assert archive.user("ana")["role"] == "coordinador"
    refused = run("users", "role", "nadie", "prensa")
    assert refused.exit_code != 0 and "no user 'nadie'" in refused.output
    wrong = run("users", "add", "eva", "--role", "jefa", "--password-stdin", input=PASSWORD + "\n")
    assert wrong.exit_code == 2 and "'jefa' is not one of" in wrong.output and archive.user("eva") is None


def test_accounts_of_an_archive_made_before_roles_are_prensa(tmp_path, monkeypatch):
    path = tmp_path / "old.db"
    with monkeypatch.context() as before_roles:
        before_roles.setattr(schema, "CURRENT_VERSION", 6)
        with Archive(path) as archive:
            archive.conn.execute("INSERT INTO users (name, name_key, password_hash, token_sha256, created_utc) "
                                 "VALUES ('ana', 'ana', 'x', 'y', '2026-11-01T00:00:00Z')")
            archive.conn.commit()
    with Archive(path) as archive:
        assert archive.schema_version == schema.CURRENT_VERSION
        assert archive.user("ana")["role"] == "prensa"


def _app_with_guarded_page(config):
    app = create_app(config)
    page = Blueprint("guarded", __name__)

    @page.get("/solo-coordinacion")
    def guarded():
        require_coordinator("aprobar la síntesis")
        return user_role()

    app.register_blueprint(page)
    return app


def test_only_a_coordinator_passes_the_guard_and_a_local_server_without_accounts_is_one(config, archive):
    assert _app_with_guarded_page(config).test_client().get("/solo-coordinacion").data == b"coordinador"
    accounts.add_user(archive, "ana", PASSWORD)
    accounts.add_user(archive, "luz", PASSWORD, "coordinador")
    client = _app_with_guarded_page(config).test_client()
    sign_in(client, "ana")
    refused = client.get("/solo-coordinacion")
    assert refused.status_code == 403 and "Solo un usuario coordinador puede aprobar la síntesis" in refused.text
    client = _app_with_guarded_page(config).test_client()
    sign_in(client, "luz")
    assert client.get("/solo-coordinacion").data == b"coordinador"
