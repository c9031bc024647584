"""``.pls`` and ``.m3u`` playlists resolved to the stream they point at.

Stations often publish "listen" links that are tiny playlists rather than the
stream itself. The parser is pure; :func:`resolve` fetches (small, with a
timeout) and follows at most a few nested playlists. HLS (``.m3u8``) is not a
playlist in this sense: ffmpeg reads it directly.
"""

from __future__ import annotations

import configparser
import logging
import urllib.error
import urllib.parse
import urllib.request

from radiomon.errors import RecorderError

log = logging.getLogger(__name__)

PLAYLIST_SUFFIXES = (".pls", ".m3u")
PLAYLIST_TYPES = ("audio/x-scpls", "audio/x-mpegurl", "audio/mpegurl", "application/pls+xml")
MAX_BYTES = 64 * 1024


def is_playlist_url(url: str) -> bool:
    path = urllib.parse.urlsplit(url).path.lower()
    return path.endswith(PLAYLIST_SUFFIXES)


def parse_playlist(text: str, base_url: str = "") -> list[str]:
    """Stream URLs listed in a PLS or M3U playlist, in order (relative entries joined to ``base_url``)."""
    stripped = text.lstrip("\ufeff").strip()
    urls: list[str] = []
    if stripped.lower().startswith("[playlist]"):
        parser = configparser.ConfigParser(interpolation=None, strict=False)
        parser.optionxform = str.lower  # File1= and file1= alike
        try:
            parser.read_string(stripped)
        except configparser.Error as err:
            raise ValueError(f"not a valid .pls playlist: {err}") from None
        section = parser[parser.sections()[0]]
        files = sorted(
            ((int(k[4:]), v.strip()) for k, v in section.items() if k.startswith("file") and k[4:].isdigit()),
        )
        urls = [v for _, v in files if v]
    else:
        for line in stripped.splitlines():
            line = line.strip()
            if line and not line.startswith("#"):
                urls.append(line)
    return [urllib.parse.urljoin(base_url, u) if base_url else u for u in urls]


def resolve(url: str, *, timeout: float = 10.0, depth: int = 3) -> str:
    """The stream behind ``url``: itself unless it is a ``.pls``/``.m3u`` playlist."""
    if not is_playlist_url(url):
        return url
    try:
        request = urllib.request.Request(url, headers={"User-Agent": "radiomon"})
        with urllib.request.urlopen(request, timeout=timeout) as response:
            body = response.read(MAX_BYTES).decode("utf-8", errors="replace")
    except (urllib.error.URLError, OSError, ValueError) as err:
        reason = getattr(err, "reason", err)
        raise RecorderError(f"cannot fetch playlist {url}: {reason}") from None
    try:
        entries = parse_playlist(body, url)
    except ValueError as err:
        raise RecorderError(f"{url}: {err}") from None
    if not entries:
        raise RecorderError(f"playlist {url} lists no stream; check the station's url")
    log.debug("playlist %s -> %s", url, entries[0])
    if depth > 0 and is_playlist_url(entries[0]):
        return resolve(entries[0], timeout=timeout, depth=depth - 1)
    return entries[0]
