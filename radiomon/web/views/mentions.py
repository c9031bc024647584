"""Menciones: a day's flagged references, on air and in the press, as a review queue.

One row per sentence: the matcher often finds two groups' terms in the same
words ("el DIF Moroleón" is the municipality and a department), and staff judge
the sentence once, so a verdict on a row applies to all of its mentions. A
verdict changes the row in place (htmx) and the selection moves on to the next
row without one (radiomon/web/static/review.js); ticked rows are judged
together. The counts are of mentions, not rows, and leave false positives out;
the summary says both so that they add up.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import Blueprint, abort, redirect, render_template, request, url_for

from radiomon import jobs, wording
from radiomon.archive.mentions import REVIEWS, MentionRow
from radiomon.errors import RadiomonError
from radiomon.web.common import (
    MAX_ID,
    bad_request,
    config,
    date_param,
    day_filters,
    default_day,
    error_text,
    get_archive,
    local_path,
    parse_id,
    review_param,
    user_name,
)
from radiomon.web.views.mention import share_of

bp = Blueprint("mentions", __name__)

# Two mentions of one sentence are at most this far apart (seconds on air; characters in an article):
# a sentence said again later in the same recording (a jingle) is another row.
SAME_SENTENCE_SECONDS = 30.0
SAME_SENTENCE_CHARACTERS = 2000.0


@dataclass
class Sentence:
    """A row of the queue: the mentions of one sentence (the first one's time, place and context)."""

    mentions: list[MentionRow]

    @property
    def first(self) -> MentionRow:
        return self.mentions[0]

    @property
    def id(self) -> int:
        return self.first.id

    @property
    def ids(self) -> str:
        return ",".join(str(m.id) for m in self.mentions)

    @property
    def review(self) -> str | None:
        """None while any mention is unreviewed; ``rejected`` when all are; else ``confirmed``."""
        reviews = {m.review for m in self.mentions}
        if None in reviews:
            return None
        return "rejected" if reviews == {"rejected"} else "confirmed"

    @property
    def reviewed(self) -> MentionRow | None:
        """The mention whose review is shown (who and when): the latest reviewed."""
        done = [m for m in self.mentions if m.reviewed_utc]
        return max(done, key=lambda m: m.reviewed_utc) if done else None

    @property
    def added_by(self) -> str | None:
        return next((m.added_by for m in self.mentions if m.added_by), None)


def sentences(rows: list[MentionRow]) -> list[Sentence]:
    """The mentions (oldest first) as rows, one per sentence (pure)."""
    out: list[Sentence] = []
    open_rows: dict[tuple, Sentence] = {}
    for mention in rows:
        source = ("r", mention.recording_id) if mention.article_id is None else ("p", mention.article_id)
        key = (*source, mention.context or f"segment {mention.segment_id}")
        near = SAME_SENTENCE_SECONDS if mention.article_id is None else SAME_SENTENCE_CHARACTERS
        row = open_rows.get(key)
        if row is not None and abs(mention.offset - row.mentions[-1].offset) <= near:
            row.mentions.append(mention)
            continue
        open_rows[key] = Sentence([mention])
        out.append(open_rows[key])
    return out


def day_mentions(day, *, groups=(), stations=()):
    """The day's mentions, the articles of the press ones (by id), and the counts by group, by station
    and by outlet; false positives are not counted."""
    archive = get_archive()
    rows = jobs.mentions(config(), archive, day_filters(day, groups=tuple(groups), stations=tuple(stations)))
    articles = archive.articles_by_id(sorted({m.article_id for m in rows if m.article_id is not None}))
    counted = [m for m in rows if m.review != "rejected"]
    by_station = Counter(m.station for m in counted if m.medium == "radio")
    by_outlet = Counter(articles[m.article_id].outlet for m in counted if m.article_id in articles)
    return rows, articles, Counter(m.group_id for m in counted), by_station, by_outlet


def _queue(day, review: str | None, group: str) -> dict:
    """What the page (and a changed row) is drawn from."""
    error = None
    try:
        rows, articles, by_group, by_station, by_outlet = day_mentions(day, groups=[group] if group else ())
    except RadiomonError as err:
        rows, articles, by_group, by_station, by_outlet = [], {}, Counter(), Counter(), Counter()
        error = error_text(err)  # in Spanish ("El grupo … no existe"), not in the CLI's --group words
    every = sentences(rows)
    # Counts are of the whole day; the list shows the review state asked for.
    shown = [s for s in every if review is None or (s.review or "pending") == review]
    outlets = get_archive().outlet_names() if articles else {}
    return dict(
        rows=shown, all_rows=len(every), pending_rows=sum(s.review is None for s in every),
        counted=sum(by_group.values()), rejected=sum(m.review == "rejected" for m in rows),
        by_group=by_group.most_common(), by_station=by_station.most_common(), by_outlet=by_outlet.most_common(),
        articles=articles, outlets=outlets, error=error,
        shares={s.id: _share(s.first, articles, outlets) for s in shown},
    )


def _share(mention: MentionRow, articles: dict, outlets: dict) -> str:
    if mention.article_id is None:
        return share_of(mention)
    article = articles.get(mention.article_id)
    return share_of(mention, outlets.get(article.outlet, article.outlet) if article else "Prensa")


def _page_args() -> tuple:
    today = datetime.now(config().timezone).date()
    day = date_param("dia", words=True) or default_day()
    return today, day, review_param("estado"), request.args.get("grupo", "").strip()


@bp.get("/menciones")
def page():
    today, day, review, group = _page_args()
    review_state = wording.canonical_review_word(request.args.get("estado", "").strip())
    return render_template(
        "mentions.html", day=day, today=today, is_today=day == today, **_queue(day, review, group),
        review_state=review_state, group=group, review_url=_review_url(day, review_state, group),
        back=request.full_path, previous_day=day - timedelta(days=1), next_day=day + timedelta(days=1),
    )


def _review_url(day, review_state: str, group: str) -> str:
    """Where a row's verdict goes: its address carries the page's day, filter and group, so the row
    and the counts sent back are drawn as the page draws them."""
    return url_for("mentions.review_rows", dia=day.isoformat(), estado=review_state or None, grupo=group or None)


def _ids(values: list[str]) -> list[int]:
    """Mention ids from the form: each value one id or a row's ids joined by commas."""
    ids = []
    for value in values:
        for part in value.split(","):
            part = part.strip()
            if not part.isascii() or not part.isdigit() or len(part) > 19 or int(part) > MAX_ID:
                bad_request(f"«{part}» no es un número de mención; recargue la página e intente de nuevo.")
            ids.append(int(part))
    return list(dict.fromkeys(ids))


def _verdict() -> str | None:
    verdict = request.form.get("revision", "")
    if verdict not in (*REVIEWS, ""):
        bad_request(f"revision={verdict!r}: use confirmed, rejected o vacío para deshacer.")
    return verdict or None


@bp.post("/menciones/revision")
def review_rows():
    """A verdict on one row (its mentions) or on the ticked rows; htmx gets the changed row back."""
    ids = _ids(request.form.getlist("ids"))
    if not ids:
        bad_request("Marque al menos una mención (la casilla de cada fila) y vuelva a intentar.")
    verdict = _verdict()
    if not get_archive().set_reviews(ids, verdict, by=user_name()):
        abort(404, description="No existen esas menciones; puede haberse vuelto a analizar la grabación.")
    if request.headers.get("HX-Request") and not request.form.get("lote"):
        return _changed_row(ids)
    back = local_path(request.form.get("volver"), url_for("mentions.page"))
    return redirect(f"{back.split('#')[0]}#m{ids[0]}", code=303)


def _changed_row(ids: list[int]):
    """The row of ``ids`` drawn again (nothing where the review filter no longer shows it), and the day's
    counts out of band. The form's address carries the page's day, review filter and group."""
    mention = get_archive().mention(ids[0])
    if mention is None:
        abort(404)
    today, day, review, group = _page_args()
    queue = _queue(day, review, group)
    row = next((s for s in queue["rows"] if ids[0] in (m.id for m in s.mentions)), None)
    review_state = wording.canonical_review_word(request.args.get("estado", "").strip())
    return render_template("mentions_changed.html", row=row, day=day, group=group, is_today=day == today,
                           review_state=review_state, review_url=_review_url(day, review_state, group),
                           back=local_path(request.form.get("volver"), url_for("mentions.page")), **queue)


@bp.post("/menciones/<mention_id>/revision")
def review(mention_id: str):
    """One mention's verdict (the mention page; links and scripts from before the queue)."""
    mention_id = parse_id(mention_id, "mención")
    verdict = _verdict()
    if not get_archive().set_review(mention_id, verdict, by=user_name()):
        abort(404)
    back = local_path(request.form.get("volver"), url_for("mentions.page"))
    return redirect(f"{back.split('#')[0]}#m{mention_id}", code=303)
