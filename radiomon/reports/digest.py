"""The síntesis informativa: the day's mentions on radio and in the press as a document model.

:func:`build_digest` is pure: mention rows, the groups of keywords.yml, the
gaps and the titles stations announced go in; a :class:`Digest` of plain
dataclasses comes out, in the order and wording of the printed document.
:func:`collect_digest` reads those rows from the archive for a local day (or
part of one); the writers in :mod:`radiomon.reports.writers` turn the model
into DOCX, HTML, Markdown or JSON. The web UI's digest page uses the same
model.

Staff's review decides what goes in: a rejected mention (a false positive)
never does; with ``reviewed_only`` only confirmed ones do. A radio item is
a sentence heard (or a run of adjacent ones) with every mention in it, of
every group (:mod:`radiomon.reports.items`), in the section of its
highest-priority group; the same text aired again on the station (a
repeated spot) is the same item, "transmitida 3 veces (08:01, 09:01,
10:01)"; different sentences never merge. An item is confirmed only when
every one of its mentions is. The documents print neither review states
nor counts: those are the office's words, not the reader's. The heading
says what was recorded ("3 h 20 min grabadas de 06:00 a 14:00 en 2
estaciones"), not the clock's whole day.

The model's dataclasses live in :mod:`radiomon.reports.digest_model`.

The press (issue 27) is a part of its own, **Prensa**: per group, each
story once (the same wire note on three outlets is one item: the headline
of the article that printed it first, linked to the outlet's page, and
"también en: …" the other outlets of the story, whether or not their
articles were matched), with the sentence and the printed words in bold.
The summary counts radio and press apart. A press mention has no station,
recording or testigo; nothing radio-only here (stations, now-playing
titles, testigos) ever sees one.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from radiomon import timeutil, wording
from radiomon.archive import Archive, MentionRow
from radiomon.archive.articles import ArticleRow
from radiomon.config import Config, OfficeConfig
from radiomon.errors import QueryError
from radiomon.filters import Filters
from radiomon.keywords import KeywordSet
from radiomon.reports import items as aired
from radiomon.reports import spanish
from radiomon.reports.digest_model import (
    TITLE,
    TITLE_WITH_PRESS,
    AlsoIn,
    Digest,
    DigestItem,
    DigestSection,
    GapNote,
    PressItem,
    PressSection,
    QuotePart,
    SummaryRow,
)
from radiomon.reports.items import PRIORITY_ORDER, load_keyword_set  # noqa: F401 (PRIORITY_ORDER: re-exported)
from radiomon.reports.testigos import testigo_names

GAP_REASONS = wording.GAP_REASON_LABELS  # the Spanish words of gaps.reason (radiomon.wording)


# -- pure parts ----------------------------------------------------------------------------------
def _fold_chars(text: str) -> str:
    """Lowercase, accent-free, one character per character (positions stay those of ``text``)."""
    return "".join((unicodedata.normalize("NFKD", ch)[:1] or ch).lower()[:1] or ch for ch in text)


def quote_parts(context: str | None, matched: str | Sequence[str]) -> tuple[QuotePart, ...]:
    """The context with every occurrence of the heard words (one or several) marked bold (case and accents
    ignored)."""
    needles = [matched] if isinstance(matched, str) else list(matched)
    text = context or (needles[0] if needles else "")
    haystack = _fold_chars(text)
    bold = [False] * len(text)
    for needle in {_fold_chars(n.strip()) for n in needles if n.strip()}:
        for found in re.finditer(re.escape(needle), haystack):
            bold[found.start():found.end()] = [True] * (found.end() - found.start())
    parts, position = [], 0
    for index in range(1, len(text) + 1):
        if index == len(text) or bold[index] != bold[position]:
            parts.append(QuotePart(text[position:index], bold[position]))
            position = index
    return tuple(parts) or (QuotePart(text),)


def web_link(base_url: str, mention: MentionRow) -> str | None:
    """The web UI's page of the mention's recording, playing from where it was heard (of its article, for press)."""
    if not base_url:
        return None
    if mention.article_id is not None:
        return article_link(base_url, mention.article_id)
    return f"{base_url.rstrip('/')}/grabacion/{mention.recording_id}?t={int(mention.offset)}"


def article_link(base_url: str, article_id: int) -> str | None:
    """The web UI's article page (headline, text with the mentions marked, the story's other articles)."""
    return f"{base_url.rstrip('/')}/articulo/{int(article_id)}" if base_url else None


def period_text(since_local: datetime, until_local: datetime, press: bool = False) -> str:
    """The period asked for, when what was recorded is not known (a caller that handed no recordings in)."""
    end = "24:00" if until_local.time() == time(0) and until_local.date() > since_local.date() \
        else f"{until_local:%H:%M}"
    return f"Periodo de {since_local:%H:%M} a {end}"


def duration_text(seconds: float) -> str:
    """``3 h 20 min``, ``11 min``, ``40 s``."""
    minutes = round(seconds / 60)
    if minutes == 0:
        return f"{round(seconds)} s"
    hours, minutes = divmod(minutes, 60)
    return " ".join(part for part in (f"{hours} h" if hours else "", f"{minutes} min" if minutes else "") if part)


def coverage_text(recorded: Sequence[tuple[str, str, str]], *, tz: ZoneInfo, since: datetime, until: datetime,
                  press: tuple[int, int] | None = None) -> str:
    """What the period's documents rest on (pure): ``3 h 20 min grabadas de 06:00 a 14:00 en 2 estaciones``,
    with the press ``· prensa: 12 notas de 3 medios``; a period with no audio says so.

    ``recorded``: (station, start_utc, end_utc) of the recordings that overlap the period (the audio that
    exists: a stretch recorded twice counts once); ``press``: (articles, outlets) published in it.
    """
    since_local = timeutil.local(since, tz)
    spans: dict[str, list[tuple[datetime, datetime]]] = {}
    for station, start_utc, end_utc in recorded:
        start, end = max(timeutil.parse_iso(start_utc), since), min(timeutil.parse_iso(end_utc), until)
        if end > start:
            spans.setdefault(station, []).append((start, end))
    seconds = 0.0
    for pieces in spans.values():
        reach = None
        for start, end in sorted(pieces):
            start = max(start, reach) if reach else start
            if end > start:
                seconds += (end - start).total_seconds()
            reach = max(reach, end) if reach else end
    if seconds >= 1:
        first = min(s for pieces in spans.values() for s, _ in pieces)
        last = max(e for pieces in spans.values() for _, e in pieces)
        text = (f"{duration_text(seconds)} grabadas de {_clock(first, tz, since_local)} a "
                f"{_clock(last, tz, since_local)} en {spanish.plural(len(spans), 'estación', 'estaciones')}")
    else:
        text = (f"No se grabó radio de {_clock(since, tz, since_local)} a {_clock(until, tz, since_local)}")
    if press and press[0]:
        notes, outlets = spanish.plural(press[0], "nota", "notas"), spanish.plural(press[1], "medio", "medios")
        text += f" · prensa: {notes} de {outlets}"
    return text


def select(mentions: Sequence[MentionRow], reviewed_only: bool) -> list[MentionRow]:
    """What goes into a document: never a rejected mention; only confirmed ones with ``reviewed_only``."""
    if reviewed_only:
        return [m for m in mentions if m.review == "confirmed"]
    return [m for m in mentions if m.review != "rejected"]


def _group_order(keywords: KeywordSet | None, group_id: str) -> tuple:
    return aired.group_order(keywords, group_id)


def _review(mentions: Sequence[MentionRow]) -> str:
    """An item's own state: confirmed only when every one of its mentions is (none is rejected here)."""
    return spanish.review_label("confirmed" if mentions and all(m.review == "confirmed" for m in mentions) else None)


def group_info(keywords: KeywordSet | None, group_id: str) -> tuple[str, str]:
    """A group's title and priority (a group removed from keywords.yml keeps its id as title)."""
    if keywords is not None:
        try:
            group = keywords.group(group_id)
            return group.title, group.priority
        except KeyError:
            pass
    return group_id, "normal"


def build_digest(
    mentions: Sequence[MentionRow],
    *,
    tz: ZoneInfo,
    since: datetime,
    until: datetime,
    generated_at: datetime,
    office: OfficeConfig = OfficeConfig(),
    keywords: KeywordSet | None = None,
    station_names: dict[str, str] | None = None,
    stations: Sequence[str] = (),
    gaps: Sequence[dict] = (),
    unrecorded: Sequence[str] = (),
    titles: dict[int, str] | None = None,
    testigos: dict[int, str] | None = None,
    reviewed_only: bool = False,
    articles: dict[int, ArticleRow] | None = None,
    stories: dict[int, Sequence[ArticleRow]] | None = None,
    outlet_names: dict[str, str] | None = None,
    sentences: Mapping[int, aired.Sentence] | None = None,
    recorded: Sequence[tuple[str, str, str]] | None = None,
    press_collected: tuple[int, int] | None = None,
) -> Digest:
    """The síntesis of ``mentions`` heard (or published) in ``[since, until)`` (pure).

    ``stations``: the summary's columns (ids; stations with mentions are
    added); ``gaps``: ``{station, start_utc, end_utc, reason}`` rows;
    ``unrecorded``: station ids with no audio at all in the period;
    ``titles``/``testigos``: the now-playing title and the clip file name
    per mention id. For press mentions: ``articles`` by id (at least those
    of the mentions), ``stories``: every article of each of their stories,
    ``outlet_names`` by outlet id. ``sentences``: the transcript segments
    of the radio mentions by id (an item quotes them; without them, the
    mentions' contexts); ``recorded``: (station, start_utc, end_utc) of
    the recordings overlapping the period and ``press_collected``:
    (articles, outlets) published in it, for the heading's coverage (without
    ``recorded`` the heading names the period only).
    """
    names = station_names or {}
    titles = titles or {}
    testigos = testigos or {}
    chosen = select(mentions, reviewed_only)
    radio = [m for m in chosen if m.article_id is None]
    press = press_sections([m for m in chosen if m.article_id is not None], tz=tz, keywords=keywords,
                           articles=articles or {}, stories=stories or {}, outlet_names=outlet_names or {},
                           base_url=office.base_url)
    station_ids = list(dict.fromkeys([*stations, *(m.station for m in radio)]))

    by_group: dict[str, list[MentionRow]] = {}
    for mention in radio:
        by_group.setdefault(mention.group_id, []).append(mention)
    by_section: dict[str, list[DigestItem]] = {}
    for item in radio_items(radio, tz=tz, keywords=keywords, names=names, titles=titles, testigos=testigos,
                            sentences=sentences, base_url=office.base_url):
        by_section.setdefault(item.group_id, []).append(item)
    press_counts = {section.group_id: section.mentions for section in press}
    sections, summary = [], []
    for group_id in sorted(by_group.keys() | press_counts.keys(), key=lambda g: _group_order(keywords, g)):
        title, priority = group_info(keywords, group_id)
        # The summary counts every group's mentions, wherever their items sit.
        counts = tuple(sum(1 for m in by_group.get(group_id, ()) if m.station == s) for s in station_ids)
        in_press = press_counts.get(group_id, 0)
        summary.append(SummaryRow(title, counts, sum(counts) + in_press, sum(counts), in_press))
        if group_id not in by_section:
            continue
        sections.append(DigestSection(group_id, title, priority, tuple(by_section.get(group_id, ()))))

    since_local, until_local = timeutil.local(since, tz), timeutil.local(until, tz)
    notes = []
    for gap in gaps:
        start = max(timeutil.parse_iso(gap["start_utc"]), since)
        end = min(timeutil.parse_iso(gap["end_utc"]), until) if gap.get("end_utc") else until
        notes.append(GapNote(names.get(gap["station"], gap["station"]), _clock(start, tz, since_local),
                             _clock(end, tz, since_local), GAP_REASONS.get(gap.get("reason"), gap.get("reason") or "")))
    for station in unrecorded:
        notes.append(GapNote(names.get(station, station), _clock(since, tz, since_local),
                             _clock(until, tz, since_local), GAP_REASONS["unrecorded"]))
    generated_local = timeutil.local(generated_at, tz)
    return Digest(
        municipality=office.municipality,
        office=office.office,
        title=TITLE_WITH_PRESS if press else TITLE,
        date_text=spanish.long_date(since_local),
        period_text=period_text(since_local, until_local) if recorded is None else coverage_text(
            recorded, tz=tz, since=since, until=until, press=press_collected),
        generated_text=f"Generada el {spanish.short_date(generated_local)} a las {generated_local:%H:%M}",
        day=since_local.date().isoformat(),
        since_utc=timeutil.to_iso(since),
        until_utc=timeutil.to_iso(until),
        stations=tuple(names.get(s, s) for s in station_ids),
        summary=tuple(summary),
        not_recorded=tuple(notes),
        sections=tuple(sections),
        reviewed_only=reviewed_only,
        press=press,
        outlets=tuple(dict.fromkeys(item.outlet for section in press for item in section.items)),
    )


def radio_items(
    mentions: Sequence[MentionRow], *, tz: ZoneInfo, keywords: KeywordSet | None = None,
    names: dict[str, str] | None = None, titles: dict[int, str] | None = None, testigos: dict[int, str] | None = None,
    sentences: Mapping[int, aired.Sentence] | None = None, base_url: str = "",
) -> list[DigestItem]:
    """The radio items of selected ``mentions``, in time order (pure; :func:`radiomon.reports.items.radio_items`).

    Each sits in the section of its highest-priority group, names that
    group's term first and quotes its (first airing's) sentences with every
    heard word in bold.
    """
    names, titles, testigos = names or {}, titles or {}, testigos or {}
    out = []
    for item in aired.radio_items(mentions, sentences):
        every = item.mentions
        lead = aired.lead_mention(every, keywords)
        groups = aired.ordered_groups(every, keywords)
        terms = tuple(dict.fromkeys([lead.keyword, *(m.keyword for m in sorted(
            every, key=lambda m: (aired.group_order(keywords, m.group_id), m.at_utc)))]))
        first = item.airings[0].first
        shown = item.airings[0].mentions
        airing_testigos = tuple(dict.fromkeys(t for a in item.airings if (t := testigos.get(a.first.id))))
        out.append(DigestItem(
            time=f"{timeutil.local(first.at_utc, tz):%H:%M}", at_utc=first.at_utc, station_id=item.station,
            station=names.get(item.station, item.station), program=titles.get(first.id),
            group_id=groups[0], keyword=lead.keyword, matched=lead.matched,
            quote=quote_parts(item.text, [m.matched for m in shown]),
            review=_review(every), count=len(item.airings),
            mention_ids=tuple(m.id for m in every if m.id is not None),
            testigo=airing_testigos[0] if airing_testigos else None, link=web_link(base_url, first),
            groups=groups, terms=terms, airings=tuple(f"{timeutil.local(a.at_utc, tz):%H:%M}" for a in item.airings),
            testigos=airing_testigos,
        ))
    return out


def _http(url: str | None) -> bool:
    """A link a document may carry: an outlet's page is http(s), never ``javascript:`` or a file."""
    return bool(url) and url.lower().startswith(("http://", "https://"))


def press_sections(
    mentions: Sequence[MentionRow], *, tz: ZoneInfo, keywords: KeywordSet | None, articles: dict[int, ArticleRow],
    stories: dict[int, Sequence[ArticleRow]], outlet_names: dict[str, str], base_url: str = "",
) -> tuple[PressSection, ...]:
    """The Prensa part (pure): per group, each story once, in the order it was first published.

    ``mentions`` are press mentions already selected (no rejected ones). A
    story's item shows the first-published article among those with a
    mention of the group; its count is the group's mentions across the
    story; "también en" names each other outlet of the story once (from
    ``stories``, matched or not), the earliest article of each.
    """
    by_group: dict[str, dict[int, list[MentionRow]]] = {}
    for mention in sorted(mentions, key=lambda m: (m.at_utc, m.id or 0)):
        article = articles.get(mention.article_id)
        if article is None:  # not handed in: nothing to show it by
            continue
        story = article.story if article.story is not None else article.id
        by_group.setdefault(mention.group_id, {}).setdefault(story, []).append(mention)

    def outlet(outlet_id: str) -> str:
        return outlet_names.get(outlet_id) or outlet_id

    out = []
    for group_id in sorted(by_group, key=lambda g: _group_order(keywords, g)):
        title, priority = group_info(keywords, group_id)
        items = []
        for story, run in by_group[group_id].items():
            first = run[0]
            article = articles[first.article_id]
            shown = {article.outlet}
            also = []
            # The story's articles, earliest first; the run's own articles too, should a caller not
            # have handed the whole story in.
            others = [*stories.get(story, ()), *(articles[m.article_id] for m in run)]
            for other in sorted(others, key=lambda a: (a.published_utc, a.id or 0)):
                if other.outlet not in shown:
                    shown.add(other.outlet)
                    also.append(AlsoIn(outlet(other.outlet), other.title, other.url))
            also = [a for a in also if _http(a.url)]
            items.append(PressItem(
                time=f"{timeutil.local(article.published_utc, tz):%H:%M}", at_utc=article.published_utc,
                article_id=article.id, story=story, outlet_id=article.outlet, outlet=outlet(article.outlet),
                title=article.title, url=article.url if _http(article.url) else "", group_id=group_id,
                keyword=first.keyword, matched=first.matched, quote=quote_parts(first.context, first.matched),
                review=_review(run), count=len(run),
                mention_ids=tuple(m.id for m in run if m.id is not None), also_in=tuple(also),
                link=article_link(base_url, article.id),
            ))
        out.append(PressSection(group_id, title, priority, tuple(items)))
    return tuple(out)


def _clock(instant: datetime, tz: ZoneInfo, since_local: datetime) -> str:
    """Local HH:MM; the midnight that ends the day reads 24:00."""
    local = timeutil.local(instant, tz)
    if local.time() == time(0) and local.date() > since_local.date():
        return "24:00"
    return f"{local:%H:%M}"


def _parse_clock(text: str, option: str) -> time | None:
    """``HH:MM``; ``24:00`` (the end of the day) is None."""
    found = re.fullmatch(r"(\d{1,2}):(\d{2})", text.strip())
    if not found or int(found.group(1)) > 24 or int(found.group(2)) > 59 or \
            (int(found.group(1)) == 24 and int(found.group(2)) != 0):
        raise QueryError(f"{option} {text}: not a time of day; use HH:MM like 10:00")
    hour, minute = int(found.group(1)), int(found.group(2))
    return None if hour == 24 else time(hour, minute)


def parse_day(text: str | None, tz: ZoneInfo, *, today: date | None = None) -> date:
    """``2026-11-25``, ``hoy``/``today``, ``ayer``/``yesterday``; default: today in the office's zone."""
    today = today or datetime.now(tz).date()
    if text is None or text.strip().lower() in ("today", "hoy"):
        return today
    if text.strip().lower() in ("yesterday", "ayer"):
        return today - timedelta(days=1)
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise QueryError(f"--date {text}: not a date; use 2026-11-25, hoy or ayer") from None


def day_period(day: date, tz: ZoneInfo, since: str | None = None,
               until: str | None = None) -> tuple[datetime, datetime]:
    """The instants (UTC) of a local day, or of ``since``–``until`` (HH:MM) within it."""
    start_clock = _parse_clock(since, "--since") if since else time(0)
    if start_clock is None:
        raise QueryError("--since 24:00: the day is over by then; use a time before 24:00")
    end_clock = _parse_clock(until, "--until") if until else None
    start = datetime.combine(day, start_clock, tzinfo=tz)
    end = datetime.combine(day, end_clock, tzinfo=tz) if end_clock else datetime.combine(
        day + timedelta(days=1), time(0), tzinfo=tz)
    if end <= start:
        raise QueryError("--since must be before --until")
    return start.astimezone(timeutil.UTC), end.astimezone(timeutil.UTC)


# -- from the archive ------------------------------------------------------------------------------
def station_display_names(config: Config, archive: Archive) -> dict[str, str]:
    names = archive.station_names()
    names.update({s.id: s.name for s in config.stations})
    return names


def collect_digest(config: Config, archive: Archive, *, day: date, since: str | None = None,
                   until: str | None = None, reviewed_only: bool = False,
                   now: datetime | None = None) -> Digest:
    """The síntesis of a local day of the configured time zone (or ``since``–``until`` of it)."""
    tz = config.timezone
    start, end = day_period(day, tz, since, until)
    mentions = archive.list_mentions(Filters(since=start, until=end))
    radio = [m for m in mentions if m.article_id is None]
    articles = archive.articles_by_id(sorted({m.article_id for m in mentions if m.article_id is not None}))
    stories = {story: archive.story_articles(story) for story in {a.story for a in articles.values()} if story}
    # Testigo names come from the whole day's clips, so they are the file
    # names `radiomon clips --date` writes whatever period this digest covers.
    whole_day = day_period(day, tz)
    day_mentions = select(archive.list_mentions(Filters(since=whole_day[0], until=whole_day[1])), False)
    sentences = aired.sentences_of(archive, day_mentions)
    keywords = load_keyword_set(config)
    stations = [s.id for s in config.stations]
    now = now or datetime.now(timeutil.UTC)
    covering = {s: archive.recordings_covering(s, start, end)
                for s in dict.fromkeys([*stations, *archive.station_names()])}
    recorded = [(r.station, r.start_utc, _recording_end(r, now)) for rows in covering.values() for r in rows
                if r.status != "failed"]
    unrecorded = [s for s in stations if not covering[s]
                  and not archive.gaps(Filters(stations=(s,), since=start, until=end))]
    return build_digest(
        mentions,
        tz=tz, since=start, until=end, generated_at=now, office=config.office,
        keywords=keywords, station_names=station_display_names(config, archive),
        stations=stations, gaps=archive.gaps(Filters(since=start, until=end)), unrecorded=unrecorded,
        titles={m.id: t for m in radio if (t := archive.title_at(m.station, m.at_utc))},
        testigos=testigo_names(day_mentions, tz, sentences=sentences, keywords=keywords), reviewed_only=reviewed_only,
        articles=articles, stories=stories, outlet_names=outlet_display_names(config, archive),
        sentences=sentences, recorded=recorded, press_collected=archive.articles_published(start, end),
    )


def _recording_end(recording, now: datetime) -> str:
    """Where a recording's audio ends: measured, else start + duration, else (still being written) now."""
    if recording.end_utc:
        return recording.end_utc
    if recording.duration is not None:
        return timeutil.shift(recording.start_utc, recording.duration)
    return timeutil.to_iso(max(now, recording.start))


def outlet_display_names(config: Config, archive: Archive) -> dict[str, str]:
    """Outlet names by id: the archive's (a removed outlet keeps its name), the configured ones over them."""
    names = archive.outlet_names()
    press = getattr(config, "press", None)  # the press: section of radiomon.yml, when this build has it
    names.update({o.id: o.name for o in getattr(press, "outlets", ()) if getattr(o, "name", None)})
    return names


__all__ = ["AlsoIn", "Digest", "DigestItem", "DigestSection", "GapNote", "PressItem", "PressSection", "QuotePart",
           "SummaryRow", "build_digest", "collect_digest", "coverage_text", "day_period", "load_keyword_set",
           "outlet_display_names",
           "parse_day", "press_sections", "quote_parts"]
