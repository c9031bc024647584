"""Load and validate keywords.yml into a :class:`~radiomon.keywords.model.KeywordSet`.

The only module of the package that does I/O. Every problem a person can make
in the file is a :class:`~radiomon.errors.ConfigError` with one line:
``file:line: key.path: what is wrong; what to do``. The file is written by
office staff, not programmers, so the messages show the expected shape.
"""

from __future__ import annotations

import difflib
import logging
import re
from pathlib import Path
from typing import Any

import yaml

from radiomon.errors import ConfigError
from radiomon.keywords.model import DEFAULT_THRESHOLD, PRIORITIES, Group, KeywordSet, Term
from radiomon.keywords.normalize import normalize
from radiomon.yamlfile import KeyPath, YamlDocument, dotted

log = logging.getLogger(__name__)

_TOP_KEYS = ("defaults", "groups")
_DEFAULTS_KEYS = ("threshold", "derive_thresholds")
_GROUP_KEYS = ("label", "priority", "terms", "report")
_TERM_KEYS = ("term", "aliases", "threshold", "exclude")
# Group ids appear in URLs, CLI options and the archive: keep them word-like.
_GROUP_ID = re.compile(r"^\w[\w-]*$")
# Symbols of regular expressions and wildcards, which no name is written with.
# Normalization would drop them without a word ("Moro.*" would be looked for
# as "moro", "C++" as a lone "c", "[abc]" as "abc", "a|b" as "a b"), so a
# term holding one is refused: the matcher is fuzzy already, and each
# spelling it should also accept is an alias. Punctuation that names do carry
# (H., D.I.F., ¿?, parentheses, hyphens) is left alone.
_PATTERN_SYNTAX = re.compile(r"[*+|\[\]{}\\^$]|\.[*+?]")


def load_keywords(path: str | Path) -> KeywordSet:
    """Read and validate keywords.yml; ConfigError (one line) on any problem."""
    return _validated(YamlDocument.read(Path(path)))


# (size, mtime, inode) of each file read by current_keywords, and what it held. The inode: an
# edit from the web replaces the file, and two saves of one size within a clock tick share an mtime.
_current: dict[Path, tuple[tuple[int, int, int], KeywordSet | None]] = {}


def current_keywords(path: str | Path) -> KeywordSet | None:
    """keywords.yml as it is now, for readers that go on without it (search,
    the web UI's labels): parsed again only when its size, mtime or inode changes;
    None while it is missing or invalid (`radiomon keywords check` says why)."""
    path = Path(path)
    try:
        stat = path.stat()
    except OSError:
        return None
    stamp = (stat.st_size, stat.st_mtime_ns, stat.st_ino)
    kept = _current.get(path)
    if kept is None or kept[0] != stamp:
        try:
            keywords: KeywordSet | None = load_keywords(path)
        except ConfigError:
            keywords = None
        kept = (stamp, keywords)
        _current[path] = kept
    return kept[1]


def keywords_from_text(text: str, source: str = "keywords.yml") -> KeywordSet:
    """What :func:`load_keywords` gives for a file holding ``text`` (named
    ``source`` in messages): an edit of keywords.yml is checked with it
    before the file is replaced."""
    return _validated(YamlDocument(source, text))


def _validated(document: YamlDocument) -> KeywordSet:
    _reject_duplicate_keys(document, document.node, ())
    return parse_keywords(document.data, document.source, document=document)


def parse_keywords(data: Any, source: str = "keywords.yml", *, document: YamlDocument | None = None) -> KeywordSet:
    """Validate already-parsed YAML data (a dict) into a KeywordSet.

    ``source`` names the file in messages; ``document``, when given, adds line
    numbers. Tests and ``radiomon init`` pass plain dicts.
    """
    return _Parser(source, document).keyword_set(data)


class _Parser:
    def __init__(self, source: str, document: YamlDocument | None):
        self.source = source
        self.document = document

    def error(self, path: KeyPath, message: str) -> ConfigError:
        where = self.document.where(path) if self.document is not None else self.source
        return ConfigError(f"{where}: {dotted(path)}: {message}")

    # -- the document --------------------------------------------------------
    def keyword_set(self, data: Any) -> KeywordSet:
        if data is None:
            raise self.error((), "the file is empty; write a 'groups:' mapping (see `radiomon init`)")
        self.mapping(data, (), "a mapping with 'defaults' and 'groups'")
        self.known_keys(data, (), _TOP_KEYS)
        threshold, derive_thresholds = DEFAULT_THRESHOLD, True
        if data.get("defaults") is not None:
            defaults = self.mapping(data["defaults"], ("defaults",), "a mapping like {threshold: 88}")
            self.known_keys(defaults, ("defaults",), _DEFAULTS_KEYS)
            if "threshold" in defaults:
                threshold = self.threshold(defaults["threshold"], ("defaults", "threshold"))
            if "derive_thresholds" in defaults:
                derive_thresholds = self.flag(defaults["derive_thresholds"], ("defaults", "derive_thresholds"))
        if "groups" not in data or data["groups"] is None:
            raise self.error(("groups",), "missing; add 'groups:' with at least one group of terms")
        groups_data = self.mapping(data["groups"], ("groups",), "a mapping of group id to {label, priority, terms}")
        if not groups_data:
            raise self.error(("groups",), "no groups; add at least one group of terms")
        groups = tuple(self.group(gid, gdata, ("groups", gid)) for gid, gdata in groups_data.items())
        keywords = KeywordSet(groups=groups, threshold=threshold, derive_thresholds=derive_thresholds,
                              source=self.source)
        log.debug("%s: %d groups, %d terms", self.source, len(groups), len(keywords.terms))
        return keywords

    def group(self, group_id: Any, data: Any, path: KeyPath) -> Group:
        if not isinstance(group_id, str) or not _GROUP_ID.match(group_id):
            raise self.error(path, f"bad group id {group_id!r}; use letters, digits, '_' or '-', e.g. obras_publicas")
        if isinstance(data, list):
            raise self.error(path, "is a list; write it as a mapping with 'terms:', e.g. {label: ..., terms: [...]}")
        self.mapping(data, path, "a mapping with 'label', 'priority' and 'terms'")
        self.known_keys(data, path, _GROUP_KEYS)
        label = data.get("label")
        if label is None:
            label = group_id
        label = self.text(label, (*path, "label"), "the group's display name")
        priority = data.get("priority", "normal")
        if priority not in PRIORITIES:
            raise self.error((*path, "priority"), f"unknown priority {priority!r}; use one of: {', '.join(PRIORITIES)}")
        terms_data = data.get("terms")
        if terms_data is None or terms_data == []:
            raise self.error((*path, "terms"), "no terms; list the words to look for, e.g. terms: [Obras Públicas]")
        if not isinstance(terms_data, list):
            raise self.error((*path, "terms"), f"must be a list, not {_kind(terms_data)}; write terms: [first, second]")
        terms = tuple(self.term(t, (*path, "terms", i)) for i, t in enumerate(terms_data))
        self.warn_repeated_terms(terms, path)
        report = self.flag(data.get("report", False), (*path, "report"))
        return Group(id=group_id, label=label, priority=priority, terms=terms, report=report)

    def term(self, data: Any, path: KeyPath) -> Term:
        if isinstance(data, dict):
            self.known_keys(data, path, _TERM_KEYS)
            if "term" not in data:
                raise self.error(path, "missing 'term'; write {term: Moroleón, aliases: [...]}")
            text = self.spelling(data["term"], (*path, "term"))
            aliases = self.spellings(data.get("aliases"), (*path, "aliases"))
            exclude = self.spellings(data.get("exclude"), (*path, "exclude"))
            threshold = None
            if data.get("threshold") is not None:
                threshold = self.threshold(data["threshold"], (*path, "threshold"))
            return Term(term=text, aliases=aliases, threshold=threshold, exclude=exclude)
        return Term(term=self.spelling(data, path))

    # -- values ----------------------------------------------------------------
    def spellings(self, data: Any, path: KeyPath) -> tuple[str, ...]:
        if data is None:
            return ()
        if not isinstance(data, list):
            raise self.error(path, f"must be a list, not {_kind(data)}; write [{data}]" if isinstance(data, str)
                             else f"must be a list of words, not {_kind(data)}")
        return tuple(self.spelling(item, (*path, i)) for i, item in enumerate(data))

    def spelling(self, data: Any, path: KeyPath) -> str:
        if data is None or (isinstance(data, str) and not data.strip()):
            raise self.error(path, "empty term; write the words to look for")
        if isinstance(data, (int, float)) and not isinstance(data, bool):
            raise self.error(path, f"{data!r} is a number; put it in quotes if it is a term: '{data}'")
        text = self.text(data, path, "the words to look for")
        if _PATTERN_SYNTAX.search(text):
            raise self.error(path, f"{text.strip()!r} looks like a pattern; terms are plain words (write each "
                                   "spelling as an alias, and a symbol as it is said)")
        if not normalize(text):
            raise self.error(path, f"{text!r} has no letters or digits; write the words to look for")
        return text.strip()

    def text(self, data: Any, path: KeyPath, what: str) -> str:
        if not isinstance(data, str):
            raise self.error(path, f"must be text ({what}), not {_kind(data)}")
        return data

    def threshold(self, data: Any, path: KeyPath) -> float:
        if isinstance(data, bool) or not isinstance(data, (int, float)):
            raise self.error(path, f"must be a number from 0 to 100, not {_kind(data)}")
        if not 0 <= data <= 100:
            raise self.error(path, f"{data} is out of range; use a number from 0 to 100 (88 is the default)")
        return float(data)

    def flag(self, data: Any, path: KeyPath) -> bool:
        if not isinstance(data, bool):
            raise self.error(path, f"must be true or false, not {_kind(data)}")
        return data

    def mapping(self, data: Any, path: KeyPath, expected: str) -> dict:
        if not isinstance(data, dict):
            raise self.error(path, f"must be {expected}, not {_kind(data)}")
        return data

    def known_keys(self, data: dict, path: KeyPath, allowed: tuple[str, ...]) -> None:
        for key in data:
            if key not in allowed:
                hint = difflib.get_close_matches(str(key), allowed, n=1)
                advice = f"did you mean '{hint[0]}'?" if hint else f"allowed keys: {', '.join(allowed)}"
                raise self.error((*path, key), f"unknown key '{key}'; {advice}")

    def warn_repeated_terms(self, terms: tuple[Term, ...], path: KeyPath) -> None:
        seen: dict[str, str] = {}
        for term in terms:
            for spelling in term.spellings:
                key = normalize(spelling)
                if key in seen and seen[key] != term.term:
                    log.warning("%s: %s: %r is listed under both %r and %r",
                                self.source, dotted(path), spelling, seen[key], term.term)
                seen.setdefault(key, term.term)


def _reject_duplicate_keys(document: YamlDocument, node: Any, path: KeyPath) -> None:
    """YAML keeps the last of two equal keys silently; a repeated group id would
    drop a whole group, so it is an error (checked on the node tree, which
    still has both)."""
    if isinstance(node, yaml.MappingNode):
        seen: set[Any] = set()
        for key_node, value_node in node.value:
            key = key_node.value
            if key in seen:
                line = key_node.start_mark.line + 1
                what = "group id" if path == ("groups",) else "key"
                raise ConfigError(f"{document.source}:{line}: {dotted((*path, key))}: duplicate {what} "
                                  f"'{key}'; merge the two or rename one")
            seen.add(key)
            _reject_duplicate_keys(document, value_node, (*path, key))
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _reject_duplicate_keys(document, item, (*path, index))


def _kind(value: Any) -> str:
    names: dict[type, str] = {dict: "a mapping", list: "a list", str: "text", bool: "true/false",
                              int: "a number", float: "a number", type(None): "nothing"}
    return names.get(type(value), type(value).__name__)


__all__: list[str] = ["keywords_from_text", "load_keywords", "parse_keywords"]
