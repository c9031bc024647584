"""`radiomon alerts test|send|list`: the alert channels of radiomon.yml, by hand or from cron."""

from __future__ import annotations

import click

from radiomon import jobs, timeutil
from radiomon.cli import main
from radiomon.cli.context import AppContext, pass_app
from radiomon.cli.output import emit_records, format_option


@main.group()
def alerts() -> None:
    """Alert channels (Apprise URLs under alerts.channels in radiomon.yml):
    send a test message, deliver what is due, list what is not delivered."""


@alerts.command(name="test")
@pass_app
def test_cmd(app: AppContext) -> None:
    """Send a test message to every channel and say which took it (exit 1 if any did not)."""
    results = jobs.send_test_alerts(app.config)
    for result in results:
        if result.ok:
            click.echo(f"ok      {result.channel}")
        else:
            click.echo(f"FAILED  {result.channel}: {result.error}")
    failed = [r.channel for r in results if not r.ok]
    if failed:
        raise click.ClickException(f"{len(failed)} of {len(results)} channel(s) did not take the test message: "
                                   f"{', '.join(failed)}")


@alerts.command(name="send")
@click.option("--no-health", is_flag=True, help="Only deliver; do not check health first.")
@pass_app
def send_cmd(app: AppContext, no_health: bool) -> None:
    """Check health, then deliver every alert that is due, once (for cron: every minute).

    A channel that is down is retried with backoff on later runs; alerts
    already delivered are never sent again.
    """
    config = app.config
    with app.archive() as archive:
        done = jobs.send_alerts(config, archive, health=not no_health)
    if done.health is not None:
        check = done.health
        click.echo(f"health: {len(check.problems)} problem(s); {len(check.opened)} new, "
                   f"{len(check.recovered)} recovered")
    report = done.delivery
    if not config.alerts.channels:
        click.echo("no alert channels configured (alerts.channels in radiomon.yml); alerts wait in the archive")
        return
    expired = f", {report.expired} expired" if report.expired else ""
    click.echo(f"sent {report.sent} alert(s) in {report.messages} message(s); {report.failed} to retry, "
               f"{report.gave_up} given up{expired}, {report.waiting} waiting")
    for channel in report.channels:
        if channel.ok:
            click.echo(f"  {channel.channel}: {channel.sent} sent")
        else:
            retry = timeutil.local(channel.retry_utc, config.timezone).strftime("%H:%M:%S")
            click.echo(f"  {channel.channel}: FAILED ({channel.error}); retry from {retry}", err=True)


@alerts.command(name="list")
@click.option("--all", "include_sent", is_flag=True, help="Also the alerts already delivered.")
@click.option("--limit", type=click.IntRange(min=1), default=100, show_default=True, help="At most this many.")
@format_option
@pass_app
def list_cmd(app: AppContext, include_sent: bool, limit: int, fmt: str) -> None:
    """Alerts not delivered yet, per channel: waiting, being sent, given up or expired (oldest first).

    Expired: a mention that aired more than alerts.max_age_minutes before it
    could be sent (old news is not an alert); it is never sent.
    """
    config = app.config
    tz = config.timezone
    with app.archive(create=False) as archive:
        rows = jobs.undelivered_alerts(archive, include_sent=include_sent, limit=limit)
    records = [{
        "id": d.id, "event_id": d.event_id, "kind": d.kind, "made_utc": d.event_utc, "channel": d.channel,
        "state": d.shown_state, "attempts": d.attempts, "next_utc": d.next_utc, "sent_utc": d.sent_utc,
        "error": d.last_error or "", "about": _about(d.kind, d.payload),
    } for d in rows]
    if fmt != "table":
        emit_records(records, fmt, ())
        return
    if not records:
        click.echo("every alert is delivered" if not include_sent else "no alerts yet")
        return
    for r in records:
        r["made"] = timeutil.local(r["made_utc"], tz).strftime("%Y-%m-%d %H:%M")
        waiting = r["state"] in ("pending", "sending")
        r["next"] = timeutil.local(r["next_utc"], tz).strftime("%H:%M:%S") if waiting else ""
    emit_records(records, "table", (("id", "id"), ("made", f"made ({tz.key})"), ("channel", "channel"),
                                    ("state", "state"), ("attempts", "tries"), ("next", "next try"),
                                    ("about", "about"), ("error", "last error")))


def _about(kind: str, payload: dict) -> str:
    if kind.endswith("-mention"):
        return f"{payload.get('station')}: {payload.get('keyword')} ({payload.get('group_id')})"
    return str(payload.get("summary") or payload.get("key") or kind)[:80]
