"""Signing in and out."""

from __future__ import annotations

import math

from flask import Blueprint, redirect, render_template, request, session, url_for

from radiomon.web import accounts
from radiomon.web.common import get_archive, local_path, state

bp = Blueprint("auth", __name__)


@bp.route("/entrar", methods=["GET", "POST"])
def login():
    following = local_path(request.values.get("siguiente"), url_for("search.index"))
    if request.method == "GET":
        return render_template("login.html", siguiente=following, error=None, name="")
    name = request.form.get("usuario", "").strip()
    password = request.form.get("contrasena", "")
    address = request.remote_addr or "?"
    throttle = state().throttle
    wait = throttle.wait_left(name, address)
    if wait > 0:
        error = f"Demasiados intentos fallidos; espere {math.ceil(wait)} s y vuelva a intentarlo."
        return render_template("login.html", siguiente=following, error=error, name=name), 429
    if not accounts.check_password(get_archive(), name, password):
        throttle.failed(name, address)
        error = "Usuario o contraseña incorrectos."
        return render_template("login.html", siguiente=following, error=error, name=name), 401
    throttle.succeeded(name, address)
    session.clear()  # a fresh session (and CSRF token) for the signed-in user
    session["user"] = name
    return redirect(following)


@bp.post("/salir")
def logout():
    session.clear()
    return redirect(url_for("auth.login"))
