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
``max_kills`` killed workers it is failed (no poison loop); a worker with
another radiomon version or model, or one whose API token the audio_url
refuses, is refused with one line and its recordings go back to pending.
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
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path

import dask
from distributed import Client, KilledWorker, LocalCluster, wait
from distributed.comm.core import CommClosedError
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


def run_task(task: Task) -> Done:
    """Transcribe one recording on this worker (the function Dask runs)."""
    mine = identity(task.spec.engine, task.spec.model)
    if mine != task.identity:
        raise WorkerMismatch(
            f"worker {socket.gethostname()} runs radiomon {mine['radiomon']} with {mine['model']}, the coordinator "
            f"{task.identity['radiomon']} with {task.identity['model']}: install the same radiomon on every machine")
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

    def check_workers(self, expected: dict[str, str], engine: str, model: str) -> None:
        """Refuse the cluster when any worker runs another radiomon or model."""
        try:
            seen = self.client.run(identity, engine, model)
        except Exception as err:  # noqa: BLE001 - a worker without radiomon at all, among others
            raise ClusterError(f"cannot ask the workers of {self.settings.address} which radiomon they run: "
                               f"{type(err).__name__}: {err}; install radiomon[cluster] on every worker") from None
        for worker, theirs in sorted(seen.items()):
            if theirs != expected:
                raise ClusterError(
                    f"worker {worker} runs radiomon {theirs['radiomon']} with {theirs['model']}, this coordinator "
                    f"{expected['radiomon']} with {expected['model']}: install the same radiomon on every machine")

    def close(self) -> None:
        self.client.close()
        if self.cluster is not None:
            self.cluster.close()


@contextmanager
def connect(settings: ClusterConfig) -> Iterator[Session]:
    """The scheduler and at least one transcription worker, or ClusterError (one line)."""
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
        if session.slots() < 1:
            raise ClusterError(f"no worker of {where} offers a transcription slot ({RESOURCE}=1): start them "
                               f"with `radiomon worker {settings.address}` (or dask worker --resources {RESOURCE}=1)")
        yield session
    finally:
        session.close()


# What a lost task looks like: the worker killed under it, the connection
# to it lost, or the task cancelled (the scheduler restarted).
REQUEUED = (KilledWorker, CommClosedError, CancelledError)


def transcribe(session: Session, archive: Archive, stage, recordings: Sequence[Recording], result, progress, *,
               statuses: Sequence[str], per_item_errors: tuple[type[BaseException], ...]) -> None:
    """The recordings through the cluster into the archive (see the module doc); ``stage`` is batch.Stage."""
    from radiomon.pipeline.executor import as_completed_within

    settings = session.settings
    expected = identity(stage.spec.engine, stage.spec.model)
    session.check_workers(expected, stage.spec.engine, stage.spec.model)
    by = f"{socket.gethostname()}:{os.getpid()}"
    lease = settings.lease_minutes * 60
    claims: dict[str, Claim] = {}
    queue: deque[Recording] = deque(sorted(recordings, key=lambda r: (r.start_utc, r.id), reverse=True))
    refused: list[str] = []
    renewed = time.monotonic()

    def submit(rec: Recording):
        claim = archive.claim(rec.id, by=by, lease_seconds=lease, statuses=statuses)
        if claim is None:  # another coordinator has it, or it is done
            return None
        task = Task(audio_ref(claim.recording, settings, stage.config.recordings_dir), stage.spec, expected)
        future = session.client.submit(run_task, task, key=f"radiomon-transcribe-{rec.id}-{claim.claim_id}",
                                       pure=False, resources={RESOURCE: 1})
        claims[future.key] = claim
        return future

    def wait_first(futures):
        nonlocal renewed
        if time.monotonic() - renewed > lease / 3:
            archive.renew([claims[f.key] for f in futures], lease_seconds=lease)
            renewed = time.monotonic()
        try:
            return wait(futures, timeout=min(10.0, lease / 3), return_when="FIRST_COMPLETED").done
        except TimeoutError:
            return ()

    done = as_completed_within(submit, queue, window=max(1, session.slots()), wait_first=wait_first)
    try:
        for rec, future in done:
            claim = claims.pop(future.key)
            outcome = _outcome(future)
            if isinstance(outcome, Done):
                try:
                    with archive.holding(claim):
                        stored = replace(stage, engine=outcome.engine, model=outcome.model).store(
                            archive, claim.recording, outcome.transcript)
                except LeaseLost:
                    log.warning("recording %d: its lease expired before the result came; left to its new claim",
                                rec.id)
                    continue
                except per_item_errors as err:
                    _fail(archive, stage, claim, err, result, progress)
                    continue
                result.transcribed += 1
                result.segments += stored
                result.audio_seconds += outcome.transcript.duration
                result.speech_seconds += outcome.transcript.speech_seconds
                result.model = outcome.model
                progress.done(rec, outcome.transcript.duration, True)
            elif isinstance(outcome, (WorkerMismatch, AudioRefused)):  # the worker's setup, not the recording
                archive.release(claim)
                refused.append(str(outcome))
                queue.clear()  # submit no more; what runs finishes
            elif isinstance(outcome, REQUEUED):
                killed = isinstance(outcome, KilledWorker)
                reason = f"{rec.path}: its task killed the worker" if killed else ""
                status = archive.release(claim, killed=killed, reason=reason, max_kills=settings.max_kills)
                log.warning("recording %d: %s (%s); now %s", rec.id, type(outcome).__name__, outcome, status)
                if status == "failed":
                    result.failed += 1
                    result.errors.append(f"{reason} ({settings.max_kills} times; not retried)")
                    progress.done(rec, rec.duration or 0.0, False)
                elif status == "pending":
                    if session.client.status not in ("running", "connecting"):
                        raise ClusterError(f"lost the scheduler at {settings.address} mid-batch; what was not "
                                           "stored went back to pending: run the command again")
                    queue.append(rec)  # tried again in this run
            else:
                _fail(archive, stage, claim, outcome, result, progress)
    finally:
        done.close()  # cancels what is still running
        for claim in claims.values():  # back to pending now, not when the lease runs out
            archive.release(claim)
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


def _fail(archive: Archive, stage, claim: Claim, err: BaseException, result, progress) -> None:
    try:
        with archive.holding(claim):
            message = stage.fail(archive, claim.recording, err)
    except LeaseLost:
        return
    result.failed += 1
    result.errors.append(message)
    progress.done(claim.recording, claim.recording.duration or 0.0, False)


__all__ = ["AudioRef", "AudioRefused", "ClusterError", "Done", "Session", "SharedModel", "Task", "WorkerMismatch",
           "audio_file", "connect", "deferred", "for_this_worker", "identity", "run_task", "transcribe"]
