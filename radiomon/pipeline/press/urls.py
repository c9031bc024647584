"""An article URL's normal form (what is fetched) and its key (what is deduplicated on).

Outlets list one article under many URLs: the RSS feed adds
``?utm_source=rss&utm_medium=rss``, a category feed ``utm_campaign=...``,
a newsletter ``mc_cid``, a Facebook share ``fbclid``; the same page answers
on http and https, with and without ``www.``. :func:`normalize_url` drops
what never changes the page (tracking parameters, the fragment, default
ports) and sorts the query so parameter order does not matter either;
:func:`url_key` also forgets the scheme and ``www.``, so one article is one
key however it was linked. Pure: no I/O.
"""

from __future__ import annotations

from urllib.parse import parse_qsl, quote, unquote, urlencode, urljoin, urlsplit, urlunsplit

from radiomon.pipeline.press import PressError

# Parameters that only say where a click came from (exact names, lower-cased).
TRACKING_PARAMS = frozenset(
    {
        "fbclid", "gclid", "gclsrc", "dclid", "gbraid", "wbraid", "msclkid", "yclid", "twclid", "igshid",
        "mc_cid", "mc_eid", "_ga", "_gl", "_hsenc", "_hsmi", "mkt_tok", "ref_src", "ref_url", "cmpid",
        "ocid", "spm", "vero_id", "wt_mc", "ncid", "sr_share", "s_cid", "amp_js_v", "usqp", "__twitter_impression",
        "ito", "xtor", "at_medium", "at_campaign", "at_source",
    }
)
# Families of them (``utm_source``, ``utm_medium``, …; Matomo's ``pk_*``/``mtm_*``; HubSpot ``hsa_*``).
TRACKING_PREFIXES = ("utm_", "pk_", "mtm_", "hsa_", "mc_", "oly_")

DEFAULT_PORTS = {"http": 80, "https": 443}


def is_tracking_param(name: str) -> bool:
    lowered = name.lower()
    return lowered in TRACKING_PARAMS or lowered.startswith(TRACKING_PREFIXES)


def _requote(part: str, safe: str) -> str:
    # One spelling per character: "%c3%b3", "%C3%B3" and "ó" are the same path.
    return quote(unquote(part), safe=safe)


def normalize_url(url: str, base: str | None = None) -> str:
    """The URL to fetch and store: absolute http(s), tracking parameters and fragment dropped, query sorted.

    ``base`` resolves a relative link (a feed's ``<link>``, a page's canonical). Raises
    :class:`~radiomon.pipeline.press.PressError` for anything that is not an http(s) URL with a host.
    """
    raw = (url or "").strip()
    if base:
        raw = urljoin(base, raw)
    try:
        parts = urlsplit(raw)
        port = parts.port
    except ValueError as err:
        raise PressError(f"not a valid URL: {url!r} ({err})") from None
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS or not parts.hostname:
        raise PressError(f"not an http(s) URL: {url!r}; an outlet's feeds and articles must start with http:// or https://")
    try:
        host = parts.hostname.rstrip(".").encode("idna").decode("ascii").lower()
    except UnicodeError:
        raise PressError(f"not a valid host name in {url!r}") from None
    netloc = host if port in (None, DEFAULT_PORTS[scheme]) else f"{host}:{port}"
    path = _requote(parts.path, safe="/:@!$&'()*+,;=-._~") or "/"
    query = sorted(
        (name, value)
        for name, value in parse_qsl(parts.query, keep_blank_values=True)
        if not is_tracking_param(name)
    )
    return urlunsplit((scheme, netloc, path, urlencode(query, quote_via=quote, safe="/:@!$'()*,;-._~"), ""))


def url_key(url: str, base: str | None = None) -> str:
    """The dedupe key: :func:`normalize_url` without the scheme and a leading ``www.``.

    ``http://www.diario.example/nota?utm_source=rss`` and ``https://diario.example/nota`` share
    the key ``diario.example/nota``.
    """
    parts = urlsplit(normalize_url(url, base))
    netloc = parts.netloc[4:] if parts.netloc.startswith("www.") else parts.netloc
    return urlunsplit(("", netloc, parts.path, parts.query, "")).removeprefix("//")


def same_host(a: str, b: str) -> bool:
    """Whether two URLs name one site (scheme and ``www.`` aside)."""
    return url_key(a).split("/", 1)[0] == url_key(b).split("/", 1)[0]
