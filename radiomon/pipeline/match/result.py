"""What a matching run did: :class:`MatchResult`, shared by every way of matching and by the event writer."""

from __future__ import annotations

from dataclasses import dataclass, field

from radiomon import events as events_mod
from radiomon.archive import MentionChanges


@dataclass
class MatchResult:
    """What a matching run did (``radiomon match`` prints it)."""

    recordings: int = 0  # recordings matched
    segments: int = 0  # segments that went through the matcher
    articles: int = 0  # newspaper articles matched (radiomon/pipeline/match/press.py)
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    removed: int = 0
    events: int = 0  # events recorded, all kinds
    crisis_events: int = 0
    high_events: int = 0
    words: int = 0  # rematch_all: word positions read
    anchors: int = 0  # rematch_all: (word, spelling) anchors
    windows: int = 0  # rematch_all: windows that passed the bounds and were scored
    seconds: float = 0.0
    timings: dict[str, float] = field(default_factory=dict)

    def add(self, changes: MentionChanges) -> None:
        self.added += len(changes.added)
        self.updated += changes.updated
        self.unchanged += changes.unchanged
        self.removed += changes.removed

    def count_events(self, kind: str, count: int) -> None:
        self.events += count
        if kind == events_mod.CRISIS_MENTION:
            self.crisis_events += count
        elif kind == events_mod.HIGH_MENTION:
            self.high_events += count

    def events_summary(self) -> str:
        """``1 crisis and 2 high-priority event(s) recorded``; empty when there were none."""
        parts = [f"{self.crisis_events} crisis"] if self.crisis_events else []
        parts += [f"{self.high_events} high-priority"] if self.high_events else []
        return f"{' and '.join(parts)} event(s) recorded" if parts else ""

    def merge(self, other: MatchResult) -> None:
        """Add ``other``'s counts to these (the recordings' and the articles' runs of one `radiomon match`)."""
        for name in ("recordings", "segments", "articles", "added", "updated", "unchanged", "removed", "events",
                     "crisis_events", "high_events", "words", "anchors", "windows", "seconds"):
            setattr(self, name, getattr(self, name) + getattr(other, name))

    def summary(self) -> str:
        articles = f" and {self.articles} article(s)" if self.articles else ""
        return (f"matched {self.recordings} recording(s){articles} in {self.seconds:.1f} s: {self.added} new "
                f"mention(s), {self.removed} removed, {self.updated} updated, {self.unchanged} unchanged")
