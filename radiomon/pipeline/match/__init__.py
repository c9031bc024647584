"""The matching stage: keywords.yml against the archive's segments → ``mentions``.

* :mod:`~radiomon.pipeline.match.core` — segments in, mention rows out (pure)
* :mod:`~radiomon.pipeline.match.incremental` — each recording as it is transcribed or imported
* :mod:`~radiomon.pipeline.match.narrowing` — which windows of an archive could hold a mention (pure, numpy)
* :mod:`~radiomon.pipeline.match.rematch` — the whole archive after keywords.yml changed (``match --all``)
* :mod:`~radiomon.pipeline.match.press` — newspaper articles (headline and text) → their mentions
* :mod:`~radiomon.pipeline.match.crisis` — crisis and high-priority mentions as events in the outbox
* :mod:`~radiomon.pipeline.match.result` — :class:`MatchResult`, what a matching run did
* :mod:`~radiomon.pipeline.match.near_misses` — words within reach of a term that did not count (suggest, rescoring)
"""

from radiomon.pipeline.match.incremental import load_matcher, match_pending, match_recording
from radiomon.pipeline.match.rematch import rematch_all
from radiomon.pipeline.match.result import MatchResult

__all__ = ["MatchResult", "load_matcher", "match_pending", "match_recording", "rematch_all"]
