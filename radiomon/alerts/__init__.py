"""Alerts: delivering what the pipeline has to tell someone, from the archive's outbox.

The matching stage writes crisis mentions to the event outbox in the
mention's own transaction (:mod:`radiomon.pipeline.match.crisis`,
:mod:`radiomon.archive.outbox`); delivery to people's channels lives here.
"""
