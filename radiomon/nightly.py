"""The nightly job (``radiomon nightly``, from cron or a systemd timer).

    transcribe → press → match → alerts → digest → prune

Each step is one call into the job layer; :data:`STEPS` is the list, in
order. A step that fails is recorded with its one-line reason and the next
steps still run: a missing model must not stop yesterday's síntesis from
being written from what was already transcribed, nor retention from
freeing the disk. The run is a row of ``runs`` (command ``nightly``) with
each step's counts and every error; the caller turns a failed step into a
non-zero exit.

One copy at a time: a second ``radiomon nightly`` started while one runs
exits at once (:mod:`radiomon.lockfile`; a killed run leaves no lock
behind). Every step is safe to interrupt and to run again: transcription
and matching write one recording per transaction, documents are written
under a temporary name and renamed, pruning marks a row before deleting its
file (radiomon/retention.py). A rerun after a kill therefore picks up where
the killed run stopped, and says which run did not finish.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

from radiomon import jobs, retention, timeutil
from radiomon.archive import Archive
from radiomon.config import Config
from radiomon.errors import RadiomonError
from radiomon.lockfile import hold, lock_path
from radiomon.outputs import OutputError

log = logging.getLogger(__name__)

OK, FAILED, SKIPPED = "ok", "failed", "skipped"


@dataclass
class Night:
    """What every step gets: the deployment, its archive, the day the síntesis is about."""

    config: Config
    archive: Archive
    day: date  # local day of the síntesis (yesterday by default)


@dataclass
class StepResult:
    name: str
    status: str  # ok, failed or skipped
    summary: str = ""  # one line: what it did, or why it failed or was skipped
    counts: dict = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)  # one line each; any makes the step failed
    notes: list[str] = field(default_factory=list)  # worth reading, not failures


@dataclass
class NightlyResult:
    run_id: int
    day: date
    steps: list[StepResult]
    interrupted: list[dict]  # earlier nightly runs that never finished: {id, started_utc}

    @property
    def failed(self) -> list[StepResult]:
        return [s for s in self.steps if s.status == FAILED]

    @property
    def ok(self) -> bool:
        return not self.failed


class Skip(Exception):
    """A step with nothing to do by configuration; its message says why."""


# -- the steps -----------------------------------------------------------------------------------------------
def transcribe(night: Night, step: StepResult) -> None:
    """Everything pending, then its mentions (jobs.transcribe_and_match)."""
    done = jobs.transcribe_and_match(night.config, night.archive)
    batch = done.batch
    step.counts = {"transcribed": batch.transcribed, "failed": batch.failed, "segments": batch.segments,
                   "audio_seconds": round(batch.audio_seconds, 1),
                   "mentions_added": done.matched.added if done.matched else 0}
    step.errors += batch.errors
    step.summary = batch.summary() if batch.transcribed or batch.failed else "nothing pending"
    if done.matched is not None:
        step.summary += f"; {done.matched.added} new mention(s)"


def press(night: Night, step: StepResult) -> None:
    """One polite pass over the newspapers (jobs.press_fetch): the night's notes stored and matched
    before the síntesis is written. An outlet that fails is a note here and a health problem in
    `radiomon status`, not a failed night."""
    if not night.config.press.outlets:
        raise Skip("no newspapers (press.outlets)")
    done = jobs.press_fetch(night.config, night.archive)
    step.counts = {"outlets": len(done.outlets), "articles": done.stored, "failed": len(done.failed),
                   "mentions_added": done.matched.added}
    step.notes += [o.line for o in done.failed]
    step.summary = done.summary()


def match(night: Night, step: StepResult) -> None:
    """Recordings transcribed but not matched yet: imports, or what a stopped run stored last."""
    matched = jobs.rematch(night.config, night.archive)
    step.counts = {"recordings": matched.recordings, "articles": matched.articles, "mentions_added": matched.added}
    step.summary = matched.summary() if matched.recordings or matched.articles else "nothing left to match"


def deliver_alerts(night: Night, step: StepResult) -> None:
    """Health problems announced, then every alert due (crisis and high mentions, health) to its channels."""
    if not night.config.alerts.channels:
        raise Skip("no alert channels (alerts.channels); events wait in the outbox")
    done = jobs.send_alerts(night.config, night.archive)
    report = done.delivery
    step.counts = {"sent": report.sent, "messages": report.messages, "failed": report.failed,
                   "waiting": report.waiting}
    step.summary = f"{report.messages} message(s) sent ({report.sent} alert(s)), {report.waiting} waiting"
    if report.failed:
        down = ", ".join(c.channel for c in report.channels if c.failed)
        raise RadiomonError(f"{report.failed} alert(s) not delivered: channel(s) {down} failed; they are retried")


def digest(night: Night, step: StepResult) -> None:
    """The síntesis of the day, in each of ``nightly.formats``, into ``reports_dir``."""
    config = night.config
    written: list[Path] = []
    total = None
    for fmt in config.nightly.formats:
        out = digest_path(config, night.day, fmt)
        try:
            model = jobs.digest(config, night.archive, day=night.day, out=out, fmt=fmt)
        except OutputError as err:  # nightly.reports_dir points into the deployment's own files
            step.errors.append(f"{err} (set by nightly.reports_dir in {config.path})")
            continue
        except OSError as err:
            step.errors.append(f"{out}: cannot write the síntesis ({err.strerror or err}); nightly.reports_dir "
                               f"({config.reports_dir}) must be a folder this user can write")
            continue
        total = model.total
        written.append(out)
    step.counts = {"day": night.day.isoformat(), "mentions": total, "files": [str(p) for p in written]}
    if written:
        names = ", ".join([str(written[0])] + [p.name for p in written[1:]])
        step.summary = f"{night.day.isoformat()}: {total} mention(s) → {names}"
    else:
        step.summary = f"{night.day.isoformat()}: no síntesis written"


def prune(night: Night, step: StepResult) -> None:
    """Retention: audio past ``retention.audio_days`` (radiomon/retention.py)."""
    config = night.config
    if not config.nightly.prune:
        raise Skip("nightly.prune is off")
    result = retention.prune(config, night.archive)
    step.counts = result.counts
    step.errors += result.errors
    step.notes += result.notes
    if result.plan.cutoff is None:
        step.summary = "retention is off (retention.audio_days: 0)"
    else:
        step.summary = (f"{result.pruned} recording(s) older than {config.retention.audio_days} days pruned, "
                        f"{result.audio_bytes / 1e6:.1f} MB of audio freed, {result.clips_kept} clip(s) of "
                        "confirmed mentions kept")
    if result.leftovers_removed:
        step.summary += f"; {result.leftovers_removed} file(s) a stopped prune had left deleted"
    if result.archive_bytes or result.vacuum_switched:
        step.summary += f"; {result.archive_bytes / 1e6:.1f} MB of archive pages returned"
    if result.vacuum_switched:
        step.notes.append("the archive was switched to incremental auto-vacuum (a one-time VACUUM)")


Step = Callable[[Night, StepResult], None]

#: The night's work, in order.
STEPS: tuple[tuple[str, Step], ...] = (
    ("transcribe", transcribe),
    ("press", press),
    ("match", match),
    ("alerts", deliver_alerts),
    ("digest", digest),
    ("prune", prune),
)


# -- the runner ----------------------------------------------------------------------------------------------
def digest_path(config: Config, day: date, fmt: str) -> Path:
    """``reports/sintesis-2026-11-25.docx``."""
    return config.reports_dir / f"sintesis-{day.isoformat()}.{fmt}"


def yesterday(config: Config, now: datetime | None = None) -> date:
    """The office's yesterday (its time zone, not the machine's or UTC's)."""
    now = now or datetime.now(timeutil.UTC)
    return timeutil.local(now, config.timezone).date() - timedelta(days=1)


def run_nightly(config: Config, archive: Archive, *, day: date | None = None,
                steps: tuple[tuple[str, Step], ...] = STEPS) -> NightlyResult:
    """Run the steps (see the module doc); the síntesis is of ``day``, by default yesterday."""
    day = day or yesterday(config)
    with hold(lock_path(config.archive, "nightly"), "radiomon nightly"):
        run_id = archive.start_run("nightly")
        # Holding the lock, no other nightly is alive: an unfinished one was killed.
        interrupted = archive.unfinished_runs("nightly", before=run_id)
        if interrupted:
            archive.mark_interrupted([r["id"] for r in interrupted],
                                     "did not finish (killed or stopped); the next run went on from where it was")
        night = Night(config, archive, day)
        results = [_run_step(name, fn, night) for name, fn in steps]
        counts = {r.name: {"status": r.status, **r.counts} for r in results}
        counts["day"] = day.isoformat()
        errors = [f"{r.name}: {e}" for r in results for e in (r.errors or ([r.summary] if r.status == FAILED else []))]
        archive.finish_run(run_id, counts, errors)
    return NightlyResult(run_id, day, results, interrupted)


def _run_step(name: str, fn: Step, night: Night) -> StepResult:
    step = StepResult(name, OK)
    log.info("nightly: %s", name)
    try:
        fn(night, step)
    except Skip as why:
        step.status, step.summary = SKIPPED, str(why)
        return step
    except RadiomonError as err:
        step.status, step.summary = FAILED, str(err)
        return step
    except Exception as err:  # a bug or a broken disk in one step must not cost the night's other steps
        log.exception("nightly: %s failed", name)
        step.status, step.summary = FAILED, f"{type(err).__name__}: {' '.join(str(err).split())}"
        return step
    if step.errors:
        step.status = FAILED
    return step


__all__ = ["STEPS", "NightlyResult", "StepResult", "digest_path", "run_nightly", "yesterday"]
