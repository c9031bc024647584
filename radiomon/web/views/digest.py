"""Síntesis: the day's edition, edited in the browser, approved by a coordinator, and its documents.

A thin caller of :mod:`radiomon.sintesis.editions`: the page opens the day's
(or a cut's) edition with :func:`~radiomon.sintesis.editions.day_edition`
(which first brings a draft's candidates up to date, so a mention marked
false positive in review has left it), and every change is one archive
call naming the ``rev`` the page was drawn from. A save on an older ``rev``
is a 409 whose row shows the other person's change and keeps this person's
words, never written over it. Saves answer with out-of-band fragments (the
row's new ``rev``, the edition's, the latest changes) so the field being
typed in next keeps its focus.

The documents (preview, PDF, Word) are :mod:`radiomon.sintesis.render`'s,
made from the same :class:`~radiomon.sintesis.model.SintesisDocument` a
reader gets.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from flask import Blueprint, abort, make_response, redirect, render_template, request, url_for

from radiomon.archive.editions import MAX_TEXT
from radiomon.errors import EditConflict, QueryError
from radiomon.keywords import current_keywords
from radiomon.reports import spanish
from radiomon.sintesis import editions
from radiomon.sintesis.model import NOTES_SECTION, NOTES_TITLE, STATE_LABELS, TONE_LABELS, TONES, Edition, Item
from radiomon.sintesis.render import document_html, email_text
from radiomon.web import share
from radiomon.web.common import (
    bad_request,
    config,
    date_param,
    default_day,
    get_archive,
    is_coordinator,
    local_time,
    parse_id,
    require_coordinator,
    user_name,
)

bp = Blueprint("digest", __name__)

_DOCUMENTS = {
    "html": "text/html; charset=utf-8",
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "md": "text/plain; charset=utf-8",  # the plain text of a chat message (the old Markdown link keeps working)
}
# The HTML document carries its own print styles and no script at all.
_DOCUMENT_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'none'"
# What a change of edition_changes says on the page, by its field (and value, for the yes/no ones).
_CHANGE_WORDS = {
    "headline": "cambió el titular a", "summary": "cambió el resumen de",
    "section": "cambió la sección de", "position": "movió", "added": "agregó la nota",
    "removed": "quitó (sus menciones son falsos positivos o ya no están)", "state": "aprobó la síntesis",
    "version": "abrió una corrección (nueva versión)",
    ("featured", "True"): "marcó como destacada", ("featured", "False"): "quitó «Destacada» a",
    ("included", "True"): "incluyó", ("included", "False"): "dejó fuera",
}
_BOOLEAN = {"featured", "included"}
_FIELDS = ("headline", "summary", "tone", "featured", "included")


# -- reading the request ------------------------------------------------------------------------------
def _cut(raw: str | None) -> str:
    try:
        return editions.parse_cut(raw)
    except QueryError:
        bad_request(f"El corte «{raw}» no es una hora del día; escríbalo como HH:MM, p. ej. 14:00.")


def _day_and_cut() -> tuple[date, str]:
    return date_param("dia", words=True) or default_day(), _cut(request.args.get("corte"))


def _int_field(name: str) -> int:
    raw = request.form.get(name, "").strip()
    if not raw.isascii() or not raw.isdigit() or len(raw) > 12:
        bad_request(f"Falta el dato «{name}» (un número) en el formulario; recargue la página e intente de nuevo.")
    return int(raw)


def _keywords():
    return current_keywords(config().keywords)


def _page_url(edition: Edition, **extra) -> str:
    return url_for("digest.page", dia=edition.day, corte=edition.cut or None, **extra)


# -- what the page shows ----------------------------------------------------------------------------------
def _sections(edition: Edition, keywords) -> list[dict]:
    """The items grouped by section, sections in the document's order, items in theirs."""
    by_section: dict[str, list[Item]] = {}
    for item in edition.items:
        by_section.setdefault(item.section, []).append(item)
    order = sorted(by_section, key=lambda s: editions.section_order(keywords, s))
    return [{"id": s, "title": editions.section_title(keywords, s), "rows": by_section[s]} for s in order]


def _section_choices(keywords) -> list[tuple[str, str]]:
    """Where a note can go: the groups of keywords.yml, then «Otras notas»."""
    groups = [(g.id, g.title) for g in keywords.groups] if keywords is not None else []
    return [*groups, (NOTES_SECTION, NOTES_TITLE)]


def _changes(edition: Edition, limit: int = 8) -> list[dict]:
    """The latest changes as the page says them: when, who, what, on which item."""
    headlines = {i.id: i.headline for i in edition.items}
    out = []
    for change in get_archive().edition_changes(edition.id, limit):
        field, new = change["field"], change["new"]
        what = _CHANGE_WORDS.get((field, new)) or _CHANGE_WORDS.get(field, field)
        if field in ("headline", "added"):
            subject = new or ""
        elif field == "removed":
            subject = change["old"] or ""
        else:
            subject = headlines.get(change["item_id"], "")
        if field == "tone":
            what = f"puso tono {TONE_LABELS.get(new, new).lower()} a"
        out.append({"time": local_time(change["at_utc"], "%H:%M"), "by": change["by"], "what": what,
                    "item": subject})
    return out


def _state_text(edition: Edition) -> str:
    if edition.approved:
        when = local_time(edition.approved_utc, "%d/%m/%Y a las %H:%M")
        return f"Aprobada · versión {edition.version} por {edition.approved_by} el {when}"
    return f"{STATE_LABELS['draft']} · versión {edition.version}"


def _helpers() -> dict:
    return {"tones": TONES, "tone_labels": TONE_LABELS, "max_text": MAX_TEXT, "hhmm": _hhmm}


def _hhmm(instant: str | None) -> str:
    return local_time(instant, "%H:%M") if instant else ""


def _render_page(edition: Edition, *, message: str = "", status: int = 200):
    keywords = _keywords()
    day = date.fromisoformat(edition.day)
    today = datetime.now(config().timezone).date()
    cuts = sorted({e.cut for e in get_archive().editions(day=edition.day) if e.cut})
    versions = [e for e in get_archive().editions(day=edition.day) if e.cut == edition.cut]
    body = render_template(
        "digest.html", edition=edition, day=day, today=today, previous_day=day - timedelta(days=1),
        next_day=day + timedelta(days=1), date_text=spanish.long_date(day), sections=_sections(edition, keywords),
        changes=_changes(edition),
        state_text=_state_text(edition), editable=not edition.approved, cuts=cuts, versions=versions,
        section_choices=_section_choices(keywords), message=message, coordinator=is_coordinator(),
        included=sum(1 for i in edition.items if i.included), **_helpers())
    return body, status


@bp.get("/sintesis")
def page():
    day, cut = _day_and_cut()
    return _render_page(editions.day_edition(config(), get_archive(), day, cut))


# -- the documents -------------------------------------------------------------------------------------
def _document_of_request():
    day, cut = _day_and_cut()
    edition = editions.day_edition(config(), get_archive(), day, cut)
    return edition, editions.document(config(), edition, base_url=share.base_url(), keywords=_keywords())


@bp.get("/sintesis/documento")
def document():
    fmt = request.args.get("formato", "html")
    if fmt not in _DOCUMENTS:
        bad_request(f"formato={fmt!r}: use {', '.join(_DOCUMENTS)}.")
    edition, doc = _document_of_request()
    if fmt == "html":
        body = document_html(doc)
    elif fmt == "md":
        body = email_text(doc)
    elif fmt == "pdf":
        from radiomon.sintesis.pdf import document_pdf  # WeasyPrint loads Pango: only when a PDF is asked for

        body = document_pdf(doc)
    else:
        from radiomon.sintesis.docx import document_docx

        body = document_docx(doc)
    response = make_response(body)
    response.content_type = _DOCUMENTS[fmt]
    if fmt == "html":
        response.headers["Content-Security-Policy"] = _DOCUMENT_CSP
    else:
        cut = f"-{edition.cut.replace(':', '')}" if edition.cut else ""
        extension = "txt" if fmt == "md" else fmt
        response.headers["Content-Disposition"] = f'attachment; filename="sintesis-{edition.day}{cut}.{extension}"'
    return response


@bp.get("/sintesis/vista-previa")
def preview():
    """The document as it will be sent (what the PDF is printed from), in a page of its own."""
    _, doc = _document_of_request()
    response = make_response(document_html(doc))
    response.headers["Content-Security-Policy"] = _DOCUMENT_CSP
    return response


# -- editing an item -----------------------------------------------------------------------------------
def _item_or_404(item_id: str) -> tuple[Item, Edition]:
    item = get_archive().edition_item(parse_id(item_id, "nota de la síntesis"))
    if item is None:
        abort(404, description="Esa nota ya no está en la síntesis (sus menciones se marcaron como falsos "
                               "positivos o se volvió a analizar la grabación); recargue la página.")
    edition = get_archive().edition(item.edition_id)
    if edition.approved:
        abort(409, description="Esta síntesis ya se aprobó y se guarda tal como se envió; para cambiarla, un "
                               "coordinador debe pedir «Corregir (nueva versión)».")
    return item, edition


def _posted_changes(fields: tuple[str, ...]) -> dict:
    """The values posted for ``fields``, checked; a checkbox's last value wins (a hidden 0, then the box)."""
    changes: dict = {}
    for name in fields:
        values = request.form.getlist(name)
        if not values:
            continue
        value = values[-1]
        if name in _BOOLEAN:
            changes[name] = value in ("1", "on", "true")
        elif name == "tone":
            if value not in TONES:
                bad_request(f"El tono «{value}» no existe; elija Positiva, Neutral o Negativa.")
            changes[name] = value
        else:
            text = " ".join(value.split())
            if name == "headline" and not text:
                raise _Invalid("El titular no puede quedar vacío; escriba uno o deje fuera la nota.")
            if len(text) > MAX_TEXT[name]:
                label = "El titular" if name == "headline" else "El resumen"
                raise _Invalid(f"{label} pasa de {MAX_TEXT[name]} caracteres; acórtelo.")
            changes[name] = text
    return changes


class _Invalid(Exception):
    """A value the archive would refuse, said in Spanish on the row."""


def _oob(edition_id: int, seen: int | None) -> dict:
    """What a save changes elsewhere on the page (templates/sintesis_oob.html). The edition's rev goes to
    the page only when nothing but this save happened since the page's rev (``seen``): a change someone
    else made meanwhile must be seen before approving."""
    now = get_archive().edition(edition_id)
    fresh = seen is not None and now.rev == seen + 1
    return {"oob_changes": True, "oob_edition_rev": now.rev if fresh else None, "changes": _changes(now),
            "included": sum(1 for i in now.items if i.included)}


def _seen_edition_rev() -> int | None:
    raw = request.form.get("edicion_rev", "").strip()
    return int(raw) if raw.isascii() and raw.isdigit() and len(raw) < 12 else None


def _row(item: Item, *, conflict: dict | None = None, error: str = "", status: int = 200, oob: dict | None = None):
    body = render_template("sintesis_row_answer.html", item=item, editable=True, conflict=conflict, error=error,
                           **(oob or {}), **_helpers())
    response = make_response(body, status)
    if status != 200:  # a control's save asked for no swap: the row itself shows what happened
        response.headers["HX-Retarget"] = f"#nota-{item.id}"
        response.headers["HX-Reswap"] = "outerHTML"
    return response


def _conflict(err: EditConflict, mine: dict) -> dict:
    return {"by": err.by or "radiomon", "time": _hhmm(err.at_utc), "mine": mine,
            "labels": {k: _MINE_LABELS[k] for k in mine}}


_MINE_LABELS = {"headline": "Su titular", "summary": "Su resumen", "tone": "Su tono", "featured": "Destacada",
                "included": "Incluir"}


@bp.post("/sintesis/nota/<item_id>")
def edit_item(item_id: str):
    """Save one field (the control that changed: htmx's HX-Trigger-Name) or every posted field of an item."""
    item, edition = _item_or_404(item_id)
    rev = _int_field("rev")
    # The control that changed (sintesis.js names it; htmx's own header for a control that posts itself).
    field = request.form.get("campo") or request.headers.get("HX-Trigger-Name", "")
    field = field if field in _FIELDS else ""
    fields = (field,) if field else _FIELDS
    try:
        changes = _posted_changes(fields)
    except _Invalid as invalid:
        return _row(item, error=str(invalid), status=422)
    if not changes:
        bad_request("No llegó ningún cambio (titular, resumen, tono, destacada o incluir).")
    try:
        saved = get_archive().update_item(item.id, dict(changes), rev=rev, by=user_name())
    except EditConflict as err:
        current = err.current or get_archive().edition_item(item.id)
        return _row(current, conflict=_conflict(err, changes), status=409)
    if not request.headers.get("HX-Request"):
        return redirect(_page_url(edition) + f"#nota-{saved.id}", code=303)
    oob = _oob(edition.id, _seen_edition_rev())
    if field:  # one control saved: the row stays as it is (the focus too), its rev and status change
        return render_template("sintesis_saved.html", item=saved, **oob, **_helpers())
    return _row(saved, oob=oob)


@bp.post("/sintesis/nota/<item_id>/mover")
def move_item(item_id: str):
    """One place up (-1) or down (1) within the item's section; htmx gets the section back."""
    item, edition = _item_or_404(item_id)
    rev = _int_field("rev")
    offset = request.form.get("mover", "")
    if offset not in ("-1", "1"):
        bad_request(f"mover={offset!r}: use -1 (subir) o 1 (bajar).")
    conflict = None
    try:
        get_archive().move_item(item.id, int(offset), rev=rev, by=user_name())
        status = 200
    except EditConflict as err:
        conflict, status = _conflict(err, {}), 409
    if not request.headers.get("HX-Request"):
        return redirect(_page_url(edition) + f"#nota-{item.id}", code=303)
    oob = _oob(edition.id, _seen_edition_rev() if status == 200 else None)
    after = get_archive().edition(edition.id)
    section = next(s for s in _sections(after, _keywords()) if s["id"] == item.section)
    body = render_template("sintesis_section.html", section=section, editable=True, conflicts={item.id: conflict},
                           **oob, **_helpers())
    return body, status


# -- notes, approval, corrections ------------------------------------------------------------------
def _edition_from_form() -> Edition:
    edition = get_archive().edition(_int_field("edicion"))
    if edition is None:
        abort(404, description="Esa edición de la síntesis no existe; vuelva a abrir la página.")
    return edition


@bp.post("/sintesis/notas")
def add_note():
    """A free note written by hand (from a printed paper, a phone call) at the end of its section."""
    edition = _edition_from_form()
    if edition.approved:
        abort(409, description="Esta síntesis ya se aprobó; para agregar una nota, un coordinador debe pedir "
                               "«Corregir (nueva versión)».")
    headline = " ".join(request.form.get("titular", "").split())
    summary = request.form.get("resumen", "")
    section = request.form.get("seccion", NOTES_SECTION)
    tone = request.form.get("tono", "neutral")
    if not headline:
        bad_request("Una nota necesita un titular; escríbalo y vuelva a intentar.")
    if tone not in TONES:
        bad_request(f"El tono «{tone}» no existe; elija Positiva, Neutral o Negativa.")
    if section not in dict(_section_choices(_keywords())):
        bad_request(f"La sección «{section}» no existe; elija una de la lista.")
    if len(headline) > MAX_TEXT["headline"] or len(summary) > MAX_TEXT["summary"]:
        bad_request(f"El titular pasa de {MAX_TEXT['headline']} caracteres o el resumen de {MAX_TEXT['summary']}; "
                    "acórtelos.")
    note = get_archive().add_note(edition.id, headline=headline, summary=summary, by=user_name(), section=section,
                                  tone=tone)
    if request.headers.get("HX-Request"):
        return _render_page(get_archive().edition(edition.id), message=f"Nota agregada: «{note.headline}».")
    return redirect(_page_url(edition) + f"#nota-{note.id}", code=303)


@bp.post("/sintesis/aprobar")
def approve():
    """Freeze the edition as it will be sent, if it is the one the coordinator saw (its rev)."""
    require_coordinator("aprobar la síntesis")
    edition = _edition_from_form()
    rev = _int_field("edicion_rev")
    try:
        editions.approve(config(), get_archive(), edition, by=user_name(), rev=rev, base_url=share.base_url())
    except EditConflict as err:
        who = f" ({err.by} a las {_hhmm(err.at_utc)})" if err.by else ""
        message = (f"La síntesis cambió desde que la abrió{who}; revise los cambios y vuelva a aprobar. "
                   "No se aprobó.")
        return _render_page(get_archive().edition(edition.id), message=message, status=409)
    except QueryError:
        return _render_page(get_archive().edition(edition.id), status=409,
                            message="Esta versión ya estaba aprobada; no se volvió a aprobar.")
    return redirect(_page_url(edition), code=303)


@bp.post("/sintesis/corregir")
def correct():
    """A correction of an approved edition: the next version, a draft with the same items."""
    require_coordinator("corregir una síntesis aprobada")
    edition = _edition_from_form()
    try:
        editions.correct(get_archive(), edition, by=user_name())
    except QueryError:
        return _render_page(get_archive().edition(get_archive().latest_edition(edition.day, edition.cut).id),
                            status=409, message="Ya hay una versión más nueva de esta síntesis; corrija esa.")
    return redirect(_page_url(edition), code=303)

