"""keywords.yml at scale: load, compile and ``radiomon keywords check`` with N terms.

    python benchmarks/keywords_check.py                 # 10,000 terms
    python benchmarks/keywords_check.py --terms 2000 --keep /tmp/kw2000.yml

Writes a keywords.yml of ``--terms`` plausible terms (officials' names with
a role as alias, colonias, streets, programs, rare single words, acronyms;
some with excludes or a threshold of their own; spread over 20 groups),
then prints the seconds of each phase, each from a cold start of the
per-spelling caches:

* load: ``load_keywords`` (YAML, validation);
* compile: ``Matcher(keywords)`` (thresholds derived, what the daemon and
  the web UI do on every change of the file);
* check: ``explain(keywords)``, what ``radiomon keywords check`` adds to load.

Figures only: the tests never assert a time. Measured figures:
benchmarks/NOTES.md.
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from importlib import resources
from pathlib import Path

import yaml

from radiomon.keywords import Matcher, explain, load_keywords
from radiomon.keywords.derive import clear_cache

FIRST = ("María Guadalupe", "José Luis", "Juan Carlos", "Ana Laura", "Francisco Javier", "Rosa María", "Miguel Ángel",
         "Martha Elena", "Jesús", "Verónica", "Alejandro", "Claudia", "Ricardo", "Leticia", "Fernando", "Adriana",
         "Arturo", "Gabriela", "Ramón", "Silvia", "Héctor", "Norma", "Raúl", "Patricia", "Salvador", "Yolanda")
LAST = ("Ramírez", "Hernández", "García", "López", "Martínez", "Zavala", "Cerna", "Villagómez", "Ruiz", "Pantoja",
        "Guzmán", "Aguilar", "Ortega", "Rosales", "Tapia", "Zamudio", "Soto", "Cisneros", "Herrera", "Navarro",
        "Chávez", "Durán", "Ibarra", "Mendoza", "Pérez", "Quiroz", "Saldaña", "Vega", "Zúñiga", "Arredondo")
ROLES = ("regidor", "regidora", "director", "directora", "síndico", "tesorero", "secretario del Ayuntamiento")
PLACES = ("Colonia", "Comunidad de", "Fraccionamiento", "calle", "avenida", "barrio de", "rancho")
PROGRAMS = ("programa", "campaña", "feria", "festival", "jornada")
LOOKALIKES = ("León", "Morelia", "Morelos", "Morena", "Moreno", "Celaya", "Salamanca")


def frequent_words() -> list[str]:
    text = (resources.files("radiomon") / "data" / "spanish-words.txt").read_text(encoding="utf-8")
    return [w for w in text.splitlines() if w and not w.startswith("#")]


def synthetic_terms(count: int, seed: int = 25) -> list[dict | str]:
    """``count`` distinct terms, each a plain string or a {term, aliases, exclude, threshold} mapping."""
    rng = random.Random(seed)
    words = [w for w in frequent_words()[2000:40000] if w.isalpha() and len(w) >= 5]
    seen: set[str] = set()
    out: list[dict | str] = []
    while len(out) < count:
        kind = rng.random()
        if kind < 0.35:
            name = f"{rng.choice(FIRST)} {rng.choice(LAST)} {rng.choice(LAST)}"
            term: dict | str = {"term": name, "aliases": [f"{rng.choice(ROLES)} {name.split()[-2]}"]}
        elif kind < 0.6:
            name = f"{rng.choice(PLACES)} {rng.choice(words).capitalize()}"
            term = name
        elif kind < 0.75:
            name = f"{rng.choice(PROGRAMS)} {rng.choice(words).capitalize()} {rng.choice(words)}"
            term = {"term": name, "aliases": [f"{name.split()[0]} {name.split()[1]}"]}
        elif kind < 0.95:
            name = rng.choice(words).capitalize() + rng.choice(("ón", "aro", "eo", "ilia", "uato"))
            term = {"term": name, "exclude": rng.sample(LOOKALIKES, 2)} if rng.random() < 0.3 else name
        else:
            name = "".join(rng.choice("ABCDEFGHIJLMNOPRSTUV") for _ in range(rng.choice((3, 4))))
            name = f"{name} {rng.choice(words).capitalize()}" if rng.random() < 0.5 else name
            term = name
        if isinstance(term, dict) and rng.random() < 0.1:
            term["threshold"] = rng.choice((80, 85, 90))
        spellings = [name, *(term.get("aliases", []) if isinstance(term, dict) else [])]
        if any(s.lower() in seen for s in spellings):
            continue
        seen.update(s.lower() for s in spellings)
        out.append(term)
    return out


def keywords_text(terms: int, seed: int = 25) -> str:
    pool = synthetic_terms(terms, seed)
    groups = {}
    for g in range(20):
        chunk = pool[g::20]
        if chunk:
            groups[f"grupo_{g:02d}"] = {"label": f"Grupo {g}", "priority": "normal", "terms": chunk}
    return yaml.safe_dump({"defaults": {"threshold": 88}, "groups": groups}, allow_unicode=True, sort_keys=False)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--terms", type=int, default=10_000, help="terms in the generated file (default 10,000)")
    parser.add_argument("--seed", type=int, default=25)
    parser.add_argument("--keep", type=Path, help="write the generated keywords.yml here (and keep it)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path = args.keep or Path(folder) / "keywords.yml"
        path.write_text(keywords_text(args.terms, args.seed), encoding="utf-8")
        began = time.perf_counter()
        keywords = load_keywords(path)
        load = time.perf_counter() - began
        clear_cache()
        began = time.perf_counter()
        matcher = Matcher(keywords)
        compile_ = time.perf_counter() - began
        clear_cache()
        began = time.perf_counter()
        reports = explain(keywords)
        check = time.perf_counter() - began
    confusions = sum(len(r.confusions) for r in reports)
    print(f"{len(keywords.terms):,} terms, {len(matcher.spellings):,} spellings, {confusions:,} confusions")
    print(f"load {load:.2f} s, compile {compile_:.2f} s, check {check:.2f} s")


if __name__ == "__main__":
    main()
