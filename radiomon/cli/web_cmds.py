"""``radiomon serve`` (the web UI on waitress) and ``radiomon users`` (its accounts)."""

from __future__ import annotations

import ipaddress
import os
import sys

import click

from radiomon import timeutil
from radiomon.cli import main
from radiomon.cli.context import AppContext, pass_app

# One process renders pages on one core: a worker per core, up to four (each
# keeps a connection per thread to the archive).
DEFAULT_WORKERS = min(os.cpu_count() or 1, 4) if hasattr(os, "fork") else 1


def is_loopback(host: str) -> bool:
    """Only this machine can reach ``host``; 0.0.0.0, a LAN address or a name is reachable by others."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on; anything but loopback needs a user (radiomon users add NAME).")
@click.option("--port", default=8080, show_default=True, type=click.IntRange(1, 65535), help="TCP port.")
@click.option("--threads", default=8, show_default=True, type=click.IntRange(1, 64),
              help="Requests each worker serves at once.")
@click.option("--workers", default=DEFAULT_WORKERS, show_default=True, type=click.IntRange(1, 32),
              help="Processes sharing the port (pages render on one core per process; Windows: always 1).")
@pass_app
def serve(app: AppContext, host: str, port: int, threads: int, workers: int) -> None:
    """Serve the web UI (search, listen, transcripts, mentions, status) with waitress.

    It listens on 127.0.0.1 unless told otherwise. On any other address it
    refuses to start until a user exists, and then every page, audio file and
    API call needs a login.
    """
    from radiomon.web import accounts, create_app, server

    config = app.config
    loopback = is_loopback(host)
    with app.archive() as archive:
        users = archive.user_count()
    # Read (or made) here, once: a worker that cannot read it would die and be restarted forever.
    accounts.secret_key(config.archive)
    if not loopback and users == 0:
        raise click.ClickException(
            f"--host {host} can be reached from other machines and there is no user yet: "
            "add one first (radiomon users add NAME), or serve on 127.0.0.1")
    try:
        sock = server.bound_socket(host, port)
    except OSError as err:
        raise click.ClickException(f"cannot listen on {host}:{port} ({err.strerror or err}); "
                                   "is another radiomon serve running? choose another --port") from None
    shown = f"[{host}]" if ":" in host else host
    access = "login required" if users or not loopback else "no login: this machine only"
    click.echo(f"radiomon web UI on http://{shown}:{port}/ ({access}); Ctrl+C stops it", err=True)
    server.serve(lambda: create_app(config, require_login=not loopback, host=host), sock,
                 threads=threads, workers=workers)


@main.group()
def users() -> None:
    """Accounts of the web UI (passwords hashed with argon2; one API token each)."""


_ROLE = click.Choice(["prensa", "coordinador"])


@users.command(name="add")
@click.argument("name")
@click.option("--password-stdin", is_flag=True, help="Read the password from the first line of standard input.")
@click.option("--role", type=_ROLE, default="prensa", show_default=True,
              help="prensa: review mentions and edit the síntesis; coordinador: also approve the síntesis "
                   "and edit the keywords.")
@pass_app
def users_add(app: AppContext, name: str, password_stdin: bool, role: str) -> None:
    """Create the account NAME (one account whatever its case: Ana and ana are the same);
    its password is asked for (or read with --password-stdin).

    Prints the account's API token once (for Authorization: Bearer <token>); it is stored only hashed.
    """
    from radiomon.web import accounts

    password = _read_password(password_stdin)
    with app.archive() as archive:
        token = accounts.add_user(archive, name, password, role)
    click.echo(f"user {name} added ({role})")
    click.echo(f"API token (shown only now; keep it safe): {token}")


def _read_password(password_stdin: bool) -> str:
    if password_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    return click.prompt("Password", hide_input=True, confirmation_prompt=True)


@users.command(name="passwd")
@click.argument("name")
@click.option("--password-stdin", is_flag=True, help="Read the password from the first line of standard input.")
@pass_app
def users_passwd(app: AppContext, name: str, password_stdin: bool) -> None:
    """Set a new password for NAME; every browser signed in as NAME is signed out (its API token stays)."""
    from radiomon.web import accounts

    password = _read_password(password_stdin)
    with app.archive() as archive:
        stored = accounts.set_password(archive, name, password)
    click.echo(f"password of {stored} changed; its web sessions ended")


@users.command(name="role")
@click.argument("name")
@click.argument("role", type=_ROLE)
@pass_app
def users_role(app: AppContext, name: str, role: str) -> None:
    """Make NAME a prensa or a coordinador user (takes effect on the user's next page)."""
    from radiomon.web import accounts

    with app.archive() as archive:
        stored = accounts.set_role(archive, name, role)
    click.echo(f"user {stored} is now {role}")


@users.command(name="logout-all")
@click.argument("name", required=False)
@pass_app
def users_logout_all(app: AppContext, name: str | None) -> None:
    """Sign out every browser signed in as NAME, or as anyone without NAME (API tokens keep working)."""
    from radiomon.web import accounts

    with app.archive() as archive:
        ended = accounts.end_sessions(archive, name)
    click.echo(f"{ended} web session{'s' if ended != 1 else ''} ended" + (f" for {name}" if name else ""))


@users.command(name="remove")
@click.argument("name")
@pass_app
def users_remove(app: AppContext, name: str) -> None:
    """Delete the account NAME (its sessions and API token stop working at once)."""
    with app.archive() as archive:
        if not archive.remove_user(name):
            raise click.ClickException(f"no user {name!r}; `radiomon users list` shows who exists")
    click.echo(f"user {name} removed")


@users.command(name="list")
@pass_app
def users_list(app: AppContext) -> None:
    """The accounts, with when each was created."""
    with app.archive() as archive:
        rows = archive.users()
    if not rows:
        click.echo("no users (the web UI then serves this machine only, without login)", err=True)
        return
    tz = app.config.timezone
    for row in rows:
        created = timeutil.local(row['created_utc'], tz).strftime('%Y-%m-%d %H:%M')
        click.echo(f"{row['name']}  {row['role']}  (created {created})")
