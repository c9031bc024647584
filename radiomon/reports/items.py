"""What one radio item of the síntesis is: a sentence heard with all its mentions, aired once or again.

An **airing** is one transcript segment (a sentence, as Whisper cut it), or
a run of adjacent segments of one recording that all carry mentions, with
every mention in it, of every group (:func:`airings`). An **item** is an
airing, or the same text aired again on that station — a repeated spot, the
headline read at the top of every hour (:func:`repeated_spots`). Different
sentences are never joined, however close in time: the old chaining of the
same keyword within 5 minutes made "Moroleón (×9) 08:01–08:10" out of five
stories (the tianguis, the DIF vaccination, the weather, Mi Colonia Limpia…)
and quoted only the first.

The digest (:mod:`radiomon.reports.digest`) shows items and the testigos
(:mod:`radiomon.reports.testigos`) cut one clip per airing: both read the
same :func:`airings`, so a testigo's name and cut are those of its item.
Everything here is pure but :func:`sentences_of` and :func:`load_keyword_set`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from rapidfuzz import fuzz

from radiomon import timeutil
from radiomon.archive import Archive, MentionRow
from radiomon.config import Config
from radiomon.keywords import KeywordSet, load_keywords
from radiomon.keywords.normalize import fold

PRIORITY_ORDER = {"crisis": 0, "high": 1, "normal": 2}
# Two airings are the same text when their folded words are this alike
# (rapidfuzz ratio, 0–100): a spot transcribed twice differs by a word or a
# comma Whisper heard differently, a different sentence differs by far more.
SAME_TEXT_RATIO = 95.0


@dataclass(frozen=True)
class Sentence:
    """One transcript segment: what the station said, and when."""

    id: int
    recording_id: int
    start_utc: str
    end_utc: str
    text: str


@dataclass(frozen=True)
class Airing:
    """A sentence (or run of adjacent sentences) of one recording, with every mention heard in it."""

    station: str
    mentions: tuple[MentionRow, ...]  # time order
    sentences: tuple[Sentence, ...] = ()  # empty when the segments were not handed in

    @property
    def first(self) -> MentionRow:
        return self.mentions[0]

    @property
    def at_utc(self) -> str:
        return self.first.at_utc

    @property
    def text(self) -> str:
        """The sentences as heard, else (segments unknown) the mentions' contexts, each once."""
        if self.sentences:
            return " ".join(s.text.strip() for s in self.sentences if s.text.strip())
        return " … ".join(dict.fromkeys((m.context or m.matched).strip() for m in self.mentions))

    @property
    def start_utc(self) -> str:
        """Where the first sentence begins (the first mention when the segments are unknown)."""
        return min([self.at_utc, *(s.start_utc for s in self.sentences)], key=timeutil.parse_iso)

    @property
    def end_utc(self) -> str:
        return max([self.at_utc, *(s.end_utc for s in self.sentences)], key=timeutil.parse_iso)


@dataclass(frozen=True)
class RadioItem:
    """One story of one station: an airing, or the same text aired again (a repeated spot)."""

    airings: tuple[Airing, ...]  # time order

    @property
    def station(self) -> str:
        return self.airings[0].station

    @property
    def mentions(self) -> tuple[MentionRow, ...]:
        return tuple(m for a in self.airings for m in a.mentions)

    @property
    def text(self) -> str:
        return self.airings[0].text


def group_order(keywords: KeywordSet | None, group_id: str) -> tuple:
    """Sort key of a group: crisis, high, normal, then keywords.yml's order; unknown groups last."""
    if keywords is not None:
        try:
            group = keywords.group(group_id)
        except KeyError:
            pass
        else:
            return (PRIORITY_ORDER.get(group.priority, 3), [g.id for g in keywords.groups].index(group_id))
    return (4, group_id)


def ordered_groups(mentions: Sequence[MentionRow], keywords: KeywordSet | None) -> tuple[str, ...]:
    """The groups of ``mentions``, the highest-priority first (the section an item sits in)."""
    return tuple(sorted(dict.fromkeys(m.group_id for m in mentions), key=lambda g: group_order(keywords, g)))


def lead_mention(mentions: Sequence[MentionRow], keywords: KeywordSet | None) -> MentionRow:
    """The first-heard mention of the highest-priority group: its term names the item and its testigo."""
    top = ordered_groups(mentions, keywords)[0]
    return next(m for m in mentions if m.group_id == top)


def airings(mentions: Sequence[MentionRow], sentences: Mapping[int, Sentence] | None = None) -> list[Airing]:
    """Radio mentions as airings, in time order (press mentions are left out).

    Mentions of one segment are one airing; so are those of adjacent
    segments of one recording (segment ids are consecutive in time within a
    recording: the archive inserts a recording's segments together).
    """
    sentences = sentences or {}
    by_segment: dict[tuple, list[MentionRow]] = {}
    for mention in sorted((m for m in mentions if m.article_id is None), key=lambda m: (m.at_utc, m.id or 0)):
        key = (mention.recording_id, mention.segment_id) if mention.segment_id is not None else ("id", mention.id)
        by_segment.setdefault(key, []).append(mention)
    runs: list[list[tuple]] = []
    for key in sorted(by_segment, key=lambda k: (str(k[0]), k[1] if isinstance(k[1], int) else 0)):
        last = runs[-1][-1] if runs else None
        if last is not None and last[0] == key[0] and key[0] != "id" and key[1] == last[1] + 1:
            runs[-1].append(key)
        else:
            runs.append([key])
    out = []
    for run in runs:
        rows = tuple(sorted((m for key in run for m in by_segment[key]), key=lambda m: (m.at_utc, m.id or 0)))
        heard = tuple(sentences[k[1]] for k in run if k[0] != "id" and k[1] in sentences)
        out.append(Airing(rows[0].station, rows, heard))
    return sorted(out, key=lambda a: (a.at_utc, a.first.id or 0))


def same_text(a: str, b: str) -> bool:
    """The same words aired again: equal once case, accents and punctuation are gone, or nearly (a word
    Whisper heard otherwise)."""
    a, b = fold(a), fold(b)
    return a == b or (bool(a) and bool(b) and fuzz.ratio(a, b) >= SAME_TEXT_RATIO)


def repeated_spots(aired: Sequence[Airing]) -> list[RadioItem]:
    """Airings as items: the same text again on the same station joins the first airing's item (pure)."""
    items: list[list[Airing]] = []
    by_station: dict[str, list[int]] = {}
    for airing in sorted(aired, key=lambda a: (a.at_utc, a.first.id or 0)):
        candidates = by_station.setdefault(airing.station, [])
        for index in candidates:
            if same_text(items[index][0].text, airing.text):
                items[index].append(airing)
                break
        else:
            candidates.append(len(items))
            items.append([airing])
    return [RadioItem(tuple(run)) for run in items]


def radio_items(mentions: Sequence[MentionRow], sentences: Mapping[int, Sentence] | None = None) -> list[RadioItem]:
    """The radio items of ``mentions``: airings, a repeated spot joined into one item (pure)."""
    return repeated_spots(airings(mentions, sentences))


# -- at the edges ----------------------------------------------------------------------------------------
def sentences_of(archive: Archive, mentions: Sequence[MentionRow]) -> dict[int, Sentence]:
    """The transcript segments the radio mentions were heard in, by segment id."""
    ids = sorted({m.segment_id for m in mentions if m.article_id is None and m.segment_id is not None})
    if not ids:
        return {}
    out = {}
    for row in archive.segments_by_id(ids):
        start_ms = row["epoch0_ms"] + round(row["start"] * 1000)
        end_ms = row["epoch0_ms"] + round(row["end"] * 1000)
        out[row["id"]] = Sentence(row["id"], row["recording_id"], _iso_ms(start_ms), _iso_ms(end_ms),
                                  row["text"] or "")
    return out


def _iso_ms(epoch_ms: int) -> str:
    return timeutil.shift("1970-01-01T00:00:00.000Z", epoch_ms / 1000)


def load_keyword_set(config: Config) -> KeywordSet | None:
    """keywords.yml's groups, or None when it is gone (the archive's group ids are used as they are)."""
    return load_keywords(config.keywords) if Path(config.keywords).exists() else None


__all__ = ["Airing", "RadioItem", "Sentence", "airings", "group_order", "lead_mention", "load_keyword_set",
           "ordered_groups", "radio_items", "repeated_spots", "same_text", "sentences_of"]
