"""Test-only engine factories for the cluster tests, importable by the Dask workers (PYTHONPATH=tests)."""

from __future__ import annotations

import os


def dying_engine(engine: str, model: str, options) -> None:
    """Kills the worker process that loads it, as a recording that crashes the decoder would."""
    os._exit(70)
