"""Search benchmark: one station-year of synthetic Whisper transcripts.

Builds an archive of ``--days`` × 24 one-hour recordings of Whisper-like
5–10 s segments (Spanish text drawn from a Zipf-distributed vocabulary with
the municipality's proper nouns mixed in) through the same import code path
as ``radiomon import --transcript``, then times 100 varied queries through
the same search function as ``radiomon search``, and prints:

- import rate (segments/s, JSON decoding excluded, archive writes included),
- p50/p95/max query latency,
- archive size against the raw text size.

Targets on the 2-core reference machine: import >= 20,000 segments/s,
p95 <= 50 ms, archive <= 2.5 x raw text.

    python benchmarks/search.py              # a full station-year (~4.2 M segments, a few minutes)
    python benchmarks/search.py --days 7     # quick look
    python benchmarks/search.py --approx     # approximate search (radiomon search --approx), p95 <= 150 ms
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import numpy as np

from radiomon.archive import Archive
from radiomon.filters import Filters
from radiomon.pipeline.ingest import import_transcript_data
from radiomon.search import search, search_results
from radiomon.search.approximate import sound_index

COMMON = (
    "de la que el en y a los se del las un por con no una su para es al lo como más o pero sus le ha me "
    "si sin sobre este ya entre cuando todo esta ser son dos también fue había era muy años hasta desde "
    "está mi porque qué sólo han yo hay vez puede todos así nos ni parte tiene él uno donde bien tiempo "
    "mismo ese ahora cada e vida otro después te otros aunque esa eso hace otra gobierno tan durante "
    "siempre día tanto ella tres sí dijo sido gran país según menos mundo año antes estado contra sino "
    "forma caso nada hacer general estaba poco estos presidente mayor ante unos les algo hacia casa ellos "
    "ayer hecho primera mucho mientras además quien momento millones esto señor trabajo gente ciudad "
    "municipio obras agua calle colonia escuela mercado seguridad policía salud programa apoyo familias "
    "vecinos servicio alumbrado drenaje pavimentación bacheo feria fiesta tianguis comerciantes rebozo "
    "textil productores campo lluvia temporada precio pesos semana lunes martes miércoles jueves viernes "
    "sábado domingo mañana tarde noche noticias radio estación música canción entrevista llamada oyentes"
).split()

PROPER = (
    "Moroleón Uriangato Yuriria Guanajuato Celaya Salvatierra Acámbaro Morelia León DIF Piñícuaro "
    "Cabildo Ayuntamiento Tesorería Protección Civil Obras Públicas SMAPAM alcaldesa regidora síndico"
).split()

SYLLABLES = (
    "ba be bi bo bu ca co cu da de di do du fa fe fi fo ga go gu la le li lo lu ma me mi mo mu na ne ni "
    "no nu pa pe pi po pu ra re ri ro ru sa se si so su ta te ti to tu va ve vi za zo ción mente dad ñe lla rro"
).split()

QUERY_SHAPES = [
    # (query, filters) — common and rare words, phrases, proper nouns, prefixes,
    # exclusions, with and without station/date filters.
    ("de", {}), ("la que", {}), ('"de la"', {}), ("presidente", {}), ("moroleon", {}),
    ("Moroleón", {"days": 1}), ("uriangato", {"station": True}), ('"obras públicas"', {}),
    ("DIF", {"days": 7}), ("mercado OR tianguis", {}), ("agua -lluvia", {}), ("colo*", {}),
    ("piñicuaro", {}), ("pinicuaro", {"days": 30}), ("seguridad policía", {"days": 1}),
    ('"protección civil"', {"station": True, "days": 7}), ("rebozo", {}), ("feria", {"days": 3}),
]


# Real Spanish words for the vocabulary's long tail (Debian's wspanish):
# random syllable strings sound like the keywords far more often than Spanish
# does, which made the match benchmark's pre-selection look worse than it is.
SPANISH_WORDS = Path("/usr/share/dict/spanish")
_warned = False


def spanish_words() -> list[str]:
    """The dictionary's lowercase words, sorted (empty, with a note, when wspanish is not installed)."""
    global _warned
    if not SPANISH_WORDS.exists():
        if not _warned:
            print(f"note: {SPANISH_WORDS} missing (apt-get install wspanish): "
                  "the vocabulary's long tail is random syllables", file=sys.stderr)
            _warned = True
        return []
    words = SPANISH_WORDS.read_text(encoding="utf-8").split()
    return sorted({w for w in words if w.isalpha() and w.islower()})


def build_vocabulary(rng: random.Random, size: int) -> list[str]:
    """COMMON first (the Zipf head), then real Spanish words in random order,
    then (only if the dictionary is missing or short) syllable strings."""
    words = list(dict.fromkeys(COMMON))
    seen = set(words)
    tail = [w for w in spanish_words() if w not in seen]
    rng.shuffle(tail)
    words += tail[:size - len(words)]
    seen.update(words)
    while len(words) < size:
        word = "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4)))
        if word not in seen:
            seen.add(word)
            words.append(word)
    return words


def hour_transcript(np_rng, rng, vocab, cdf, proper_rate: float) -> dict:
    """One hour of Whisper JSON: back-to-back 5–10 s segments of Zipf text."""
    lengths = []
    at = 0.0
    while at < 3600 - 5:
        lengths.append(rng.uniform(5, 10))
        at += lengths[-1]
    counts = [max(3, int(length * rng.uniform(1.8, 2.8))) for length in lengths]
    # One vectorized draw per hour: sampling per segment dominated the run.
    indices = np.searchsorted(cdf, np_rng.random(sum(counts))).tolist()
    segments, at, used = [], 0.0, 0
    for length, n_words in zip(lengths, counts):
        words = [vocab[i] for i in indices[used:used + n_words]]
        used += n_words
        if rng.random() < proper_rate:
            words.insert(rng.randrange(len(words)), rng.choice(PROPER))
        text = " " + " ".join(words).capitalize() + "."
        segments.append({"start": round(at, 2), "end": round(at + length, 2), "text": text})
        at += length
    return {"segments": segments, "language": "es"}


def build_archive(path: Path, days: int, seed: int) -> tuple[int, int, float]:
    rng, np_rng = random.Random(seed), np.random.default_rng(seed)
    vocab = build_vocabulary(rng, 60_000)
    ranks = np.arange(1, len(vocab) + 1)
    zipf = 1.0 / ranks ** 1.07
    cdf = np.cumsum(zipf / zipf.sum())
    cdf[-1] = 1.0
    archive = Archive(path)
    archive.ensure_station("radio-benchmark", "America/Mexico_City")
    start0 = datetime(2025, 11, 26, 6, tzinfo=timezone.utc)
    total_segments, text_bytes, import_seconds = 0, 0, 0.0
    for hour in range(days * 24):
        data = hour_transcript(np_rng, rng, vocab, cdf, proper_rate=0.04)
        text_bytes += sum(len(s["text"].strip().encode()) for s in data["segments"])
        began = time.perf_counter()
        result = import_transcript_data(
            archive, data, source=f"synthetic-{hour}.json", sha256=f"synthetic-{seed}-{hour}",
            station="radio-benchmark", start=start0 + timedelta(hours=hour),
        )
        import_seconds += time.perf_counter() - began
        total_segments += result.segments
        if hour % (24 * 30) == 0 and hour:
            print(f"  … {hour // 24} days, {total_segments:,} segments, "
                  f"{total_segments / import_seconds:,.0f} segments/s", file=sys.stderr)
    archive.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    archive.close()
    return total_segments, text_bytes, import_seconds


def queries(days: int, seed: int) -> list[tuple[str, dict]]:
    """100 queries: the fixed shapes, then random vocabulary words and pairs."""
    rng = random.Random(seed + 1)
    vocab = build_vocabulary(random.Random(seed), 60_000)
    chosen = list(QUERY_SHAPES)
    while len(chosen) < 100:
        kind = rng.random()
        if kind < 0.35:
            q = vocab[int(rng.paretovariate(0.7)) % len(vocab)]  # Zipf-ish: common words more often
        elif kind < 0.6:
            q = vocab[rng.randrange(len(vocab))]  # any word, mostly rare
        elif kind < 0.8:
            q = f'"{rng.choice(COMMON)} {rng.choice(COMMON)}"'
        else:
            q = f"{rng.choice(PROPER)} {rng.choice(COMMON)}"
        filters = {}
        if rng.random() < 0.4:
            filters["days"] = rng.choice([1, 7, 30])
        if rng.random() < 0.3:
            filters["station"] = True
        chosen.append((q, filters))
    return chosen[:100]


def misheard(query: str, rng: random.Random) -> str:
    """A query as Whisper might have written it: one letter of a word dropped, doubled or swapped
    for one that sounds alike, as approximate search must undo ("tianguis" → "tiangis")."""
    words = query.split()
    i = rng.randrange(len(words))
    if '"' in words[i] or words[i].startswith("-") or words[i].endswith("*"):
        return query  # a phrase, an exclusion or a prefix: left as typed
    word = words[i]
    if len(word) < 4:
        return query
    at = rng.randrange(1, len(word) - 1)
    alike = {"b": "v", "v": "b", "s": "z", "z": "s", "c": "s", "y": "ll", "g": "j", "i": "y", "o": "u"}
    kind = rng.random()
    if kind < 0.4:
        word = word[:at] + word[at + 1:]
    elif kind < 0.7 and word[at] in alike:
        word = word[:at] + alike[word[at]] + word[at + 1:]
    else:
        word = word[:at] + word[at] + word[at:]
    words[i] = word
    return " ".join(words)


def time_queries(path: Path, days: int, seed: int, *, approx: bool = False) -> list[tuple[float, str, int]]:
    """Each query's milliseconds, label and hit count; ``approx``: approximate search on every query
    (as ``radiomon search --approx``), and half of them misspelled as Whisper would."""
    archive = Archive(path)
    if approx:
        began = time.perf_counter()
        read = archive.update_vocabulary()
        words = archive.conn.execute("SELECT count(*) FROM vocabulary").fetchone()[0]
        print(f"vocabulary: {words:,} words from {read:,} segments in {time.perf_counter() - began:.1f} s",
              file=sys.stderr)
        began = time.perf_counter()
        sound_index(archive)
        print(f"vocabulary in memory in {(time.perf_counter() - began) * 1000:.0f} ms", file=sys.stderr)
        spelling = random.Random(seed + 2)
    end = datetime(2025, 11, 26, 6, tzinfo=timezone.utc) + timedelta(days=days)
    timings = []
    for query, filters in queries(days, seed):
        since = end - timedelta(days=filters["days"]) if "days" in filters else None
        if since is not None:  # a window somewhere in the year, not always the newest
            offset = random.Random(query).randint(0, max(0, days - filters["days"]))
            since = since - timedelta(days=offset)
        until = since + timedelta(days=filters["days"]) if since else None
        stations = ("radio-benchmark",) if filters.get("station") else ()
        if approx and spelling.random() < 0.5:
            query = misheard(query, spelling)
        began = time.perf_counter()
        if approx:
            hits = search_results(archive, query, Filters(stations=stations, since=since, until=until), limit=20,
                                  approx=True).hits
        else:
            hits = search(archive, query, Filters(stations=stations, since=since, until=until), limit=20)
        elapsed = (time.perf_counter() - began) * 1000
        timings.append((elapsed, f"{query} {filters}", len(hits)))
    archive.close()
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--days", type=int, default=365, help="days of one station (default 365)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--db", type=Path, help="archive path (default: a temporary file, deleted after)")
    parser.add_argument("--reuse", action="store_true", help="time the queries on an existing --db")
    parser.add_argument("--approx", action="store_true",
                        help="approximate search on every query, half of them misspelled (target p95 <= 150 ms)")
    args = parser.parse_args()

    workdir = tempfile.mkdtemp(prefix="radiomon-bench-")
    path = args.db or Path(workdir) / "bench.db"
    if not args.reuse:
        print(f"building {args.days} days of one station in {path} …", file=sys.stderr)
        total, text_bytes, seconds = build_archive(path, args.days, args.seed)
        print(f"import: {total:,} segments in {seconds:.1f} s = {total / seconds:,.0f} segments/s")
        size = sum(p.stat().st_size for p in path.parent.glob(path.name + "*"))
        print(f"archive: {size / 1e6:,.1f} MB for {text_bytes / 1e6:,.1f} MB of raw text = {size / text_bytes:.2f} x")
    timings = time_queries(path, args.days, args.seed, approx=args.approx)
    values = sorted(t for t, _, _ in timings)
    p95 = values[int(0.95 * len(values)) - 1]
    print(f"queries: {len(values)}, p50 {statistics.median(values):.1f} ms, p95 {p95:.1f} ms, max {values[-1]:.1f} ms")
    for elapsed, label, n in sorted(timings, reverse=True)[:5]:
        print(f"  slowest: {elapsed:7.1f} ms  {n:2d} hits  {label}")
    if not args.db:
        for leftover in Path(workdir).glob("*"):
            leftover.unlink()
        os.rmdir(workdir)


if __name__ == "__main__":
    main()
