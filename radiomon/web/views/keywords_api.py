"""The keywords in the JSON API, for scripts: read them, add or replace a term, remove one.

``GET /api/keywords`` (anyone signed in): ``version`` (the file's SHA-256),
``threshold`` (``defaults.threshold``) and ``groups``: ``id``, ``label``,
``priority``, ``terms``: ``term``, ``aliases``, ``exclude``, ``threshold``
(the term's own, or null), ``threshold_in_force``, ``mentions_30d``.

``POST /api/keywords/terms`` ``{"group", "term", "aliases", "exclude",
"threshold"}`` adds the term to the group, or replaces the group's term
written so (accents and case aside); ``DELETE /api/keywords/terms``
``{"group", "term"}`` removes it. Both may send ``"version"`` (what ``GET``
gave) to be refused (409) if the file changed since. A coordinator's token
(``Authorization: Bearer …``) or session (plus ``X-CSRF-Token``) is
required: a ``prensa`` user gets 403. An edit ``radiomon keywords check``
would refuse is a 400 with the same explanation in Spanish,
``{"error": "…"}``, and keywords.yml is untouched. A change answers
``{"change", "action", "version"}`` and starts the archive's re-match.

``POST /api/keywords/preview`` with the body of ``POST /api/keywords/terms`` answers what that term would
have caught in the last days without saving anything (:mod:`radiomon.keyword_preview`): ``{"mentions": n,
"examples": [...]}`` (the newest, each with the fields of a radio mention), plus ``group``, ``term``, ``days``,
``since`` and ``until``; refused with the same errors as saving it.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from flask import Blueprint, jsonify

from radiomon import keyword_changes, keyword_preview, timeutil
from radiomon.errors import ConfigError
from radiomon.keywords.edit import find_term
from radiomon.keywords.edit_terms import TermSpec
from radiomon.keywords.load import keywords_from_text
from radiomon.keywords.refusals import KeywordEditError, refused
from radiomon.web.common import config, get_archive, json_body, require_coordinator, user_name
from radiomon.web.views.keywords import RECENT_DAYS, rematcher

bp = Blueprint("keywords_api", __name__, url_prefix="/api/keywords")

_WHAT = "cambiar las palabras clave"


def _error(err: KeywordEditError):
    response = jsonify({"error": err.spanish})
    response.status_code = err.status
    return response


@bp.get("")
def read():
    current = keyword_changes.read_file(config())
    try:
        keywords = keywords_from_text(current.text, current.path.name)
    except ConfigError as err:
        return _error(refused(err))
    since = timeutil.to_iso(datetime.now(timezone.utc) - timedelta(days=RECENT_DAYS))
    counts = get_archive().term_mention_counts(since)
    return jsonify({
        "version": current.version,
        "threshold": keywords.threshold,
        "groups": [{"id": g.id, "label": g.title, "priority": g.priority, "terms": [
            {"term": t.term, "aliases": list(t.aliases), "exclude": list(t.exclude), "threshold": t.threshold,
             "threshold_in_force": keywords.threshold_for(t), "mentions_30d": counts.get((g.id, t.term), 0)}
            for t in g.terms]} for g in keywords.groups],
    })


def _text(body: dict, key: str) -> str:
    value = body.get(key)
    if not isinstance(value, str):
        raise KeywordEditError(f"{key} must be text", f"Falta «{key}» o no es texto; envíe p. ej. "
                               '{"group": "crisis", "term": "fuga de gas"}.')
    return value


def _texts(body: dict, key: str) -> tuple[str, ...]:
    value = body.get(key)
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise KeywordEditError(f"{key} must be a list of text", f"«{key}» debe ser una lista de textos, "
                               'p. ej. ["fuga de gas natural"].')
    return tuple(value)


def _version(body: dict) -> str | None:
    version = body.get("version")
    return version if isinstance(version, str) else None


@bp.post("/terms")
def put():
    require_coordinator(_WHAT)
    body = json_body()
    try:
        group, term = _text(body, "group"), _text(body, "term")
        spec = TermSpec(term, _texts(body, "aliases"), _texts(body, "exclude"), body.get("threshold"))
        current = keyword_changes.read_file(config())
        existing = _existing(current.text, current.path.name, group, term)
        if existing is None:
            applied = keyword_changes.add_term(config(), get_archive(), group, spec, by=user_name(),
                                               version=_version(body))
        else:
            applied = keyword_changes.change_term(config(), get_archive(), group, existing, spec, by=user_name(),
                                                  version=_version(body))
    except KeywordEditError as err:
        return _error(err)
    return _changed(applied, 200 if existing else 201)


@bp.post("/preview")
def preview():
    require_coordinator(_WHAT)
    body = json_body()
    try:
        group, term = _text(body, "group"), _text(body, "term")
        spec = TermSpec(term, _texts(body, "aliases"), _texts(body, "exclude"), body.get("threshold"))
        current = keyword_changes.read_file(config())
        found = keyword_preview.preview_term(config(), get_archive(), group, spec,
                                             replacing=_existing(current.text, current.path.name, group, term))
    except KeywordEditError as err:
        return _error(err)
    return jsonify(found.as_json())


@bp.delete("/terms")
def delete():
    require_coordinator(_WHAT)
    body = json_body()
    try:
        group, term = _text(body, "group"), _text(body, "term")
        applied = keyword_changes.delete_term(config(), get_archive(), group, term, by=user_name(),
                                              version=_version(body))
    except KeywordEditError as err:
        return _error(err)
    return _changed(applied, 200)


def _existing(text: str, source: str, group: str, term: str) -> str | None:
    """The group's term written ``term`` (accents and case aside), None when it has none (or no such group:
    adding then says so)."""
    try:
        keywords = keywords_from_text(text, source)
        return find_term(keywords, term, group, source)[2].term
    except ConfigError:
        return None


def _changed(applied: keyword_changes.Applied, status: int):
    rematcher().request(config(), applied.change_id)
    response = jsonify({"change": applied.change_id, "action": applied.action, "version": applied.version})
    response.status_code = status
    return response
