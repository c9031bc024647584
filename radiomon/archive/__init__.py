"""The archive: the one place that speaks SQL.

``Archive`` is assembled from one mixin per concept (recordings, segments,
gaps, search, …) so each file stays small; they share one connection.
"""

from radiomon.archive.db import ArchiveBase
from radiomon.archive.fts import SearchMixin
from radiomon.archive.gaps import GapsMixin
from radiomon.archive.mentions import MentionChanges, MentionRow, MentionsMixin
from radiomon.archive.recorder_tables import RecorderTablesMixin
from radiomon.archive.recordings import Recording, RecordingsMixin
from radiomon.archive.runs import RunsMixin
from radiomon.archive.segments import SegmentIn, SegmentsMixin, Word
from radiomon.archive.stations import StationsMixin


class Archive(StationsMixin, RecordingsMixin, SegmentsMixin, GapsMixin, SearchMixin, RunsMixin, RecorderTablesMixin,
              MentionsMixin):
    """The SQLite archive of one deployment."""


__all__ = ["Archive", "MentionChanges", "MentionRow", "Recording", "SegmentIn", "Word"]
