"""Serving the web UI: waitress, in one process or in several sharing one socket.

Page rendering is Python and holds the interpreter lock, so one process
renders on one core however many threads it has. With ``workers`` > 1 the
listening socket is bound once and handed to that many forked waitress
processes; the kernel gives each new connection to one of them. Windows has
no fork: it always serves from one process.

The parent only watches: SIGTERM or SIGINT stops every worker and waits for
them, and a worker that dies is started again (after a pause, so a worker
that cannot start does not spin).
"""

from __future__ import annotations

import logging
import os
import signal
import socket
import time
from collections.abc import Callable

log = logging.getLogger(__name__)

RESTART_PAUSE = 2.0


def bound_socket(host: str, port: int) -> socket.socket:
    """The listening socket, bound now, so "address in use" is said before any worker starts."""
    family = socket.AF_INET6 if ":" in host.strip("[]") else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host.strip("[]"), port))
    return sock


def serve(make_app: Callable[[], object], sock: socket.socket, *, threads: int, workers: int) -> None:
    """Serve until stopped; ``make_app`` runs in each worker (after the fork:
    no SQLite connection crosses a fork)."""
    if workers <= 1 or not hasattr(os, "fork"):
        _run_worker(make_app, sock, threads)
        return
    children: dict[int, int] = {}  # pid -> worker number
    stopping = False

    def stop(signum, _frame) -> None:
        nonlocal stopping
        stopping = True
        for pid in children:
            _signal(pid, signal.SIGTERM)

    previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        for number in range(workers):
            children[_fork_worker(make_app, sock, threads)] = number
        while children:
            try:
                pid, status = os.wait()
            except ChildProcessError:
                break
            except InterruptedError:  # pragma: no cover - PEP 475 retries; kept for clarity
                continue
            number = children.pop(pid, None)
            if number is None or stopping:
                continue
            log.warning("web worker %d (pid %d) ended (status %d); starting it again", number, pid, status)
            time.sleep(RESTART_PAUSE)
            if not stopping:
                children[_fork_worker(make_app, sock, threads)] = number
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        for pid in list(children):
            _signal(pid, signal.SIGTERM)
            _reap(pid)


def _fork_worker(make_app, sock, threads: int) -> int:
    pid = os.fork()
    if pid:
        return pid
    code = 0
    try:
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl+C reaches the whole group; the parent decides
        _run_worker(make_app, sock, threads)
    except BaseException:  # noqa: BLE001 - a worker must never return into the parent's code
        log.exception("web worker failed")
        code = 1
    finally:
        os._exit(code)


def _run_worker(make_app, sock, threads: int) -> None:
    import waitress

    waitress.serve(make_app(), sockets=[sock], threads=threads, ident="radiomon")


def _signal(pid: int, sig: int) -> None:
    try:
        os.kill(pid, sig)
    except ProcessLookupError:
        pass


def _reap(pid: int) -> None:
    try:
        os.waitpid(pid, 0)
    except ChildProcessError:
        pass
