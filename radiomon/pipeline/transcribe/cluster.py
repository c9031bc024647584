"""Transcription on a Dask cluster: the same unit of work, fanned out to worker machines.

    connect (scheduler, workers' versions) → claim (a lease in the archive) → submit one task
    → as each completes: store it while the lease holds, or hand it back, or fail it

Imported only when ``transcription.cluster`` (or ``--cluster``) names a
cluster: radiomon without it never imports dask.

The Dask scheduler keeps its state in memory and forgets it on a restart,
and a reconnecting client loses its futures, so the archive is the queue:
a recording is claimed with a lease (archive/recordings.py) before its task
is submitted, its result lands only while that claim still holds the lease,
and a lease its coordinator stopped renewing (killed) goes back to pending
for the next run. The coordinator, the process that owns the archive, stays
its only writer: the transcript file, the segments and the status of each
recording in one transaction, as on one machine (batch.Stage.store).

Each recording is one task with its own key (Dask's pure keys would hand
back an old failed result for the same arguments), submitted with about as
many in flight as the cluster has ``asr`` slots (executor.as_completed_within),
newest first. What a worker needs is decided on the worker: the device
(a GPU worker decodes on CUDA in float16 while the coordinator has none),
its threads, and the model's location (the bundled model assembled in the
worker's own cache). The loaded model is kept per (engine, model, device,
compute type, threads), apart from the vocabulary prompt and the rescoring
terms, so a keywords.yml change does not reload it. Audio reaches a worker
as a path under the shared ``audio_root`` or over HTTP from the web UI's
/audio/<id> route with an API token, never as bytes through the scheduler.

Faults: a radiomon error on the worker (unreadable audio) fails the
recording with its reason; a killed worker (KilledWorker), a lost
connection or a cancelled task hands it back to pending, and after
``max_kills`` killed workers it is failed (no poison loop); the scheduler
lost mid-batch (killed, restarted) hands every claim not stored back to
pending and ends the batch with one line (SchedulerLost); a worker with
another radiomon version or model, or one whose API token the audio_url
refuses, is refused with one line and its recordings go back to pending.

The version check is a WorkerPlugin (VersionCheck) the coordinator registers
on connect: the workers there answer at once (the coordinator refuses the
cluster with the first mismatch), and one that joins later checks itself as
it registers and gives up its ``asr`` slots, so the scheduler sends it no
transcription. run_task checks again, for a task that reached such a worker
in the instant between its joining and its check.

:class:`Coordinator` is what both callers share: the batch
(:func:`transcribe`, ``radiomon transcribe`` and ``nightly``) and the
daemon's lane (live_cluster.py), which feeds it recordings as they close and
reconnects after the scheduler comes back.
"""

from __future__ import annotations

import copy
import logging
import os
import socket
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections import deque
from collections.abc import Iterator, Sequence
from concurrent.futures import CancelledError
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, replace
from pathlib import Path

import dask
from distributed import Client, KilledWorker, LocalCluster, wait
from distributed.comm.core import CommClosedError
from distributed.diagnostics.plugin import WorkerPlugin
from distributed.security import Security

from radiomon import __version__
from radiomon.archive import Archive, Recording
from radiomon.archive.recordings import Claim, LeaseLost
from radiomon.config import CLUSTER_LOCAL, ClusterConfig, TranscriptionConfig
from radiomon.errors import AudioError, RadiomonError
from radiomon.pipeline.transcribe import models
from radiomon.pipeline.transcribe.machine import cpu_count, plan_workers, resolve_device
from radiomon.pipeline.transcribe.types import Engine, EngineOptions
from radiomon.pipeline.transcribe.work import EngineFactory, TranscriberSpec, Transcript, transcribe_file

log = logging.getLogger(__name__)

RESOURCE = "asr"  # what a transcription slot is called on the workers (--resources asr=1)
AUDIO_ROOT_ENV = "RADIOMON_AUDIO_ROOT"  # a worker's own mount of the shared audio_root
TOKEN_ENV = "RADIOMON_TOKEN"  # a worker's API token for audio over HTTP
PROCESSES_ENV = "RADIOMON_WORKER_PROCESSES"  # set by `radiomon worker`: the machine's cores are shared by these


class ClusterError(RadiomonError):
    """The cluster cannot be used (scheduler unreachable, no workers, another version): fatal, nothing claimed."""


class SchedulerLost(ClusterError):
    """The scheduler went away mid-batch (killed, restarted): what was not stored is pending again."""


class WorkerMismatch(RadiomonError):
    """Raised on a worker whose radiomon version or model differs from the coordinator's."""


class AudioRefused(RadiomonError):
    """Raised on a worker that the archive host's audio_url turns away (its API token refused, or a page that is
    not audio): the worker's setup, not the recording, is wrong, so the recording goes back to pending."""


# ---------------------------------------------------------------------------------------------- the worker side


def identity(engine: str, model: str) -> dict[str, str]:
    """What must agree between a worker and its coordinator: radiomon's version and the model.

    The bundled model is named by its checksum (the same wheels everywhere);
    any other model by its name or path, which the worker must have."""
    fingerprint = f"{engine}:{model}"
    if model == models.BUNDLED:
        fingerprint += f":{models.BUNDLED_MD5}"
    return {"radiomon": __version__, "model": fingerprint}


@dataclass(frozen=True)
class AudioRef:
    """Where a worker finds a recording's audio: never the bytes themselves."""

    recording_id: int
    root: str | None  # the coordinator's shared audio_root; a worker may mount it elsewhere ($RADIOMON_AUDIO_ROOT)
    relative: str | None  # the file under that root; None: not under it
    url: str | None  # GET this with the worker's API token when the file is not found (or not shared)


@dataclass(frozen=True)
class Task:
    """One recording's unit of work, as sent to a worker (plain, picklable data)."""

    audio: AudioRef
    spec: TranscriberSpec  # device, compute type and threads still to be decided by the worker
    identity: dict[str, str]  # the coordinator's (see identity())


@dataclass(frozen=True)
class Done:
    """What a worker hands back: the transcript and which engine and model made it."""

    transcript: Transcript
    engine: str
    model: str
    worker: str  # host name, for the log


def mismatch(worker: str, theirs: dict[str, str], expected: dict[str, str]) -> str:
    """The one line that refuses a worker with another radiomon or model."""
    return (f"worker {worker} runs radiomon {theirs['radiomon']} with {theirs['model']}, this coordinator "
            f"{expected['radiomon']} with {expected['model']}: install the same radiomon on every machine")


def run_task(task: Task) -> Done:
    """Transcribe one recording on this worker (the function Dask runs)."""
    mine = identity(task.spec.engine, task.spec.model)
    if mine != task.identity:  # VersionCheck took its slots; this is a task that came first
        raise WorkerMismatch(mismatch(socket.gethostname(), mine, task.identity))
    spec = for_this_worker(task.spec)
    with audio_file(task.audio) as path:
        transcript = transcribe_file(path, spec)
    from radiomon.pipeline.transcribe.work import transcriber_for

    engine = transcriber_for(spec).engine
    return Done(transcript, engine.name, engine.model_label, socket.gethostname())


def for_this_worker(spec: TranscriberSpec) -> TranscriberSpec:
    """The spec with what only the worker knows: its device (auto: CUDA when it
    has a GPU), its share of the machine's cores, and the model kept loaded."""
    options = spec.options
    processes = int(os.environ.get(PROCESSES_ENV) or 0) or plan_workers(0, 0)[0]
    threads = options.threads or max(1, cpu_count() // processes)
    options = replace(options, device=resolve_device(options.device), threads=threads, workers=1)
    factory = spec.engine_factory
    if not isinstance(factory, SharedModel):
        factory = SharedModel(factory)
    return replace(spec, options=options, engine_factory=factory)


_models: dict[tuple, Engine] = {}
_models_lock = threading.Lock()


@dataclass(frozen=True)
class SharedModel:
    """An engine factory that loads each model once per worker process and hands
    out copies bound to each spec's decoding options (prompt included)."""

    load: EngineFactory

    def __call__(self, engine: str, model: str, options: EngineOptions) -> Engine:
        key = (self.load, engine, model, options.device, options.compute_type, options.threads)
        with _models_lock:
            if key not in _models:
                _models[key] = self.load(engine, model, replace(options, initial_prompt=None))
            loaded = _models[key]
        if not hasattr(loaded, "options"):
            return loaded
        bound = copy.copy(loaded)  # the same weights; this spec's beam, prompt and batch size
        bound.options = options
        return bound


@contextmanager
def audio_file(ref: AudioRef) -> Iterator[Path]:
    """A local path to the recording's audio: under this worker's mount of the
    shared root, else fetched over HTTP into a temporary file."""
    if ref.relative is not None:
        root = os.environ.get(AUDIO_ROOT_ENV) or ref.root or ""
        path = Path(root) / ref.relative
        if path.is_file():
            yield path
            return
        if not ref.url:
            raise AudioError(f"{path}: not found on worker {socket.gethostname()}; mount the shared audio there "
                             f"(radiomon worker --audio-root) or set transcription.cluster.audio_url")
    if not ref.url:
        raise AudioError(f"recording {ref.recording_id} is outside transcription.cluster.audio_root and no "
                         "audio_url is set: the workers cannot reach its audio")
    # The token goes in this header only: never in the URL, the task, a log line or an error message.
    request = urllib.request.Request(ref.url, headers={"Authorization": f"Bearer {os.environ.get(TOKEN_ENV, '')}"})
    with tempfile.NamedTemporaryFile(prefix="radiomon-audio-", suffix=Path(ref.relative or "x.audio").suffix) as tmp:
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                if response.headers.get_content_type() == "text/html":  # a sign-in or error page: not the audio
                    raise AudioRefused(f"worker {socket.gethostname()}: {ref.url} answered a web page, not audio: "
                                       "set transcription.cluster.audio_url to the web UI's address")
                while chunk := response.read(1 << 20):
                    tmp.write(chunk)
            problem = None
        except urllib.error.HTTPError as err:
            problem = AudioError(f"{ref.url}: HTTP {err.code}")
            if err.code in (401, 403):
                given = "its" if os.environ.get(TOKEN_ENV) else f"no ${TOKEN_ENV} as"
                problem = AudioRefused(f"worker {socket.gethostname()}: {ref.url} refused {given} API token (HTTP "
                                       f"{err.code}): set ${TOKEN_ENV} on every worker to a valid token (radiomon "
                                       "users add prints one)")
        except OSError as err:
            problem = AudioError(f"{ref.url}: {err}")
        if problem is not None:
            # Raised outside the except: Dask pickles an error with its __context__, and an HTTPError (an open
            # response) does not pickle, so the coordinator would get a bare Exception instead of this one.
            raise problem
        tmp.flush()
        yield Path(tmp.name)


# A worker's own asr slots while a VersionCheck has taken them (worker address → slots), to give back when
# a coordinator of its own version registers its check.
_withheld: dict[str, float] = {}


class VersionCheck(WorkerPlugin):
    """The coordinator's radiomon version and model, checked by every worker of
    the cluster: those there when the coordinator registers it, and each that
    joins later, as it registers. A worker that differs says so in its log,
    gives up its transcription slots (the scheduler then sends it no radiomon
    task) and raises WorkerMismatch, which the coordinator registering the
    check gets back as its error. One check per cluster (its name): the last
    coordinator's replaces the one before, and hands withheld slots back
    first (teardown), so a worker is judged afresh by each coordinator."""

    name = "radiomon-version"
    idempotent = False

    def __init__(self, expected: dict[str, str], engine: str, model: str):
        self.expected, self.engine, self.model = expected, engine, model

    async def setup(self, worker) -> None:
        mine = identity(self.engine, self.model)
        if mine == self.expected:
            await self._give_back(worker)
            return
        line = mismatch(f"{worker.address} ({socket.gethostname()})", mine, self.expected)
        log.error("refused: %s", line)
        # Before the first await: a task the scheduler sends meanwhile finds no slot free.
        _withheld.setdefault(worker.address, worker.state.total_resources.get(RESOURCE, 0))
        await worker.set_resources(**{RESOURCE: 0})
        raise WorkerMismatch(line)

    async def teardown(self, worker) -> None:
        await self._give_back(worker)

    @staticmethod
    async def _give_back(worker) -> None:
        slots = _withheld.pop(worker.address, None)
        if slots:
            await worker.set_resources(**{RESOURCE: slots})


def dask_setup(worker) -> None:  # pragma: no cover - runs in the worker (dask worker --preload)
    """The preload of `radiomon worker`: say which radiomon this worker runs, once, in its log."""
    log.warning("radiomon %s transcription worker %s (%s processes on this machine)", __version__,
                worker.address, os.environ.get(PROCESSES_ENV, "?"))


# ---------------------------------------------------------------------------------------------- the coordinator


def deferred(spec: TranscriberSpec, settings: TranscriptionConfig) -> TranscriberSpec:
    """The coordinator's spec with the device and threads left for each worker to decide."""
    return replace(spec, options=replace(spec.options, device=settings.device, threads=settings.threads, workers=1))


def audio_ref(rec: Recording, settings: ClusterConfig, recordings_dir: Path) -> AudioRef:
    root = Path(settings.audio_root or recordings_dir).resolve()
    path = Path(rec.path or "").resolve()
    relative = str(path.relative_to(root)) if path.is_relative_to(root) else None
    url = f"{settings.audio_url.rstrip('/')}/audio/{rec.id}" if settings.audio_url else None
    return AudioRef(rec.id, str(root), relative, url)


def _security(settings: ClusterConfig) -> Security | None:
    if not settings.address.startswith("tls://"):
        return None
    return Security(tls_ca_file=settings.ca, tls_client_cert=settings.cert, tls_client_key=settings.key or None,
                    require_encryption=settings.require_encryption)


class Session:
    """A connected client (and the LocalCluster it started, in ``local`` mode)."""

    def __init__(self, client: Client, cluster: LocalCluster | None, settings: ClusterConfig):
        self.client = client
        self.cluster = cluster
        self.settings = settings

    def slots(self) -> int:
        """The cluster's transcription slots now (each worker's ``asr`` resource)."""
        workers = self.client.scheduler_info(n_workers=-1).get("workers", {}).values()
        return int(sum(w.get("resources", {}).get(RESOURCE, 0) for w in workers))

    @property
    def connected(self) -> bool:
        return self.client.status == "running"

    def check_workers(self, expected: dict[str, str], engine: str, model: str) -> None:
        """Register the version check (VersionCheck) on the cluster's workers: ClusterError when any of
        those there now runs another radiomon or model (any that joins later refuses itself), or when no
        worker offers a transcription slot."""
        try:
            self.client.register_plugin(VersionCheck(expected, engine, model))
        except WorkerMismatch as err:
            raise ClusterError(str(err)) from None
        except Exception as err:  # noqa: BLE001 - a worker without radiomon at all, among others
            raise ClusterError(f"cannot ask the workers of {self.settings.address} which radiomon they run: "
                               f"{type(err).__name__}: {err}; install radiomon[cluster] on every worker") from None
        # After the check: a worker an earlier coordinator of another version refused gets its slots back now.
        if self.slots() < 1:
            where = "a local cluster" if self.cluster is not None else self.settings.address
            raise ClusterError(f"no worker of {where} offers a transcription slot ({RESOURCE}=1): start them with "
                               f"`radiomon worker {self.settings.address}` (or dask worker --resources {RESOURCE}=1)")

    def close(self) -> None:
        # A client whose scheduler is gone logs its cancelled reconnection as an error with a traceback as it
        # closes: the caller has said what happened in one line already.
        with nullcontext() if self.connected else _silenced("distributed.client", "distributed.core"):
            self.client.close()
        if self.cluster is not None:
            self.cluster.close()


@contextmanager
def _silenced(*names: str) -> Iterator[None]:
    loggers = [logging.getLogger(name) for name in names]
    levels = [lg.level for lg in loggers]
    for lg in loggers:
        lg.setLevel(logging.CRITICAL + 1)
    try:
        yield
    finally:
        for lg, level in zip(loggers, levels):
            lg.setLevel(level)


@contextmanager
def connect(settings: ClusterConfig) -> Iterator[Session]:
    """The scheduler and at least one transcription worker, or ClusterError (one line)."""
    session = open_session(settings)
    try:
        yield session
    finally:
        session.close()


def open_session(settings: ClusterConfig) -> Session:
    """:func:`connect` for a caller that keeps the session across its own life (the daemon); close it."""
    # The archive counts killed workers per recording (max_kills); the
    # scheduler's own retries would kill up to 4 workers for each of ours.
    dask.config.set({"distributed.scheduler.allowed-failures": 0})
    cluster = None
    where = settings.address
    try:
        if settings.address == CLUSTER_LOCAL:
            workers, _ = plan_workers(0, 0)
            cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                                   resources={RESOURCE: 1}, dashboard_address=":0",
                                   env={PROCESSES_ENV: str(workers)})
            where = "a local cluster"
            client = Client(cluster, timeout=settings.connect_seconds)
        else:
            client = Client(settings.address, security=_security(settings), timeout=settings.connect_seconds)
    except (OSError, TimeoutError) as err:
        if cluster is not None:
            cluster.close()
        raise ClusterError(f"cannot reach the Dask scheduler at {where} within {settings.connect_seconds:.0f} s "
                           f"({type(err).__name__}): start it (dask scheduler) or fix transcription.cluster.address"
                           ) from None
    session = Session(client, cluster, settings)
    try:
        try:
            # A lambda travels by value: the scheduler's machine needs no radiomon.
            client.run_on_scheduler(lambda dask_scheduler: setattr(dask_scheduler, "allowed_failures", 0))
        except Exception as err:  # noqa: BLE001 - an older or locked-down scheduler: its retries stay
            log.warning("the scheduler keeps its own retries of killed tasks (%s)", err)
        try:
            client.wait_for_workers(1, timeout=settings.connect_seconds)
        except (OSError, TimeoutError):
            raise ClusterError(f"no worker joined the scheduler at {where} within {settings.connect_seconds:.0f} s: "
                               f"start one with `radiomon worker {settings.address}`") from None
    except BaseException:
        session.close()
        raise
    return session


# What a lost task looks like: the worker killed under it, the connection
# to it lost, or the task cancelled (the scheduler restarted).
REQUEUED = (KilledWorker, CommClosedError, CancelledError)


@dataclass(frozen=True)
class Settled:
    """What became of one task's recording (exactly one of these holds)."""

    recording: Recording
    done: Done | None = None  # its transcript, stored: ``segments`` rows
    segments: int = 0
    failed: str | None = None  # marked failed, for this reason
    again: bool = False  # back to pending, to be submitted again
    refused: str | None = None  # the worker's setup is wrong (another version, its token refused): pending again


class Coordinator:
    """A coordinator's tasks on the cluster: each recording claimed in the
    archive before its task is submitted, its lease renewed while it runs,
    and its outcome stored, failed or handed back by this process alone.

    The batch (:func:`transcribe`) and the daemon's lane feed it; ``stage``
    (batch.Stage) may be replaced between submissions (keywords.yml read
    again). The scheduler gone raises SchedulerLost from :meth:`wait` or
    :meth:`settle`; the caller then calls :meth:`abandon`.
    """

    def __init__(self, session: Session, archive: Archive, stage, *, statuses: Sequence[str] = ("pending",),
                 per_item_errors: tuple[type[BaseException], ...]):
        self.session, self.archive, self.stage = session, archive, stage
        self.statuses = tuple(statuses)
        self.per_item_errors = per_item_errors
        self.settings = session.settings
        self.lease = self.settings.lease_minutes * 60
        self.by = f"{socket.gethostname()}:{os.getpid()}"
        self.claims: dict[str, Claim] = {}  # future key → its claim, until settled
        self.futures: dict[str, object] = {}
        self._renewed = time.monotonic()
        self.stored = 0  # this session's results stored, for the line that says the scheduler was lost

    @property
    def identity(self) -> dict[str, str]:
        return identity(self.stage.spec.engine, self.stage.spec.model)

    def check(self) -> None:
        """The workers' version check (on connect, before anything is claimed)."""
        self.session.check_workers(self.identity, self.stage.spec.engine, self.stage.spec.model)

    def window(self) -> int:
        """How many tasks to keep in flight: the cluster's transcription slots now."""
        return max(1, self.session.slots())

    def submit(self, rec: Recording):
        """Claim ``rec`` and submit its task; None when someone else has it or it is done."""
        claim = self.archive.claim(rec.id, by=self.by, lease_seconds=self.lease, statuses=self.statuses)
        if claim is None:
            return None
        task = Task(audio_ref(claim.recording, self.settings, self.stage.config.recordings_dir), self.stage.spec,
                    self.identity)
        try:
            future = self.session.client.submit(run_task, task, key=f"radiomon-transcribe-{rec.id}-{claim.claim_id}",
                                                pure=False, resources={RESOURCE: 1})
        except BaseException:
            self.archive.release(claim)
            raise
        self.claims[future.key] = claim
        self.futures[future.key] = future
        return future

    def wait(self, futures, timeout: float) -> list:
        """Those of ``futures`` done within ``timeout`` (maybe none), the leases of
        all of them renewed when a third of the lease has gone by."""
        if time.monotonic() - self._renewed > self.lease / 3:
            self.archive.renew([self.claims[f.key] for f in futures if f.key in self.claims],
                               lease_seconds=self.lease)
            self._renewed = time.monotonic()
        try:
            return list(wait(futures, timeout=timeout, return_when="FIRST_COMPLETED").done)
        except TimeoutError:
            return []
        except (CancelledError, CommClosedError, OSError):  # FuturesCancelledError: the scheduler went away
            if not self.session.connected:
                raise self.lost() from None
            return [f for f in futures if f.done()]

    def settle(self, future) -> Settled:
        """Store the task's transcript while its claim holds the lease, or fail
        its recording, or hand it back (see the module doc)."""
        claim = self.claims.pop(future.key)
        self.futures.pop(future.key, None)
        rec = claim.recording
        outcome = _outcome(future)
        if isinstance(outcome, Done):
            try:
                with self.archive.holding(claim):
                    stored = replace(self.stage, engine=outcome.engine, model=outcome.model).store(
                        self.archive, rec, outcome.transcript)
            except LeaseLost:
                log.warning("recording %d: its lease expired before the result came; left to its new claim", rec.id)
                return Settled(rec)
            except self.per_item_errors as err:
                return Settled(rec, failed=_fail(self.archive, self.stage, claim, err))
            self.stored += 1
            return Settled(rec, done=outcome, segments=stored)
        if isinstance(outcome, (WorkerMismatch, AudioRefused)):  # the worker's setup, not the recording
            self.archive.release(claim)
            return Settled(rec, refused=str(outcome))
        if isinstance(outcome, REQUEUED):
            killed = isinstance(outcome, KilledWorker)
            reason = f"{rec.path}: its task killed the worker" if killed else ""
            status = self.archive.release(claim, killed=killed, reason=reason, max_kills=self.settings.max_kills)
            log.warning("recording %d: %s (%s); now %s", rec.id, type(outcome).__name__, outcome, status)
            if status == "failed":
                return Settled(rec, failed=f"{reason} ({self.settings.max_kills} times; not retried)")
            if not self.session.connected:
                raise self.lost()
            return Settled(rec, again=status == "pending")
        return Settled(rec, failed=_fail(self.archive, self.stage, claim, outcome))

    def cancel(self, future) -> None:
        if self.session.connected:  # a lost scheduler forgot it; asking it would wait for a timeout
            future.cancel()

    def abandon(self) -> int:
        """Every claim not settled back to pending now, not when its lease runs out; how many."""
        for future in list(self.futures.values()):
            self.cancel(future)
        released = sum(self.archive.release(claim) is not None for claim in self.claims.values())
        self.claims.clear()
        self.futures.clear()
        return released

    def lost(self) -> SchedulerLost:
        return SchedulerLost(
            f"lost the Dask scheduler at {self.settings.address} mid-batch ({self.stored} recording(s) stored, "
            "the rest back to pending): start the scheduler and its workers again, then run the command again")


def transcribe(session: Session, archive: Archive, stage, recordings: Sequence[Recording], result, progress, *,
               statuses: Sequence[str], per_item_errors: tuple[type[BaseException], ...]) -> None:
    """The recordings through the cluster into the archive (see the module doc); ``stage`` is batch.Stage."""
    from radiomon.pipeline.executor import as_completed_within

    coordinator = Coordinator(session, archive, stage, statuses=statuses, per_item_errors=per_item_errors)
    coordinator.check()
    queue: deque[Recording] = deque(sorted(recordings, key=lambda r: (r.start_utc, r.id), reverse=True))
    refused: list[str] = []
    wait_for = min(10.0, coordinator.lease / 3)
    done = as_completed_within(coordinator.submit, queue, window=coordinator.window(),
                               wait_first=lambda futures: coordinator.wait(futures, wait_for),
                               cancel=coordinator.cancel)
    try:
        for rec, future in done:
            settled = coordinator.settle(future)
            if settled.done is not None:
                result.transcribed += 1
                result.segments += settled.segments
                result.audio_seconds += settled.done.transcript.duration
                result.speech_seconds += settled.done.transcript.speech_seconds
                result.model = settled.done.model
                progress.done(rec, settled.done.transcript.duration, True)
            elif settled.failed is not None:
                result.failed += 1
                result.errors.append(settled.failed)
                progress.done(rec, rec.duration or 0.0, False)
            elif settled.refused is not None:
                refused.append(settled.refused)
                queue.clear()  # submit no more; what runs finishes
            elif settled.again:
                queue.append(rec)  # tried again in this run
    finally:
        done.close()  # cancels what is still running
        coordinator.abandon()
    if refused:
        raise ClusterError(refused[0])


def _outcome(future) -> Done | BaseException:
    if future.status == "finished":
        return future.result()
    if future.status in ("cancelled", "lost"):
        return CancelledError(f"task {future.key} was {future.status}")
    try:
        return future.exception()
    except CancelledError as err:
        return err


def _fail(archive: Archive, stage, claim: Claim, err: BaseException) -> str | None:
    """Mark the claim's recording failed (its reason returned); None when the claim had lost its lease."""
    try:
        with archive.holding(claim):
            return stage.fail(archive, claim.recording, err)
    except LeaseLost:
        return None


__all__ = ["AudioRef", "AudioRefused", "ClusterError", "Coordinator", "Done", "SchedulerLost", "Session", "Settled",
           "SharedModel", "Task", "VersionCheck", "WorkerMismatch", "audio_file", "connect", "deferred",
           "for_this_worker", "identity", "open_session", "run_task", "transcribe"]
