"""The síntesis' speed (issue 28, item 7): the PDF of a long edition.

``pdf``: a SintesisDocument built by hand, enough items for ``--pages``
pages of letter paper (about 4–5 items a page: headline, where and when, a
three-sentence summary, links), printed by radiomon/sintesis/pdf.py
(WeasyPrint) ``--repeat`` times; prints the pages, the median and worst
seconds and the CPU. Target: 40 pages in ≤ 10 s.

    python benchmarks/sintesis.py pdf --pages 40
"""

from __future__ import annotations

import argparse
import platform
import random
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from radiomon.sintesis.model import TONE_LABELS, DocItem, DocSection, SintesisDocument
from radiomon.sintesis.pdf import document_pdf

ITEMS_PER_PAGE = 4.9  # measured: a headline, where and when, a three-sentence summary, links
SECTIONS = [("municipio", "Municipio de Moroleón"), ("presidencia", "Presidencia municipal"),
            ("dependencias", "Dependencias municipales"), ("seguridad", "Seguridad pública"),
            ("notas", "Otras notas")]
WORDS = ("obra pavimentación colonia vecinos tianguis vacunación presidenta cabildo sesión calle agua potable "
         "alumbrado seguridad patrulla escuela mercado feria rebozo programa apoyo familias campaña limpieza "
         "drenaje lluvias regidores presupuesto transparencia deporte cultura salud clínica").split()


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def sentence(rng: random.Random, words: int) -> str:
    text = " ".join(rng.choice(WORDS) for _ in range(words))
    return text[0].upper() + text[1:] + "."


def long_document(items: int, seed: int = 1) -> SintesisDocument:
    rng = random.Random(seed)
    per_section = -(-items // len(SECTIONS))
    sections, n = [], 0
    for section, title in SECTIONS:
        entries = []
        for _ in range(min(per_section, items - n)):
            n += 1
            tone = rng.choice(list(TONE_LABELS))
            entries.append(DocItem(
                id=n, kind="radio" if n % 3 else "press", kind_label="Radio" if n % 3 else "Prensa",
                headline=sentence(rng, 10), summary=" ".join(sentence(rng, 12) for _ in range(3)), tone=tone,
                tone_label=TONE_LABELS[tone], featured=False, section=section, section_title=title,
                time=f"{6 + n % 12:02d}:{n % 60:02d}", where="Radio Uno Moroleón" if n % 3 else "Diario del Sur",
                program="Noticiero matutino" if n % 3 else "", url="" if n % 3 else f"https://diario.example/{n}",
                link=f"https://radiomon.local/grabacion/{n}?t=95",
                testigo=f"20261125_0801{n % 60:02d}_radio-uno_moroleon.mp3" if n % 3 else ""))
        sections.append(DocSection(section, title, tuple(entries)))
    return SintesisDocument(
        municipality="Moroleón, Guanajuato", office="Coordinación de Comunicación Social",
        title="Síntesis informativa", day="2026-11-25", date_text="miércoles 25 de noviembre de 2026", cut_text="",
        version=1, state="approved", approved_text="Aprobada por Luz Pérez el 26/11/2026 a las 07:05",
        coverage_text="8 h grabadas de 06:00 a 14:00 en 3 estaciones", sections=tuple(sections),
        web_link="https://radiomon.local/sintesis?dia=2026-11-25")


def pages_of(pdf: bytes) -> int:
    """The PDF's page count as poppler's pdfinfo reads it (WeasyPrint compresses its page objects)."""
    with tempfile.NamedTemporaryFile(suffix=".pdf") as handle:
        handle.write(pdf)
        handle.flush()
        info = subprocess.run(["pdfinfo", handle.name], capture_output=True, text=True, check=True).stdout
    return int(re.search(r"^Pages:\s+(\d+)", info, re.MULTILINE).group(1))


def bench_pdf(args: argparse.Namespace) -> int:
    items = args.items or round(args.pages * ITEMS_PER_PAGE)
    doc = long_document(items)
    seconds, pdf = [], b""
    for _ in range(args.repeat):
        began = time.perf_counter()
        pdf = document_pdf(doc)
        seconds.append(time.perf_counter() - began)
    pages = pages_of(pdf)
    print(f"CPU: {cpu_model()} ({platform.machine()}), Python {platform.python_version()}")
    print(f"PDF of {items} items: {pages} pages, {len(pdf) / 1e6:.2f} MB")
    print(f"seconds over {args.repeat} run(s): median {statistics.median(seconds):.2f}, worst {max(seconds):.2f} "
          f"(target ≤ 10 s for 40 pages)")
    if pages < args.pages:
        print(f"note: fewer pages than asked ({pages} < {args.pages}); raise --items", file=sys.stderr)
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parts = parser.add_subparsers(dest="part", required=True)
    pdf = parts.add_parser("pdf", help="the PDF of a long edition")
    pdf.add_argument("--pages", type=int, default=40, help="pages to reach (default 40)")
    pdf.add_argument("--items", type=int, default=0, help="items instead (default: pages × 4.9)")
    pdf.add_argument("--repeat", type=int, default=3)
    pdf.set_defaults(run=bench_pdf)
    args = parser.parse_args(argv)
    return args.run(args)


if __name__ == "__main__":
    sys.exit(main())
