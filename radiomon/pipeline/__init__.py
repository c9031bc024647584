"""The stages, in the order data flows through them::

    record  →  transcribe  →  match      (ingest: from outside the recorder)

Each stage reads and writes only the archive and its own files, so it can
run alone, again, or on another machine; each is idempotent and resumable.
Nothing here chains stages: the job layer (:mod:`radiomon.jobs`) does.

* :mod:`~radiomon.pipeline.record` — one supervised ffmpeg per station, clock-aligned files, gaps
* :mod:`~radiomon.pipeline.ingest` — existing audio files and Whisper transcripts
* :mod:`~radiomon.pipeline.transcribe` — Whisper, VAD, keyword rescoring, guards
* :mod:`~radiomon.pipeline.match` — keywords.yml against the segments → mentions
* :mod:`~radiomon.pipeline.executor` — the seam where a stage's work meets an executor
"""
