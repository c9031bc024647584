"""Alerts: the outbox delivered through Apprise, and the health check's episodes.

* :mod:`~radiomon.alerts.delivery` — :func:`deliver_due`, one pass over the
  outbox: each event to each channel that takes it, once, with backoff;
  :func:`send_test`
* :mod:`~radiomon.alerts.health` — :func:`check_health`: problems of
  `radiomon status` as episodes, announced when they begin and end
* :mod:`~radiomon.alerts.messages` — the Spanish messages (pure)
* :mod:`~radiomon.alerts.channels` — where Apprise is called
* :mod:`~radiomon.alerts.background` — the daemon's alerts pass, on a thread of its own

The daemon calls ``check_health`` and ``deliver_due`` every few seconds, the
nightly job and `radiomon alerts send` (cron) once.
"""

from radiomon.alerts.delivery import ChannelResult, DeliveryReport, deliver_due, send_test
from radiomon.alerts.health import HealthCheck, check_health

__all__ = ["ChannelResult", "DeliveryReport", "HealthCheck", "check_health", "deliver_due", "send_test"]
