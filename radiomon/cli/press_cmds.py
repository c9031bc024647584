"""``radiomon press``: fetch the newspapers' new notes, list the articles, add a site."""

from __future__ import annotations

import click

from radiomon import jobs, timeutil
from radiomon.archive import ArticleRow
from radiomon.cli import main
from radiomon.cli.context import AppContext, pass_app
from radiomon.cli.options import since_option, until_option
from radiomon.cli.output import emit_records, format_option, terminal_text
from radiomon.config import PRESS_SCOPES
from radiomon.filters import Filters

_TITLE_WIDTH = 70


def article_json(article: ArticleRow) -> dict:
    """The command line's article object (the contract's press fields, plus what else is stored)."""
    return {
        "article_id": article.id,
        "medium": "press",
        "outlet": article.outlet,
        "url": article.url,
        "title": article.title,
        "published": article.published_utc,
        "story": article.story,
        "author": article.author,
        "section": article.section,
        "fetched": article.fetched_utc,
        "canonical_url": article.canonical_url,
    }


@main.group()
def press() -> None:
    """The newspapers: their web notes, collected politely and matched like the radio."""


@press.command("fetch")
@click.option("--outlet", "outlets", multiple=True, metavar="ID", help="Only this outlet (repeatable).")
@pass_app
def press_fetch(app: AppContext, outlets) -> None:
    """One polite pass over the outlets of radiomon.yml: new articles stored and matched.

    Prints one line per outlet (new, unchanged, or failed and why). Exits 0
    when the pass ran, even if an outlet failed: that is a health problem,
    which `radiomon status` shows; a configuration error exits non-zero.
    """
    config = app.config
    if not config.press.outlets:
        raise click.ClickException(f"no outlets under press.outlets in {config.path}; add one with "
                                   "`radiomon press add URL`")
    with app.archive() as archive:
        result = jobs.press_fetch(config, archive, outlets)
    for outlet in result.outlets:
        click.echo(terminal_text(outlet.line))
    if result.matched.added or result.matched.events:
        line = f"{result.matched.added} new mention(s)"
        if result.matched.events:
            line += f"; {result.matched.events_summary()}"
        click.echo(line)


@press.command("list")
@click.option("--outlet", "outlets", multiple=True, metavar="ID", help="Only this outlet (repeatable).")
@since_option()
@until_option()
@click.option("--limit", type=click.IntRange(min=1), help="At most this many articles (newest first).")
@format_option
@pass_app
def press_list(app: AppContext, outlets, since, until, limit, fmt) -> None:
    """Articles collected, newest first.

    JSON and CSV carry every field: article_id, medium ("press"), outlet,
    url, title, published (UTC), story (shared by the articles of one story),
    author, section, fetched, canonical_url.
    """
    config = app.config
    filters = Filters.parse(config, outlets=outlets, since=since, until=until, limit=limit)
    with app.archive() as archive:
        articles = jobs.press_articles(config, archive, filters)
    if fmt != "table":
        emit_records([article_json(a) for a in articles], fmt, ())
        return
    if not articles:
        click.echo("no articles", err=True)
        return
    tz = config.timezone
    rows = [{"published": f"{timeutil.local(a.published_utc, tz):%Y-%m-%d %H:%M}", "outlet": a.outlet,
             "id": str(a.id), "story": str(a.story), "title": _cut(a.title, _TITLE_WIDTH)} for a in articles]
    emit_records(rows, "table", (("published", "published"), ("outlet", "outlet"), ("id", "id"),
                                 ("story", "story"), ("title", "title")))


@press.command("add")
@click.argument("url")
@click.option("--id", "outlet_id", metavar="ID", help="The outlet's slug (default: from the site's address).")
@click.option("--name", help="Its name as documents show it (default: the site's own).")
@click.option("--scope", type=click.Choice(PRESS_SCOPES), default="regional", show_default=True,
              help="Its reach, a label for the documents.")
@pass_app
def press_add(app: AppContext, url: str, outlet_id, name, scope) -> None:
    """Find a news site's feeds and add it to radiomon.yml's press.outlets.

    Looks for the RSS/Atom links in the page at URL, WordPress's /feed/ and
    the sitemaps its robots.txt names, keeps those that read as feeds, and
    appends the outlet to radiomon.yml keeping its comments.
    """
    added = jobs.press_add(app.config, url, outlet_id=outlet_id, name=name, scope=scope)
    outlet = added.outlet
    click.echo(f"added outlet {outlet.id} ({outlet.name}) to {app.config.path} with {len(outlet.feeds)} feed(s):")
    for feed in outlet.feeds:
        click.echo(f"  {feed}")
    click.echo("`radiomon press fetch --outlet " + outlet.id + "` reads it now; the daemon every poll_minutes")


def _cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"
