"""What radiomon tells people about what it holds: reports built from the archive.

* :mod:`~radiomon.reports.status` — stations, backlog, gaps: ``radiomon status``

Each report is data assembled by pure functions from archive rows, with the
rendering (terminal, JSON, documents) at the edge.
"""
