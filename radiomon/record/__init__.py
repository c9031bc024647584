"""The recorder: one supervised ffmpeg per station writing clock-aligned segments.

* :mod:`~radiomon.record.ffmpeg_args` — the ffmpeg command lines (pure)
* :mod:`~radiomon.record.clock` — aligned boundaries, schedules, :func:`station_state` (pure)
* :mod:`~radiomon.record.playlist` — ``.pls``/``.m3u`` resolution
* :mod:`~radiomon.record.ffmpeg_log` — ffmpeg's stderr as events (segments, ICY titles, silence)
* :mod:`~radiomon.record.station_runner` — one station: watchdog, backoff, gaps, registration
* :mod:`~radiomon.record.supervisor` — all stations at once, signals, duration
"""

from radiomon.record.clock import station_state
from radiomon.record.supervisor import record, select_stations, stop_on_signals

__all__ = ["record", "select_stations", "station_state", "stop_on_signals"]
