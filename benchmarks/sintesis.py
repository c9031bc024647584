"""The síntesis' speed (issue 28, item 7): the PDF of a long edition.

``pdf``: a SintesisDocument built by hand, enough items for ``--pages``
pages of letter paper (about 4–5 items a page: headline, where and when, a
three-sentence summary, links), printed by radiomon/sintesis/pdf.py
(WeasyPrint) ``--repeat`` times; prints the pages, the median and worst
seconds and the CPU. Target: 40 pages in ≤ 10 s.

``editor``: a busy day in a throwaway deployment (``--items`` mentions,
each its own story, on three stations and three groups), the web editor's
page of that day requested ``--requests`` times through Flask's test
client after one warm-up (which builds the edition); prints the server-side
time per request (its ``Server-Timing``) as p50/p95, the page's size and the
CPU. Target: p95 ≤ 200 ms for 300 items.

    python benchmarks/sintesis.py pdf --pages 40
    python benchmarks/sintesis.py editor --items 300
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


# -- the editor page (issue 28 item 7: a busy day of 300 items renders server-side p95 ≤ 200 ms) ---------
EDITOR_STATIONS = ("radio-uno", "fm-oficina", "la-grande")
EDITOR_GROUPS = (("municipio", "Moroleón"), ("presidencia", "presidenta municipal"), ("dependencias", "DIF Moroleón"))
EDITOR_RADIOMON_YML = """\
timezone: America/Mexico_City
archive: radiomon.db
keywords: keywords.yml
stations:
  - {id: radio-uno, name: Radio Uno Moroleón, url: "http://127.0.0.1:8000/uno.mp3"}
  - {id: fm-oficina, name: Receptor FM de la oficina, input: "alsa:hw:1"}
  - {id: la-grande, name: La Grande de Moroleón, url: "http://127.0.0.1:8000/grande.mp3"}
"""
EDITOR_KEYWORDS_YML = """\
groups:
  municipio: {label: Municipio de Moroleón, priority: high, terms: [Moroleón]}
  presidencia: {label: Presidencia municipal, terms: [presidenta municipal]}
  dependencias: {label: Dependencias municipales, terms: [DIF Moroleón]}
"""


def busy_day(folder: Path, items: int, day: str = "2026-11-25", seed: int = 1):
    """A deployment whose ``day`` has ``items`` mentions, each its own sentence on its own recording."""
    from datetime import datetime, timedelta, timezone
    from zoneinfo import ZoneInfo

    from radiomon.archive import Archive, MentionRow
    from radiomon.config import load_config
    from radiomon.transcript import Segment

    (folder / "radiomon.yml").write_text(EDITOR_RADIOMON_YML, encoding="utf-8")
    (folder / "keywords.yml").write_text(EDITOR_KEYWORDS_YML, encoding="utf-8")
    config = load_config(folder / "radiomon.yml")
    rng = random.Random(seed)
    start = datetime.fromisoformat(day).replace(hour=6, tzinfo=ZoneInfo("America/Mexico_City"))
    with Archive(config.archive) as archive:
        archive.sync_stations(config.stations, str(config.timezone))
        for n in range(items):
            when = start + timedelta(minutes=3 * n)
            station = EDITOR_STATIONS[n % len(EDITOR_STATIONS)]
            group, term = EDITOR_GROUPS[n % len(EDITOR_GROUPS)]
            text = f"Nota {n}: {term} {sentence(rng, 14)[:-1].lower()}, dijeron en la {sentence(rng, 6).lower()}"
            recording_id, _ = archive.add_recording(station=station, start=when, duration=60.0, status="transcribed")
            archive.replace_segments(recording_id, [Segment(2.0, 9.0, text)])
            [segment] = archive.transcript_rows(recording_id)
            at = (when + timedelta(seconds=2)).astimezone(timezone.utc)
            archive.replace_mentions(recording_id, [MentionRow(
                segment["id"], recording_id, station, group, term, term, 97.0, f"{at:%Y-%m-%dT%H:%M:%S}.000Z", 2.0,
                text)])
    return config


def bench_editor(args: argparse.Namespace) -> int:
    from radiomon.web import create_app

    with tempfile.TemporaryDirectory() as tmp:
        built = time.perf_counter()
        config = busy_day(Path(tmp), args.items)
        built = time.perf_counter() - built
        client = create_app(config).test_client()
        url = "/sintesis?dia=2026-11-25"
        began = time.perf_counter()
        first = client.get(url)  # opens the edition and builds its candidates
        warm_up = time.perf_counter() - began
        assert first.status_code == 200, first.status_code
        rows = first.get_data(as_text=True).count('class="item-form"')
        server, wall = [], []
        for _ in range(args.requests):
            began = time.perf_counter()
            response = client.get(url)
            wall.append((time.perf_counter() - began) * 1000)
            server.append(float(response.headers["Server-Timing"].partition("dur=")[2]))
        size = len(response.data)

    def p(values: list[float], q: float) -> float:
        return sorted(values)[min(len(values) - 1, round(q * (len(values) - 1)))]

    print(f"CPU: {cpu_model()} ({platform.machine()}), Python {platform.python_version()}, "
          f"load average {' '.join(f'{x:.1f}' for x in _load())}")
    print(f"busy day: {args.items} mentions, {rows} editable items; archive built in {built:.1f} s; "
          f"first request (builds the edition) {warm_up * 1000:.0f} ms")
    print(f"editor page over {args.requests} requests, server-side: p50 {p(server, .5):.0f} ms, "
          f"p95 {p(server, .95):.0f} ms (target ≤ 200 ms); test client wall p95 {p(wall, .95):.0f} ms; "
          f"{size / 1024:.0f} KB of HTML")
    return 0


def _load() -> tuple[float, ...]:
    try:
        import os

        return os.getloadavg()
    except OSError:
        return ()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parts = parser.add_subparsers(dest="part", required=True)
    pdf = parts.add_parser("pdf", help="the PDF of a long edition")
    pdf.add_argument("--pages", type=int, default=40, help="pages to reach (default 40)")
    pdf.add_argument("--items", type=int, default=0, help="items instead (default: pages × 4.9)")
    pdf.add_argument("--repeat", type=int, default=3)
    pdf.set_defaults(run=bench_pdf)
    editor = parts.add_parser("editor", help="the web editor's page of a busy day")
    editor.add_argument("--items", type=int, default=300, help="mentions of the day, each its own item (300)")
    editor.add_argument("--requests", type=int, default=30, help="requests measured after one warm-up (30)")
    editor.set_defaults(run=bench_editor)
    args = parser.parse_args(argv)
    return args.run(args)


if __name__ == "__main__":
    sys.exit(main())
