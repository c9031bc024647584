"""The polite HTTP client every press request goes through (the I/O edge).

What it promises, per request: a connect and a read timeout **and** a total
deadline (a server that trickles one byte a second never holds a pass), a
body-size cap read as a stream (a 30 MB page is refused after the cap, never
held in memory), conditional GET with ``ETag``/``Last-Modified`` plus a body
hash for servers that never answer 304, robots.txt honoured (protego:
wildcards, ``Crawl-delay``, ``Sitemap:``), one request at a time per host with
a delay between them, ``Retry-After`` and exponential backoff on 429/5xx,
redirects followed by hand (each hop checked against robots.txt, a cap,
loops caught) and a User-Agent that names radiomon and whom to write to.

Modelled on Media Cloud's rss-fetcher (``fetcher/tasks.py``): conditional GET
and the body hash, Retry-After honoured and the host left alone meanwhile.
Failures are values (:class:`FetchResult` with ``outcome`` and ``error``),
never exceptions: one outlet's trouble is a line in a report.

The total deadline holds up to one read timeout: a read already waiting
cannot be cut short, so each request's read timeout is clamped to what is
left of its deadline when it starts.
"""

from __future__ import annotations

import email.utils
import hashlib
import logging
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from urllib.parse import urljoin, urlsplit

import httpx
from protego import Protego

from radiomon import __version__
from radiomon.pipeline.press import PressError

log = logging.getLogger(__name__)
UTC = timezone.utc

# Outcomes of a fetch.
OK = "ok"  # a 2xx with a body that changed (or no validators to compare with)
UNCHANGED = "unchanged"  # 304, or a 2xx whose body hashes like last time
GONE = "gone"  # 404 or 410: the article is not there (not worth retrying soon)
DISALLOWED = "disallowed"  # robots.txt says no: no request was made
ERROR = "error"  # anything else; ``error`` says what

ROBOTS_TOKEN = "radiomon"
FEED_ACCEPT = "application/rss+xml, application/atom+xml, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5"
PAGE_ACCEPT = "text/html, application/xhtml+xml;q=0.9, */*;q=0.5"
_REDIRECTS = (301, 302, 303, 307, 308)
_RETRYABLE = (429, 500, 502, 503, 504)


def user_agent(contact: str) -> str:
    """The honest User-Agent: who is fetching and whom a webmaster can write to (an e-mail or a URL)."""
    contact = " ".join((contact or "").split())
    if not contact:
        raise PressError("press: a contact (e-mail or web page of the office) is needed for the User-Agent")
    return f"radiomon/{__version__} (press monitoring for a municipal communications office; +{contact})"


@dataclass(frozen=True)
class FetchOptions:
    """How polite and how bounded every request is. Seconds unless said otherwise."""

    user_agent: str  # see user_agent(contact)
    connect_timeout: float = 10.0
    read_timeout: float = 20.0  # the longest wait for any one read from the socket
    deadline: float = 60.0  # the whole request: robots.txt, waits, retries, redirects, the body
    max_bytes: int = 5_000_000  # a body past this is refused (articles are ~50-500 kB; feeds ~1 MB)
    max_redirects: int = 5
    polite_delay: float = 1.0  # between two requests to one host; a larger robots.txt Crawl-delay wins
    max_retries: int = 2  # on 429 and 5xx
    backoff: float = 2.0  # first wait when a 429/5xx says no Retry-After; doubled each retry
    max_retry_after: float = 300.0  # a longer Retry-After is not waited for: the host is left for later passes
    robots_ttl: float = 6 * 3600.0  # a host's robots.txt is read again after this
    robots_max_bytes: int = 500_000  # RFC 9309 asks crawlers to read at least 500 KiB
    trust_env: bool = True  # HTTP(S)_PROXY / NO_PROXY from the environment, as an office network may need


@dataclass(frozen=True)
class Validators:
    """What a conditional GET sends next time; the caller keeps it per feed URL."""

    etag: str | None = None
    last_modified: str | None = None
    body_hash: str | None = None  # sha256 of the last body, for servers that never answer 304


@dataclass(frozen=True)
class FetchResult:
    url: str  # what was asked for
    outcome: str  # OK | UNCHANGED | GONE | DISALLOWED | ERROR
    fetched_at: datetime  # UTC, when the answer came (or the attempt ended)
    final_url: str = ""  # after redirects
    status: int | None = None  # the last HTTP status; None when no answer came
    headers: Mapping[str, str] = field(default_factory=dict)  # lower-cased names
    body: bytes = b""  # only for OK
    error: str | None = None  # one line, for ERROR, GONE and DISALLOWED
    validators: Validators = Validators()  # to send next time (kept as they were on UNCHANGED)
    retry_after: float | None = None  # seconds the server asked us to stay away (429/503)

    @property
    def ok(self) -> bool:
        return self.outcome == OK


class _Host:
    def __init__(self) -> None:
        self.lock = threading.Lock()  # one request at a time
        self.robots_lock = threading.Lock()
        self.next_at = 0.0  # monotonic time before which no request goes out
        self.robots: Protego | None = None
        self.robots_error: str | None = None
        self.robots_until = 0.0


class _Failure(Exception):
    """Internal: ends one request with an error line (caught in get())."""


class PoliteClient:
    """One per pass (or per daemon): robots.txt and the per-host pacing live here. Thread-safe.

    ``clock`` and ``sleep`` are for the rare test that must not wait; the defaults are real.
    """

    def __init__(
        self,
        options: FetchOptions,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.options = options
        self._clock = clock
        self._sleep = sleep
        self._hosts: dict[str, _Host] = {}
        self._hosts_lock = threading.Lock()
        self._http = httpx.Client(
            headers={"User-Agent": options.user_agent},
            follow_redirects=False,
            trust_env=options.trust_env,
        )

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> PoliteClient:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # -- robots.txt ---------------------------------------------------------

    def _host(self, url: str) -> _Host:
        origin = _origin(url)
        with self._hosts_lock:
            return self._hosts.setdefault(origin, _Host())

    def _robots(self, url: str, limit: float) -> tuple[Protego | None, str | None]:
        """The host's parsed robots.txt (None: everything allowed) or an error that disallows all."""
        host = self._host(url)
        if not host.robots_lock.acquire(timeout=max(0.0, limit - self._clock())):
            return None, "deadline reached waiting for robots.txt"
        try:
            if self._clock() < host.robots_until:
                return host.robots, host.robots_error
            robots_url = _origin(url) + "/robots.txt"
            result = self._fetch(robots_url, limit=limit, max_bytes=self.options.robots_max_bytes,
                                 accept="text/plain, */*;q=0.5", check_robots=False)
            robots, error, ttl = None, None, self.options.robots_ttl
            if result.ok:
                robots = Protego.parse(result.body.decode("utf-8", errors="replace"))
            elif result.status is not None and 400 <= result.status < 500 and result.status != 429:
                pass  # RFC 9309 2.3.1.3: no robots.txt (4xx) means no restrictions
            else:
                # RFC 9309 2.3.1.4: unreachable (5xx, network, timeout) means assume complete disallow.
                error = f"robots.txt unreachable ({result.error or result.status}): nothing fetched from this host"
                ttl = min(ttl, 600.0)  # try again in a later pass
            host.robots, host.robots_error, host.robots_until = robots, error, self._clock() + ttl
            return robots, error
        finally:
            host.robots_lock.release()

    def allowed(self, url: str, *, deadline: float | None = None) -> tuple[bool, str | None]:
        """Whether robots.txt lets radiomon fetch ``url``, and why not (fetches robots.txt once per host)."""
        robots, error = self._robots(url, self._limit(deadline))
        if error:
            return False, error
        if robots is not None and not robots.can_fetch(url, ROBOTS_TOKEN):
            return False, f"disallowed by {_origin(url)}/robots.txt"
        return True, None

    def sitemaps(self, url: str, *, deadline: float | None = None) -> list[str]:
        """The ``Sitemap:`` lines of ``url``'s host's robots.txt (for finding an outlet's feeds)."""
        robots, _ = self._robots(url, self._limit(deadline))
        return list(robots.sitemaps) if robots is not None else []

    def _delay(self, url: str) -> float:
        host = self._host(url)
        crawl_delay = host.robots.crawl_delay(ROBOTS_TOKEN) if host.robots is not None else None
        return max(self.options.polite_delay, float(crawl_delay or 0.0))

    # -- requests -------------------------------------------------------------

    def _limit(self, deadline: float | None) -> float:
        limit = self._clock() + self.options.deadline
        return limit if deadline is None else min(limit, deadline)

    def get(
        self,
        url: str,
        *,
        validators: Validators | None = None,
        deadline: float | None = None,
        max_bytes: int | None = None,
        accept: str = PAGE_ACCEPT,
    ) -> FetchResult:
        """GET ``url`` politely. ``deadline`` is an absolute ``time.monotonic()`` (a pass's end) that
        shortens this request's own ``options.deadline``. Never raises for network or HTTP trouble."""
        return self._fetch(url, limit=self._limit(deadline), validators=validators,
                           max_bytes=max_bytes or self.options.max_bytes, accept=accept, check_robots=True)

    def _fetch(self, url, *, limit, max_bytes, accept, check_robots, validators=None) -> FetchResult:
        validators = validators or Validators()
        current, seen, redirects, retries, status = url, {url}, 0, 0, None
        try:
            while True:
                if check_robots:
                    allowed, why = self.allowed(current, deadline=limit)
                    if not allowed:
                        return self._result(url, DISALLOWED, current, error=why)
                headers = {"Accept": accept}
                if validators.etag:
                    headers["If-None-Match"] = validators.etag
                if validators.last_modified:
                    headers["If-Modified-Since"] = validators.last_modified
                status, response_headers, body = self._exchange(current, headers, limit, max_bytes)

                if status in _REDIRECTS and "location" in response_headers:
                    target = urljoin(current, response_headers["location"])
                    if target in seen:
                        raise _Failure(f"redirect loop: {current} → {target}")
                    redirects += 1
                    if redirects > self.options.max_redirects:
                        raise _Failure(f"more than {self.options.max_redirects} redirects (last: {target})")
                    seen.add(target)
                    current = target
                    continue

                if status in _RETRYABLE:
                    wait = _retry_after(response_headers.get("retry-after"), self._clock_wall())
                    asked = wait
                    if wait is None:
                        wait = self.options.backoff * 2**retries
                    # Whatever happens next, the host is left alone that long.
                    self._host(current).next_at = max(self._host(current).next_at, self._clock() + wait)
                    if retries >= self.options.max_retries or wait > self.options.max_retry_after \
                            or self._clock() + wait > limit:
                        return self._result(url, ERROR, current, status, response_headers, retry_after=asked,
                                            error=f"HTTP {status}" + (f", Retry-After {asked:.0f} s" if asked else "")
                                            + f" after {retries + 1} attempt(s): the host is left for a later pass")
                    retries += 1
                    log.info("%s answered %s; retrying in %.1f s", current, status, wait)
                    continue

                if status == 304:
                    return self._result(url, UNCHANGED, current, status, response_headers, validators=validators)
                if 200 <= status < 300:
                    new = Validators(
                        etag=response_headers.get("etag"),
                        last_modified=response_headers.get("last-modified"),
                        body_hash=hashlib.sha256(body).hexdigest(),
                    )
                    if validators.body_hash and new.body_hash == validators.body_hash:
                        return self._result(url, UNCHANGED, current, status, response_headers, validators=new)
                    return self._result(url, OK, current, status, response_headers, body=body, validators=new)
                outcome = GONE if status in (404, 410) else ERROR
                return self._result(url, outcome, current, status, response_headers,
                                    error=f"HTTP {status} {_reason(status)}")
        except _Failure as failure:
            return self._result(url, ERROR, current, status, error=str(failure))

    def _clock_wall(self) -> datetime:
        return datetime.now(UTC)

    def _result(self, url, outcome, final_url, status=None, headers=None, **kwargs) -> FetchResult:
        return FetchResult(url=url, outcome=outcome, fetched_at=datetime.now(UTC), final_url=final_url,
                           status=status, headers=dict(headers or {}), **kwargs)

    def _exchange(self, url: str, headers: dict, limit: float, max_bytes: int) -> tuple[int, dict, bytes]:
        """One request on the host's turn: wait for it, send, read the body under the cap and deadline."""
        host = self._host(url)
        if not host.lock.acquire(timeout=max(0.0, limit - self._clock())):
            raise _Failure("deadline reached waiting for this host's other requests")
        try:
            wait = host.next_at - self._clock()
            if wait > 0:
                if self._clock() + wait > limit:
                    raise _Failure(f"deadline reached: the host asked for {wait:.0f} s between requests")
                self._sleep(wait)
            try:
                return self._send(url, headers, limit, max_bytes)
            finally:
                host.next_at = self._clock() + self._delay(url)
        finally:
            host.lock.release()

    def _send(self, url: str, headers: dict, limit: float, max_bytes: int) -> tuple[int, dict, bytes]:
        remaining = limit - self._clock()
        if remaining <= 0:
            raise _Failure("deadline reached before the request")
        timeout = httpx.Timeout(
            connect=min(self.options.connect_timeout, remaining),
            read=min(self.options.read_timeout, remaining),
            write=min(self.options.read_timeout, remaining),
            pool=min(self.options.connect_timeout, remaining),
        )
        try:
            with self._http.stream("GET", url, headers=headers, timeout=timeout) as response:
                response_headers = {k.lower(): v for k, v in response.headers.items()}
                status = response.status_code
                if not (200 <= status < 300):
                    return status, response_headers, b""  # a redirect's or an error's body is not read
                declared = response_headers.get("content-length", "")
                if declared.isdigit() and int(declared) > max_bytes:
                    raise _Failure(f"body of {int(declared):,} bytes refused: the cap is {max_bytes:,}")
                chunks, size = [], 0
                # No chunk_size: httpx would buffer up to it, and a server trickling a byte a second
                # would never hand back a chunk to check the deadline on.
                for chunk in response.iter_bytes():
                    size += len(chunk)
                    if size > max_bytes:
                        raise _Failure(f"body refused past the cap of {max_bytes:,} bytes")
                    if self._clock() > limit:
                        raise _Failure(f"deadline reached while reading the body ({size:,} bytes so far)")
                    chunks.append(chunk)
                return status, response_headers, b"".join(chunks)
        except httpx.TimeoutException as err:
            raise _Failure(f"timed out ({type(err).__name__})") from None
        except httpx.HTTPError as err:
            raise _Failure(f"{type(err).__name__}: {err}") from None


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme.lower()}://{parts.netloc.lower()}"


def _retry_after(value: str | None, now: datetime) -> float | None:
    """Retry-After in seconds: a number of seconds or an HTTP date (RFC 9110 10.2.3)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - now).total_seconds())


def _reason(status: int) -> str:
    try:
        return httpx.codes.get_reason_phrase(status)
    except Exception:  # noqa: BLE001 - an unknown status has no phrase
        return ""


__all__ = [
    "DISALLOWED", "ERROR", "FEED_ACCEPT", "GONE", "OK", "PAGE_ACCEPT", "UNCHANGED",
    "FetchOptions", "FetchResult", "PoliteClient", "Validators", "user_agent",
]
