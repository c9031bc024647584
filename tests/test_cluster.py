"""Transcription on a Dask cluster: real `dask scheduler` and `radiomon worker` processes on loopback.

The archive is the queue (leases), the coordinator its only writer: the
same segments as on one machine, every recording exactly once when a worker
is killed with SIGKILL mid-batch, a recording that kills its worker every
time failed after max_kills, one clear line when the scheduler is not
there or a worker runs another radiomon, and no dask at all without a
cluster configured.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import audio_factory
import distributed  # noqa: E402 - make install-dev installs radiomon[cluster]: missing, these tests must fail
import pytest
from conftest import RADIOMON_YML
from icecast import free_port

from radiomon.archive import Archive
from radiomon.config import load_config

TESTS = Path(__file__).resolve().parent
BIN = Path(sys.executable).parent
START = datetime(2026, 11, 25, 14, 0, tzinfo=timezone.utc)
NEWS = ("El ayuntamiento de Moroleón inauguró el nuevo mercado municipal.",
        "La presidencia municipal anunció obras en la colonia centro.",
        "Protección Civil recomienda precaución por las lluvias de esta tarde.",
        "El DIF Moroleón entregó apoyos a las familias de la comunidad.")
CLUSTER_YML = RADIOMON_YML + """\
transcription:
  device: cpu
  threads: 1
  cluster:
    connect_seconds: 60
    max_kills: 2
"""


def _env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": os.pathsep.join([str(TESTS), os.environ.get("PYTHONPATH", "")]),
            "HF_HUB_OFFLINE": "1"}


def stop_all(procs: list[subprocess.Popen]) -> None:
    """SIGTERM to each process's session (a nanny and its worker go together), SIGKILL what is left after 20 s."""
    for proc in procs:
        try:
            os.killpg(proc.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
    for proc in procs:
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


@pytest.fixture(scope="module")
def scheduler():
    """`dask scheduler` and two `radiomon worker` processes (one worker process each) on loopback."""
    assert not audio_factory.missing(), audio_factory.missing()
    port = free_port()
    address = f"tcp://127.0.0.1:{port}"
    procs = [subprocess.Popen([BIN / "dask", "scheduler", "--host", "127.0.0.1", "--port", str(port),
                               "--no-dashboard"], env=_env(), start_new_session=True,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)]
    try:
        for _ in range(2):
            procs.append(subprocess.Popen([BIN / "radiomon", "worker", address, "--nworkers", "1"], env=_env(),
                                          start_new_session=True, stdout=subprocess.DEVNULL,
                                          stderr=subprocess.DEVNULL))
        with distributed.Client(address, timeout=60) as client:
            client.wait_for_workers(2, timeout=120)
        yield address
    finally:
        stop_all(procs)


@pytest.fixture
def station(deployment: Path):
    """The deployment with the cluster settings, and ``add(n)``: n short spoken recordings registered."""
    (deployment / "radiomon.yml").write_text(CLUSTER_YML, encoding="utf-8")
    config = load_config(deployment / "radiomon.yml")

    def add(count: int, *, seconds_apart: int = 600) -> list[int]:
        ids = []
        with Archive(config.archive) as archive:
            archive.sync_stations(config.stations, str(config.timezone))
            for n in range(count):
                clip = audio_factory.speech(NEWS[n % len(NEWS)]) + audio_factory.silence(1.0)
                path = clip.write(config.recordings_dir / "radio-uno" / "2026-11-25" / f"{140000 + n * 1000}.mp3")
                start = START + timedelta(seconds=n * seconds_apart)
                ids.append(archive.add_recording(station="radio-uno", start=start, duration=clip.duration,
                                                 path=str(path))[0])
        return ids

    return config, add


def _segments(config) -> list[tuple]:
    with Archive(config.archive) as archive:
        return [tuple(r.values()) for r in archive.query(
            "SELECT recording_id, start_ms, end_ms, text, words FROM segments ORDER BY recording_id, start_ms")]


def _recordings(config) -> dict[int, dict]:
    with Archive(config.archive) as archive:
        return {r["id"]: r for r in archive.query(
            "SELECT id, status, error, attempt, kills, claim_id, lease_until_utc FROM recordings")}


def _integrity(config) -> None:
    conn = sqlite3.connect(config.archive)
    try:
        conn.execute("INSERT INTO segments_fts(segments_fts) VALUES ('integrity-check')")
        dupes = conn.execute("SELECT count(*) FROM (SELECT recording_id, start_ms FROM segments "
                             "GROUP BY recording_id, start_ms HAVING count(*) > 1)").fetchone()[0]
        assert dupes == 0
    finally:
        conn.close()


# ---------------------------------------------------------------------------------------------- configuration


@pytest.mark.parametrize(("cluster", "problem"), [
    ("tcp://10.0.0.7:8786", "plain tcp:// to another machine"),
    ("http://10.0.0.7:8786", "is not a scheduler address"),
    ("{address: tls://10.0.0.7:8786}", "needs ca: and cert:"),
    ("{address: local, max_kills: 0}", "must be 1 or more"),
])
def test_a_cluster_setting_that_cannot_work_is_one_line(write_config, run, cluster, problem):
    write_config(RADIOMON_YML + f"transcription:\n  cluster: {cluster}\n")
    result = run("status")
    assert result.exit_code != 0
    assert problem in result.output and "transcription.cluster" in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_the_short_and_long_forms_of_the_setting(write_config, deployment):
    write_config(RADIOMON_YML + "transcription:\n  cluster: tcp://10.0.0.7:8786\n", name="a.yml")
    write_config(RADIOMON_YML + "transcription:\n  cluster: {address: tcp://10.0.0.7:8786, insecure: true, "
                 "audio_root: shared}\n", name="b.yml")
    with pytest.raises(Exception, match="insecure: true"):
        load_config(deployment / "a.yml")
    cluster = load_config(deployment / "b.yml").transcription.cluster
    assert cluster.address == "tcp://10.0.0.7:8786" and cluster.audio_root == str(deployment / "shared")
    assert load_config(deployment / "radiomon.yml").transcription.cluster.enabled is False


def test_without_a_cluster_dask_is_never_imported(station):
    config, _ = station
    (config.path).write_text(RADIOMON_YML, encoding="utf-8")
    code = ("import sys\nfrom click.testing import CliRunner\nfrom radiomon.cli import main\n"
            f"r = CliRunner().invoke(main, ['--config', {str(config.path)!r}, 'init', {str(config.path.parent)!r}])\n"
            f"r = CliRunner().invoke(main, ['--config', {str(config.path)!r}, 'transcribe'])\n"
            "assert r.exit_code == 0, r.output\n"
            "import radiomon.jobs, radiomon.nightly, radiomon.pipeline.transcribe.batch\n"
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('dask', 'distributed')))\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=_env(), timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"


# ---------------------------------------------------------------------------------------------- leases


def test_a_result_lands_only_while_its_claim_holds_the_lease(station):
    from radiomon.archive.recordings import LeaseLost

    config, add = station
    (rid,) = add(1)
    with Archive(config.archive) as archive:
        first = archive.claim(rid, by="a:1", lease_seconds=-1)  # already expired: its coordinator "died"
        assert first is not None and first.attempt == 1
        assert archive.claim(rid, by="b:2", lease_seconds=60) is None  # still leased: nobody else takes it
        assert archive.requeue_expired() == 1
        second = archive.claim(rid, by="b:2", lease_seconds=60)
        assert second.attempt == 2
        with pytest.raises(LeaseLost), archive.holding(first):
            pass
        assert archive.release(first, killed=True, reason="x", max_kills=1) is None  # not first's to release
        assert archive.release(second, killed=True, reason="it killed", max_kills=2) == "pending"
        third = archive.claim(rid, by="b:2", lease_seconds=60)
        assert archive.release(third, killed=True, reason="it killed", max_kills=2) == "failed"
    row = _recordings(config)[rid]
    assert row["status"] == "failed" and "2 workers killed" in row["error"] and row["claim_id"] is None


# ---------------------------------------------------------------------------------------------- real processes


def test_the_cluster_gives_the_segments_of_the_local_path(station, run, scheduler):
    config, add = station
    add(3)
    local = run("transcribe")
    assert local.exit_code == 0, local.output
    here = _segments(config)
    assert len({r[0] for r in here}) == 3

    result = run("transcribe", "--retranscribe", "--cluster", scheduler)
    assert result.exit_code == 0, result.output
    assert "transcribed 3 recordings" in result.output
    assert _segments(config) == here
    assert all(r["status"] == "transcribed" and r["claim_id"] is None and r["attempt"] == 1
               for r in _recordings(config).values())
    _integrity(config)


def test_a_worker_killed_mid_batch_loses_and_doubles_nothing(station, scheduler):
    config, add = station
    ids = add(4)
    coordinator = subprocess.Popen([BIN / "radiomon", "--config", config.path, "transcribe", "--cluster", scheduler],
                                   env=_env(), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    killed = None
    with distributed.Client(scheduler, timeout=30) as client:
        deadline = time.monotonic() + 120
        while killed is None and time.monotonic() < deadline and coordinator.poll() is None:
            busy = [w for w, keys in client.processing().items() if any("radiomon-transcribe" in str(k) for k in keys)]
            if busy:
                pids = client.run(os.getpid, workers=busy[:1])
                killed = pids[busy[0]]
                os.kill(killed, signal.SIGKILL)
            time.sleep(0.05)
    output, _ = coordinator.communicate(timeout=300)
    assert killed is not None, output
    assert coordinator.returncode == 0, output
    rows = _recordings(config)
    assert [rows[i]["status"] for i in ids] == ["transcribed"] * 4, output
    assert max(rows[i]["attempt"] for i in ids) == 2  # the killed task's recording was claimed again
    assert all(rows[i]["kills"] == 0 and rows[i]["claim_id"] is None for i in ids)
    segments = _segments(config)
    assert {s[0] for s in segments} == set(ids)
    _integrity(config)


def test_a_recording_that_kills_every_worker_is_failed_after_max_kills(station, scheduler):
    import cluster_hooks

    from radiomon.pipeline.transcribe.batch import transcribe_batch

    config, add = station
    (rid,) = add(1)
    config = load_config(config.path)
    from dataclasses import replace

    config = replace(config, transcription=replace(config.transcription, cluster=replace(
        config.transcription.cluster, address=scheduler)))
    with Archive(config.archive) as archive:
        result = transcribe_batch(config, archive, engine_factory=cluster_hooks.dying_engine)
    assert (result.transcribed, result.failed) == (0, 1)
    row = _recordings(config)[rid]
    assert row["status"] == "failed" and row["attempt"] == 2
    assert "killed the worker" in row["error"] and "2 workers killed" in row["error"]


def test_an_unreachable_scheduler_is_one_line_and_nothing_claimed(station, run, write_config):
    config, add = station
    (rid,) = add(1)
    write_config(CLUSTER_YML.replace("connect_seconds: 60", "connect_seconds: 2"))
    result = run("transcribe", "--cluster", f"tcp://127.0.0.1:{free_port()}")
    assert result.exit_code != 0
    assert "cannot reach the Dask scheduler" in result.output and len(result.output.strip().splitlines()) == 1
    assert _recordings(config)[rid]["status"] == "pending"
    with Archive(config.archive) as archive:
        assert not archive.query("SELECT id FROM runs WHERE command = 'transcribe'")


def test_a_worker_with_another_radiomon_is_refused(station, run, scheduler, monkeypatch):
    from radiomon.pipeline.transcribe import cluster

    config, add = station
    (rid,) = add(1)
    monkeypatch.setattr(cluster, "__version__", "0.0.1")  # this coordinator only: the workers run the real one
    result = run("transcribe", "--cluster", scheduler)
    assert result.exit_code != 0
    assert "runs radiomon" in result.output and "install the same radiomon" in result.output
    assert len(result.output.strip().splitlines()) == 1
    assert _recordings(config)[rid]["status"] == "pending"


def test_the_local_mode(station, run):
    config, add = station
    (rid,) = add(1)
    result = run("transcribe", "--cluster", "local")
    assert result.exit_code == 0, result.output
    assert _recordings(config)[rid]["status"] == "transcribed"
    assert _segments(config)


def test_nightly_takes_the_cluster_too_and_checks_it_alike(run):
    result = run("nightly", "--cluster", "tcp://10.0.0.9:8786")
    assert result.exit_code == 2
    assert "--cluster" in result.output and "insecure: true" in result.output


def test_a_coordinator_killed_mid_batch_is_finished_by_a_rerun_once(station, scheduler, write_config, run):
    config, add = station
    write_config(CLUSTER_YML + "    lease_minutes: 0.05\n")  # 3 s: the killed coordinator's claims expire soon
    ids = add(4)
    coordinator = subprocess.Popen([BIN / "radiomon", "--config", config.path, "transcribe", "--cluster", scheduler],
                                   env=_env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and coordinator.poll() is None:
        statuses = [r["status"] for r in _recordings(config).values()]
        if "transcribed" in statuses and "transcribing" in statuses:
            break
        time.sleep(0.05)
    coordinator.kill()
    coordinator.wait()
    before = _recordings(config)
    assert any(r["status"] == "transcribed" for r in before.values())
    left = [i for i in ids if before[i]["status"] != "transcribed"]
    assert left and any(before[i]["claim_id"] for i in left)  # killed holding claims
    time.sleep(3.5)  # the leases run out
    result = run("transcribe", "--cluster", scheduler)
    assert result.exit_code == 0, result.output
    assert f"transcribed {len(left)} recording" in result.output  # only what the killed run had not stored
    after = _recordings(config)
    assert all(after[i]["status"] == "transcribed" and after[i]["claim_id"] is None for i in ids)
    assert all(after[i]["attempt"] == before[i]["attempt"] for i in ids if i not in left)  # stored ones untouched
    assert {s[0] for s in _segments(config)} == set(ids)
    _integrity(config)


# ---------------------------------------------------------------------------------------------- TLS, audio over HTTP


def _certificates(folder: Path, ca_name: str = "radiomon test CA") -> dict[str, str]:
    """A temporary CA (openssl) and one certificate for 127.0.0.1 it signed: the scheduler, the workers and the
    coordinator each present it, as each would present its own signed by the cluster's CA."""
    folder.mkdir(parents=True)
    ca, ca_key, cert, key, csr = (str(folder / n) for n in ("ca.pem", "ca.key", "cert.pem", "key.pem", "req.csr"))
    ext = folder / "ext.cnf"
    ext.write_text("subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\n"
                   "extendedKeyUsage=serverAuth,clientAuth\n", encoding="ascii")
    curve = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
    for args in (["req", "-x509", *curve, "-keyout", ca_key, "-out", ca, "-days", "2", "-subj", f"/CN={ca_name}"],
                 ["req", *curve, "-keyout", key, "-out", csr, "-subj", "/CN=127.0.0.1"],
                 ["x509", "-req", "-in", csr, "-CA", ca, "-CAkey", ca_key, "-CAcreateserial", "-out", cert,
                  "-days", "2", "-extfile", str(ext)]):
        subprocess.run(["openssl", *args], check=True, capture_output=True, timeout=60)
    return {"ca": ca, "cert": cert, "key": key}


@pytest.fixture(scope="module")
def secure(tmp_path_factory):
    """A `dask scheduler` on tls:// with a temporary CA and two `radiomon worker` processes that share no storage
    with the coordinator (their --audio-root is an empty folder) and hold an API token in $RADIOMON_TOKEN.

    Yields the address, the certificates, the workers' token and the folder of every process's log."""
    import secrets

    top = tmp_path_factory.mktemp("secure")
    tls = _certificates(top / "tls")
    token = secrets.token_urlsafe(32)
    (top / "no-shared-audio").mkdir()
    (logs := top / "logs").mkdir()
    port = free_port()
    address = f"tls://127.0.0.1:{port}"
    flags = ["--tls-ca-file", tls["ca"], "--tls-cert", tls["cert"], "--tls-key", tls["key"]]
    commands = [[BIN / "dask", "scheduler", "--protocol", "tls", "--host", "127.0.0.1", "--port", str(port),
                 "--no-dashboard", *flags]]
    commands += [[BIN / "radiomon", "worker", address, "--nworkers", "1", "--audio-root", top / "no-shared-audio",
                  *flags]] * 2
    procs = []
    try:
        for n, command in enumerate(commands):
            with open(logs / f"{n}.log", "wb") as log:
                procs.append(subprocess.Popen(command, env={**_env(), "RADIOMON_TOKEN": token}, stdout=log,
                                              stderr=subprocess.STDOUT, start_new_session=True))
        security = distributed.security.Security(tls_ca_file=tls["ca"], tls_client_cert=tls["cert"],
                                                 tls_client_key=tls["key"], require_encryption=True)
        with distributed.Client(address, security=security, timeout=60) as client:
            client.wait_for_workers(2, timeout=120)
        yield address, tls, token, logs
    finally:
        stop_all(procs)


@pytest.fixture
def web_ui(station):
    """The station's web UI on a real waitress server on loopback; yields its URL and the (path, status) it
    answered, and ``enrol(token)``: an account whose API token is ``token``."""
    import threading

    import waitress.server

    from radiomon.web.accounts import token_sha256
    from radiomon.web.app import create_app

    config, _ = station
    with Archive(config.archive) as archive:
        archive.sync_stations(config.stations, str(config.timezone))
    app = create_app(config)
    answered: list[tuple[str, int]] = []

    def logged(environ, start_response):
        def start(status, headers, *exc_info):
            answered.append((environ["PATH_INFO"], int(status.split()[0])))
            return start_response(status, headers, *exc_info)

        return app(environ, start)

    def enrol(token: str) -> None:
        with Archive(config.archive) as archive:  # the password is never used: the worker signs in by its token
            archive.add_user("transcriptor", "not-a-password-hash", token_sha256(token))

    server = waitress.server.create_server(logged, host="127.0.0.1", port=free_port(), threads=4)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.effective_port}", answered, enrol
    finally:
        server.close()
        thread.join(10)


def _secure_yml(address: str, tls: dict[str, str], audio_url: str, **more: str) -> str:
    settings = {"address": address, **tls, "audio_url": audio_url, **more}
    return CLUSTER_YML + "".join(f"    {k}: {v}\n" for k, v in settings.items() if v)


def test_tls_workers_without_shared_storage_fetch_the_audio_with_their_token(station, web_ui, secure, write_config,
                                                                            run):
    config, add = station
    address, tls, token, _ = secure
    url, answered, enrol = web_ui
    enrol(token)
    ids = add(2)
    write_config(_secure_yml(address, tls, url))
    result = run("transcribe")
    assert result.exit_code == 0, result.output
    assert "transcribed 2 recordings" in result.output
    rows = _recordings(config)
    assert all(rows[i]["status"] == "transcribed" and rows[i]["claim_id"] is None for i in ids)
    assert {s[0] for s in _segments(config)} == set(ids)
    assert any("Moroleón" in s[3] or "mercado" in s[3] for s in _segments(config))
    # the workers could not read the files: each came from the web UI, with the token accepted
    assert sorted(a for a in answered if a[0].startswith("/audio/")) == sorted((f"/audio/{i}", 200) for i in ids)
    _integrity(config)


def test_a_refused_token_transcribes_nothing_and_never_shows_the_token(station, web_ui, secure, write_config, run):
    config, add = station
    address, tls, token, logs = secure
    url, answered, enrol = web_ui
    enrol("another-accounts-token")  # sign-in needed, and the workers' token is not this archive's
    ids = add(2)
    write_config(_secure_yml(address, tls, url))
    result = run("transcribe")
    assert result.exit_code != 0
    assert len(result.output.strip().splitlines()) == 1, result.output
    assert "refused its API token (HTTP 401)" in result.output and "RADIOMON_TOKEN" in result.output
    assert {a[1] for a in answered if a[0].startswith("/audio/")} == {401}
    rows = _recordings(config)
    # the worker's setup is wrong, not the recordings: back to pending for the next run, nothing transcribed
    assert all(rows[i]["status"] == "pending" and rows[i]["claim_id"] is None for i in ids)
    assert not _segments(config)
    said = [result.output, *(r["error"] or "" for r in rows.values())]
    said += [p.read_text(errors="replace") for p in logs.iterdir()]  # the scheduler's and the workers' logs
    assert all(token not in text for text in said)
    assert "radiomon" in (logs / "1.log").read_text(errors="replace")  # the logs are really there


@pytest.mark.parametrize("how", ["another CA's certificate", "plain tcp:// to the tls:// scheduler"])
def test_a_coordinator_without_the_clusters_certificate_gets_nothing(station, secure, write_config, run,
                                                                      tmp_path, how):
    config, add = station
    address, tls, _, _ = secure
    (rid,) = add(1)
    if how == "plain tcp:// to the tls:// scheduler":
        address, tls = address.replace("tls://", "tcp://"), {}
    else:
        tls = _certificates(tmp_path / "stranger", "another CA")
    write_config(_secure_yml(address, tls, "").replace("connect_seconds: 60", "connect_seconds: 3"))
    result = run("transcribe")
    assert result.exit_code != 0
    assert "cannot reach the Dask scheduler" in result.output and len(result.output.strip().splitlines()) == 1
    assert _recordings(config)[rid]["status"] == "pending"


def test_run_takes_the_cluster_and_checks_it_as_transcribe_does(run):
    result = run("run", "--cluster", "tcp://10.0.0.9:8786")
    assert result.exit_code == 2
    assert "--cluster" in result.output and "insecure: true" in result.output


# ---------------------------------------------------------------------------------------------- a scheduler that dies


class Restartable:
    """A `dask scheduler` on a fixed loopback port that a test may kill -9 and start again, and `radiomon worker`
    processes for it (Dask's workers stop when their scheduler does: their service starts them again)."""

    def __init__(self, logs: Path):
        self.port = free_port()
        self.address = f"tcp://127.0.0.1:{self.port}"
        self.logs = logs
        self.scheduler: subprocess.Popen | None = None
        self.workers: list[subprocess.Popen] = []

    def _spawn(self, name: str, command: list) -> subprocess.Popen:
        with open(self.logs / f"{name}-{time.monotonic_ns()}.log", "wb") as log:
            return subprocess.Popen(command, env=_env(), stdout=log, stderr=subprocess.STDOUT, start_new_session=True)

    def start(self, workers: int = 1) -> str:
        """The scheduler (again, if it was killed) and ``workers`` live workers, all joined."""
        if self.scheduler is None or self.scheduler.poll() is not None:
            self.scheduler = self._spawn("scheduler", [BIN / "dask", "scheduler", "--host", "127.0.0.1", "--port",
                                                       str(self.port), "--no-dashboard"])
        self.workers = [w for w in self.workers if w.poll() is None]
        while len(self.workers) < workers:
            self.workers.append(self._spawn("worker", [BIN / "radiomon", "worker", self.address, "--nworkers", "1"]))
        with distributed.Client(self.address, timeout=60) as client:
            if workers:
                client.wait_for_workers(workers, timeout=120)
        return self.address

    def kill_scheduler(self) -> None:
        """kill -9 the scheduler; its workers, which stop by themselves once they notice, are stopped now."""
        os.killpg(self.scheduler.pid, signal.SIGKILL)
        self.scheduler.wait()
        stop_all(self.workers)
        self.workers = []

    def worker_log(self) -> str:
        return "\n".join(p.read_text(errors="replace") for p in sorted(self.logs.glob("worker-*.log")))

    def stop(self) -> None:
        stop_all([p for p in [self.scheduler, *self.workers] if p is not None])


@pytest.fixture(scope="module")
def restartable(tmp_path_factory):
    cluster = Restartable(tmp_path_factory.mktemp("restartable"))
    try:
        yield cluster
    finally:
        cluster.stop()


def _when(predicate, seconds: float = 120) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return False


def _cmdline(process) -> str:
    try:
        return " ".join(process.cmdline())
    except Exception:  # noqa: BLE001 - psutil.Error: gone (an ffmpeg of the dead station)
        return ""


def _mid_batch(config) -> bool:
    """One recording stored and another in a worker's hands (claimed): the moment to kill something."""
    rows = _recordings(config).values()
    return any(r["status"] == "transcribed" for r in rows) and any(r["claim_id"] for r in rows)


def test_a_worker_that_joins_with_another_radiomon_gives_up_its_slots_until_a_coordinator_of_its_own(restartable):
    from radiomon.pipeline.transcribe import cluster

    restartable.start(workers=0)
    engine, model = "faster-whisper", "base"
    with distributed.Client(restartable.address, timeout=60) as client:
        # as a coordinator of another version registers its check on a cluster that has no worker yet
        client.register_plugin(cluster.VersionCheck({**cluster.identity(engine, model), "radiomon": "0.0.1"},
                                                    engine, model))
        restartable.start(workers=1)  # it joins now

        def slots() -> list[float]:
            return [w["resources"].get("asr") for w in client.scheduler_info(n_workers=-1)["workers"].values()]

        assert _when(lambda: slots() == [0]), slots()  # refused as it joined: the scheduler sends it no task
        assert _when(lambda: "this coordinator 0.0.1" in restartable.worker_log(), 30)
        line = [ln for ln in restartable.worker_log().splitlines() if "refused: worker" in ln][0]
        assert "runs radiomon" in line and "install the same radiomon on every machine" in line
        # a coordinator of its own version registers its check: the slot is given back
        client.register_plugin(cluster.VersionCheck(cluster.identity(engine, model), engine, model))
        assert _when(lambda: slots() == [1]), slots()


def test_the_scheduler_killed_mid_batch_is_one_line_and_a_rerun_lands_each_recording_once(station, restartable,
                                                                                         run):
    config, add = station
    address = restartable.start(workers=1)
    ids = add(4)
    coordinator = subprocess.Popen([BIN / "radiomon", "--config", config.path, "transcribe", "--cluster", address],
                                   env=_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert _when(lambda: _mid_batch(config) or coordinator.poll() is not None), "never mid-batch"
    restartable.kill_scheduler()
    out, err = coordinator.communicate(timeout=120)
    assert coordinator.returncode == 1, (out, err)
    assert err.strip().splitlines() == [err.strip()], err  # one line, no traceback
    assert err.startswith(f"Error: lost the Dask scheduler at {address} mid-batch"), err
    assert "run the command again" in err
    before = _recordings(config)
    stored = [i for i in ids if before[i]["status"] == "transcribed"]
    assert stored and len(stored) < 4
    # nothing half-written: whole recordings or pending ones, no claim left behind
    assert all(before[i]["status"] == "pending" and before[i]["claim_id"] is None for i in ids if i not in stored)
    assert {s[0] for s in _segments(config)} == set(stored)
    _integrity(config)

    restartable.start(workers=1)  # the scheduler and its worker are back
    result = run("transcribe", "--cluster", address)
    assert result.exit_code == 0, result.output
    assert f"transcribed {4 - len(stored)} recording" in result.output
    after = _recordings(config)
    assert all(after[i]["status"] == "transcribed" and after[i]["claim_id"] is None for i in ids)
    assert all(after[i]["attempt"] == before[i]["attempt"] for i in stored)  # stored once, never again
    assert {s[0] for s in _segments(config)} == set(ids)
    _integrity(config)


def test_the_daemon_transcribes_on_the_cluster_and_connects_again_after_the_scheduler_comes_back(
        station, restartable):
    import daemon_kit as kit

    config, add = station
    address = restartable.start(workers=1)
    dead = f"http://127.0.0.1:{free_port()}/apagada.mp3"  # nothing to record: the backlog is the test
    config.path.write_text(CLUSTER_YML.replace("http://127.0.0.1:8000/uno.mp3", dead)
                           + "record: {backoff_initial: 0.5, backoff_max: 2}\ndaemon: {pass_seconds: 0.5}\n",
                           encoding="utf-8")
    ids = add(4)
    daemon = kit.Process(config.path, "run", "--station", "radio-uno", "--cluster", address)
    try:
        assert _when(lambda: _mid_batch(config) or not daemon.alive()), daemon.stderr
        in_flight = [i for i, r in _recordings(config).items() if r["claim_id"]]
        restartable.kill_scheduler()
        assert _when(lambda: "lost the Dask scheduler" in daemon.stderr, 60), daemon.stderr
        restartable.start(workers=1)
        assert _when(lambda: all(r["status"] == "transcribed" for r in _recordings(config).values())), daemon.stderr
        assert daemon.stop(signal.SIGTERM) == 0, daemon.stderr
    finally:
        daemon.kill()
    stderr = daemon.stderr
    assert stderr.count(f"transcribing on the Dask cluster at {address}") == 2, stderr  # connected, then again
    assert "Traceback" not in stderr
    assert not [c for c in daemon.children.values() if "spawn_main" in _cmdline(c)]  # no local worker pool
    rows = _recordings(config)
    assert all(rows[i]["attempt"] >= 1 for i in ids)  # each leased: the cluster's path, not the local one
    assert all(rows[i]["attempt"] >= 2 for i in in_flight)  # what the lost scheduler had was submitted again
    assert kit.archive_problems(config.path) == []  # each once, matched, the FTS index whole
