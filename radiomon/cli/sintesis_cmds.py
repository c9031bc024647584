"""``radiomon digest send``: deliver the approved síntesis of a day that is due (the ``digest`` group
attaches :data:`send`)."""

from __future__ import annotations

import click

from radiomon import timeutil
from radiomon.cli.context import AppContext, pass_app
from radiomon.reports.digest import parse_day
from radiomon.sintesis import delivery


@click.command(name="send")
@click.option("--date", "day", required=True, help="Local day of the edition, e.g. 2026-11-25, hoy or ayer.")
@click.option("--again", metavar="NAME",
              help="Send the day's newest approved edition to this recipient once more (after checking with them "
                   "that it did not arrive).")
@pass_app
def send(app: AppContext, day: str, again: str | None) -> None:
    """Deliver the day's approved síntesis to each recipient of radiomon.yml, if it is due.

    An edition of a day is due at sintesis.send_at the next morning (at once
    if approved later; an intraday cut at once). Each recipient gets the
    items of their groups and terms as an e-mail with the PDF/DOCX attached,
    exactly once: a second call sends nothing twice, and a send cut off by a
    crash is not repeated until --again says so.
    """
    config = app.config
    tz = config.timezone
    date = parse_day(day, tz)
    with app.archive(create=False) as archive:
        report = delivery.send_due(config, archive, day=date, again=again)
    for attempt in report.sent:
        click.echo(f"sent síntesis {attempt.edition} to {attempt.recipient}")
    for edition, due in report.not_due:
        when = timeutil.local(due, tz).strftime("%Y-%m-%d %H:%M")
        click.echo(f"not due yet: síntesis {edition} goes out at {when} ({tz.key})")
    for recipient, edition in report.in_flight:
        click.echo(f"síntesis {edition} to {recipient} is being sent by another process; not sent again")
    for recipient, edition, why in report.given_up:
        click.echo(f"síntesis {edition} to {recipient}: {why}", err=True)
    for recipient, edition in report.unknown:
        click.echo(f"warning: síntesis {edition} to {recipient}: the process stopped while sending it; not sent "
                   f"again. Check with the recipient, then `radiomon digest send --date {date} --again {recipient}`",
                   err=True)
    if not report.approved:
        click.echo(f"nothing approved for {date} yet; approve it first (`radiomon digest approve --date {date}`)")
    elif not (report.sent or report.failed or report.not_due or report.in_flight):
        click.echo(f"nothing to send for {date}: {report.already_sent} delivery(ies) already sent")
    if report.failed:
        for attempt in report.failed:
            retry = timeutil.local(attempt.retry_utc, tz).strftime("%H:%M:%S")
            click.echo(f"error: síntesis {attempt.edition} to {attempt.recipient}: {attempt.error}; "
                       f"retried from {retry}", err=True)
        raise click.ClickException(f"{len(report.failed)} recipient(s) did not get the síntesis; "
                                   "`radiomon run` retries them, or run this again")
