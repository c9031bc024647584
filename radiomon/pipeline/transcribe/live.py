"""The daemon's transcription: recordings handed over one at a time as they close, transcribed and matched.

The batch stage (:mod:`~radiomon.pipeline.transcribe.batch`) selects what is
pending and works through it; the daemon instead learns of each recording
when the recorder closes it. :class:`LiveTranscription` keeps what both
stages need ready between recordings (the model loaded in the workers, the
keywords read, and read again when keywords.yml changes) and chains storing
and matching per recording, as :func:`radiomon.jobs.transcribe_and_match`
does for a batch.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from concurrent.futures import BrokenExecutor, Executor, Future
from dataclasses import dataclass, replace
from pathlib import Path

from radiomon.archive import Archive, Recording
from radiomon.config import Config
from radiomon.errors import ConfigError
from radiomon.filters import Filters
from radiomon.pipeline.match import MatchResult, load_matcher, match_pending
from radiomon.pipeline.transcribe.batch import PER_ITEM_ERRORS, Stage, transcriber_spec
from radiomon.pipeline.transcribe.machine import plan_workers
from radiomon.pipeline.transcribe.work import engine_label

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Finished:
    """What :meth:`LiveTranscription.finish` did with one recording."""

    recording: Recording
    segments: int = 0
    audio_seconds: float = 0.0
    matched: MatchResult | None = None  # None when it failed
    error: str | None = None  # why it was marked failed


class LiveTranscription:
    """:func:`radiomon.jobs.transcribe_and_match` for recordings handed over one at a time
    as they close (the daemon's job).

    Set up once: keywords.yml read into the vocabulary prompt, the rescoring
    terms and the matcher, and read again when it changes. The caller submits
    each recording's :attr:`work` to its executor (one recording per worker
    process, :attr:`workers` of them) and hands the future to :meth:`finish`,
    which stores the transcript and flags its mentions, each in its own
    transaction, or marks the recording failed.
    """

    def __init__(self, config: Config):
        self.config = config
        self.workers, threads = plan_workers(config.transcription.workers, config.transcription.threads)
        self._settings = replace(config.transcription, threads=threads, workers=1)
        self._read_keywords()
        self._labels: tuple[str, str] | None = None  # engine and model, once start() has loaded it

    def _read_keywords(self) -> None:
        stamp = _stamp(self.config.keywords)
        # One worker process decodes one recording at a time with its share of the cores.
        spec = transcriber_spec(self.config, self._settings)
        matcher = load_matcher(self.config.keywords)
        self._keywords_stamp, self.spec, self.matcher = stamp, spec, matcher

    def start(self, executor: Executor) -> None:
        """Load the model in a worker (a missing model or engine fails here, at
        once) and learn its label for the archive."""
        self._labels = executor.submit(engine_label, self.spec).result()

    @property
    def stage(self) -> Stage:
        """The stage as it stands: the spec of the keywords read last, the model :meth:`start` loaded."""
        engine, model = self._labels
        return Stage(self.config, self.spec, engine, model, self.config.transcription.formats)

    @property
    def work(self):
        """The unit of work to submit for a recording (picklable)."""
        return self.stage.work

    def refresh(self) -> bool:
        """Read keywords.yml again if it changed; a broken edit is logged and
        the last good version kept. True when something new was read."""
        if _stamp(self.config.keywords) == self._keywords_stamp:
            return False
        try:
            self._read_keywords()
        except ConfigError as err:
            self._keywords_stamp = _stamp(self.config.keywords)  # said once, not every pass
            log.error("%s; still matching with the keywords read before", err)
            return False
        log.info("%s changed: matching and transcribing with it from now on", self.config.keywords)
        return True

    def match_leftovers(self, archive: Archive, stations: Sequence[str]) -> MatchResult:
        """Flag mentions in what these stations have transcribed but not matched
        (what an interrupted run stored just before it was killed)."""
        return match_pending(archive, self.matcher, Filters(stations=tuple(stations)))

    def finish(self, archive: Archive, recording: Recording, future: Future) -> Finished:
        """Store the transcript ``future`` holds and flag mentions in what is
        not matched yet of the recording's station (this one, and any a killed
        run left unmatched); an unreadable recording is marked failed. A broken
        executor (a worker killed) is raised: it is not the recording's fault."""
        try:
            transcript = future.result()
            segments = self.stage.store(archive, recording, transcript)
        except BrokenExecutor:
            raise
        except PER_ITEM_ERRORS as err:
            return Finished(recording, error=self.stage.fail(archive, recording, err))
        matched = match_pending(archive, self.matcher, Filters(stations=(recording.station,)))
        return Finished(recording, segments, transcript.duration, matched)


def _stamp(path: Path) -> tuple[int, int, int] | None:
    try:
        stat = Path(path).stat()
    except OSError:
        return None
    # The inode too: the web UI replaces keywords.yml (radiomon/keyword_changes.py), and two
    # saves of one size within a clock tick share an mtime.
    return stat.st_mtime_ns, stat.st_size, stat.st_ino


__all__ = ["Finished", "LiveTranscription"]
