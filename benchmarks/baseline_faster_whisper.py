"""The plain batched faster-whisper baseline of ``benchmarks/transcribe.py --compare``.

What a user of faster-whisper would write for a batch of Spanish
recordings, on the same weights as radiomon (the bundled Whisper base,
CTranslate2 int8 on CPU) and none of radiomon's additions: faster-whisper's
own ``BatchedInferencePipeline`` with its own Silero VAD (``vad_filter``,
its default options), beam size 5 (its default), word timestamps, and the
vocabulary prompt radiomon gives Whisper. No radio VAD packing, no
re-decoding of skipped stretches or looping clips, no guards, no keyword
rescoring, no archive.

Writes every file's words with their times (seconds into the file) to one
JSON document, ``{"files": [{"path": ..., "words": [[word, start, end], ...]}]}``,
in the order the files were given, for the benchmark's scoring.

Usage: python benchmarks/baseline_faster_whisper.py --output words.json
       [--model DIR] [--prompt TEXT] [--batch-size 4] [--threads 0] AUDIO...

Given ``--model``, this script imports nothing of radiomon, so that its
process is faster-whisper alone: the benchmark passes what it needs from
radiomon (the bundled model folder, the prompt, the batch size and thread
count radiomon would use).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path


def transcribe(pipeline, path: Path, *, prompt: str | None, batch_size: int) -> list[tuple[str, float, float]]:
    """One file's words as (text, start, end)."""
    segments, _ = pipeline.transcribe(
        str(path),
        language="es",
        beam_size=5,
        batch_size=batch_size,
        vad_filter=True,
        word_timestamps=True,
        # radiomon hands its vocabulary to Whisper as initial_prompt, not as
        # hotwords (engines/faster_whisper.py). In the batched pipeline both
        # end up as previous text after <|startofprev|> (get_prompt); only
        # initial_prompt is encoded exactly as radiomon's, with no space put
        # before it, so the decoder sees the same prompt tokens as radiomon's.
        initial_prompt=prompt,
    )
    words = []
    for s in segments:
        if not FIRST:  # the benchmark's start → first decoded window
            FIRST.append(time.time())
            print(f"first window decoded at {FIRST[0]:.3f}", file=sys.stderr, flush=True)
        words += [(w.word, float(w.start), float(w.end)) for w in (s.words or ())]
    return words


FIRST: list[float] = []  # when the first window of the first file was decoded (epoch seconds)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("audio", nargs="+", type=Path, help="audio files, transcribed one after another")
    parser.add_argument("--output", type=Path, required=True, help="the JSON of words to write")
    parser.add_argument("--model", help="a CTranslate2 Whisper folder (default: radiomon's bundled base, "
                        "looked up with radiomon, which then is imported)")
    parser.add_argument("--prompt", help="vocabulary prompt given as initial_prompt (default: none)")
    parser.add_argument("--batch-size", type=int, default=4,
                        help="clips decoded together (default 4, radiomon's transcription.batch_size)")
    parser.add_argument("--threads", type=int, default=0,
                        help="CTranslate2 threads (default 0: CTranslate2's own choice)")
    args = parser.parse_args()

    from faster_whisper import BatchedInferencePipeline, WhisperModel

    model_dir = args.model
    if model_dir is None:
        from radiomon.pipeline.transcribe.models import ensure_bundled

        model_dir = str(ensure_bundled())
    started = time.perf_counter()
    model = WhisperModel(model_dir, device="cpu", compute_type="int8", cpu_threads=args.threads,
                         local_files_only=True)
    pipeline = BatchedInferencePipeline(model)
    print(f"model loaded in {time.perf_counter() - started:.1f} s", file=sys.stderr)
    files = []
    for path in args.audio:
        t0 = time.perf_counter()
        words = transcribe(pipeline, path, prompt=args.prompt or None, batch_size=args.batch_size)
        print(f"{path.name}: {len(words)} words in {time.perf_counter() - t0:.1f} s", file=sys.stderr)
        files.append({"path": str(path), "words": words})
    args.output.write_text(json.dumps({"files": files}, ensure_ascii=False))


if __name__ == "__main__":
    main()
