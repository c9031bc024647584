"""The web UI staff search, listen and review in: a thin layer over :mod:`radiomon.jobs`."""
