"""The app object: settings, sign-in and CSRF checks, security headers, error pages.

The pages themselves live one per module in :mod:`radiomon.web.views`; each
is a thin caller of :mod:`radiomon.jobs` or of an archive reader.
"""

from __future__ import annotations

import gzip
import logging
import secrets
import time

from flask import Flask, current_app, g, jsonify, redirect, render_template, request, session, url_for
from werkzeug.exceptions import HTTPException

from radiomon.archive import Archive
from radiomon.config import Config
from radiomon.errors import QueryError
from radiomon.web import accounts, dates
from radiomon.web.common import (
    WebState,
    end_request,
    error_text,
    fecha,
    get_archive,
    is_api,
    state,
    template_helpers,
)
from radiomon.web.throttle import LoginThrottle

log = logging.getLogger(__name__)

# Pages a visitor reaches before signing in.
_OPEN_ENDPOINTS = {"auth.login", "static"}

_CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; media-src 'self'; "
        "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")

_ERROR_TITLES = {
    400: "Solicitud no válida",
    401: "Inicie sesión",
    403: "Solicitud rechazada",
    404: "No encontrado",
    405: "Método no permitido",
    413: "Solicitud demasiado grande",
    429: "Demasiados intentos",
    500: "Error del servidor",
}


def create_app(config: Config, *, require_login: bool = False, host: str | None = None) -> Flask:
    """The web UI of one deployment.

    Sign-in is demanded when any user exists, and always with
    ``require_login`` (``radiomon serve`` sets it when listening beyond
    loopback, where it also refuses to start without users). Without
    sign-in, only requests naming this machine in ``Host`` are answered
    (localhost, 127.0.0.1, ::1, ``host`` — the listening address — and
    ``web.allowed_hosts``): a web page elsewhere cannot rebind its own name
    to 127.0.0.1 and read or change the archive through the visitor's browser.
    """
    from radiomon.web.views import ALL_BLUEPRINTS

    app = Flask(__name__)
    app.config.update(
        SECRET_KEY=accounts.secret_key(config.archive),
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_NAME="radiomon_session",
        SESSION_COOKIE_SECURE=secure_cookie(config),
        # The cookie may live as long as a session may; the archive decides whether it still does.
        PERMANENT_SESSION_LIFETIME=accounts.session_lifetime(config.web),
        MAX_CONTENT_LENGTH=64 * 1024,  # forms and review calls only; nothing is uploaded
        JSON_AS_ASCII=False,
        RADIOMON_LOCAL_HOSTS=local_hosts(config, host),
    )
    app.json.ensure_ascii = False
    app.extensions["radiomon"] = WebState(config=config, require_login=require_login, throttle=LoginThrottle())
    with Archive(config.archive) as archive:  # created and migrated once, stations mirrored for names
        archive.sync_stations(config.stations, str(config.timezone))
    for blueprint in ALL_BLUEPRINTS:
        app.register_blueprint(blueprint)
    app.before_request(_start_clock)
    app.before_request(_authenticate)
    app.after_request(_security_headers)
    app.after_request(_compress)
    app.after_request(_server_timing)
    app.teardown_appcontext(end_request)
    app.context_processor(template_helpers)
    # Dates as dd/mm/aaaa: ``{{ day|fecha }}``, and the date field of templates/fields.html.
    app.add_template_filter(fecha, "fecha")
    app.jinja_env.globals.update(date_pattern=dates.PATTERN, date_pattern_words=dates.PATTERN_WORDS,
                                 date_placeholder=dates.PLACEHOLDER)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(QueryError, _query_error)
    app.register_error_handler(Exception, _server_error)
    return app


def secure_cookie(config: Config) -> bool:
    """``web.secure_cookie``, by default on when the office reaches the UI over HTTPS."""
    if config.web.secure_cookie is not None:
        return config.web.secure_cookie
    return config.office.base_url.lower().startswith("https://")


def local_hosts(config: Config, host: str | None) -> frozenset[str]:
    """The ``Host`` names answered without sign-in."""
    names = {"localhost", "127.0.0.1", "::1", *config.web.allowed_hosts}
    if host:
        names.add(host)
    return frozenset(_host_name(name) for name in names)


def _host_name(value: str) -> str:
    """The name of a ``Host`` header or address, without port, brackets or final dot, lowercase."""
    value = value.strip().lower()
    if value.startswith("["):
        value = value[1:].partition("]")[0]
    elif value.count(":") == 1:
        value = value.partition(":")[0]
    return value.rstrip(".")


def _start_clock() -> None:
    g.started = time.perf_counter()


def _server_timing(response):
    """How long the page took to make (``Server-Timing: app;dur=…`` in ms), for
    the browser's developer tools and the web benchmark."""
    if "started" in g:
        response.headers["Server-Timing"] = f"app;dur={(time.perf_counter() - g.started) * 1000:.1f}"
    return response


# Pages and API answers are repetitive markup and JSON: gzip makes a day of
# 500 mentions a few tens of KB on the wire. Audio and static files stream
# from disk untouched (direct passthrough).
_COMPRESSED = {"text/html", "application/json", "text/markdown"}
_COMPRESS_FROM = 1024


def _compress(response):
    if (response.direct_passthrough or response.is_streamed or response.mimetype not in _COMPRESSED
            or "Content-Encoding" in response.headers
            or "gzip" not in request.headers.get("Accept-Encoding", "")):
        return response
    data = response.get_data()
    if len(data) < _COMPRESS_FROM:
        return response
    response.set_data(gzip.compress(data, compresslevel=1))  # 3x faster than 5, 18 % larger
    response.headers["Content-Encoding"] = "gzip"
    response.vary.add("Accept-Encoding")
    return response


def _authenticate():
    g.user = None
    g.by_token = False
    needed = login_needed()
    if not needed and _host_name(request.host) not in current_app.config["RADIOMON_LOCAL_HOSTS"]:
        message = ("Este servidor atiende sin contraseña solo a esta computadora; ábralo como "
                   "http://127.0.0.1 (o agregue el nombre a web.allowed_hosts en radiomon.yml).")
        return _json_error(400, message) if is_api() else _error_page(400, message)
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() == "bearer" and (is_api() or request.blueprint == "audio"):
        g.user = accounts.user_for_token(get_archive(), token.strip())
        if g.user is None:
            message = "token no válido"
            return _json_error(401, message) if is_api() else _error_page(401, "El token de acceso no es válido.")
        g.by_token = True  # no cookie involved: nothing for a forged request to ride on
    elif session.get("sid"):
        g.user = accounts.session_user(get_archive(), session["sid"], state().config.web)
        if g.user is None:  # signed out elsewhere, expired, or the account was removed
            session.pop("sid", None)
    if "user" in session:  # the cookie of an older version (a user name, not revocable): ignored
        session.pop("user")
    if g.user is None and request.endpoint not in _OPEN_ENDPOINTS and needed:
        if is_api():
            return _json_error(401, "inicie sesión o envíe Authorization: Bearer <token>")
        return redirect(url_for("auth.login", siguiente=request.full_path.rstrip("?")))
    if request.method not in ("GET", "HEAD", "OPTIONS") and not g.by_token:
        sent = request.form.get("csrf") or request.headers.get("X-CSRF-Token") or ""
        expected = session.get("csrf") or ""
        if not expected or not secrets.compare_digest(sent, expected):
            message = "Falta el token de seguridad (CSRF) o no es válido; recargue la página e intente de nuevo."
            return _json_error(403, message) if is_api() else _error_page(403, message)
    return None


def login_needed() -> bool:
    return state().require_login or get_archive().user_count() > 0


def _security_headers(response):
    response.headers.setdefault("Content-Security-Policy", _CSP)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    return response


def _json_error(code: int, message: str):
    response = jsonify({"error": message})
    response.status_code = code
    return response


def _error_page(code: int, message: str):
    title = _ERROR_TITLES.get(code, "Error")
    return render_template("error.html", code=code, title=title, message=message), code


def _http_error(err: HTTPException):
    code = err.code or 500
    # Werkzeug's own descriptions are English; ours (abort(400, description=…)) are Spanish.
    ours = err.description and err.description != type(err).description
    message = err.description if ours else {
        400: "Los parámetros de la dirección no son válidos.",
        404: "No existe esta página, grabación o mención.",
        405: "Esta dirección no acepta ese método.",
        413: "La solicitud es demasiado grande.",
    }.get(code, err.description or "")
    if is_api():
        response = _json_error(code, message)
    else:
        response = _error_page(code, message)
    return response


def _query_error(err: QueryError):
    """A query or filter a page did not catch: the library's line in Spanish, a 400 (never a 500)."""
    message = error_text(err)
    return _json_error(400, message) if is_api() else _error_page(400, message)


def _server_error(err: Exception):
    log.exception("error serving %s", request.path)
    message = "Algo falló al preparar esta página; el detalle quedó en el registro del servidor."
    return _json_error(500, message) if is_api() else _error_page(500, message)
