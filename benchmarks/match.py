"""Match benchmark: a full re-match of a station-year with 200 keyword terms.

Uses the search benchmark's synthetic archive (build it once, a few minutes)::

    python benchmarks/search.py --days 365 --db /tmp/year.db   # or --days 7 --db /tmp/week.db
    python benchmarks/match.py --db /tmp/year.db
    python benchmarks/match.py --db /tmp/week.db --once --check   # mention for mention vs every recording

The keywords are the default keywords.yml extended with synthetic but
plausible terms (officials' names, colonias, streets, programs, businesses)
up to ``--terms`` terms. It times ``radiomon match --all``'s function twice on
a copy of the archive: the first run writes every mention (none stored
yet), the second finds them all unchanged (the idempotent case, and the cost
of re-matching after a small keywords.yml edit).

Target on the 2-core reference machine: full re-match <= 60 s.

How it works: radiomon/pipeline/match/rematch.py (every text read once, each distinct word
compared with each keyword once, proven per-word bounds on the matcher's
score in numpy, exact scores for the windows that pass, the matcher only
around windows that reach their threshold). The phases printed: vocabulary
(the FTS index's distinct words against the keywords, before the texts),
then, summed over the worker processes (CPU seconds), words (reading texts
into word rows), bounds, scores, matcher; match is the wall time of all that.

Figures measured so far: benchmarks/NOTES.md.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import sqlite3
import sys
import tempfile
import time
from dataclasses import asdict
from importlib import resources
from pathlib import Path

import yaml

from radiomon.archive import Archive
from radiomon.archive.schema import SCHEMA_V1
from radiomon.keywords import load_keywords
from radiomon.pipeline.match import load_matcher, rematch_all
from radiomon.pipeline.match.core import find_in_segments

FIRST = ("María Guadalupe", "José Luis", "Juan Carlos", "Ana Laura", "Francisco Javier", "Rosa María", "Miguel Ángel",
         "Martha Elena", "Jesús", "Verónica", "Alejandro", "Claudia", "Ricardo", "Leticia", "Fernando", "Adriana",
         "Arturo", "Gabriela", "Ramón", "Silvia")
LAST = ("Ramírez", "Hernández", "García", "López", "Martínez", "Zavala", "Cerna", "Villagómez", "Ruiz", "Pantoja",
        "Guzmán", "Aguilar", "Ortega", "Rosales", "Tapia", "Zamudio", "Soto", "Cisneros", "Herrera", "Navarro")
ROLES = ("regidor", "regidora", "director", "directora", "síndico", "tesorero", "secretario del Ayuntamiento")
COLONIAS = ("Colonia Lázaro Cárdenas", "Colonia Francisco Villa", "Colonia Las Flores", "Colonia Guadalupe",
            "Colonia Infonavit", "Colonia El Pirul", "Colonia La Joya", "Colonia Santa Fe", "Colonia Los Pinos",
            "Fraccionamiento Las Fuentes", "Colonia La Cruz", "Colonia Vista Hermosa", "Colonia San Juan",
            "Colonia El Cerrito", "Colonia Lindavista", "Comunidad de La Ordeña", "Comunidad de Caricheo",
            "Comunidad de Quiahuyo", "Comunidad de La Barranca", "Comunidad de Cañada de Ortega")
STREETS = ("calle Hidalgo", "calle Morelos", "avenida Juárez", "calle Allende", "calle Zaragoza", "calle Madero",
           "calle Guerrero", "bulevar Las Américas", "calle Pípila", "calle Aldama", "avenida de la Ferrocarrilera",
           "calle Abasolo", "calle Matamoros", "calle Iturbide", "calle Galeana")
PROGRAMS = ("programa Mi Colonia a Color", "programa Calentadores Solares", "programa Mujeres Emprendedoras",
            "programa Techo Digno", "programa Becas Moroleón", "programa Salud en tu Colonia",
            "programa Bacheo Permanente", "programa Moroleón Limpio", "programa Adultos Mayores Activos",
            "programa Juventud Deportiva", "Feria Nacional del Rebozo", "Expo Textil Moroleón",
            "Festival del Mariachi", "mercado Hidalgo", "tianguis textil", "plaza principal",
            "unidad deportiva Moroleón", "panteón municipal", "rastro municipal", "relleno sanitario")


def synthetic_terms(count: int, seed: int = 3) -> list[dict]:
    """``count`` plausible extra terms: people with roles, places, programs."""
    rng = random.Random(seed)
    pool = [{"term": c} for c in COLONIAS] + [{"term": s} for s in STREETS] + [{"term": p} for p in PROGRAMS]
    seen = {p["term"] for p in pool}
    while len(pool) < count:
        name = f"{rng.choice(FIRST)} {rng.choice(LAST)} {rng.choice(LAST)}"
        if name not in seen:
            seen.add(name)
            alias = f"{rng.choice(ROLES)} {name.split()[-2]}"
            if alias not in seen:  # an alias may name one person only
                seen.add(alias)
                pool.append({"term": name, "aliases": [alias]})
    rng.shuffle(pool)
    return pool[:count]


def keywords_file(folder: Path, terms: int) -> Path:
    data = yaml.safe_load((resources.files("radiomon") / "data" / "keywords.yml").read_text(encoding="utf-8"))
    have = sum(len(g["terms"]) for g in data["groups"].values())
    data["groups"]["sintetico"] = {"label": "Términos sintéticos del benchmark", "priority": "normal",
                                   "terms": synthetic_terms(max(0, terms - have))}
    path = folder / "keywords.yml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def ensure_current_schema(path: Path) -> None:
    """Archives built before the mentions/events DDL settled: add what is missing."""
    conn = sqlite3.connect(str(path))
    names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
    for statement in SCHEMA_V1:
        words = statement.split()
        kind = words[1] if words[1] != "UNIQUE" else words[2]
        name = words[2] if words[1] != "UNIQUE" else words[3]
        if kind in ("TABLE", "INDEX") and name not in names and ("mentions" in statement or "events" in statement):
            if name == "mentions_segment":
                conn.execute("DROP INDEX IF EXISTS mentions_segment")
            conn.execute(statement)
    if "mentions_segment" in names:  # the old non-unique index
        sql = conn.execute("SELECT sql FROM sqlite_master WHERE name = 'mentions_segment'").fetchone()[0]
        if "UNIQUE" not in sql:
            conn.execute("DROP INDEX mentions_segment")
            conn.execute(next(s for s in SCHEMA_V1 if "mentions_segment" in s))
    conn.commit()
    conn.close()


def check(archive: Archive, matcher) -> None:
    """The full re-match's mentions against matching each recording's every segment."""
    def key(row) -> tuple:
        return (row["segment_id"], row["keyword"], row["matched"], round(row["score"], 1))
    stored = sorted(key(r) for r in archive.query("SELECT segment_id, keyword, matched, score FROM mentions"))
    began = time.perf_counter()
    expected = sorted(
        key(asdict(row)) for (rid,) in archive.conn.execute("SELECT id FROM recordings WHERE status = 'transcribed'")
        for row in find_in_segments(matcher, archive.segments_to_match(rid)))
    same = stored == expected
    print(f"  check: {len(expected):,} mentions matching every recording exhaustively "
          f"({time.perf_counter() - began:.1f} s): {'identical' if same else 'DIFFERENT'}")
    if not same:
        print(f"    missing {sorted(set(expected) - set(stored))[:5]}, extra {sorted(set(stored) - set(expected))[:5]}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", type=Path, required=True, help="the search benchmark's archive (copied, not changed)")
    parser.add_argument("--terms", type=int, default=200, help="keyword terms (default 200)")
    parser.add_argument("--in-place", action="store_true", help="match --db itself instead of a copy")
    parser.add_argument("--once", action="store_true", help="only the first (full) run")
    parser.add_argument("--workers", type=int, help="matcher processes (default: one per core)")
    parser.add_argument(
        "--check",
        action="store_true",
        help="then match every recording exhaustively and compare, mention for mention (7 days: ~1 min)",
    )
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(dir=args.db.parent) as tmp:
        folder = Path(tmp)
        db = args.db
        if not args.in_place:
            db = folder / "year.db"
            print(f"copying {args.db} …", file=sys.stderr)
            shutil.copy(args.db, db)
            os.sync()  # or writing the copy back to disk slows the first run by seconds
        ensure_current_schema(db)
        keywords = keywords_file(folder, args.terms)
        print(f"{len(load_keywords(keywords).terms)} terms", file=sys.stderr)
        with Archive(db) as archive:
            archive.conn.execute("DELETE FROM mentions")
            archive.conn.execute("DELETE FROM events")
            segments = archive.conn.execute("SELECT max(id) FROM segments").fetchone()[0]
            began = time.perf_counter()
            matcher = load_matcher(keywords)
            compile_s = time.perf_counter() - began
            times = []
            labels = ("full re-match (empty mentions)", "again (nothing changed)")
            for label in labels[:1] if args.once else labels:
                began = time.perf_counter()
                result = rematch_all(archive, matcher, workers=args.workers)
                total = time.perf_counter() - began
                times.append(total)
                phases = ", ".join(f"{k} {v:.1f} s" for k, v in result.timings.items())
                print(f"{label}: {total:.1f} s for {segments:,} segments, {result.recordings:,} recordings "
                      f"({phases}; compile {compile_s:.2f} s)")
                print(f"  {result.words:,} words read, {result.anchors:,} anchors, {result.windows:,} windows scored, "
                      f"{result.segments:,} segments through the matcher; "
                      f"{result.added:,} added, {result.unchanged:,} unchanged, {result.removed:,} removed")
            if args.check:
                check(archive, matcher)
            by_group = archive.query("SELECT group_id, count(*) AS n FROM mentions GROUP BY 1 ORDER BY 2 DESC")
            print("  mentions by group: " + ", ".join(f"{r['group_id']} {r['n']:,}" for r in by_group))
        print(f"target <= 60 s: {'ok' if times[0] <= 60 else 'MISSED'} (first run: {times[0]:.1f} s)")
        print(f"machine speed now: {calibration():.2f} s for 20 M Python additions (compare runs by it; "
              "the shared reference box gave 0.9-1.8 s on 2026-11-26)")


def calibration() -> float:
    """A fixed pure-Python workload: the shared machine's speed varies by a fifth from hour to hour."""
    began = time.perf_counter()
    total = 0
    for i in range(20_000_000):
        total += i
    return time.perf_counter() - began


if __name__ == "__main__":
    main()
