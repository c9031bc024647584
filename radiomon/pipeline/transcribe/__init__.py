"""Transcription: recordings' audio → segments with word times, in Spanish, offline.

* :mod:`~radiomon.pipeline.transcribe.types` — clips, decoding options, the engine protocol
* :mod:`~radiomon.pipeline.transcribe.engines` — faster-whisper (default) and openai-whisper
* :mod:`~radiomon.pipeline.transcribe.models` — the bundled model, offline
* :mod:`~radiomon.pipeline.transcribe.convert` — its copy for openai-whisper
* :mod:`~radiomon.pipeline.transcribe.audio` — decoding a file, a stretch of audio
* :mod:`~radiomon.pipeline.transcribe.vad` — radio voice-activity detection, clips packed for the engine
* :mod:`~radiomon.pipeline.transcribe.vocabulary` — keywords.yml's names as Whisper's prompt
* :mod:`~radiomon.pipeline.transcribe.rescore` — asking Whisper whether a near miss was a keyword: what to ask
* :mod:`~radiomon.pipeline.transcribe.decide` — rescoring's question to the model and the decision (MARGIN, FAR_GAIN)
* :mod:`~radiomon.pipeline.transcribe.rewrites` — a rescoring rewrite applied to a segment's words (pure)
* :mod:`~radiomon.pipeline.transcribe.guards` — radio-grade clean-up of what was decoded (pure)
* :mod:`~radiomon.pipeline.transcribe.work` — one recording, plain data in and out (the executor's unit)
* :mod:`~radiomon.pipeline.transcribe.batch` — select, submit, store: the stage
* :mod:`~radiomon.pipeline.transcribe.live` — the daemon's stage: each recording as it closes, then matched
* :mod:`~radiomon.pipeline.transcribe.output` — transcript files (JSON, SRT, VTT, TXT)
* :mod:`~radiomon.pipeline.transcribe.machine` — cores, workers and device
"""
