"""Palabras clave: keywords.yml as the matcher reads it, and, for a coordinator, changed without a terminal.

Everyone signed in sees each group (label, priority) and each term with its
aliases, exclusions, the threshold in force and why (what ``radiomon
keywords check`` explains) and its mentions of the last 30 days. A
coordinator adds, changes and removes terms and groups, accepts the near
misses of ``radiomon keywords suggest`` (Sugerencias) as aliases or
exclusions, and undoes a change; each save carries the version of the file
the page showed (radiomon/keyword_changes.py refuses a stale one). After a
change the archive is re-matched on a thread of this process
(:class:`~radiomon.keyword_changes.BackgroundRematch`), its progress polled
by the page (radiomon/web/static/keywords.js).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from flask import Blueprint, jsonify, redirect, render_template, request, url_for
from markupsafe import Markup, escape

from radiomon import jobs, keyword_changes, keyword_preview, timeutil
from radiomon.errors import ConfigError, RadiomonError
from radiomon.filters import Filters
from radiomon.keywords import KeywordSet, TermReport, explain
from radiomon.keywords.derive import GAP
from radiomon.keywords.edit_terms import TermSpec
from radiomon.keywords.load import keywords_from_text
from radiomon.keywords.model import PRIORITIES, Term
from radiomon.keywords.refusals import KeywordEditError, refused
from radiomon.web.common import config, get_archive, is_coordinator, parse_id, require_coordinator, user_name

bp = Blueprint("keywords", __name__)

# Days of mentions counted beside each term, and of the archive Sugerencias reads.
RECENT_DAYS = 30
# Spellings listed per term in Sugerencias.
SUGGESTIONS_PER_TERM = 5
PRIORITY_LABELS = {"normal": "normal", "high": "alta", "crisis": "crisis (alerta inmediata)"}
_WHAT = "cambiar las palabras clave"

# One re-match thread per archive in this process (the views and the API share it).
_rematches: dict[str, keyword_changes.BackgroundRematch] = {}
# explain() of each version of the file (a second for the shipped file; the page is read often).
_explained: dict[str, dict[tuple[str, str], TermReport]] = {}


def rematcher() -> keyword_changes.BackgroundRematch:
    return _rematches.setdefault(str(config().archive), keyword_changes.BackgroundRematch())


@dataclass(frozen=True)
class TermView:
    term: Term
    threshold: str  # "umbral 80"
    why: str  # why that threshold, in Spanish
    confusions: tuple[str, ...]  # what would count as it (keywords check's "!" lines)
    mentions: int  # in the last RECENT_DAYS days


def _why(keywords: KeywordSet, term: Term, report: TermReport | None) -> tuple[str, str]:
    if report is not None and report.exact_only:
        return "solo exacto", "término corto: cuenta solo si se oye tal cual"
    threshold = keywords.threshold_for(term)
    shown = f"umbral {threshold:.0f}"
    if term.threshold is not None:
        return shown, "propio del término"
    derivation = keywords.derivation(term)
    if derivation is None:
        return shown, "el predeterminado del archivo (defaults.threshold)"
    if derivation.capped:
        return shown, (f"el predeterminado: «{derivation.nearest}» se parece {derivation.nearest_score:.0f}, "
                       "demasiado cerca para bajarlo")
    if derivation.nearest and derivation.nearest_score + GAP >= derivation.floor:
        return shown, (f"derivado: «{derivation.nearest}» se parece {derivation.nearest_score:.0f}; "
                       f"queda {GAP:.0f} puntos arriba")
    closest = (f" (lo más parecido, «{derivation.nearest}», se parece {derivation.nearest_score:.0f})"
               if derivation.nearest else "")
    return shown, f"derivado: el mínimo para su longitud{closest}"


def _reports(version: str, keywords: KeywordSet) -> dict[tuple[str, str], TermReport]:
    if version not in _explained:
        _explained.clear()  # only the newest version is asked for again
        _explained[version] = {(r.group_id, r.keyword): r for r in explain(keywords) if r.spelling == r.keyword}
    return _explained[version]


def _page_data() -> dict:
    current = keyword_changes.read_file(config())
    try:
        keywords = keywords_from_text(current.text, current.path.name)
        problem = None
    except ConfigError as err:
        keywords, problem = None, refused(err).spanish
    groups = []
    if keywords is not None:
        since = timeutil.to_iso(datetime.now(timezone.utc) - timedelta(days=RECENT_DAYS))
        counts = get_archive().term_mention_counts(since)
        reports = _reports(current.version, keywords)
        for group in keywords.groups:
            terms = []
            for term in group.terms:
                report = reports.get((group.id, term.term))
                shown, why = _why(keywords, term, report)
                confusions = tuple(f"«{c.text}» ({'otro término' if c.kind == 'term' else 'palabra común'}, "
                                   f"{c.score:.0f})" for c in (report.confusions if report else ())[:3])
                terms.append(TermView(term, shown, why, confusions, counts.get((group.id, term.term), 0)))
            groups.append((group, terms))
    archive = get_archive()
    history = archive.keyword_changes(15)
    undoable = history[0]["id"] if history and _is_current(history[0]["id"], current.text) else None
    return {"version": current.version, "groups": groups, "problem": problem, "history": history,
            "undoable": undoable, "priorities": PRIORITIES, "priority_labels": PRIORITY_LABELS,
            "coordinator": is_coordinator(), "rematch": _rematch_json(), "recent_days": RECENT_DAYS,
            "preview_days": keyword_preview.PREVIEW_DAYS}


def _is_current(change_id: int, text: str) -> bool:
    change = get_archive().keyword_change(change_id)
    return change is not None and change["after"] == text


def _change_id(raw: str) -> int | None:
    """The ``cambio`` of the link after an edit; anything else shows no notice (str.isdigit() takes "²")."""
    return int(raw) if raw.isascii() and raw.isdigit() else None


@bp.get("/palabras-clave")
def page():
    done = request.args.get("cambio", "")
    return render_template("keywords.html", **_page_data(), done=_change_id(done), error=None,
                           failed={})


@bp.get("/palabras-clave/actualizacion")
def rematch_state():
    """The background re-match's progress, polled by the page (JSON; not part of /api)."""
    return jsonify(_rematch_json())


def _rematch_json() -> dict:
    state = rematcher().state
    result = state.result
    if state.running:
        text = (f"Actualizando el archivo con las palabras clave nuevas… {state.done} de {state.total} grabaciones"
                if state.total else "Actualizando el archivo con las palabras clave nuevas…")
    elif state.error:
        text = f"No se pudo actualizar el archivo: {state.error}"
    elif result is not None:
        text = (f"Archivo al día: {result.recordings} grabaciones revisadas, {result.added} menciones nuevas, "
                f"{result.removed} quitadas. Las revisiones y las menciones agregadas a mano se conservan.")
    else:
        text = ""
    return {"running": state.running, "done": state.done, "total": state.total, "text": text,
            "error": state.error, "added": result.added if result else None,
            "removed": result.removed if result else None}


# -- changes ----------------------------------------------------------------------
def _lines(name: str) -> tuple[str, ...]:
    return tuple(line.strip() for line in request.form.get(name, "").splitlines() if line.strip())


def _spec() -> TermSpec:
    return TermSpec(term=request.form.get("termino", ""), aliases=_lines("variantes"),
                    exclude=_lines("exclusiones"), threshold=request.form.get("umbral", "").strip() or None)


def _saved(applied: keyword_changes.Applied, anchor: str = "", endpoint: str = "keywords.page"):
    rematcher().request(config(), applied.change_id)
    return redirect(url_for(endpoint, cambio=applied.change_id) + anchor, code=303)


def _refused(err: RadiomonError, failed: dict, endpoint: str = "page"):
    status = getattr(err, "status", 400)
    message = err.spanish if isinstance(err, KeywordEditError) else str(err)
    if endpoint == "suggestions":
        return render_template("keywords.html", **_suggestions_data(), error=message, failed=failed,
                               done=False), status
    return render_template("keywords.html", **_page_data(), error=message, failed=failed, done=False), status


def _change(make, failed: dict, anchor: str = "", endpoint: str = "page"):
    require_coordinator(_WHAT)
    try:
        applied = make(config(), get_archive(), by=user_name(), version=request.form.get("version") or "")
    except RadiomonError as err:
        return _refused(err, failed, endpoint)
    return _saved(applied, anchor, f"keywords.{endpoint}")


@bp.post("/palabras-clave/termino")
def save_term():
    require_coordinator(_WHAT)
    group = request.form.get("grupo", "")
    original = request.form.get("original", "")
    spec = _spec()
    failed = {"form": f"editar-{group}-{original}" if original else f"agregar-{group}", **request.form.to_dict()}
    if original:
        return _change(lambda c, a, **kw: keyword_changes.change_term(c, a, group, original, spec, **kw), failed,
                       f"#g-{group}")
    return _change(lambda c, a, **kw: keyword_changes.add_term(c, a, group, spec, **kw), failed, f"#g-{group}")


@bp.post("/palabras-clave/vista-previa")
def preview():
    """What the term as typed in a form would have caught in the last days (keyword_preview), nothing saved:
    a fragment under the form (htmx), or without script the page again with the form as typed."""
    require_coordinator(_WHAT)
    group = request.form.get("grupo", "")
    original = request.form.get("original", "") or None
    try:
        found = keyword_preview.preview_term(config(), get_archive(), group, _spec(), replacing=original)
        problem, status = None, 200
    except KeywordEditError as err:
        found, problem, status = None, err.spanish, err.status
    saved = None
    if found is not None and original:
        saved = get_archive().term_mention_counts(found.since_utc).get((group, original), 0)
    shown = {"preview": found, "preview_error": problem, "saved_count": saved, "marked": marked}
    if request.headers.get("HX-Request"):
        return render_template("keywords_preview.html", **shown)  # 200 even when refused: htmx swaps only 2xx
    failed = {"form": f"editar-{group}-{original}" if original else f"agregar-{group}", **request.form.to_dict()}
    return render_template("keywords.html", **_page_data(), error=None, failed=failed, done=False, **shown), status


def marked(mention) -> Markup:
    """The mention's sentence, escaped, with the words heard marked (where the sentence has them as heard)."""
    context, heard = mention.context or "", mention.matched or ""
    at = context.lower().find(heard.lower()) if heard else -1
    if at < 0:
        return Markup(escape(context))
    end = at + len(heard)
    return Markup(f"{escape(context[:at])}<mark>{escape(context[at:end])}</mark>{escape(context[end:])}")


@bp.post("/palabras-clave/termino/quitar")
def delete_term():
    group, term = request.form.get("grupo", ""), request.form.get("termino", "")
    return _change(lambda c, a, **kw: keyword_changes.delete_term(c, a, group, term, **kw), {}, f"#g-{group}")


@bp.post("/palabras-clave/grupo")
def save_group():
    require_coordinator(_WHAT)
    group = request.form.get("grupo", "").strip()
    label = request.form.get("etiqueta", "").strip()
    priority = request.form.get("prioridad", "normal")
    if request.form.get("nuevo"):
        first = TermSpec(request.form.get("termino", ""))
        return _change(lambda c, a, **kw: keyword_changes.add_group(c, a, group, label=label, priority=priority,
                                                                    first_term=first, **kw),
                       {"form": "nuevo-grupo", **request.form.to_dict()}, f"#g-{group}")
    return _change(lambda c, a, **kw: keyword_changes.change_group(c, a, group, label=label or group,
                                                                   priority=priority, **kw),
                   {"form": f"grupo-{group}", **request.form.to_dict()}, f"#g-{group}")


@bp.post("/palabras-clave/grupo/quitar")
def delete_group():
    group = request.form.get("grupo", "")
    return _change(lambda c, a, **kw: keyword_changes.delete_group(c, a, group, **kw), {})


@bp.post("/palabras-clave/deshacer/<change_id>")
def undo(change_id: str):
    number = parse_id(change_id, "cambio")
    return _change(lambda c, a, **kw: keyword_changes.undo(c, a, number, **kw), {}, "#historial")


# -- Sugerencias ----------------------------------------------------------------------
def _suggestions_data() -> dict:
    data = _page_data()
    since = datetime.now(timezone.utc) - timedelta(days=RECENT_DAYS)
    found = jobs.suggest_keywords(config(), get_archive(), Filters(since=since), limit=SUGGESTIONS_PER_TERM)
    by_term: dict[tuple[str, str], list] = {}
    for suggestion in found.suggestions:
        if suggestion.kind == "near_miss":
            by_term.setdefault((suggestion.group_id, suggestion.keyword), []).append(suggestion)
    return {**data, "suggestions": by_term, "searched": found.found}


@bp.get("/palabras-clave/sugerencias")
def suggestions():
    done = request.args.get("cambio", "")
    try:
        data = _suggestions_data()
    except RadiomonError as err:
        return _refused(err, {})
    return render_template("keywords.html", **data, done=_change_id(done), error=None, failed={})


@bp.post("/palabras-clave/sugerencias/aceptar")
def accept():
    group, term = request.form.get("grupo", ""), request.form.get("termino", "")
    spelling, kind = request.form.get("forma", ""), request.form.get("tipo", "")
    if kind not in ("aliases", "exclude"):
        kind = "aliases"
    return _change(lambda c, a, **kw: keyword_changes.accept_spelling(c, a, group, term, spelling, kind, **kw), {},
                   endpoint="suggestions")
