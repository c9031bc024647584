"""Recall of approximate search on the mentions evaluation's transcripts.

The mentions benchmark (benchmarks/mentions.py) speaks known sentences with
espeak-ng and transcribes them with the bundled Whisper model. Here each real
word of each sentence (4+ letters, not a stopword) is searched, as staff
would type it, in what Whisper wrote: the sentence is recalled by a search
when a hit falls within it (a second of slack). Exact search against
approximate search (``radiomon search --approx``), and how many of the
approximate hits are right (their sentence has the word).

The sample (the programme, its recordings and the archive) is built once by
mentions.py's own run_sample and cached under .cache/approx-recall/ (the
transcription is what costs: about a minute of CPU for three minutes of
audio with the base model); later runs only search.

    python benchmarks/approx_recall.py                  # seed 1, 3 minutes
    python benchmarks/approx_recall.py --minutes 5 --seed 2

Figures: benchmarks/NOTES.md.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import mentions as ev  # noqa: E402

from radiomon import timeutil  # noqa: E402
from radiomon.archive import Archive  # noqa: E402
from radiomon.keywords.common_words import STOPWORDS  # noqa: E402
from radiomon.search import search_results  # noqa: E402
from radiomon.search.ranking import tokens  # noqa: E402

CACHE = Path(__file__).resolve().parent.parent / ".cache" / "approx-recall"
SLACK = 1.0  # seconds around a sentence, as the mentions benchmark's TOLERANCE


def sample(minutes: float, seed: int, municipality: str) -> tuple[Path, list[dict]]:
    """The archive and the sentences (programme seconds, text) of one sample, built once."""
    folder = CACHE / f"{municipality}-seed{seed}-{minutes:g}min"
    spoken = folder / "utterances.json"
    if not spoken.exists():
        chosen = ev.MUNICIPALITIES[municipality]
        keywords = ev.keywords_file(chosen, None)
        result = ev.run_sample(list(chosen.sentences), keywords, folder, minutes=minutes, seed=seed, model=None)
        spoken.write_text(json.dumps([{"start": u.start, "end": u.end, "text": u.text}
                                      for u in result["utterances"]], ensure_ascii=False), encoding="utf-8")
    return folder / "radiomon.db", json.loads(spoken.read_text(encoding="utf-8"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--minutes", type=float, default=3)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--municipality", default="moroleon", choices=sorted(ev.MUNICIPALITIES))
    args = parser.parse_args()
    db, utterances = sample(args.minutes, args.seed, args.municipality)
    windows = [(ev.START + timedelta(seconds=u["start"] - SLACK), ev.START + timedelta(seconds=u["end"] + SLACK))
               for u in utterances]
    said = [set(tokens(u["text"])) for u in utterances]

    def sentences_of(hit) -> set[int]:
        start, end = timeutil.parse_iso(hit.start), timeutil.parse_iso(hit.end)
        return {i for i, (lo, hi) in enumerate(windows) if start < hi and end > lo}

    pairs = exact = approximate = 0
    approx_hits = approx_right = 0
    missed: list[str] = []
    with Archive(db) as archive:
        archive.update_vocabulary()
        for i, utterance in enumerate(utterances):
            for word in dict.fromkeys(w for w in tokens(utterance["text"]) if len(w) >= 4 and w not in STOPWORDS):
                pairs += 1
                plain = search_results(archive, word, limit=200, suggest=False)
                if any(i in sentences_of(hit) for hit in plain.hits):
                    exact += 1
                    approximate += 1
                    continue
                found = search_results(archive, word, limit=200, approx=True, suggest=False)
                marked = [hit for hit in found.hits if hit.approximate]
                approx_hits += len(marked)
                approx_right += sum(1 for hit in marked if any(word in said[j] for j in sentences_of(hit)))
                if any(i in sentences_of(hit) for hit in found.hits):
                    approximate += 1
                else:
                    missed.append(word)
    print(f"sample: {args.municipality}, seed {args.seed}, {args.minutes:g} min, {len(utterances)} sentences, "
          f"{pairs} (sentence, word) searches")
    print(f"recall: exact {exact / pairs:.3f} ({exact}/{pairs}), approximate {approximate / pairs:.3f} "
          f"({approximate}/{pairs}); of the {pairs - exact} exact misses, {approximate - exact} found "
          f"({(approximate - exact) / max(1, pairs - exact):.0%})")
    print(f"approximate hits on those misses: {approx_hits}, right (their sentence has the word): {approx_right} "
          f"({approx_right / max(1, approx_hits):.0%})")
    print(f"still missed (first 30): {' '.join(missed[:30])}")


if __name__ == "__main__":
    main()
