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
    from radiomon.web import create_app, server

    config = app.config
    loopback = is_loopback(host)
    with app.archive() as archive:
        users = archive.user_count()
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
    server.serve(lambda: create_app(config, require_login=not loopback), sock, threads=threads, workers=workers)


@main.group()
def users() -> None:
    """Accounts of the web UI (passwords hashed with argon2; one API token each)."""


@users.command(name="add")
@click.argument("name")
@click.option("--password-stdin", is_flag=True, help="Read the password from the first line of standard input.")
@pass_app
def users_add(app: AppContext, name: str, password_stdin: bool) -> None:
    """Create the account NAME; its password is asked for (or read with --password-stdin).

    Prints the account's API token once (for Authorization: Bearer <token>); it is stored only hashed.
    """
    from radiomon.web import accounts

    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    with app.archive() as archive:
        token = accounts.add_user(archive, name, password)
    click.echo(f"user {name} added")
    click.echo(f"API token (shown only now; keep it safe): {token}")


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
        click.echo(f"{row['name']}  (created {timeutil.local(row['created_utc'], tz).strftime('%Y-%m-%d %H:%M')})")
