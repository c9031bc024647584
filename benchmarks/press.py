"""Press benchmark: a collector pass on loopback, and the press in an archive beside a station-year of radio.

Two measurements, each printed as figures (nothing is asserted):

1. **A pass** (``--outlets`` × ``--articles``, default 40 × 50): a loopback
   HTTP server in a child process serves that many WordPress-like outlets
   (an RSS feed each; article pages of ~450 words with navigation, a "lo
   más leído" list, comments and a footer around the note), and
   ``radiomon.jobs.press_fetch`` runs one pass into a fresh archive, as
   ``radiomon press fetch`` does: fetch, extract, store under its keys and
   story, match. The polite per-host delay is set to 0 here: a real pass is
   bounded by ``press.delay_seconds`` (1 s a request per site), not by this
   machine. Prints wall seconds, articles extracted and stored per second
   and the peak memory of the pass's process; a second pass then shows
   what an unchanged pass costs (conditional GETs, nothing fetched).

2. **Scale** (``--press-days`` of ``--per-day`` articles a day from 40
   outlets, default a year of 60: ~876,000 articles, beside ``--radio-days``
   of one station's radio built as benchmarks/search.py builds it): combined
   search p50/p95 for common and rare words (radio and press together, as
   ``radiomon search`` does), the radio-only search's p95 with the press in
   the archive (its target: ≤ 50 ms, as without the press), and the síntesis
   of a busy day (``collect_digest``; target < 2 s).

    python benchmarks/press.py                          # both, full size (tens of minutes, GBs of disk)
    python benchmarks/press.py --skip-scale             # the pass only
    python benchmarks/press.py --skip-pass --press-days 30 --radio-days 30   # a quick look at scale

Measured figures: benchmarks/NOTES.md ("The press").
"""

from __future__ import annotations

import argparse
import hashlib
import http.server
import random
import resource
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import date, datetime, timedelta, timezone
from email.utils import format_datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

WORDS = ("el la de que y en los del se las por un para con no una su al es lo como más pero sus le ya o fue "
         "este ha sí porque esta son entre cuando muy sin sobre también me hasta hay donde quien desde todo nos "
         "durante todos uno les ni contra otros ese eso ante ellos e esto mí antes algunos qué unos yo otro otras "
         "obra calle colonia mercado agua drenaje escuela vecinos comerciantes programa apoyo familias salud "
         "seguridad policía tránsito feria fiesta tianguis lluvia campo productores rebozo textil precio pesos "
         "semana presidenta municipal regidora cabildo ayuntamiento tesorería director directora departamento").split()
RARE = ("Moroleón", "Uriangato", "Yuriria", "Piñícuaro", "Acámbaro", "Cuitzeo", "SMAPAM", "DIF", "Salvatierra")
BOILERPLATE = ("<nav><a href='/'>Inicio</a> <a href='/seccion/local'>Local</a> <a href='/seccion/estado'>Estado</a> "
               "<a href='/seccion/deportes'>Deportes</a> Moroleón Uriangato Yuriria</nav>"
               "<aside><h3>Lo más leído</h3><ol><li>Cierran calles del centro de Moroleón por la feria</li>"
               "<li>Choque en la carretera a Uriangato</li></ol></aside>"
               "<div class='ad'>Publicidad: rebozos de Moroleón al mayoreo</div>")
FOOTER = ("<section id='comments'><h3>Comentarios</h3><p>Pepe: en Moroleón siempre es lo mismo.</p></section>"
          "<footer>© Diario regional. Aviso de privacidad. Moroleón, Guanajuato.</footer>")


def note_text(rng: random.Random, words: int = 450) -> str:
    sentences, out = [], []
    for i in range(words):
        out.append(rng.choice(RARE) if rng.random() < 0.01 else rng.choice(WORDS))
        if len(out) >= rng.randint(12, 24):
            sentences.append(" ".join(out).capitalize() + ".")
            out = []
    return " ".join(sentences)


# -- 1. the pass ----------------------------------------------------------------------------------------
def serve(port: int, outlets: int, articles: int, seed: int) -> None:
    """The child process: ``outlets`` sites on one loopback server, each under /o<i>/."""
    now = datetime.now(timezone.utc)
    pages: dict[str, bytes] = {"/robots.txt": b"User-agent: *\nAllow: /\n"}
    rng = random.Random(seed)
    base = f"http://127.0.0.1:{port}"
    for o in range(outlets):
        items = []
        for a in range(articles):
            path = f"/o{o}/{now:%Y/%m/%d}/nota-{a}/"
            title = f"Nota {a} del diario {o}: " + " ".join(rng.choice(WORDS) for _ in range(6))
            text = note_text(rng)
            published = now - timedelta(minutes=5 * a + o)
            body = "".join(f"<p>{p}</p>" for p in text.split(". "))
            pages[path] = (f"<!doctype html><html lang='es'><head><meta charset='utf-8'><title>{title}</title>"
                           f"<meta property='article:published_time' content='{published.isoformat()}'>"
                           f"<link rel='canonical' href='{base}{path}'></head><body>{BOILERPLATE}<main><article>"
                           f"<h1>{title}</h1>{body}</article></main>{FOOTER}</body></html>").encode("utf-8")
            items.append(f"<item><title>{title}</title><link>{base}{path}?utm_source=rss</link>"
                         f"<pubDate>{format_datetime(published)}</pubDate></item>")
        pages[f"/o{o}/feed/"] = ("<?xml version='1.0' encoding='UTF-8'?><rss version='2.0'><channel>"
                                 f"<title>Diario {o}</title><link>{base}/o{o}/</link>"
                                 + "".join(items) + "</channel></rss>").encode("utf-8")

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self):  # noqa: N802 - http.server's name
            body = pages.get(self.path.split("?", 1)[0])
            if body is None:
                self.send_error(404)
                return
            etag = '"' + hashlib.sha1(body).hexdigest() + '"'
            if self.headers.get("If-None-Match") == etag:
                self.send_response(304)
                self.send_header("ETag", etag)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            self.send_response(200)
            kind = "application/rss+xml" if self.path.endswith("/feed/") else "text/plain" \
                if self.path.endswith(".txt") else "text/html; charset=utf-8"
            self.send_header("Content-Type", kind)
            self.send_header("ETag", etag)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), Handler)
    print("ready", flush=True)
    server.serve_forever()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def deployment(folder: Path, port: int, outlets: int) -> Path:
    from importlib import resources

    (folder / "keywords.yml").write_text((resources.files("radiomon") / "data" / "keywords.yml")
                                         .read_text(encoding="utf-8"), encoding="utf-8")
    lines = ["timezone: America/Mexico_City", "stations: []", "press:", "  delay_seconds: 0",
             "  contact: benchmark@radiomon.invalid", "  outlets:"]
    for o in range(outlets):
        lines += [f"    - {{id: diario-{o}, name: Diario {o}, feeds: ['http://127.0.0.1:{port}/o{o}/feed/']}}"]
    path = folder / "radiomon.yml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def bench_pass(outlets: int, articles: int, seed: int) -> None:
    from radiomon import jobs
    from radiomon.archive import Archive
    from radiomon.config import load_config

    port = free_port()
    child = subprocess.Popen([sys.executable, __file__, "--serve", str(port), "--outlets", str(outlets),
                              "--articles", str(articles), "--seed", str(seed)], stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout.readline().strip() == "ready"
        with tempfile.TemporaryDirectory() as tmp:
            config = load_config(deployment(Path(tmp), port, outlets))
            with Archive(config.archive) as archive:
                began = time.perf_counter()
                first = jobs.press_fetch(config, archive)
                wall = time.perf_counter() - began
                stored = archive.conn.execute("SELECT count(*) FROM articles").fetchone()[0]
                mentions = archive.conn.execute("SELECT count(*) FROM mentions").fetchone()[0]
                began = time.perf_counter()
                second = jobs.press_fetch(config, archive)
                again = time.perf_counter() - began
                stored_again = archive.conn.execute("SELECT count(*) FROM articles").fetchone()[0]
        peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        failed = [o for o in first.outlets if o.status == "failed"]
        print(f"pass: {outlets} outlets x {articles} articles on loopback, polite delay 0 s")
        print(f"  first pass:  {wall:.1f} s wall, {stored} articles stored ({stored / wall:.1f}/s), "
              f"{mentions} mentions, {len(failed)} outlet(s) failed")
        print(f"  second pass: {again:.1f} s wall, {stored_again - stored} new "
              f"({sum(1 for o in second.outlets if o.status == 'unchanged')} outlets unchanged)")
        print(f"  peak memory of the pass's process: {peak_mb:.0f} MB")
    finally:
        child.terminate()
        child.wait(timeout=10)


# -- 2. scale -------------------------------------------------------------------------------------------
def fill_press(archive, days: int, per_day: int, seed: int, end: datetime) -> int:
    """``days`` × ``per_day`` articles of 40 outlets, written straight through SQL (the FTS triggers index
    them), a few of each day's sharing a story; mentions of the rare names, as matching would store them."""
    rng = random.Random(seed)
    count = 0
    for day in range(days):
        rows, keys, mentions = [], [], []
        first_id = (archive.conn.execute("SELECT coalesce(max(id), 0) FROM articles").fetchone()[0]) + 1
        for n in range(per_day):
            article_id = first_id + n
            outlet = f"diario-{rng.randrange(40)}"
            published = end - timedelta(days=day, minutes=rng.randrange(1440))
            text = note_text(rng, 250)
            title = " ".join(rng.choice(WORDS) for _ in range(8)).capitalize()
            url = f"https://{outlet}.example/{published:%Y/%m/%d}/{article_id}"
            iso = published.strftime("%Y-%m-%dT%H:%M:%S.000Z")
            story = article_id if n % 10 else max(first_id, article_id - 1)
            rows.append((article_id, outlet, url, title, iso, iso, text, hashlib.sha256(text.encode()).hexdigest(),
                         story, iso))
            keys.append((url.split("://", 1)[1], article_id))
            for name in RARE[:3]:
                at = text.find(name)
                if at >= 0:
                    mentions.append((article_id, "municipio" if name == "Moroleón" else "vecinos", name, name,
                                     100.0, iso, float(at), text[max(0, at - 60):at + 60]))
        with archive.write() as conn:
            conn.executemany("INSERT INTO articles (id, outlet, url, title, published_utc, fetched_utc, text, "
                             "content_sha256, story, matched_utc) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
            conn.executemany("INSERT INTO article_keys (key, article_id) VALUES (?, ?)", keys)
            conn.executemany("INSERT INTO mentions (article_id, group_id, keyword, matched, score, at_utc, offset, "
                             "context) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", mentions)
        count += len(rows)
    return count


def timed(fn, repeat: int = 1) -> float:
    best = []
    for _ in range(repeat):
        began = time.perf_counter()
        fn()
        best.append(time.perf_counter() - began)
    return min(best)


def percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]


def bench_scale(press_days: int, per_day: int, radio_days: int, seed: int, keep: Path | None) -> None:
    import search as radio_bench

    from radiomon.archive import Archive
    from radiomon.config import load_config
    from radiomon.filters import Filters
    from radiomon.reports.digest import collect_digest
    from radiomon.search import search

    folder = keep or Path(tempfile.mkdtemp(prefix="radiomon-press-"))
    folder.mkdir(parents=True, exist_ok=True)
    db = folder / "radiomon.db"
    began = time.perf_counter()
    segments, _, _ = radio_bench.build_archive(db, radio_days, seed)
    radio_s = time.perf_counter() - began
    end = datetime(2026, 11, 25, 23, 0, tzinfo=timezone.utc) if radio_days else datetime.now(timezone.utc)
    with Archive(db) as archive:
        span = archive.conn.execute("SELECT max(start_utc) FROM recordings").fetchone()[0]
        if span:
            end = datetime.fromisoformat(span.replace("Z", "+00:00"))
        began = time.perf_counter()
        articles = fill_press(archive, press_days, per_day, seed, end)
        press_s = time.perf_counter() - began
    size_mb = sum(p.stat().st_size for p in folder.glob("radiomon.db*")) / 1e6
    print(f"scale: {segments:,} radio segments ({radio_s:.0f} s to build), {articles:,} articles "
          f"({press_s:.0f} s to store, {articles / max(press_s, 1e-9):,.0f}/s); archive {size_mb:,.0f} MB")

    common = ["de", "la que", "municipio", "mercado", '"de la"', "agua -lluvia", "colo*"]
    rare = ["moroleon", "Piñícuaro", "uriangato", '"obras públicas"', "smapam", "DIF"]
    with Archive(db) as archive:
        archive.read_through_memory_map()
        for label, words in (("common", common), ("rare", rare)):
            for medium in (None, "radio", "press"):
                samples = []
                for query in words * 3:
                    began = time.perf_counter()
                    search(archive, query, Filters(medium=medium) if medium else Filters(), limit=20)
                    samples.append((time.perf_counter() - began) * 1000)
                p50, p95 = percentiles(samples)
                print(f"  search {label:6s} words, {medium or 'both':5s}: p50 {p50:6.1f} ms, p95 {p95:6.1f} ms")
        busiest = archive.conn.execute(
            "SELECT substr(at_utc, 1, 10) AS d, count(*) AS n FROM mentions GROUP BY d ORDER BY n DESC LIMIT 1"
        ).fetchone()
    (folder / "keywords.yml").write_text((Path(radio_bench.__file__).parent.parent / "radiomon" / "data"
                                          / "keywords.yml").read_text(encoding="utf-8"), encoding="utf-8")
    (folder / "radiomon.yml").write_text("timezone: America/Mexico_City\nstations: []\n", encoding="utf-8")
    config = load_config(folder / "radiomon.yml")
    if busiest:
        day = date.fromisoformat(busiest[0])
        with Archive(db) as archive:
            seconds = timed(lambda: collect_digest(config, archive, day=day), repeat=3)
        print(f"  síntesis of the busiest day ({day}, {busiest[1]} mentions): {seconds:.2f} s")
    if keep is None:
        for path in folder.glob("*"):
            path.unlink()
        folder.rmdir()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--serve", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--outlets", type=int, default=40)
    parser.add_argument("--articles", type=int, default=50, help="per outlet, in the pass")
    parser.add_argument("--press-days", type=int, default=365)
    parser.add_argument("--per-day", type=int, default=2400, help="articles a day, all outlets (40 × 60)")
    parser.add_argument("--radio-days", type=int, default=365)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--skip-pass", action="store_true")
    parser.add_argument("--skip-scale", action="store_true")
    parser.add_argument("--keep", type=Path, help="build the scale archive here and keep it")
    args = parser.parse_args()
    if args.serve:
        serve(args.serve, args.outlets, args.articles, args.seed)
        return
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), "unknown CPU")
    print(f"CPU: {cpu}")
    if not args.skip_pass:
        bench_pass(args.outlets, args.articles, args.seed)
    if not args.skip_scale:
        bench_scale(args.press_days, args.per_day, args.radio_days, args.seed, args.keep)


if __name__ == "__main__":
    threading.stack_size(1 << 20)
    main()
