"""Health alerts: each problem `radiomon status` sees is announced once when it
begins and once when it is over.

:func:`check_health` evaluates the deployment exactly as `radiomon status`
does (the facts of :func:`radiomon.reports.status.gather_facts` judged by
:func:`radiomon.health.evaluate`) and compares the problems with the open
health episodes of the archive. A problem with no open episode opens one
and writes a HEALTH_PROBLEM event; an open episode whose problem is gone is
closed with a HEALTH_RECOVERED event; each in one transaction with its
event, so however often the check runs (the daemon: every few seconds) an
episode is announced once at each end. :func:`~radiomon.alerts.deliver_due`
sends the events.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime

from radiomon import events as events_mod
from radiomon import timeutil
from radiomon.archive import Archive
from radiomon.config import Config
from radiomon.health import Problem, evaluate
from radiomon.reports.status import gather_facts

log = logging.getLogger(__name__)


@dataclass
class HealthCheck:
    """What one :func:`check_health` did."""

    problems: list[Problem] = field(default_factory=list)  # everything unwell now
    opened: list[Problem] = field(default_factory=list)  # new episodes (announced)
    recovered: list[str] = field(default_factory=list)  # keys of the episodes closed (announced)

    @property
    def healthy(self) -> bool:
        return not self.problems


def check_health(config: Config, archive: Archive, now: datetime | None = None) -> HealthCheck:
    """Open and close health episodes for what is unwell at ``now`` (see the module's doc)."""
    now = now or datetime.now(timeutil.UTC)
    at = timeutil.to_iso(now)
    problems = evaluate(gather_facts(archive, config, now), config.health)
    result = HealthCheck(problems=problems)
    configured = {"station": {s.id for s in config.stations}, "outlet": {o.id for o in config.press.outlets}}
    with archive.write() as conn:
        # Read inside the write transaction: a second checker running at the
        # same time waits here and then sees the episodes this one opened.
        episodes = {e["key"]: e for e in archive.open_episodes()}
        current = {p.key: p for p in problems}
        for key, problem in current.items():
            if key in episodes:
                continue
            payload = {"key": key, "kind": problem.kind, "subject": problem.subject, "since": problem.since,
                       "summary": problem.summary, "details": problem.details}
            event_id = archive.add_event(conn, events_mod.HEALTH_PROBLEM, payload)
            archive.start_episode(conn, key=key, kind=problem.kind, started_utc=problem.since, opened_utc=at,
                                  summary=problem.summary, event_id=event_id)
            result.opened.append(problem)
        for key, episode in episodes.items():
            if key in current:
                continue
            event_id = None
            # A station or newspaper taken out of radiomon.yml did not "come back": its episode just ends.
            if not (episode["kind"] in configured and key.split(":", 1)[1] not in configured[episode["kind"]]):
                payload = {"key": key, "kind": episode["kind"], "subject": key.split(":", 1)[-1],
                           "started_utc": episode["started_utc"], "ended_utc": at, "summary": episode["summary"]}
                event_id = archive.add_event(conn, events_mod.HEALTH_RECOVERED, payload)
            archive.end_episode(conn, episode["id"], at, event_id)
            result.recovered.append(key)
    for problem in result.opened:
        log.warning("health: %s", problem.summary)
    for key in result.recovered:
        log.info("health: %s is well again", key)
    return result
