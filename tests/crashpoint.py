"""Run ``radiomon`` and SIGKILL it at an exact write: the tests' way to pull the plug mid-transaction.

    python tests/crashpoint.py -- --config radiomon.yml transcribe

with ``CRASHPOINT`` set to ``PATTERN@N``: the process kills itself with
SIGKILL just before it runs the N-th SQL statement (of any connection, in
any thread) that starts with PATTERN (``INSERT INTO segments``, ``COMMIT``,
``UPDATE recordings SET status``…), exactly as ``kill -9`` would at that
instant. SQLite's trace hook names each statement as it begins, so the kill
lands before it takes effect: a ``COMMIT`` never runs, a transaction stays
open and must roll back. ``CRASHPOINT_LOG`` names a file that receives, just
before the kill, the statement killed at. Without ``CRASHPOINT`` this is
plain ``radiomon``. Nothing in radiomon knows about it: the hook wraps
``sqlite3.connect`` in this process only.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import sys
import threading

_lock = threading.Lock()
_seen = 0


def _arm(pattern: str, nth: int, log: str | None) -> None:
    real_connect = sqlite3.connect

    def trace(statement: str) -> None:
        global _seen
        if not statement.lstrip().upper().startswith(pattern.upper()):
            return
        with _lock:
            _seen += 1
            if _seen < nth:
                return
            if log:
                with open(log, "w", encoding="utf-8") as handle:
                    handle.write(" ".join(statement.split())[:200])
                    handle.flush()
                    os.fsync(handle.fileno())
            os.kill(os.getpid(), signal.SIGKILL)

    def connect(*args, **kwargs):
        conn = real_connect(*args, **kwargs)
        conn.set_trace_callback(trace)
        return conn

    sqlite3.connect = connect


def main(argv: list[str]) -> None:
    spec = os.environ.get("CRASHPOINT")
    if spec:
        pattern, _, nth = spec.rpartition("@")
        _arm(pattern, int(nth), os.environ.get("CRASHPOINT_LOG"))
    from radiomon.cli import main as radiomon

    radiomon(argv[argv.index("--") + 1:] if "--" in argv else argv, prog_name="radiomon")


if __name__ == "__main__":
    main(sys.argv[1:])
