"""Suggest benchmark: ``radiomon keywords suggest`` over days of the synthetic archive.

Uses the search benchmark's synthetic archive (build it once)::

    python benchmarks/search.py --days 14 --db /tmp/two-weeks.db
    python benchmarks/suggest.py --db /tmp/two-weeks.db                # the bundled keywords.yml
    python benchmarks/suggest.py --db /tmp/two-weeks.db --terms 200 --days 2 --reach 20 --check

It times the job's archive pass (radiomon/pipeline/match/near_misses.py:
the re-match's narrowing with the matcher's thresholds lowered as
rescoring lowers them, then both matchers around what it found) over the
last ``--days`` days of the archive (all of it by default), with the
bundled keywords.yml or that file extended to ``--terms`` terms as
benchmarks/match.py extends it, and prints what was read, what the
matchers read, how many near misses and distinct spellings came out, the
most frequent ones, and the time. ``--check`` then reads every segment of
the range with both matchers and compares, sighting for sighting. The
archive is opened read-only in effect: nothing is written to it.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from datetime import timedelta
from importlib import resources
from pathlib import Path

from match import calibration, keywords_file

from radiomon import timeutil
from radiomon.archive import Archive
from radiomon.filters import Filters
from radiomon.keywords import Matcher, load_keywords
from radiomon.keywords.near_misses import SUGGEST_REACH as REACH
from radiomon.keywords.near_misses import suggest_near_misses
from radiomon.keywords.suggest import rank
from radiomon.pipeline.match.near_misses import find_near_misses, near_misses_in


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", type=Path, required=True, help="the search benchmark's archive (not changed)")
    parser.add_argument("--terms", type=int, help="extend the bundled keywords.yml to this many terms")
    parser.add_argument("--days", type=int, help="only the last DAYS days of the archive")
    parser.add_argument("--reach", type=float, default=REACH, help=f"points below each threshold (default {REACH:g})")
    parser.add_argument("--check", action="store_true", help="then read every segment of the range and compare")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp, Archive(args.db, create=False) as archive:
        path = keywords_file(Path(tmp), args.terms) if args.terms else \
            Path(str(resources.files("radiomon") / "data" / "keywords.yml"))
        keywords = load_keywords(path)
        filters = Filters()
        if args.days:
            (last,) = archive.conn.execute("SELECT max(start_utc) FROM recordings").fetchone()
            filters = Filters(since=timeutil.parse_iso(last) - timedelta(days=args.days))
        print(f"{len(keywords.terms)} terms, reach {args.reach:g}, range {filters.since or 'everything'}")
        began = time.perf_counter()
        found = find_near_misses(archive, keywords, filters, reach=args.reach)
        seconds = time.perf_counter() - began
        suggestions = [s for s in rank(found.near_misses) if s.kind == "near_miss"]
        print(f"near misses: {seconds:.1f} s for {found.segments:,} segments of {found.recordings:,} recordings "
              f"({found.segments / max(seconds, 1e-9):,.0f} segments/s); {found.matched:,} segments through the "
              f"matchers; {len(found.near_misses):,} near misses, {len(suggestions):,} distinct (term, spelling)")
        for s in sorted(suggestions, key=lambda s: -s.count)[:8]:
            print(f"  {s.count:6,} × {s.heard!r} for {s.keyword} (best {s.best_score:.1f})")
        if args.check:
            strict, loose = Matcher(keywords), Matcher(keywords, near_miss=suggest_near_misses(args.reach))
            began = time.perf_counter()
            read = {segment_id for r in archive.recordings_with_text(filters)
                    for segment_id, _, _ in archive.texts_said([r], filters)}
            expected = [s for r in archive.recordings_with_text(filters)
                        for s in near_misses_in(strict, loose, archive.segments_to_match(r)) if s.segment_id in read]
            same = expected == found.near_misses
            print(f"  check: every segment read by both matchers ({time.perf_counter() - began:.1f} s): "
                  f"{'identical' if same else 'DIFFERENT'}")
        print(f"machine speed now: {calibration():.2f} s for 20 M Python additions (see benchmarks/match.py)")


if __name__ == "__main__":
    main()
