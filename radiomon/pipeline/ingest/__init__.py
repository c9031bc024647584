"""Getting recordings into the archive from outside the recorder.

* :mod:`~radiomon.pipeline.ingest.audio` — existing audio files, to be transcribed
* :mod:`~radiomon.pipeline.ingest.transcript` — Whisper JSON transcripts, stored as transcribed
* :mod:`~radiomon.pipeline.ingest.storing` — a full disk is one line and stores nothing half
"""

from radiomon.pipeline.ingest.audio import import_audio
from radiomon.pipeline.ingest.result import ImportResult
from radiomon.pipeline.ingest.storing import stored_whole
from radiomon.pipeline.ingest.transcript import import_transcript, import_transcript_data, parse_whisper_json

__all__ = [
    "ImportResult", "import_audio", "import_transcript", "import_transcript_data", "parse_whisper_json", "stored_whole",
]
