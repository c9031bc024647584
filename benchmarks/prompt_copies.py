"""How often transcribed text repeats the vocabulary prompt, and whether it was said.

    .venv/bin/python benchmarks/prompt_copies.py DEPLOYMENT [DEPLOYMENT ...] --municipality moroleon

Reads the archive of a mentions evaluation's kept deployment
(``benchmarks/mentions.py --keep DIR``: one folder a seed; or a soak's,
``benchmarks/soak.py --keep DIR``, with ``--municipality soak``) and finds every
run of transcribed words that repeats the prompt's own text across two or
more of its names, in the prompt's order (prompt_guard.prompt_runs: "Protección
Civil y Obras Públicas" against a prompt ending "…, Protección Civil y
Obras Públicas."). A run is **said** when one of the municipality's
sentences holds those words in that order (the news lists towns: "Uriangato,
Yuriria y Salvatierra"), **copied** when none does: the prompt, not the
audio, wrote it. For each run it prints its words, the mean probability the
decoder gave its words after the first name, and which of the two it is;
then, for a few probability thresholds, how many copied runs the guard's
rule (prompt_guard.PromptRun.copied, with that threshold) catches and how many said
ones it would wrongly send to a decode without the prompt
(prompt_guard.PROMPT_COPY_PROBABILITY is the one in use).

What is stored is what the guards and rescoring left: on code with the copy
guard, its catches were decoded again, so what is listed is what got past it.
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from municipalities import MUNICIPALITIES  # noqa: E402

from radiomon.config import load_config  # noqa: E402
from radiomon.errors import RadiomonError  # noqa: E402
from radiomon.keywords import load_keywords  # noqa: E402
from radiomon.pipeline.transcribe.batch import build_prompt  # noqa: E402
from radiomon.pipeline.transcribe.guards import normalize  # noqa: E402
from radiomon.pipeline.transcribe.prompt_guard import (  # noqa: E402
    PROMPT_COPY_PROBABILITY,
    PROMPT_COPY_WORDS,
    prompt_runs,
    read_prompt,
)
from radiomon.transcript import Word  # noqa: E402

THRESHOLDS = (0.1, 0.2, 0.3, 0.4, 0.5)


def runs_in(deployment: Path, said_texts: list[str]) -> list[tuple[str, int, float, bool]]:
    """(the run's words, how many after its first name, their doubt, said) for every prompt run in
    ``deployment``'s transcripts."""
    config = load_config(deployment / "radiomon.yml")
    prompt_text = build_prompt(config.transcription, load_keywords(config.keywords))
    prompt = read_prompt(prompt_text)
    found = []
    with sqlite3.connect(deployment / "radiomon.db") as db:
        for (words_json,) in db.execute("SELECT words FROM segments WHERE words IS NOT NULL"):
            words = [Word(w["word"], w["start"], w["end"], w["probability"]) for w in json.loads(words_json)]
            for run in prompt_runs(words, prompt):
                text = normalize(" ".join(w.text for w in words[run.first:run.first + run.length]))
                found.append((text, run.later, run.doubt, any(f" {text} " in said for said in said_texts)))
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("deployments", nargs="+", type=Path)
    parser.add_argument("--municipality", choices=[*sorted(MUNICIPALITIES), "soak"], default="moroleon",
                        help="whose sentences were read: soak is benchmarks/soak.py's programme (tests/daemon_kit.py)")
    args = parser.parse_args()
    if args.municipality == "soak":
        sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
        import daemon_kit

        sentences = list(daemon_kit.SENTENCES)
    else:
        sentences = [text for text, _ in MUNICIPALITIES[args.municipality].sentences]
    said_texts = [f" {normalize(text)} " for text in sentences]
    try:
        runs = [run for deployment in args.deployments for run in runs_in(deployment, said_texts)]
    except (RadiomonError, OSError, sqlite3.Error) as err:
        sys.exit(f"prompt_copies: {err}")
    for text, later, doubt, said in sorted(runs, key=lambda r: r[2]):
        print(f"  {doubt:5.2f}  {later} after the first name  {'said  ' if said else 'copied'}  {text}")
    copied = [r for r in runs if not r[3]]
    said = [r for r in runs if r[3]]
    print(f"{len(runs)} prompt runs: {len(copied)} copied, {len(said)} said; a copy has at least "
          f"{PROMPT_COPY_WORDS} words after its first name and, of them, a mean probability below:")
    for threshold in THRESHOLDS:
        caught = sum(r[2] < threshold and r[1] >= PROMPT_COPY_WORDS for r in copied)
        wrong = sum(r[2] < threshold and r[1] >= PROMPT_COPY_WORDS for r in said)
        mark = "  (in use)" if threshold == PROMPT_COPY_PROBABILITY else ""
        print(f"  below {threshold:.1f}: {caught} of {len(copied)} copied caught, {wrong} of {len(said)} said "
              f"decoded again{mark}")


if __name__ == "__main__":
    main()
