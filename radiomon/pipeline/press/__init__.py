"""Press monitoring: newspapers' feeds and sitemaps → extracted articles.

A library with I/O only at its edges; the archive, the configuration and the
CLI call it with dataclasses and get dataclasses back:

* :mod:`~radiomon.pipeline.press.urls` — an article URL's normal form and its dedupe key (pure)
* :mod:`~radiomon.pipeline.press.feeds` — RSS, Atom, (news) sitemaps and sitemap indexes, bytes in (pure)
* :mod:`~radiomon.pipeline.press.fetch` — the polite HTTP client: deadlines, size cap, conditional GET, robots.txt
* :mod:`~radiomon.pipeline.press.extract` — an article page's text and metadata, bytes in (pure)
* :mod:`~radiomon.pipeline.press.stories` — near-duplicate grouping with a 64-bit SimHash (pure)
* :mod:`~radiomon.pipeline.press.collect` — one bounded pass over the outlets, errors as values
"""

from radiomon.errors import RadiomonError


class PressError(RadiomonError):
    """A press input (an outlet's URL, a feed setting) cannot be used; the message names it."""
