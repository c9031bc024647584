"""Real servers for the alert tests: an SMTP server (aiosmtpd) and an HTTP receiver
for Apprise's ``json://`` URLs, both on 127.0.0.1, started and stopped by the tests.

``smtp_server``  :class:`SmtpServer`: ``.url(to=…)`` is an Apprise ``mailto://``
                 URL to it; ``.messages`` the e-mails received (``email.message.Message``).
``receiver``     :class:`Receiver`: ``.url`` is a ``json://`` URL to it;
                 ``.posts`` the JSON bodies received, in order. ``down()`` closes
                 its port (connection refused, as a channel that is down),
                 ``up()`` listens on the same port again, ``hold(skip=0)`` makes
                 the request after the next ``skip`` ones wait, unanswered,
                 until ``release()``; ``held`` is set when it arrives.
"""

from __future__ import annotations

import email
import json
import threading
from email import policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from aiosmtpd.controller import Controller
from icecast import free_port


class SmtpServer:
    def __init__(self) -> None:
        self.port = free_port()
        self.messages: list[email.message.EmailMessage] = []
        self.envelopes: list[tuple[str, list[str]]] = []
        self._controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self._controller.start()

    async def handle_DATA(self, server, session, envelope):  # aiosmtpd's handler hook
        self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        self.messages.append(email.message_from_bytes(envelope.content, policy=policy.default))
        return "250 OK"

    def url(self, to: str = "coordinacion@moroleon.example") -> str:
        return f"mailto://127.0.0.1:{self.port}?from=radiomon@moroleon.example&to={to}"

    def stop(self) -> None:
        self._controller.stop()


class Receiver:
    def __init__(self) -> None:
        self.port = free_port()
        self.posts: list[dict] = []
        self.held = threading.Event()  # set when the request to hold has arrived
        self._hold_after: int | None = None
        self._release = threading.Event()
        self._server: ThreadingHTTPServer | None = None
        self.up()

    @property
    def url(self) -> str:
        return f"json://127.0.0.1:{self.port}/alertas"

    def up(self) -> None:
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                owner.posts.append(body)
                if owner._hold_after is not None and len(owner.posts) > owner._hold_after:
                    owner._hold_after = None
                    owner.held.set()
                    owner._release.wait(30)
                try:
                    self.send_response(200)
                    self.end_headers()
                except OSError:  # the client was killed while we held it
                    pass

            def log_message(self, *args):
                pass

        ThreadingHTTPServer.allow_reuse_address = True
        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def down(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def hold(self, skip: int = 0) -> None:
        self._release.clear()
        self.held.clear()
        self._hold_after = len(self.posts) + skip

    def release(self) -> None:
        self._release.set()

    @property
    def titles(self) -> list[str]:
        return [p["title"] for p in self.posts]


@pytest.fixture
def smtp_server():
    server = SmtpServer()
    yield server
    server.stop()


@pytest.fixture
def receiver():
    server = Receiver()
    yield server
    server.release()
    server.down()
