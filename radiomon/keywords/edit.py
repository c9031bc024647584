"""Add an alias or an exclusion to one term of keywords.yml, keeping the file as it was written (pure).

keywords.yml is written and commented by office staff; loading it and
dumping it again would drop every comment and reflow every line. So the
edit is made on the text: the term's entry is found in the YAML node tree
(which knows where each node starts and ends), and the new spelling is
inserted into it, in the style the entry already has:

* a plain entry (``- Obras Públicas``) becomes a flow mapping
  (``- {term: Obras Públicas, aliases: [Obras Púbicas]}``);
* a list already there grows by one item, in its own style
  (``aliases: [Moro León, Morreón]``, or one more ``- Morreón`` line under
  the others, at their indent);
* a mapping without the key gets it, as ``aliases: [Morreón]`` (inside the
  braces of a flow mapping, or on a line of its own at the mapping's indent
  of a block one: aliases after the term's line, exclusions at the end).

Nothing else changes, byte for byte. The result is then loaded as
:func:`~radiomon.keywords.load.load_keywords` would load it, and it must
be the file as it was with that one spelling added, or the edit is refused.
"""

from __future__ import annotations

import difflib
import json
import re
from dataclasses import dataclass, replace
from typing import Literal

import yaml

from radiomon.errors import ConfigError
from radiomon.keywords.load import keywords_from_text
from radiomon.keywords.model import KeywordSet, Term
from radiomon.keywords.normalize import normalize
from radiomon.yamlfile import YamlDocument, child

Kind = Literal["aliases", "exclude"]
KINDS: tuple[Kind, ...] = ("aliases", "exclude")
# Characters that make a plain scalar mean something else in a flow list
# (or start a YAML construct): such a spelling is written double-quoted.
_UNSAFE = set(",[]{}#&*!|>'\"%@`:?")
# A line and its break, as PyYAML counts lines (its marks' line numbers).
_BREAKS = "\r\n\x85\u2028\u2029"
_LINES = re.compile(f"([^{_BREAKS}]*(?:\r\n|[{_BREAKS}])?)")


@dataclass(frozen=True)
class SpellingEdit:
    """What :func:`add_spelling` did."""

    text: str  # the file's new text
    group_id: str
    term: str  # the canonical term, as keywords.yml writes it
    kind: Kind
    spelling: str  # as added
    line: int  # 1-based line of the term's entry


def add_spelling(text: str, term: str, spelling: str, kind: Kind, *, group: str | None = None,
                 source: str = "keywords.yml") -> SpellingEdit:
    """``text`` (keywords.yml) with ``spelling`` added to ``term``'s ``kind``
    list (``aliases`` or ``exclude``). ConfigError, one line, when the file
    does not load, the term is unknown or ambiguous, or the spelling is
    already one of the term's spellings or exclusions."""
    if kind not in KINDS:
        raise ValueError(f"unknown kind {kind!r}")
    keywords = keywords_from_text(text, source)
    spelling = spelling.strip()
    if not normalize(spelling):
        raise ConfigError(f"{spelling!r} has no letters or digits; give the words as they were heard")
    group_id, index, found = find_term(keywords, term, group, source)
    _refuse_duplicate(found, group_id, spelling, kind, source)
    document = YamlDocument(source, text)
    entry = _terms_node(document.node, group_id).value[index]
    new_text = _insert(text, entry, kind, _scalar(spelling), source, found.term)
    after = keywords_from_text(new_text, source)
    changed = replace(found, **{kind: (*getattr(found, kind), spelling)})
    if _with_term(keywords, group_id, index, changed) != (after.groups, after.threshold):
        raise ConfigError(f"{source}:{entry.start_mark.line + 1}: cannot add {spelling!r} to {found.term} without "
                          f"changing something else; add it to its {kind} list by hand")
    return SpellingEdit(new_text, group_id, found.term, kind, spelling, entry.start_mark.line + 1)


def find_term(keywords: KeywordSet, term: str, group: str | None, source: str = "keywords.yml",
              ) -> tuple[str, int, Term]:
    """(group id, index in its terms, term) of the term written ``term``
    (exactly, else the same once normalized), in ``group`` when given."""
    if group is not None and group not in {g.id for g in keywords.groups}:
        raise ConfigError(f"--group {group}: no such group in {source} "
                          f"(known: {', '.join(g.id for g in keywords.groups)})")
    candidates = [(g.id, i, t) for g in keywords.groups if group in (None, g.id) for i, t in enumerate(g.terms)]
    hits = [c for c in candidates if c[2].term == term] or [
        c for c in candidates if normalize(c[2].term) == normalize(term)]
    where = f" in group {group}" if group else ""
    if not hits:
        owners = [c[2].term for c in candidates if normalize(term) in map(normalize, c[2].aliases)]
        if owners:
            raise ConfigError(f"{source}: {term!r} is an alias of {owners[0]}{where}; name the term itself")
        close = difflib.get_close_matches(term, [c[2].term for c in candidates], n=1)
        hint = f"did you mean {close[0]!r}?" if close else "`radiomon keywords check` lists the terms"
        raise ConfigError(f"{source}: no term {term!r}{where}; {hint}")
    if len(hits) > 1:
        groups = ", ".join(dict.fromkeys(c[0] for c in hits))
        raise ConfigError(f"{source}: {term!r} is a term of several groups ({groups}); say which with --group")
    return hits[0]


def _refuse_duplicate(term: Term, group_id: str, spelling: str, kind: Kind, source: str) -> None:
    key = normalize(spelling)
    if key in map(normalize, term.spellings):
        what = "the term" if key == normalize(term.term) else "an alias"
        advice = "nothing to add" if kind == "aliases" else "an exclusion of its own spelling would never let it count"
        raise ConfigError(f"{source}: {spelling!r} is already {what} of {term.term} ({group_id}); {advice}")
    if key in map(normalize, term.exclude):
        advice = ("nothing to add" if kind == "exclude"
                  else "remove it from exclude first if it is the term after all")
        raise ConfigError(f"{source}: {spelling!r} is already an exclusion of {term.term} ({group_id}); {advice}")


def _with_term(keywords: KeywordSet, group_id: str, index: int, term: Term) -> tuple:
    groups = tuple(
        replace(g, terms=tuple(term if i == index else t for i, t in enumerate(g.terms))) if g.id == group_id else g
        for g in keywords.groups
    )
    return groups, keywords.threshold


def _scalar(spelling: str) -> str:
    """``spelling`` as a YAML scalar that reads back as itself in a flow list."""
    try:
        plain = yaml.safe_load(f"[{spelling}]") == [spelling]
    except yaml.YAMLError:
        plain = False
    if plain and not _UNSAFE & set(spelling) and not spelling.startswith(("-", " ")):
        return spelling
    return json.dumps(spelling, ensure_ascii=False)  # a JSON string is a YAML double-quoted scalar


# -- the node tree --------------------------------------------------------------
def _terms_node(root: yaml.Node, group_id: str) -> yaml.SequenceNode:
    node = child(child(child(root, "groups"), group_id), "terms")
    assert isinstance(node, yaml.SequenceNode)  # the file loaded: groups.<id>.terms is a list
    return node


def _last_line(node: yaml.Node) -> int:
    """0-based line where ``node``'s last scalar ends. A block collection's
    own end mark is the start of whatever follows it (perhaps lines of
    comments later), so its last leaf is what counts."""
    while isinstance(node, (yaml.MappingNode, yaml.SequenceNode)) and not node.flow_style and node.value:
        last = node.value[-1]
        node = last[1] if isinstance(node, yaml.MappingNode) else last
    mark = node.end_mark
    return mark.line - 1 if mark.column == 0 and mark.line > 0 else mark.line


def _insert(text: str, entry: yaml.Node, kind: Kind, scalar: str, source: str, term: str) -> str:
    """``text`` with ``scalar`` added to the ``kind`` list of the term ``entry``."""
    refuse = ConfigError(f"{source}:{entry.start_mark.line + 1}: the entry of {term} is written in a way this "
                         f"command does not edit; add the spelling to its {kind} list by hand")
    if isinstance(entry, yaml.ScalarNode):
        written = text[entry.start_mark.index:entry.end_mark.index]
        if entry.style in ("|", ">") or "\n" in written:
            raise refuse
        return _splice(text, entry.start_mark.index, entry.end_mark.index, f"{{term: {written}, {kind}: [{scalar}]}}")
    if not isinstance(entry, yaml.MappingNode):
        raise refuse
    keys = {k.value: (k, v) for k, v in entry.value}
    if kind in keys:
        key, items = keys[kind]
        if isinstance(items, yaml.SequenceNode) and items.flow_style:
            if items.value:
                at = items.value[-1].end_mark.index
                return _splice(text, at, at, f", {scalar}")
            at = items.end_mark.index - 1  # the closing bracket
            return _splice(text, at, at, scalar)
        if isinstance(items, yaml.SequenceNode) and items.value:
            dash = items.start_mark.column  # a block list's start mark is its first dash
            return _add_line(text, _last_line(items), " " * dash + "- " + scalar)
        if isinstance(items, yaml.ScalarNode) and items.tag.endswith(":null"):  # `aliases:` left empty
            if items.start_mark.index == items.end_mark.index and text[key.end_mark.index:][:1] == ":":
                at = key.end_mark.index + 1
                return _splice(text, at, at, f" [{scalar}]")
            return _splice(text, items.start_mark.index, items.end_mark.index, f"[{scalar}]")
        raise refuse
    if entry.flow_style:
        at = entry.value[-1][1].end_mark.index
        return _splice(text, at, at, f", {kind}: [{scalar}]")
    indent = entry.start_mark.column  # a block mapping's start mark is its first key
    after = keys["term"][1] if kind == "aliases" and "term" in keys else entry
    return _add_line(text, _last_line(after), " " * indent + f"{kind}: [{scalar}]")


def _splice(text: str, start: int, end: int, new: str) -> str:
    return text[:start] + new + text[end:]


def _add_line(text: str, after: int, line: str) -> str:
    """``text`` with ``line`` inserted after its 0-based line ``after``, in the file's own line ending."""
    newline = "\r\n" if "\r\n" in text else "\n"
    lines = [line for line in _LINES.split(text) if line]
    if after + 1 >= len(lines) and lines and lines[-1][-1] not in _BREAKS:
        lines[-1] += newline
    lines.insert(after + 1, line + newline)
    return "".join(lines)


__all__ = ["KINDS", "Kind", "SpellingEdit", "add_spelling", "find_term"]
