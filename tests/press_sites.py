"""Fixture news outlets on loopback HTTP servers, for the press collector's tests (no internet).

Each :class:`PressSite` is one "host" (its own port) serving the files under
``tests/data/press/<name>/`` plus routes that misbehave on purpose: a feed
that answers 304 to a conditional GET, a 404 and a 410 article, a redirect
loop, a 30 MB page, a route that hangs, a 429. Every request is logged
(``site.requests``), so a test can assert a URL was *never* asked for.
Usage::

    from press_sites import press_sites  # noqa: F401 (fixture)

    def test_x(press_sites):
        sur = press_sites["diario-sur"]; sur.url("/feed/")
"""

from __future__ import annotations

import threading
import time
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

try:
    import pytest
except ImportError:  # benchmarks use the classes without pytest
    pytest = None

DATA = Path(__file__).resolve().parent / "data" / "press"
BIG_PAGE_BYTES = 30 * 1024 * 1024
_MINIMAL_LAYOUT = (
    b'<!DOCTYPE html><html lang="es"><head><meta charset="utf-8">@HEAD@</head><body>@ARTICLE@</body></html>'
)


class PressSite:
    """One outlet's web server; ``routes`` maps a path (with its query) to ``handler(request) -> None``."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.root = DATA / name
        self.routes: dict[str, object] = {}
        self.requests: list[tuple[str, dict[str, str]]] = []  # (path, headers) in arrival order
        self.times: list[float] = []  # monotonic arrival times, same order
        self.active = 0
        self.max_active = 0
        self.lock = threading.Lock()
        self.stop = threading.Event()
        site = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self):  # noqa: N802 - http.server's name
                with site.lock:
                    site.requests.append((self.path, {k.lower(): v for k, v in self.headers.items()}))
                    site.times.append(time.monotonic())
                    site.active += 1
                    site.max_active = max(site.max_active, site.active)
                try:
                    route = site.routes.get(self.path)
                    if route is None:
                        site.send(self, 404, b"<html><body>No encontrada</body></html>", "text/html; charset=utf-8")
                    else:
                        route(self)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (the size cap, a timeout): that is the point
                finally:
                    with site.lock:
                        site.active -= 1

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"
        self._thread = threading.Thread(target=self.server.serve_forever, name=f"press-{name}", daemon=True)

    # -- content ------------------------------------------------------------

    def url(self, path: str) -> str:
        return self.base + path

    def file(self, name: str) -> bytes:
        return (self.root / name).read_bytes().replace(b"@BASE@", self.base.encode("ascii"))

    def page(self, name: str) -> bytes:
        """An article file (head, ``<!-- body -->``, article) inside the outlet's layout; a whole page as is."""
        if b"<!-- body -->" not in self.file(name):
            return self.file(name)
        head, article = self.file(name).split(b"<!-- body -->", 1)
        layout_path = self.root / "_layout.html"
        layout = layout_path.read_bytes() if layout_path.exists() else _MINIMAL_LAYOUT
        return layout.replace(b"@HEAD@", head.strip()).replace(b"@ARTICLE@", article.strip())

    def seen(self, path: str) -> int:
        """How many requests asked for ``path`` (query included)."""
        with self.lock:
            return sum(1 for p, _ in self.requests if p == path)

    def paths(self) -> list[str]:
        with self.lock:
            return [p for p, _ in self.requests]

    # -- responses ----------------------------------------------------------

    @staticmethod
    def send(request, status: int, body: bytes = b"", content_type: str | None = None, **headers: str) -> None:
        request.send_response(status)
        if content_type:
            request.send_header("Content-Type", content_type)
        for name, value in headers.items():
            request.send_header(name.replace("_", "-"), value)
        request.send_header("Content-Length", str(len(body)))
        request.end_headers()
        request.wfile.write(body)

    def serve(self, path: str, body_of, content_type: str, **headers: str) -> None:
        self.routes[path] = lambda request: self.send(request, 200, body_of(), content_type, **headers)

    def conditional(self, path: str, name: str, content_type: str, etag: str | None, last_modified: str | None):
        """A feed that honours If-None-Match / If-Modified-Since with a 304 (as WordPress does)."""

        def handler(request):
            if (etag and request.headers.get("If-None-Match") == etag) or (
                last_modified and not etag and request.headers.get("If-Modified-Since") == last_modified
            ):
                request.send_response(304)
                request.send_header("Content-Length", "0")
                request.end_headers()
                return
            extra = {}
            if etag:
                extra["ETag"] = etag
            if last_modified:
                extra["Last_Modified"] = last_modified
            self.send(request, 200, self.file(name), content_type, **extra)

        self.routes[path] = handler

    def status(self, path: str, status: int, **headers: str) -> None:
        self.routes[path] = lambda request: self.send(request, status, b"", "text/html", **headers)

    def hang(self, path: str) -> None:
        """Accept the request and never answer (until the server stops)."""

        def handler(request):
            self.stop.wait(120)

        self.routes[path] = handler

    def huge(self, path: str, size: int = BIG_PAGE_BYTES) -> None:
        """A page of ``size`` bytes, streamed with no Content-Length (the cap must hold on the stream)."""

        def handler(request):
            request.send_response(200)
            request.send_header("Content-Type", "text/html; charset=utf-8")
            request.send_header("Connection", "close")
            request.end_headers()
            chunk = b"<p>" + "Moroleón ".encode() * 7000 + b"</p>\n"
            sent = 0
            while sent < size and not self.stop.is_set():
                request.wfile.write(chunk)
                sent += len(chunk)
            request.close_connection = True

        self.routes[path] = handler

    # -- lifecycle ----------------------------------------------------------

    def start(self) -> PressSite:
        self._thread.start()
        return self

    def close(self) -> None:
        self.stop.set()
        self.server.shutdown()
        self.server.server_close()


LAST_MODIFIED = formatdate(1777932000, usegmt=True)  # 2026-05-04 22:00 UTC


def build_sites() -> dict[str, PressSite]:
    """The fixture outlets, started. Close each with ``.close()``."""
    sur = PressSite("diario-sur")
    rss = "application/rss+xml; charset=UTF-8"
    sur.conditional("/feed/", "feed.xml", rss, etag='"feed-v1"', last_modified=LAST_MODIFIED)
    sur.conditional("/category/municipios/feed/", "category-feed.xml", rss, etag=None, last_modified=LAST_MODIFIED)
    html = "text/html; charset=UTF-8"
    sur.serve("/2026/05/04/mercado-hidalgo/", lambda: sur.page("mercado.html"), html)
    sur.serve("/2026/05/04/agua-zona-centro/", lambda: sur.page("agua.html"), html)
    sur.serve("/2026/05/03/feria-del-sueter/", lambda: sur.page("feria.html"), html)
    # /robots.txt and /2026/05/01/ambulantes/ are not routed: 404 (no robots.txt means no restrictions).

    heraldo = PressSite("el-heraldo")
    xml = "application/xml; charset=utf-8"
    heraldo.serve("/robots.txt", lambda: heraldo.file("robots.txt"), "text/plain")
    for name in ("sitemap_index.xml", "news-sitemap.xml", "post-sitemap1.xml"):
        heraldo.serve("/" + name, lambda name=name: heraldo.file(name), xml)  # no validators: the body hash decides
    heraldo.serve("/nota/sin-agua-centro/", lambda: heraldo.page("agua.html"), "text/html; charset=utf-8")
    # Declares no charset in HTTP; the page's meta says ISO-8859-1.
    heraldo.serve("/nota/cronica-del-cabildo/", lambda: heraldo.page("cabildo.html"), "text/html")
    heraldo.serve("/privado/exclusiva/", lambda: heraldo.page("exclusiva.html"), "text/html; charset=utf-8")
    heraldo.serve("/nota/impresion/?imprimir=1", lambda: heraldo.page("exclusiva.html"), "text/html; charset=utf-8")
    heraldo.serve("/nota/vieja/", lambda: heraldo.page("exclusiva.html"), "text/html; charset=utf-8")
    heraldo.status("/nota/retirada/", 410)
    heraldo.status("/nota/bucle/", 302, Location="/nota/bucle-2/")
    heraldo.status("/nota/bucle-2/", 301, Location=heraldo.url("/nota/bucle/"))
    heraldo.huge("/nota/enorme/")

    gto = PressSite("noticias-gto")
    gto.serve("/robots.txt", lambda: b"User-agent: *\nAllow: /\n", "text/plain")
    gto.serve("/atom.xml", lambda: gto.file("feed.atom"), "application/atom+xml")  # no ETag, no Last-Modified
    gto.serve("/estado/patrullas-sur.html", lambda: gto.page("patrullas.html"), "text/html; charset=utf-8")
    gto.serve("/portada/", lambda: gto.file("portada.html"), "text/html; charset=utf-8")

    colgado = PressSite("colgado")  # a host whose feed never answers
    colgado.hang("/feed/")

    return {site.name: site.start() for site in (sur, heraldo, gto, colgado)}


if pytest is not None:

    @pytest.fixture(scope="module")
    def press_sites():
        sites = build_sites()
        yield sites
        for site in sites.values():
            site.close()
