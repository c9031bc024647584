"""The matching stage: keywords.yml against the archive's segments → ``mentions``.

* :mod:`~radiomon.pipeline.match.core` — segments in, mention rows out (pure)
* :mod:`~radiomon.pipeline.match.incremental` — each recording as it is transcribed or imported
* :mod:`~radiomon.pipeline.match.narrowing` — which windows of an archive could hold a mention (pure, numpy)
* :mod:`~radiomon.pipeline.match.rematch` — the whole archive after keywords.yml changed (``match --all``)
* :mod:`~radiomon.pipeline.match.crisis` — crisis and high-priority mentions as events in the outbox
"""

from radiomon.pipeline.match.incremental import MatchResult, load_matcher, match_pending, match_recording
from radiomon.pipeline.match.rematch import rematch_all

__all__ = ["MatchResult", "load_matcher", "match_pending", "match_recording", "rematch_all"]
