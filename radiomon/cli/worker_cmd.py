"""``radiomon worker``: a transcription worker machine of a Dask cluster."""

from __future__ import annotations

import os
import shlex
import sys

import click

from radiomon.cli import main


def dask_worker_args(address: str, *, nworkers: int, tls_ca: str | None, tls_cert: str | None,
                     tls_key: str | None) -> list[str]:
    """The ``dask worker`` arguments ``radiomon worker`` amounts to (data: printed, tested, then run)."""
    from radiomon.pipeline.transcribe.machine import plan_workers

    args = [address, "--nworkers", str(nworkers or plan_workers(0, 0)[0]), "--nthreads", "1",
            "--resources", "asr=1", "--preload", "radiomon.pipeline.transcribe.cluster", "--no-dashboard"]
    for flag, value in (("--tls-ca-file", tls_ca), ("--tls-cert", tls_cert), ("--tls-key", tls_key)):
        if value:
            args += [flag, value]
    return args


@main.command(name="worker")
@click.argument("address")
@click.option("--nworkers", type=click.IntRange(min=0), default=0, show_default=True,
              help="Worker processes (each transcribes one recording at a time); 0 = chosen from the CPU count.")
@click.option("--audio-root", type=click.Path(file_okay=False), metavar="PATH",
              help="Where this machine mounts the shared audio (transcription.cluster.audio_root of the "
                   "coordinator); default: the same path.")
@click.option("--tls-ca-file", type=click.Path(dir_okay=False, exists=True), help="CA certificate (PEM).")
@click.option("--tls-cert", type=click.Path(dir_okay=False, exists=True), help="This worker's certificate (PEM).")
@click.option("--tls-key", type=click.Path(dir_okay=False, exists=True), help="Its private key (PEM).")
@click.option("--dry-run", is_flag=True, help="Print the dask worker command line instead of running it.")
def worker(address: str, nworkers: int, audio_root: str | None, tls_ca_file: str | None, tls_cert: str | None,
           tls_key: str | None, dry_run: bool) -> None:
    """A transcription worker of the Dask cluster whose scheduler is at ADDRESS.

    Runs distributed's own worker machinery (dask worker: a nanny that
    restarts a killed process, one thread per process, the resource asr=1
    that radiomon's tasks ask for, and radiomon's preload). Each process
    decides its device (CUDA when this machine has a GPU), its share of the
    cores and where the bundled model is assembled (its own cache). Audio is
    read under --audio-root, or fetched from the web UI with the API token in
    $RADIOMON_TOKEN. Every worker must run the coordinator's radiomon version:
    one that does not is refused as it joins (it gives up its asr slot). Like
    dask worker, it stops when its scheduler goes away: run it as a service
    that restarts it (deploy/systemd/radiomon-worker.service).
    """
    from radiomon.config_parse import cluster_address_problem
    from radiomon.pipeline.transcribe.machine import plan_workers

    problem = cluster_address_problem(address, insecure=True)
    if problem or address == "local":
        raise click.BadParameter(problem or "a worker joins a scheduler: give its tls:// or tcp:// address",
                                 param_hint="ADDRESS")
    if address.startswith("tls://") and not (tls_ca_file and tls_cert):
        raise click.BadParameter(f"{address} needs --tls-ca-file and --tls-cert", param_hint="ADDRESS")
    nworkers = nworkers or plan_workers(0, 0)[0]
    args = dask_worker_args(address, nworkers=nworkers, tls_ca=tls_ca_file, tls_cert=tls_cert, tls_key=tls_key)
    env = {"RADIOMON_WORKER_PROCESSES": str(nworkers)}
    if audio_root:
        env["RADIOMON_AUDIO_ROOT"] = os.path.abspath(audio_root)
    if dry_run:
        click.echo(" ".join([*(f"{k}={shlex.quote(v)}" for k, v in env.items()), "dask", "worker",
                             *map(shlex.quote, args)]))
        return
    try:
        import distributed  # noqa: F401
    except ImportError:
        raise click.ClickException("Dask is not installed: pip install 'radiomon[cluster]'") from None
    os.environ.update(env)
    sys.stdout.flush()
    sys.stderr.flush()
    # The worker's own command line, in this process: its signals, its exit status.
    os.execv(sys.executable, [sys.executable, "-m", "distributed.cli.dask_worker", *args])
