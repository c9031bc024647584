"""A real Icecast server and a live ffmpeg source, for integration tests and benchmarks.

Shared by the recorder's tests and anyone else who needs a live stream.
Usage from a test module::

    from icecast import icecast_server, live_source, source_mp3  # noqa: F401 (fixtures)

(``tests/`` is on ``sys.path`` under pytest, as for ``audio_factory``)

or directly: ``IcecastServer(port).start()``, ``LiveSource(server, "/live.mp3", mp3).start()``.

Icecast refuses to run as root unless ``<security><changeowner>`` is set, so
when we are root it drops to nobody/nogroup and every folder it writes is made
world-writable (a private folder under /tmp, not pytest's 0700 ``tmp_path``).
Nothing is ever skipped: a missing ``icecast2`` or ``ffmpeg`` fails loudly.
pytest is needed only for the fixtures: ``make demo`` and the benchmarks
use the classes without it.
"""

from __future__ import annotations

import base64
import os
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

try:
    import pytest
except ImportError:  # make demo installs radiomon without the dev extras
    pytest = None

ICECAST = shutil.which("icecast2") or shutil.which("icecast") or "icecast2"
SOURCE_PASSWORD = "radiomon-src"
ADMIN_PASSWORD = "radiomon-adm"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_port(port: int, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return True
        except OSError:
            time.sleep(0.05)
    return False


_CONFIG = """<icecast>
  <location>radiomon tests</location>
  <admin>tests@localhost</admin>
  <limits>
    <clients>200</clients>
    <sources>{sources}</sources>
    <queue-size>524288</queue-size>
    <client-timeout>30</client-timeout>
    <header-timeout>15</header-timeout>
    <source-timeout>{source_timeout}</source-timeout>
    <burst-on-connect>1</burst-on-connect>
    <burst-size>65535</burst-size>
  </limits>
  <authentication>
    <source-password>{source_password}</source-password>
    <relay-password>{source_password}</relay-password>
    <admin-user>admin</admin-user>
    <admin-password>{admin_password}</admin-password>
  </authentication>
  <hostname>127.0.0.1</hostname>
  <listen-socket><port>{port}</port><bind-address>127.0.0.1</bind-address></listen-socket>
  <fileserve>1</fileserve>
  <paths>
    <basedir>{base}</basedir>
    <logdir>{base}/log</logdir>
    <webroot>/usr/share/icecast2/web</webroot>
    <adminroot>/usr/share/icecast2/admin</adminroot>
    <pidfile>{base}/icecast.pid</pidfile>
  </paths>
  <logging>
    <accesslog>access.log</accesslog>
    <errorlog>error.log</errorlog>
    <loglevel>2</loglevel>
  </logging>
  <security>
    <chroot>0</chroot>
    {changeowner}
  </security>
</icecast>
"""


class IcecastServer:
    """One icecast2 process on a loopback port with its own generated icecast.xml.

    ``stop()`` and ``start()`` again keep the same port, which is how tests
    simulate a server that dies and comes back.
    """

    def __init__(self, port: int | None = None, *, sources: int = 50, source_timeout: int = 10):
        self.port = port or free_port()
        self.base = Path(tempfile.mkdtemp(prefix="radiomon-icecast-"))
        os.chmod(self.base, 0o755)
        (self.base / "log").mkdir()
        os.chmod(self.base / "log", 0o777)
        changeowner = ""
        if os.geteuid() == 0:  # icecast will not run as root without this
            changeowner = "<changeowner><user>nobody</user><group>nogroup</group></changeowner>"
        self.config_path = self.base / "icecast.xml"
        self.config_path.write_text(
            _CONFIG.format(
                port=self.port,
                base=self.base,
                sources=sources,
                source_timeout=source_timeout,
                source_password=SOURCE_PASSWORD,
                admin_password=ADMIN_PASSWORD,
                changeowner=changeowner,
            )
        )
        os.chmod(self.config_path, 0o644)
        self.process: subprocess.Popen | None = None

    def url(self, mount: str) -> str:
        return f"http://127.0.0.1:{self.port}{mount}"

    def source_url(self, mount: str) -> str:
        return f"icecast://source:{SOURCE_PASSWORD}@127.0.0.1:{self.port}{mount}"

    def start(self) -> "IcecastServer":
        if shutil.which(ICECAST) is None:
            raise RuntimeError("icecast2 is not installed (apt-get install icecast2); the recorder tests need it")
        self.process = subprocess.Popen(
            [ICECAST, "-c", str(self.config_path)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        if not _wait_port(self.port, 10):
            self.stop()
            log = (self.base / "log" / "error.log")
            detail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
            raise RuntimeError(f"icecast2 did not listen on {self.port}: {detail}")
        return self

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(10)
        self.process = None
        # the port must be free again before a restart binds it
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            try:
                with socket.socket() as sock:
                    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                    sock.bind(("127.0.0.1", self.port))
                    break
            except OSError:
                time.sleep(0.1)

    def set_title(self, mount: str, title: str) -> None:
        """Change the mount's ICY StreamTitle the way a station's playout does."""
        query = urllib.parse.urlencode({"mount": mount, "mode": "updinfo", "song": title})
        request = urllib.request.Request(f"http://127.0.0.1:{self.port}/admin/metadata?{query}")
        token = base64.b64encode(f"admin:{ADMIN_PASSWORD}".encode()).decode()
        request.add_header("Authorization", f"Basic {token}")
        with urllib.request.urlopen(request, timeout=5) as response:
            response.read()

    def wait_mount(self, mount: str, timeout: float = 10) -> None:
        """Block until a listener can read audio from ``mount``."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(self.url(mount), timeout=2) as response:
                    if response.read(1024):
                        return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError(f"mount {mount} never came up on port {self.port}")

    def cleanup(self) -> None:
        self.stop()
        shutil.rmtree(self.base, ignore_errors=True)



def make_source_mp3(path: Path, seconds: float = 60, *, bitrate: str = "64k") -> Path:
    """A non-repeating test programme (pink noise under a slow tone sweep), encoded once.

    Noise correlates sharply, so benchmarks can find where any recorded second
    came from; streaming it with ``-c copy`` costs the source almost no CPU.
    """
    if not path.exists():
        subprocess.run(
            [
                "ffmpeg", "-nostdin", "-v", "error", "-y",
                "-f", "lavfi", "-i", f"anoisesrc=color=pink:seed=7:amplitude=0.3:duration={seconds}",
                "-f", "lavfi", "-i", f"sine=frequency=440:duration={seconds}",
                "-filter_complex", "amix=inputs=2",
                "-ac", "1", "-ar", "22050", "-c:a", "libmp3lame", "-b:a", bitrate, str(path),
            ],
            check=True,
        )
    return path


class LiveSource:
    """``ffmpeg -re`` pushing an mp3 file (looped) to an Icecast mount, like a station's encoder."""

    def __init__(self, server: IcecastServer, mount: str, mp3: Path, *, loop: bool = True):
        self.server, self.mount, self.mp3, self.loop = server, mount, mp3, loop
        self.process: subprocess.Popen | None = None
        self.started_at: float | None = None

    def start(self, wait: bool = True) -> "LiveSource":
        args = ["ffmpeg", "-nostdin", "-v", "error", "-re"]
        if self.loop:
            args += ["-stream_loop", "-1"]
        args += [
            "-i", str(self.mp3), "-c", "copy", "-content_type", "audio/mpeg",
            "-ice_name", "radiomon test", "-f", "mp3", self.server.source_url(self.mount),
        ]
        self.process = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                        stderr=subprocess.DEVNULL)
        self.started_at = time.time()
        if wait:
            self.server.wait_mount(self.mount)
        return self

    def pause(self) -> None:
        """Freeze the source without closing its connection: the server stays up, audio stops."""
        if self.process is not None:
            self.process.send_signal(19)  # SIGSTOP

    def resume(self) -> None:
        if self.process is not None:
            self.process.send_signal(18)  # SIGCONT

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.resume()
            self.process.kill()
            self.process.wait(10)
        self.process = None


if pytest is not None:
    @pytest.fixture(scope="session")
    def source_mp3(tmp_path_factory) -> Path:
        return make_source_mp3(tmp_path_factory.mktemp("source") / "programme.mp3")

    @pytest.fixture
    def icecast_server():
        server = IcecastServer().start()
        yield server
        server.cleanup()

    @pytest.fixture
    def live_source(icecast_server, source_mp3):
        source = LiveSource(icecast_server, "/live.mp3", source_mp3).start()
        yield source
        source.stop()
