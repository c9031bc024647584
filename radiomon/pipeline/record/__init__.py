"""The recorder: one supervised ffmpeg per station writing clock-aligned segments.

* :mod:`~radiomon.pipeline.record.ffmpeg_args` — the ffmpeg command lines (pure)
* :mod:`~radiomon.pipeline.record.clock` — segment length, :func:`station_state` (pure, on :mod:`radiomon.schedule`)
* :mod:`~radiomon.pipeline.record.segment_clock` — where each closed segment sits in time (pure)
* :mod:`~radiomon.pipeline.record.gap_tracker` — the outage state machine, onto the archive's gaps
* :mod:`~radiomon.pipeline.record.playlist` — ``.pls``/``.m3u`` resolution
* :mod:`~radiomon.pipeline.record.ffmpeg_log` — ffmpeg's stderr as events (segments, ICY titles, silence)
* :mod:`~radiomon.pipeline.record.registrar` — closed segments onto the archive, replayed overlap trimmed
* :mod:`~radiomon.pipeline.record.runner` — one station: ffmpeg, watchdog, backoff
* :mod:`~radiomon.pipeline.record.supervisor` — all stations at once, signals, duration
"""

from radiomon.pipeline.record.clock import station_state
from radiomon.pipeline.record.supervisor import record, recorders, select_stations, stop_on_signals

__all__ = ["record", "recorders", "select_stations", "station_state", "stop_on_signals"]
