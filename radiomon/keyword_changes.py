"""Changes of keywords.yml made by people without a terminal: the web page «Palabras clave» and the JSON API.

The job layer of those changes (the web views are thin callers):

* the file is read as bytes and its **version** is their SHA-256: a page
  or a script sends back the version it read, and a change made against
  another version is refused (:class:`~radiomon.keywords.refusals.StaleVersionError`):
  two coordinators editing at once never silently undo each other;
* the change itself is made on the text, comments and layout kept, and
  checked as ``radiomon keywords check`` checks the file
  (:mod:`radiomon.keywords.edit_terms`, :mod:`radiomon.keywords.edit`);
* the file is replaced atomically, and the change recorded (who, when,
  what, the file before and after) in the archive, inside one write
  transaction: the archive's lock also serializes the read-check-write of
  two saves at once, across server workers;
* **undo** writes a change's ``before`` back byte for byte, when the file
  is still what that change left (else a later change would be lost);
* afterwards the archive is brought up to date (the re-match of
  ``radiomon match --all``) on a thread of its own (:class:`BackgroundRematch`).

The daemon and the web read the file again when its stamp (size, mtime,
inode) changes; the atomic replace gives it a new inode, so even two saves
within one clock tick are seen.
"""

from __future__ import annotations

import hashlib
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from radiomon import events, outputs
from radiomon.archive import Archive
from radiomon.config import Config
from radiomon.errors import ConfigError
from radiomon.keywords.edit import Kind, add_spelling
from radiomon.keywords.edit_terms import TermSpec, put_group, put_term, remove_group, remove_term
from radiomon.keywords.refusals import KeywordEditError, StaleVersionError, refused
from radiomon.pipeline.match import MatchResult, load_matcher, rematch_all
from radiomon.pipeline.match.press import match_articles

log = logging.getLogger(__name__)

# The ``runs`` row of a re-match started by a change (what `radiomon status` lists).
REMATCH_COMMAND = "match --all (palabras clave)"


@dataclass(frozen=True)
class KeywordsFile:
    """keywords.yml as it is on disk now."""

    path: Path
    text: str
    version: str  # SHA-256 of the file's bytes, hex


@dataclass(frozen=True)
class Applied:
    """A change written and recorded."""

    change_id: int
    action: str  # one line, Spanish, as the history shows it
    version: str  # the file's new version


def version_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def read_file(config: Config) -> KeywordsFile:
    path = Path(config.keywords)
    try:
        # Bytes, not read_text: universal newlines would turn a CRLF file into LF, and undo must be exact.
        data = path.read_bytes()
        text = data.decode("utf-8")
    except FileNotFoundError:
        raise KeywordEditError(f"{path}: file not found; create it with `radiomon init` or fix 'keywords' "
                               f"in {config.path}") from None
    except (OSError, UnicodeDecodeError) as err:
        raise KeywordEditError(f"{path}: cannot read it ({err}); check the file and its permissions") from None
    return KeywordsFile(path, text, version_of(data))


def apply_change(config: Config, archive: Archive, edit: Callable[[str], str], action: str, *, by: str,
                 version: str | None) -> Applied:
    """Apply ``edit`` (keywords.yml's text → the new text; KeywordEditError to refuse) to the file as it
    is, if it is still ``version`` (None: whatever it is, for scripts), and record it as ``action`` by ``by``."""
    with archive.write():  # BEGIN IMMEDIATE: one save at a time, in every worker and process
        current = read_file(config)
        _check_version(current, version)
        try:
            new_text = edit(current.text)
        except ConfigError as err:
            raise refused(err) from None
        if new_text == current.text:
            raise KeywordEditError(f"{current.path}: nothing to change; the file already says so",
                                   "No hay nada que cambiar: el archivo ya dice eso.")
        change_id = archive.add_keyword_change(by, action, current.text, new_text)
        _replace_file(current.path, new_text)  # last: a refused write rolls the record back
    log.info("%s: %s (by %s, change %d)", current.path, action, by, change_id)
    return Applied(change_id, action, version_of(new_text.encode("utf-8")))


def undo(config: Config, archive: Archive, change_id: int, *, by: str, version: str | None = None) -> Applied:
    """Write back keywords.yml as it was before change ``change_id``, byte for byte (recorded as a change)."""
    with archive.write():
        change = archive.keyword_change(change_id)
        if change is None:
            raise KeywordEditError(f"no keywords.yml change {change_id}", "Ese cambio no existe.")
        current = read_file(config)
        _check_version(current, version)
        if current.text != change["after"]:
            raise StaleVersionError(
                f"{current.path}: changed after change {change_id}; undo the later changes first",
                "Las palabras clave cambiaron después de ese cambio: deshaga primero los cambios posteriores.")
        action = f"deshizo: {change['action']}"
        new_id = archive.add_keyword_change(by, action, current.text, change["before"])
        _replace_file(current.path, change["before"])
    return Applied(new_id, action, version_of(change["before"].encode("utf-8")))


def _check_version(current: KeywordsFile, version: str | None) -> None:
    if version is not None and version != current.version:
        raise StaleVersionError(
            f"{current.path}: changed since it was read (version {version[:12]}, now {current.version[:12]}); "
            "read it again and redo the change",
            "Otra persona cambió las palabras clave mientras usted editaba; recargue la página, revise "
            "su cambio y vuelva a guardarlo.")


def _replace_file(path: Path, text: str) -> None:
    try:
        outputs.replace_text(path, text)
    except OSError as err:
        raise KeywordEditError(f"{path}: cannot write it ({err.strerror or err}); check the folder's "
                               "permissions") from None


# -- the changes people make ------------------------------------------------------------
def add_term(config: Config, archive: Archive, group_id: str, spec: TermSpec, *, by: str,
             version: str | None) -> Applied:
    return apply_change(config, archive, lambda text: put_term(text, group_id, spec, source=_source(config)),
                        f"agregó «{spec.term.strip()}» al grupo {group_id}", by=by, version=version)


def change_term(config: Config, archive: Archive, group_id: str, term: str, spec: TermSpec, *, by: str,
                version: str | None) -> Applied:
    return apply_change(config, archive,
                        lambda text: put_term(text, group_id, spec, replacing=term, source=_source(config)),
                        f"cambió «{term}» del grupo {group_id}", by=by, version=version)


def delete_term(config: Config, archive: Archive, group_id: str, term: str, *, by: str,
                version: str | None) -> Applied:
    return apply_change(config, archive, lambda text: remove_term(text, group_id, term, source=_source(config)),
                        f"quitó «{term}» del grupo {group_id}", by=by, version=version)


def add_group(config: Config, archive: Archive, group_id: str, *, label: str, priority: str, first_term: TermSpec,
              by: str, version: str | None) -> Applied:
    return apply_change(config, archive,
                        lambda text: put_group(text, group_id, label=label, priority=priority, first_term=first_term,
                                               source=_source(config)),
                        f"agregó el grupo {group_id} («{label}», prioridad {priority})", by=by, version=version)


def change_group(config: Config, archive: Archive, group_id: str, *, label: str, priority: str, by: str,
                 version: str | None) -> Applied:
    return apply_change(config, archive,
                        lambda text: put_group(text, group_id, label=label, priority=priority,
                                               source=_source(config)),
                        f"cambió el grupo {group_id} («{label}», prioridad {priority})", by=by, version=version)


def delete_group(config: Config, archive: Archive, group_id: str, *, by: str, version: str | None) -> Applied:
    return apply_change(config, archive, lambda text: remove_group(text, group_id, source=_source(config)),
                        f"quitó el grupo {group_id}", by=by, version=version)


def accept_spelling(config: Config, archive: Archive, group_id: str, term: str, spelling: str, kind: Kind, *,
                    by: str, version: str | None) -> Applied:
    """A near miss of ``keywords suggest`` accepted as an alias or an exclusion of ``term``."""
    what = "variante" if kind == "aliases" else "exclusión"
    return apply_change(config, archive,
                        lambda text: add_spelling(text, term, spelling, kind, group=group_id,
                                                  source=_source(config)).text,
                        f"aceptó «{spelling.strip()}» como {what} de «{term}» ({group_id})", by=by, version=version)


def _source(config: Config) -> str:
    return Path(config.keywords).name


# -- the archive brought up to date ------------------------------------------------------
@dataclass
class RematchState:
    """What the background re-match is doing or did last (in this process)."""

    running: bool = False
    done: int = 0  # recordings written so far
    total: int = 0
    started_utc: str | None = None
    finished_utc: str | None = None
    result: MatchResult | None = None
    error: str | None = None
    changes: list[int] = field(default_factory=list)  # the keyword changes it takes in


class BackgroundRematch:
    """``radiomon match --all`` on a thread of its own after keywords.yml changed, one at a time:
    a change made while it runs starts one more pass when it ends (that pass reads the newest file)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._again = False
        self.state = RematchState()

    def request(self, config: Config, change_id: int | None = None) -> None:
        with self._lock:
            self._again = True
            if change_id is not None:
                self.state.changes.append(change_id)
            if self._thread is not None and self._thread.is_alive():
                return
            self.state = RematchState(running=True, started_utc=_now(), changes=list(self.state.changes[-1:]))
            self._thread = threading.Thread(target=self._run, args=(config,), name="radiomon-rematch", daemon=True)
            self._thread.start()

    def join(self, timeout: float | None = None) -> None:
        if self._thread is not None:
            self._thread.join(timeout)

    def _run(self, config: Config) -> None:
        while True:
            with self._lock:
                if not self._again:
                    self.state.running = False
                    self.state.finished_utc = _now()
                    return
                self._again = False
            try:
                with Archive(config.archive) as archive:
                    self.state.result = rematch_everything(config, archive, progress=self._progress)
                    self.state.error = None
            except Exception as err:  # noqa: BLE001 - a broken pass is shown on the page, never kills the server
                log.exception("re-match after a keywords.yml change failed")
                self.state.error = str(err) if isinstance(err, ConfigError) else f"{type(err).__name__}: {err}"

    def _progress(self, done: int, total: int) -> None:
        self.state.done, self.state.total = done, total


def rematch_everything(config: Config, archive: Archive, *,
                       progress: Callable[[int, int], None] | None = None) -> MatchResult:
    """Every mention of the archive brought up to date with keywords.yml (what ``match --all`` does;
    reviews and hand-added mentions kept), recorded in ``runs``. On one process: a web server's
    threads must not be forked into the re-match's worker pool."""
    run_id = archive.start_run(REMATCH_COMMAND)
    matcher = load_matcher(config.keywords)
    result = rematch_all(archive, matcher, progress=progress, workers=1)
    result.merge(match_articles(archive, matcher, everything=True, event_hours=events.REMATCH_EVENT_HOURS))
    archive.finish_run(run_id, {"recordings": result.recordings, "articles": result.articles,
                                "added": result.added, "removed": result.removed, "updated": result.updated}, [])
    return result


def _now() -> str:
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")


__all__ = ["Applied", "BackgroundRematch", "KeywordsFile", "RematchState", "accept_spelling", "add_group",
           "add_term", "apply_change", "change_group", "change_term", "delete_group", "delete_term", "read_file",
           "rematch_everything", "undo", "version_of"]
