"""The demo's live part: a loopback radio station, recorded and transcribed by ``radiomon run``.

    .venv/bin/python examples/demo/live_demo.py --config demo-run/radiomon.yml [--seconds 70]

Starts icecast2 on a free loopback port (its config in a temporary folder),
streams the bundled demo programme to it in a loop (``ffmpeg -re``), adds
the station ``en-vivo`` (1-minute segments) to the deployment's
radiomon.yml, and runs ``radiomon run --station en-vivo --duration SECONDS``:
it records, transcribes each segment with the bundled model as it closes,
flags the mentions, then transcribes what is left and exits. Icecast and the
source are stopped at the end, whatever happens. Needs icecast2 and ffmpeg
(``make demo`` installs both).
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1] / "tests"))

from icecast import IcecastServer, LiveSource  # noqa: E402

PROGRAMME = HERE / "radio-demo-20261125T080000.mp3"
STATION = "en-vivo"
MARK = f"  # {STATION}: added by examples/demo/live_demo.py"


def add_station(config: Path, url: str) -> None:
    """Add (or point again) the live station at the end of radiomon.yml's stations list."""
    text = config.read_text(encoding="utf-8")
    text = re.sub(rf"\n{re.escape(MARK)}\n(?:    .*\n|  - id: {STATION}\n)*", "\n", text)
    block = (f"{MARK}\n  - id: {STATION}\n    name: \"Demo en vivo (Icecast local)\"\n    url: {url}\n"
             "    segment_minutes: 1\n")
    config.write_text(text.rstrip("\n") + "\n" + block, encoding="utf-8")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", type=Path, required=True)
    parser.add_argument("--seconds", type=int, default=70, help="how long radiomon run records")
    args = parser.parse_args()

    server = IcecastServer()
    source = None
    try:
        server.start()
        source = LiveSource(server, "/en-vivo.mp3", PROGRAMME).start()
        add_station(args.config, server.url("/en-vivo.mp3"))
        print(f"demo station {STATION}: {server.url('/en-vivo.mp3')} (icecast2 on port {server.port}); "
              f"radiomon run records it for {args.seconds} s", flush=True)
        daemon = subprocess.Popen([sys.executable, "-m", "radiomon", "--config", str(args.config), "run",
                                   "--station", STATION, "--duration", f"{args.seconds}s"])
        try:
            return daemon.wait()
        except KeyboardInterrupt:  # Ctrl-C reached radiomon run too: let it register its open segment
            return daemon.wait(60)
    finally:
        if source is not None:
            source.stop()
        server.cleanup()


if __name__ == "__main__":
    sys.exit(main())
