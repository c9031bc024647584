"""What radiomon tells people about what it holds: reports built from the archive.

* :mod:`~radiomon.reports.status` — stations, backlog, gaps: ``radiomon status``
* :mod:`~radiomon.reports.clips` — the audio around a mention: ``radiomon clip``
* :mod:`~radiomon.reports.testigos` — the day's testigos and their cue sheet: ``radiomon clips``
* :mod:`~radiomon.reports.items` — a radio item: a sentence with its mentions, or a repeated spot (digest, testigos)
* :mod:`~radiomon.reports.digest` — the síntesis informativa: ``radiomon digest`` (the day's rows → the model)
* :mod:`~radiomon.reports.digest_model` — the síntesis' document model (plain dataclasses the writers read)
* :mod:`~radiomon.reports.weekly` — the weekly report by department: ``radiomon report weekly``
* :mod:`~radiomon.reports.writers` — DOCX, HTML, Markdown and JSON from those models

Each report is data assembled by pure functions from archive rows, with the
rendering (terminal, JSON, documents) at the edge.
"""
