"""Signing in and out."""

from __future__ import annotations

import math

from flask import Blueprint, redirect, render_template, request, session, url_for

from radiomon.web import accounts
from radiomon.web.common import config, get_archive, state
from radiomon.web.redirects import site_path

bp = Blueprint("auth", __name__)


@bp.route("/entrar", methods=["GET", "POST"])
def login():
    following = site_path(request.values.get("siguiente"), url_for("search.index"))
    if request.method == "GET":
        return render_template("login.html", siguiente=following, error=None, name="")
    name = request.form.get("usuario", "").strip()
    password = request.form.get("contrasena", "")
    address = request.remote_addr or "?"
    archive = get_archive()
    throttle = state().throttle
    # Counted as a failure before the slow check starts: parallel guesses cannot all pass.
    wait = throttle.reserve(archive, name, address)
    if wait > 0:
        error = f"Demasiados intentos fallidos; espere {math.ceil(wait)} s y vuelva a intentarlo."
        return render_template("login.html", siguiente=following, error=error, name=name), 429
    user = accounts.check_password(archive, name, password)
    if user is None:
        error = "Usuario o contraseña incorrectos."
        return render_template("login.html", siguiente=following, error=error, name=name), 401
    throttle.succeeded(archive, name, address)
    old = session.get("sid")
    if old:
        accounts.end_session(archive, old)
    session.clear()  # a fresh session (and CSRF token) for the signed-in user
    session.permanent = True  # the cookie lasts as long as the session may (web.session_max_days)
    session["sid"] = accounts.new_session(archive, user, address, config().web)
    return redirect(following)


@bp.post("/salir")
def logout():
    if session.get("sid"):
        accounts.end_session(get_archive(), session["sid"])
    session.clear()
    return redirect(url_for("auth.login"))
