"""The archive: the one place that speaks SQL.

``Archive`` is assembled from one mixin per concept, so each file stays
small; they share one connection (:mod:`~radiomon.archive.db`):

* :mod:`~radiomon.archive.stations`, :mod:`~radiomon.archive.recordings`,
  :mod:`~radiomon.archive.articles` (the press: outlets, feeds' state, articles and their mentions),
  :mod:`~radiomon.archive.segments` (stored whole, read back for matching),
  :mod:`~radiomon.archive.fts` (full-text search), :mod:`~radiomon.archive.mentions`,
  :mod:`~radiomon.archive.gaps`, :mod:`~radiomon.archive.now_playing`,
  :mod:`~radiomon.archive.outbox` (events to deliver), :mod:`~radiomon.archive.runs`,
  :mod:`~radiomon.archive.users` (web UI accounts), :mod:`~radiomon.archive.logins` (web sessions,
  failed logins), :mod:`~radiomon.archive.deliveries`
  (each event per alert channel), :mod:`~radiomon.archive.episodes` (health episodes),
  :mod:`~radiomon.archive.status` (backlog, throughput, last speech, runs),
  :mod:`~radiomon.archive.retention` (audio past retention), :mod:`~radiomon.archive.maintenance`
  (free pages, checks, backups), :mod:`~radiomon.archive.editions` (the síntesis' editions and their items),
  :mod:`~radiomon.archive.vocabulary` (the transcripts' distinct words, for approximate search)
* :mod:`~radiomon.archive.where` — the one WHERE builder for a :class:`~radiomon.filters.Filters`
* :mod:`~radiomon.archive.schema` — tables, triggers, migrations
"""

from radiomon.archive.articles import ArticleRow, ArticlesMixin, FeedState
from radiomon.archive.db import ArchiveBase
from radiomon.archive.deliveries import DeliveriesMixin, Delivery
from radiomon.archive.editions import EditionsMixin
from radiomon.archive.episodes import EpisodesMixin
from radiomon.archive.fts import SearchMixin
from radiomon.archive.gaps import GapsMixin
from radiomon.archive.keyword_changes import KeywordChangesMixin
from radiomon.archive.logins import LoginsMixin
from radiomon.archive.maintenance import MaintenanceMixin
from radiomon.archive.mentions import MentionChanges, MentionRow, MentionsMixin
from radiomon.archive.now_playing import NowPlayingMixin
from radiomon.archive.outbox import OutboxMixin
from radiomon.archive.recordings import Recording, RecordingsMixin
from radiomon.archive.reports import ReportsMixin
from radiomon.archive.retention import RetentionMixin
from radiomon.archive.runs import RunsMixin
from radiomon.archive.segments import SegmentsMixin
from radiomon.archive.stations import StationsMixin
from radiomon.archive.status import StatusMixin
from radiomon.archive.users import UsersMixin
from radiomon.archive.vocabulary import VocabularyMixin


class Archive(StationsMixin, RecordingsMixin, SegmentsMixin, GapsMixin, SearchMixin, RunsMixin, NowPlayingMixin,
              MentionsMixin, OutboxMixin, ReportsMixin, UsersMixin, LoginsMixin, DeliveriesMixin, EpisodesMixin,
              StatusMixin, RetentionMixin, MaintenanceMixin, ArticlesMixin, EditionsMixin, VocabularyMixin,
              KeywordChangesMixin):
    """The SQLite archive of one deployment."""


__all__ = ["Archive", "ArchiveBase", "ArticleRow", "Delivery", "FeedState", "MentionChanges", "MentionRow",
           "Recording"]
