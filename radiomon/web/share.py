"""What staff send a colleague: the web UI's own address and the «Copiar para WhatsApp» text.

Links in pages and in documents opened from the web need the address the
colleague will open. ``office.base_url`` says it when set; otherwise the
address this page was served from is the best guess (the colleague is on
the same network, typing the same name), so a document opened from the web
never comes without its listen links.
"""

from __future__ import annotations

from flask import request

from radiomon.web.common import config


def base_url() -> str:
    """``office.base_url``, or the scheme and host this request came to (no trailing slash)."""
    return (config().office.base_url or request.host_url).rstrip("/")


def share_text(*, where: str, when: str, sentence: str, link: str) -> str:
    """The message pasted into WhatsApp: who said it and when, the sentence, the link (pure).

    ``where``: the station or outlet's name; ``when``: local "mié 25/11/2026 08:01";
    WhatsApp shows ``*…*`` as bold and ``_…_`` as italics."""
    sentence = " ".join(sentence.split())
    return f"*{where}* · {when}\n_«{sentence}»_\n{link}"
