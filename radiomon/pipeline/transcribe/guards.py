"""Radio-grade clean-up of decoded segments (pure functions, no model).

Whisper has well-known failure modes on broadcast audio, and each guard here
answers one of them:

* **Phantom lines.** Trained on subtitled video, Whisper "hears" the credits
  of Spanish subtitle files in music and silence: "Subtítulos realizados por
  la comunidad de Amara.org", "Gracias por ver el video", "¡Suscríbete!".
  They are dropped (:func:`is_phantom`).
* **Repetition loops.** A decode that falls into a loop ("Obras Públicas,
  Obras Públicas, …") compresses far better than real speech; segments whose
  zlib compression ratio exceeds 2.4 (Whisper's own threshold) are rejected,
  and repeated consecutive segments are collapsed. A short loop inside a
  30 s window of good text ("Protección civil, Neel, Neel, Neel, …") does not
  move the window's ratio past 2.4, so runs of a repeated word or phrase are
  also cut back to one (:func:`collapse_word_loops`).
* **Words outside speech.** A word placed in a stretch that voice-activity
  detection found to be music or silence was not said; it is dropped.
* **Captions.** The batched pipeline returns one segment per 30 s clip; they
  are split at sentence ends (and at any pause of 1.5 s or more, where a
  jingle was cut out) using the word times, so each archived segment reads
  as a caption and a mention's segment is short.
"""

from __future__ import annotations

import re
import unicodedata
import zlib
from dataclasses import dataclass, replace
from typing import Iterable, Sequence

from radiomon.pipeline.transcribe.types import Clip
from radiomon.transcript import Segment, Word

# Lines Whisper invents in Spanish over music/silence (normalized: lowercase,
# no accents or punctuation). A segment is dropped when its whole text is
# made of these; a phrase inside real speech is left alone.
PHANTOM_PATTERNS: tuple[str, ...] = (
    r"subtitulos? (realizados? )?(por|de) la comunidad de amara ?(\.? ?org)?",
    r"subtitulos? (realizados?|hechos?|creados?) por .{0,40}",
    r"subtitulado por .{0,40}",
    r"amara ?org",
    r"gracias por (ver|mirar) (el|este) (video|videos|canal)",
    r"gracias por (su|tu) atencion",
    r"gracias por ver",
    r"(no olvides )?(suscribete|suscribanse|suscribirte)( (al|a mi|a nuestro) canal)?"
    r"( y (dale|denle) (like|me gusta))?",
    r"dale like y suscribete",
    r"nos vemos en el proximo video",
    r"(musica|music|aplausos|risas)",
    r"www ?\w+ ?(com|org|net)",
)
_PHANTOM = re.compile(r"^(?:(?:" + "|".join(PHANTOM_PATTERNS) + r")\s*)+$")

COMPRESSION_RATIO_MAX = 2.4  # Whisper's default; loops compress to 3–10
# A word said 4 times in a row, or a 2–3 word phrase 3 times, is a decoding
# loop, not speech (news does not say "Neel, Neel, Neel, Neel").
LOOP_RUN = {1: 4, 2: 3, 3: 3}
SENTENCE_END = (".", "?", "!", "…", "。")
CLAUSE_END = (",", ";", ":")


@dataclass(frozen=True)
class GuardOptions:
    compression_ratio_max: float = COMPRESSION_RATIO_MAX
    # Whisper's "no speech" rule: drop a segment that the model itself thinks
    # is silence *and* decoded with low confidence.
    no_speech_prob_max: float = 0.6
    no_speech_logprob: float = -1.0
    speech_pad_s: float = 0.3  # tolerance around VAD regions for word times
    caption_max_s: float = 12.0  # split captions longer than this …
    caption_max_chars: int = 120  # … or longer than this
    caption_min_s: float = 1.5  # never cut a caption shorter than this at a sentence end
    caption_gap_s: float = 1.5  # a pause this long (a jingle, a song) always starts a new caption


def normalize(text: str) -> str:
    """Lowercase, no accents, punctuation as spaces, single spaces."""
    folded = unicodedata.normalize("NFKD", text.lower())
    folded = "".join(c for c in folded if not unicodedata.combining(c))
    return " ".join(re.sub(r"[^\w]+", " ", folded).split())


def is_phantom(text: str) -> bool:
    norm = normalize(text)
    return not norm or bool(_PHANTOM.match(norm))


def compression_ratio(text: str) -> float:
    data = text.encode("utf-8")
    return len(data) / len(zlib.compress(data)) if data else 0.0


def _text_of(words: Sequence[Word]) -> str:
    return "".join(w.text for w in words).strip()


def inside(t: float, regions: Sequence[Clip], pad: float) -> bool:
    return any(r.start - pad <= t <= r.end + pad for r in regions)


def drop_words_outside(segment: Segment, regions: Sequence[Clip], pad: float) -> Segment | None:
    """The segment without words whose middle lies outside every speech region."""
    if not segment.words:
        return segment
    kept = tuple(w for w in segment.words if inside((w.start + w.end) / 2, regions, pad))
    if len(kept) == len(segment.words):
        return segment
    if not kept:
        return None
    return replace(segment, words=kept, text=_text_of(kept), start=kept[0].start, end=kept[-1].end)


def _loop_at(keys: Sequence[str], i: int) -> tuple[int, int]:
    """(phrase length, repetitions) of the longest loop starting at word ``i``, or (0, 0)."""
    for n, least in LOOP_RUN.items():
        phrase = keys[i:i + n]
        if len(phrase) < n or not all(phrase):
            continue
        reps = 1
        while keys[i + reps * n:i + (reps + 1) * n] == phrase:
            reps += 1
        if reps >= least:
            return n, reps
    return 0, 0


def in_clip(segment: Segment, clip: Clip) -> bool:
    """Whether a segment came from this clip: by its middle, since the
    pipeline rounds a segment's start, which can land a few ms before its
    clip's (a start test once threw away a good clip with the looping one
    before it: half a minute of news lost)."""
    return clip.start <= (segment.start + segment.end) / 2 < clip.end


def has_word_loop(words: Sequence[Word]) -> bool:
    keys = [normalize(w.text) for w in words]
    return any(_loop_at(keys, i)[1] for i in range(len(keys)))


def collapse_word_loops(segment: Segment) -> Segment:
    """The segment with each run of a looping word or phrase cut back to its first saying."""
    keys = [normalize(w.text) for w in segment.words]
    kept: list[Word] = []
    i = 0
    while i < len(keys):
        n, reps = _loop_at(keys, i)
        if reps:
            kept.extend(segment.words[i:i + n])
            i += n * reps
        else:
            kept.append(segment.words[i])
            i += 1
    if len(kept) == len(segment.words):
        return segment
    return replace(segment, words=tuple(kept), text=_text_of(kept), start=kept[0].start, end=kept[-1].end,
                   compression_ratio=compression_ratio(_text_of(kept)))


def collapse_repeats(segments: Sequence[Segment]) -> list[Segment]:
    """Consecutive segments with the same text become one (the first, extended)."""
    out: list[Segment] = []
    for s in segments:
        if out and normalize(s.text) == normalize(out[-1].text):
            out[-1] = replace(out[-1], end=max(out[-1].end, s.end))
            continue
        out.append(s)
    return out


def split_captions(segment: Segment, options: GuardOptions = GuardOptions()) -> list[Segment]:
    """Cut a long segment at sentence ends (then clause ends) using word times."""
    words = segment.words
    gaps = any(b.start - a.end >= options.caption_gap_s for a, b in zip(words, words[1:]))
    if not words or (not gaps and segment.end - segment.start <= options.caption_max_s
                     and len(segment.text) <= options.caption_max_chars):
        return [segment]
    pieces: list[list[Word]] = []
    current: list[Word] = []
    for i, w in enumerate(words):
        if current and w.start - current[-1].end >= options.caption_gap_s:
            pieces.append(current)
            current = []
        current.append(w)
        span = current[-1].end - current[0].start
        chars = len(_text_of(current))
        ends_sentence = w.text.strip().endswith(SENTENCE_END)
        ends_clause = w.text.strip().endswith(CLAUSE_END)
        too_long = span >= options.caption_max_s or chars >= options.caption_max_chars
        if i < len(words) - 1 and ((ends_sentence and span >= options.caption_min_s) or (
            too_long and (ends_clause or ends_sentence or span >= options.caption_max_s * 1.25)
        )):
            pieces.append(current)
            current = []
    if current:
        pieces.append(current)
    if len(pieces) == 1:
        return [segment]
    return [
        replace(segment, start=p[0].start, end=p[-1].end, text=_text_of(p), words=tuple(p),
                compression_ratio=compression_ratio(_text_of(p)))
        for p in pieces
    ]


@dataclass
class GuardReport:
    """What the guards removed, for the log and the benchmark."""

    phantom: int = 0
    loops: int = 0
    no_speech: int = 0
    words_outside: int = 0
    repeats: int = 0
    word_loops: int = 0


def clean(
    segments: Iterable[Segment],
    regions: Sequence[Clip] | None,
    options: GuardOptions = GuardOptions(),
    report: GuardReport | None = None,
) -> list[Segment]:
    """Every guard in order: the segments worth storing, as captions, by time."""
    report = report if report is not None else GuardReport()
    kept: list[Segment] = []
    for s in sorted(segments, key=lambda s: (s.start, s.end)):
        if is_phantom(s.text):
            report.phantom += 1
            continue
        ratio = s.compression_ratio if s.compression_ratio is not None else compression_ratio(s.text)
        if ratio > options.compression_ratio_max:
            report.loops += 1
            continue
        if (s.no_speech_prob or 0) > options.no_speech_prob_max and (s.avg_logprob or 0) < options.no_speech_logprob:
            report.no_speech += 1
            continue
        trimmed = collapse_word_loops(s)
        report.word_loops += trimmed is not s
        s = trimmed
        if regions is not None:
            before = len(s.words)
            trimmed = drop_words_outside(s, regions, options.speech_pad_s)
            report.words_outside += before - (len(trimmed.words) if trimmed else 0)
            if trimmed is None or not trimmed.text:
                continue
            s = trimmed
        for caption in split_captions(s, options):
            if is_phantom(caption.text):  # a credit line glued to real speech
                report.phantom += 1
                continue
            kept.append(caption)
    # Captions by time: a stretch decoded again (faster_whisper.uncovered) lies
    # between two captions of the segment around it, and left after both it
    # had every word pushed to the later one's end (_monotonic).
    kept.sort(key=lambda s: (s.start, s.end))
    collapsed = collapse_repeats(kept)
    report.repeats += len(kept) - len(collapsed)
    return _monotonic(collapsed)


def _monotonic(segments: list[Segment]) -> list[Segment]:
    """Times never go backwards, and a segment spans exactly its words."""
    out: list[Segment] = []
    last_end = 0.0
    for s in segments:
        words: list[Word] = []
        for w in s.words:
            start = max(w.start, last_end)
            end = max(w.end, start)
            words.append(w if (start, end) == (w.start, w.end) else w._replace(start=start, end=end))
            last_end = end
        if words:
            start, end = words[0].start, words[-1].end
        else:
            start = max(s.start, last_end)
            end = max(s.end, start)
        out.append(replace(s, start=start, end=end, words=tuple(words)))
        last_end = end
    return out
