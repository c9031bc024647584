"""GPU check: both engines with ``device: cuda`` on the benchmark batch, real-time factors.

Run on a machine with an NVIDIA GPU after ``benchmarks/transcribe.py`` has
generated its audio (or let this script generate it)::

    .venv/bin/python benchmarks/gpu.py [--minutes 30] [--workdir /tmp/radiomon-bench-transcribe]

It runs ``radiomon transcribe`` end to end (process start, model load,
decode, archive writes) with faster-whisper (float16) and openai-whisper
(fp16) on identical weights, and prints wall time, real-time factor, peak
host memory, and WER/recall against the known text, as the CPU benchmark
does. Nothing here is asserted.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import transcribe as bench  # noqa: E402  (benchmarks/transcribe.py)


def cuda_deployment(original):
    """Wrap the CPU benchmark's deployment so radiomon.yml says device: cuda."""

    def make(workdir: Path, name: str, files) -> Path:
        dep = original(workdir, f"{name}-cuda", files)
        config = dep / "radiomon.yml"
        config.write_text(config.read_text() + "transcription:\n  device: cuda\n")
        return dep

    return make


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=float, default=30.0)
    parser.add_argument("--stations", type=int, default=3)
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/radiomon-bench-transcribe"))
    args = parser.parse_args()
    try:
        import ctranslate2

        gpus = ctranslate2.get_cuda_device_count()
    except Exception:  # noqa: BLE001
        gpus = 0
    if not gpus:
        sys.exit("no CUDA device visible to CTranslate2; run this on the GPU machine")
    args.workdir.mkdir(parents=True, exist_ok=True)
    files = bench.generate(args.workdir, args.minutes, args.stations)
    audio = sum(d for _, _, d in files)
    bench.models.ensure_bundled()
    bench.deployment = cuda_deployment(bench.deployment)
    runs = []
    for engine in ("faster-whisper", "openai-whisper"):
        if engine == "openai-whisper":
            bench.openai_checkpoint()
        runs.append(bench.run_radiomon(args.workdir, files, engine))
    print(f"{audio / 60:.1f} min of audio on {gpus} GPU(s)")
    print(f"{'engine (cuda)':<18} {'wall s':>8} {'RTF':>8} {'× real time':>12} {'peak MB':>8} {'WER':>6} {'recall':>7}")
    for run in runs:
        s = bench.score(run, files)
        print(f"{run.name:<18} {run.wall:8.1f} {run.wall / audio:8.4f} {audio / run.wall:12.0f} {run.rss_mb:8.0f} "
              f"{s['wer']:6.3f} {s['recall']:7.3f}")
    print(f"faster-whisper is {runs[1].wall / runs[0].wall:.1f}× faster than openai-whisper on this GPU")


if __name__ == "__main__":
    main()
