"""Retention (``radiomon prune``): audio past ``retention.audio_days`` goes, the text stays.

    plan → keep the clips of confirmed mentions → mark each recording pruned → delete its file
         → finish what a stopped run left → hand the archive's free pages back to the disk

What goes: the audio files of recordings that ended more than
``audio_days`` ago, were transcribed and keyword-matched, and lie under
``recordings_dir``. Their rows, segments (searchable text), transcripts and
mentions stay; the recording is marked ``pruned``. What stays and is said:
old audio not transcribed yet (pending or failed: deleting it would lose
what was said), and audio registered from outside ``recordings_dir`` (an
imported file is the office's own copy, not radiomon's to delete). A file
that is not a recording's in the archive is never looked at.

Before a recording's file goes, every mention confirmed in review whose
clip reaches into it is cut (:func:`radiomon.reports.clips.cut_clip`,
``retention.clip_before``/``clip_after`` around it) into ``kept-clips/``;
when a clip cannot be cut, that recording keeps its audio and the run says
why. Recordings go oldest first, so a clip that runs from one file into the
next is cut while both are there. The web UI's cached clips
(:mod:`radiomon.reports.clip_cache`) that could hold a pruned recording's
audio are deleted with it: retention means the audio is gone, copies included.

Order, for crash safety: the row is marked ``pruned`` (committed) and only
then is the file deleted. A run stopped between the two leaves a pruned row
whose file is still on disk: nothing is lost, the row never claims audio
that is gone, and the next run deletes the file (:attr:`PrunePlan.leftovers`).
The other order could leave a ``transcribed`` row pointing at a deleted
file, which clips and the web UI would only discover as "missing".
"""

from __future__ import annotations

import logging
import shutil
import sqlite3
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from radiomon import timeutil
from radiomon.archive import Archive, MentionRow, Recording
from radiomon.config import Config
from radiomon.errors import AudioError, RadiomonError
from radiomon.filters import Filters
from radiomon.lockfile import hold, lock_path
from radiomon.reports import clip_cache, clips, testigos

log = logging.getLogger(__name__)

# Switching an old archive to incremental auto-vacuum rewrites it (VACUUM):
# the copy and the WAL it goes through each take about the archive's size.
VACUUM_SPACE_FACTOR = 2.2
# The rewrite holds the write lock; the recorder and the web UI wait for it up
# to their busy timeout (30 s, archive/db.py) and then fail a write (the
# recorder restarts its stations after a backoff). Even a slow disk (10 MB/s)
# rewrites this much within that, so prune does it unasked; a bigger archive
# is switched only when a person asks (`radiomon prune --vacuum`, recorder
# stopped).
VACUUM_UNASKED_BYTES = 256 * 1024 * 1024


@dataclass(frozen=True)
class Doomed:
    """A recording whose audio file goes, and what the file takes."""

    recording: Recording
    size: int  # bytes; 0 when the file is already missing
    exists: bool


@dataclass(frozen=True)
class PrunePlan:
    """What a prune will do (``--dry-run`` shows it)."""

    cutoff: datetime | None  # audio that ended before this goes; None: retention is off (audio_days 0)
    audio_days: int
    doomed: tuple[Doomed, ...] = ()  # oldest first
    leftovers: tuple[Doomed, ...] = ()  # pruned rows whose file a stopped run did not delete
    outside: tuple[Recording, ...] = ()  # old audio registered from outside recordings_dir: left in place
    untranscribed: tuple[Recording, ...] = ()  # old audio with no text yet (pending, failed): kept
    clips: tuple[MentionRow, ...] = ()  # confirmed mentions whose clip will be cut first
    free_bytes: int = 0  # the archive's free pages
    vacuum_switch: bool = False  # the archive needs its one VACUUM to return free pages

    @property
    def audio_bytes(self) -> int:
        return sum(d.size for d in self.doomed + self.leftovers)


@dataclass
class PruneResult:
    plan: PrunePlan
    dry_run: bool
    pruned: int = 0  # recordings marked pruned and their files deleted
    audio_bytes: int = 0  # bytes of audio deleted
    clips_kept: int = 0  # clips of confirmed mentions cut in this run
    already_missing: int = 0  # pruned recordings whose file was gone before the run
    leftovers_removed: int = 0  # files a stopped run had left
    cached_clips_removed: int = 0  # the web UI's cached clips holding pruned audio
    archive_bytes: int = 0  # free pages handed back to the disk
    vacuum_switched: bool = False
    kept_clips_dir: Path | None = None
    notes: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    @property
    def counts(self) -> dict:
        return {"pruned": self.pruned, "audio_bytes": self.audio_bytes, "clips_kept": self.clips_kept,
                "already_missing": self.already_missing, "leftovers_removed": self.leftovers_removed,
                "cached_clips_removed": self.cached_clips_removed,
                "archive_bytes": self.archive_bytes, "vacuum_switched": self.vacuum_switched,
                "kept_untranscribed": len(self.plan.untranscribed), "kept_outside": len(self.plan.outside)}


# -- planning (pure) ---------------------------------------------------------------------------------------
def cutoff_for(now: datetime, audio_days: int) -> datetime | None:
    """Audio that ended before this instant goes; None when ``audio_days`` is 0 (keep forever)."""
    return now - timedelta(days=audio_days) if audio_days > 0 else None


def inside(path: str | Path, folder: Path) -> bool:
    """Whether ``path`` (links followed) lies under ``folder``."""
    return Path(path).resolve().is_relative_to(folder.resolve())


def classify(recordings: list[Recording], recordings_dir: Path) -> tuple[list[Recording], list[Recording],
                                                                         list[Recording]]:
    """Old recordings with audio into (to prune, outside recordings_dir, not transcribed yet)."""
    prune, outside, untranscribed = [], [], []
    for recording in recordings:
        if recording.status != "transcribed" or recording.matched_utc is None:
            untranscribed.append(recording)
        elif not inside(recording.path, recordings_dir):
            outside.append(recording)
        else:
            prune.append(recording)
    return prune, outside, untranscribed


def clip_window(recording: Recording, before: float, after: float) -> tuple[datetime, datetime]:
    """The instants at which a mention's clip (``before`` s ahead, ``after`` s past) reaches into the recording."""
    end = timeutil.parse_iso(recording.end_utc) if recording.end_utc else recording.start
    return recording.start - timedelta(seconds=after), end + timedelta(seconds=before)


def kept_clip_path(config: Config, mention: MentionRow) -> Path:
    """``kept-clips/<station>/YYYYMMDD_HHMMSS_<station>_<keyword>_<id>.mp3`` (local time; the id keeps it unique)."""
    name = testigos.testigo_name(mention, config.timezone)
    stem = name.rsplit(".", 1)[0]
    return config.kept_clips_dir / mention.station / f"{stem}_{mention.id}.mp3"


# -- the job -----------------------------------------------------------------------------------------------
def plan_prune(config: Config, archive: Archive, *, now: datetime | None = None) -> PrunePlan:
    """What a prune would do now; reads the archive and the files' sizes, changes nothing."""
    now = now or datetime.now(timeutil.UTC)
    cutoff = cutoff_for(now, config.retention.audio_days)
    leftovers = tuple(_doomed(r) for r in archive.pruned_recordings()
                      if inside(r.path, config.recordings_dir) and Path(r.path).is_file())
    common = {"audio_days": config.retention.audio_days, "leftovers": leftovers, "free_bytes": archive.free_bytes(),
              "vacuum_switch": archive.auto_vacuum == "none"}
    if cutoff is None:
        return PrunePlan(cutoff, **common)
    prune, outside, untranscribed = classify(archive.recordings_ended_before(cutoff), config.recordings_dir)
    doomed = tuple(_doomed(r) for r in prune)
    needed: dict[int, MentionRow] = {}
    for item in doomed:
        for mention in _confirmed_around(config, archive, item.recording):
            if not kept_clip_path(config, mention).is_file():
                needed.setdefault(mention.id, mention)
    return PrunePlan(cutoff, doomed=doomed, outside=tuple(outside), untranscribed=tuple(untranscribed),
                     clips=tuple(needed.values()), **common)


def prune(config: Config, archive: Archive, *, dry_run: bool = False, vacuum: bool = False,
          now: datetime | None = None) -> PruneResult:
    """Apply retention (see the module doc); with ``dry_run``, only say what would go.

    An archive made before radiomon created archives with incremental
    auto-vacuum is switched to it (one VACUUM) when it is small, or with
    ``vacuum`` whatever its size (see :data:`VACUUM_UNASKED_BYTES`).

    One prune at a time (a lock beside the archive). Per-recording problems
    (a clip that cannot be cut, a file that cannot be deleted) are in
    ``errors`` and that recording keeps its audio; the others go on.
    """
    if dry_run:
        result = PruneResult(plan_prune(config, archive, now=now), True, kept_clips_dir=config.kept_clips_dir)
        _describe_kept(result)
        return result
    with hold(lock_path(config.archive, "prune"), "radiomon prune"):
        result = PruneResult(plan_prune(config, archive, now=now), False, kept_clips_dir=config.kept_clips_dir)
        run_id = archive.start_run("prune")
        _remove_partial_clips(config.kept_clips_dir)
        for item in result.plan.doomed:
            _prune_one(config, archive, item, result)
        for item in result.plan.leftovers:
            # A run stopped right after marking it pruned had not dropped them yet.
            _drop_cached_clips(config, archive, item.recording, result)
            if _delete(item, result):
                result.leftovers_removed += 1
                result.audio_bytes += item.size
        _give_back_pages(config, archive, result, asked=vacuum)
        _describe_kept(result)
        archive.finish_run(run_id, result.counts, result.errors)
    return result


def _doomed(recording: Recording) -> Doomed:
    path = Path(recording.path)
    try:
        return Doomed(recording, path.stat().st_size, path.is_file())
    except OSError:
        return Doomed(recording, 0, False)


def _confirmed_around(config: Config, archive: Archive, recording: Recording) -> list[MentionRow]:
    since, until = clip_window(recording, config.retention.clip_before, config.retention.clip_after)
    return archive.confirmed_mentions(recording.station, since, until)


def _prune_one(config: Config, archive: Archive, item: Doomed, result: PruneResult) -> None:
    recording = item.recording
    if item.exists and not _keep_clips(config, archive, recording, result):
        return  # its audio stays until the clips are safe
    if not archive.mark_pruned(recording.id):
        log.info("recording %d changed while pruning (re-transcribed?); left for the next run", recording.id)
        return
    _drop_cached_clips(config, archive, recording, result)
    if not item.exists:
        result.already_missing += 1
        result.pruned += 1
        return
    if _delete(item, result):
        result.pruned += 1
        result.audio_bytes += item.size


def _keep_clips(config: Config, archive: Archive, recording: Recording, result: PruneResult) -> bool:
    """Cut the clip of every confirmed mention that reaches into ``recording``
    (a clip already kept is not cut again); False when one could not be cut."""
    settings = config.retention
    for mention in _confirmed_around(config, archive, recording):
        target = kept_clip_path(config, mention)
        if target.is_file():
            continue
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
        except OSError as err:
            result.errors.append(f"{target.parent}: cannot create the folder for kept clips ({_reason(err)}); "
                                 f"set retention.kept_clips_dir to a folder this user can write; recording "
                                 f"{recording.id} keeps its audio")
            return False
        try:
            clips.cut_clip(config, archive, mention.id, before=settings.clip_before, after=settings.clip_after,
                           fmt="mp3", out=target)
        except clips.ClipError as err:  # no audio to cut it from: nothing a kept file could hold
            result.notes.append(f"mention {mention.id}: no clip kept ({err})")
            continue
        except (AudioError, RadiomonError, OSError) as err:
            result.errors.append(f"recording {recording.id} ({recording.path}) kept: the clip of confirmed "
                                 f"mention {mention.id} could not be cut into {target} ({_reason(err)})")
            return False
        result.clips_kept += 1
    return True


def _drop_cached_clips(config: Config, archive: Archive, recording: Recording, result: PruneResult) -> None:
    """Delete the web UI's cached clips of every mention whose longest window reaches into ``recording``
    (a mention in the next file can have been cut with this one's last minute)."""
    since, until = clip_window(recording, clip_cache.MAX_BEFORE, clip_cache.MAX_AFTER)
    mentions = archive.list_mentions(Filters(stations=(recording.station,), since=since, until=until))
    try:
        result.cached_clips_removed += clip_cache.drop_mentions(clip_cache.cache_folder(config),
                                                                {m.id for m in mentions})
    except OSError as err:
        result.errors.append(f"{clip_cache.cache_folder(config)}: cannot delete the cached clips of recording "
                             f"{recording.id} ({_reason(err)}); delete the folder's files by hand")


def _delete(item: Doomed, result: PruneResult) -> bool:
    try:
        Path(item.recording.path).unlink(missing_ok=True)
    except OSError as err:
        result.errors.append(f"{item.recording.path}: cannot delete ({_reason(err)}); it stays marked pruned "
                             "and the next prune tries again")
        return False
    log.debug("deleted %s (recording %d)", item.recording.path, item.recording.id)
    return True


def _give_back_pages(config: Config, archive: Archive, result: PruneResult, *, asked: bool) -> None:
    if archive.auto_vacuum == "none":
        size = archive.file_bytes()
        if size > VACUUM_UNASKED_BYTES and not asked:
            result.notes.append(
                f"the archive ({size / 1e6:.0f} MB) hands free space back only after it is rewritten once; "
                "stop the recorder (systemctl stop radiomon) and run `radiomon prune --vacuum`")
            return
        needed = int(size * VACUUM_SPACE_FACTOR)
        free = shutil.disk_usage(config.archive.parent).free
        if free < needed:
            result.notes.append(
                f"the archive cannot hand free space back until it is rewritten once (VACUUM), which needs "
                f"{needed / 1e6:.0f} MB free beside it ({free / 1e6:.0f} MB are); prune tries again next time")
            return
        try:
            archive.enable_incremental_vacuum()
        except (sqlite3.Error, OSError) as err:  # locked, disk full: the archive stays as it was
            result.errors.append(f"{config.archive}: switching to incremental auto-vacuum failed ({err}); "
                                 "the archive is unchanged and prune tries again next time")
            return
        result.vacuum_switched = True
    try:
        result.archive_bytes = archive.return_free_pages()
    except (sqlite3.Error, OSError) as err:
        result.errors.append(f"{config.archive}: returning free pages failed ({err})")


def _describe_kept(result: PruneResult) -> None:
    plan = result.plan
    if plan.untranscribed:
        result.notes.append(f"{len(plan.untranscribed)} recording(s) past retention were never transcribed "
                            "(pending or failed): their audio is kept; transcribe them or delete them by hand")
    if plan.outside:
        result.notes.append(f"{len(plan.outside)} recording(s) past retention were imported from outside "
                            "recordings_dir: those files are the office's own and were left in place")


def _remove_partial_clips(folder: Path) -> None:
    """Clips a killed run was cutting: cut_clip writes ``.<name>.part`` and renames it when whole."""
    if folder.is_dir():
        for partial in folder.glob("*/.*.mp3.part"):
            partial.unlink(missing_ok=True)


def _reason(err: BaseException) -> str:
    if isinstance(err, OSError) and err.strerror:
        return err.strerror
    return " ".join(str(err).split()) or type(err).__name__
