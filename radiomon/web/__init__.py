"""The web UI staff search, listen and review in: a thin layer over :mod:`radiomon.jobs`.

* :mod:`~radiomon.web.app` — :func:`create_app`: sign-in, CSRF, security headers, error pages
* :mod:`~radiomon.web.views` — one module per page, plus the JSON API
* :mod:`~radiomon.web.accounts` — argon2 passwords, API tokens, the session secret
* :mod:`~radiomon.web.throttle` — failed sign-ins counted in the archive, shared by every worker
* :mod:`~radiomon.web.redirects` — where a sign-in or a form may send the browser back to (this site only)
* :mod:`~radiomon.web.common` — what every page shares: parameters parsed into 400s, the archive per worker
* :mod:`~radiomon.web.server` — ``radiomon serve``: waitress, one or more worker processes
* ``templates/`` (Jinja2, autoescaped), ``static/`` (CSS, one script, vendored htmx)
"""

from radiomon.web.app import create_app

__all__ = ["create_app"]
