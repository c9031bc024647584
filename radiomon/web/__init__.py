"""The web UI staff search, listen and review in: a thin layer over :mod:`radiomon.jobs`.

* :mod:`~radiomon.web.app` — :func:`create_app`: sign-in, CSRF, security headers, error pages
* :mod:`~radiomon.web.views` — one module per page, plus the JSON API
* :mod:`~radiomon.web.accounts` — argon2 passwords, API tokens, the session secret
* ``templates/`` (Jinja2, autoescaped), ``static/`` (CSS, one script, vendored htmx)
"""

from radiomon.web.app import create_app

__all__ = ["create_app"]
