"""Add, change and remove the terms and groups of keywords.yml, keeping the file as it was written (pure).

What the web page «Palabras clave» and the JSON API change. As
:mod:`radiomon.keywords.edit` does for one alias or exclusion, each change
is made on the text where the YAML node tree says the entry is, so every
comment and every other line stays byte for byte:

* a term is written as the shipped file writes short entries: plain
  (``- cabildo``) when it is only a spelling, else one flow mapping
  (``- {term: fuga de gas, aliases: [fuga de gas natural], threshold: 90}``),
  appended to its group's list in the list's own style, or in place of the
  entry it replaces (a block mapping entry becomes that one line);
* a term removed takes its lines with it, and the comment lines right above
  it at its indent (they were about it);
* a group is appended as a block after the last one, at the groups' indent;
  its label and priority are changed in place (or added under its key).

Every result is then loaded as ``radiomon keywords check`` loads the file,
so an edit the check would refuse (an empty term, a threshold of 150, a
group left without terms) is refused with the check's own explanation; and
it must be the file as it was with that one change, or the edit is refused.
Errors are :class:`~radiomon.keywords.refusals.KeywordEditError`: the CLI's
line, and the same in Spanish for the web.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any

import yaml

from radiomon.errors import ConfigError
from radiomon.keywords.edit import _BREAKS, _LINES, _add_line, _last_line, _scalar, _splice, find_term
from radiomon.keywords.load import keywords_from_text
from radiomon.keywords.model import Group, KeywordSet
from radiomon.keywords.normalize import normalize
from radiomon.keywords.refusals import KeywordEditError, refused
from radiomon.yamlfile import YamlDocument, child

_NUMBER = re.compile(r"[-+]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)")


@dataclass(frozen=True)
class TermSpec:
    """A term as a person gives it: the form's or the API's fields."""

    term: str
    aliases: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    # A number, or whatever was typed: it is written as given and the check
    # refuses what is not a number from 0 to 100. None or "": the file's default.
    threshold: Any = None


def render_term(spec: TermSpec) -> str:
    """``spec`` as one YAML entry of a terms list (plain, or a flow mapping)."""
    threshold = _threshold(spec.threshold)
    if not spec.aliases and not spec.exclude and threshold is None:
        return _scalar(spec.term)
    parts = [f"term: {_scalar(spec.term)}"]
    if spec.aliases:
        parts.append(f"aliases: [{', '.join(map(_scalar, spec.aliases))}]")
    if threshold is not None:
        parts.append(f"threshold: {threshold}")
    if spec.exclude:
        parts.append(f"exclude: [{', '.join(map(_scalar, spec.exclude))}]")
    return "{" + ", ".join(parts) + "}"


def _threshold(value: Any) -> str | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return f"{value:g}" if value == value else json.dumps(str(value))
    text = str(value).strip().replace(",", ".")  # "85,5" as typed on a Spanish keyboard
    return text if _NUMBER.fullmatch(text) else json.dumps(str(value).strip(), ensure_ascii=False)


# -- terms ------------------------------------------------------------------------
def put_term(text: str, group_id: str, spec: TermSpec, *, replacing: str | None = None,
             source: str = "keywords.yml") -> str:
    """``text`` with ``spec`` appended to ``group_id``'s terms, or in place of the term written ``replacing``."""
    before = _load(text, source)
    group = _group(before, group_id, source)
    index = None
    if replacing is not None:
        index = _found(before, replacing, group_id, source)
    _refuse_conflicts(group, spec, index, source)
    document = YamlDocument(source, text)
    terms = _terms_node(document.node, group_id, source)
    if index is None:
        new_text = _append_item(text, terms, render_term(spec), source)
        position = len(group.terms)
    else:
        new_text = _splice(text, terms.value[index].start_mark.index, _end(terms.value[index]), render_term(spec))
        position = index

    def expected(after: KeywordSet) -> tuple[Group, ...]:
        new_terms = list(group.terms)
        found = _group(after, group_id, source).terms
        new_term = found[position] if position < len(found) else None
        if index is None:
            new_terms.append(new_term)
        else:
            new_terms[index] = new_term
        return _with_group(before, replace(group, terms=tuple(new_terms)))

    return _checked(new_text, source, expected, f"cannot change {spec.term!r} in {group_id} without changing "
                                                f"something else; make this change by hand")


def remove_term(text: str, group_id: str, term: str, *, source: str = "keywords.yml") -> str:
    """``text`` without the term written ``term`` of ``group_id`` (the check refuses a group left empty)."""
    before = _load(text, source)
    group = _group(before, group_id, source)
    index = _found(before, term, group_id, source)
    document = YamlDocument(source, text)
    terms = _terms_node(document.node, group_id, source)
    entry = terms.value[index]
    if terms.flow_style:
        items = terms.value
        if index + 1 < len(items):
            new_text = _splice(text, entry.start_mark.index, items[index + 1].start_mark.index, "")
        elif index > 0:
            new_text = _splice(text, _end(items[index - 1]), _end(entry), "")
        else:
            new_text = _splice(text, entry.start_mark.index, _end(entry), "")
    else:
        new_text = _without_lines(text, entry.start_mark.line, _last_line(entry), terms.start_mark.column)
    left = tuple(t for i, t in enumerate(group.terms) if i != index)
    return _checked(new_text, source, lambda _after: _with_group(before, replace(group, terms=left)),
                    f"cannot remove {term!r} from {group_id} without changing something else; remove it by hand")


def _refuse_conflicts(group: Group, spec: TermSpec, index: int | None, source: str) -> None:
    """A term already in the group, a spelling written twice, a spelling also excluded: refused
    (the check would let the first two through with a warning, and the last makes no sense)."""
    key = normalize(spec.term)
    if not key:
        return  # the check says what is wrong with it
    for i, other in enumerate(group.terms):
        if i == index:
            continue
        if normalize(other.term) == key:
            raise KeywordEditError(f"{source}: {spec.term.strip()!r} is already a term of {group.id}; "
                                   "edit that one instead")
        if key in map(normalize, other.aliases):
            raise KeywordEditError(f"{source}: {spec.term.strip()!r} is already an alias of {other.term} "
                                   f"({group.id}); edit that term instead")
    seen: set[str] = set()
    for spelling in (spec.term, *spec.aliases):
        folded = normalize(spelling)
        if folded and folded in seen:
            raise KeywordEditError(f"{source}: {spelling.strip()!r} is written twice in {spec.term.strip()}; "
                                   "keep one")
        seen.add(folded)
    for spelling in spec.exclude:
        if normalize(spelling) and normalize(spelling) in seen:
            raise KeywordEditError(f"{source}: {spelling.strip()!r} is both a spelling and an exclusion of "
                                   f"{spec.term.strip()}; keep it in one list")


# -- groups -------------------------------------------------------------------------
def put_group(text: str, group_id: str, *, label: str, priority: str, first_term: TermSpec | None = None,
              source: str = "keywords.yml") -> str:
    """``text`` with the label and priority of ``group_id`` changed; with ``first_term``, a new group
    ``group_id`` appended after the last one (an id taken is the check's "duplicate group id")."""
    before = _load(text, source)
    document = YamlDocument(source, text)
    groups = child(document.node, "groups")
    if first_term is not None:
        if not isinstance(groups, yaml.MappingNode) or groups.flow_style or not groups.value:
            raise KeywordEditError(f"{source}: groups is written in a way this page does not edit; add the "
                                   "group by hand")
        new_text = _append_group(text, groups, group_id, label, priority, first_term)
        return _checked(new_text, source, lambda after: (*before.groups, after.groups[-1])
                        if after.groups[-1].id == group_id else (),
                        f"cannot add group {group_id!r} without changing something else; add it by hand")
    group = _group(before, group_id, source)
    new_text = text
    for key, value, default in (("label", label, group_id), ("priority", priority, "normal")):
        node = child(child(YamlDocument(source, new_text).node, "groups"), group_id)
        if child(node, key) is None and value == default:
            continue  # absent means this already
        new_text = _set_key(new_text, node, key, _scalar(value), source)
    return _checked(new_text, source, lambda _after: _with_group(before, replace(group, label=label,
                                                                                  priority=priority)),
                    f"cannot change group {group_id} without changing something else; change it by hand")


def remove_group(text: str, group_id: str, *, source: str = "keywords.yml") -> str:
    """``text`` without the group ``group_id`` (the check refuses a file left without groups)."""
    before = _load(text, source)
    _group(before, group_id, source)
    groups = child(YamlDocument(source, text).node, "groups")
    if not isinstance(groups, yaml.MappingNode) or groups.flow_style:
        raise KeywordEditError(f"{source}: groups is written in a way this page does not edit; remove the group "
                               "by hand")
    key, value = next((k, v) for k, v in groups.value if k.value == group_id)
    new_text = _without_lines(text, key.start_mark.line, _last_line(value), key.start_mark.column)
    left = tuple(g for g in before.groups if g.id != group_id)
    return _checked(new_text, source, lambda _after: left,
                    f"cannot remove group {group_id} without changing something else; remove it by hand")


def _append_group(text: str, groups: yaml.MappingNode, group_id: str, label: str, priority: str,
                  first_term: TermSpec) -> str:
    indent = groups.value[0][0].start_mark.column
    first_value = groups.value[0][1]
    inner = (first_value.start_mark.column if isinstance(first_value, yaml.MappingNode)
             and not first_value.flow_style else indent + 2)
    last_key, last_value = groups.value[-1]
    lines = _lines(text)
    spaced = last_key.start_mark.line > 0 and not lines[last_key.start_mark.line - 1].strip()
    pad, inside = " " * indent, " " * inner
    block = [f"{pad}{_scalar(group_id)}:", f"{inside}label: {_scalar(label)}", f"{inside}priority: {_scalar(priority)}",
             f"{inside}terms:", f"{inside}  - {render_term(first_term)}"]
    new_text = text
    after = _last_line(last_value)
    for line in reversed(block):
        new_text = _add_line(new_text, after, line)
    if spaced:
        new_text = _add_line(new_text, after, "")
    return new_text


def _set_key(text: str, mapping: Any, key: str, scalar: str, source: str) -> str:
    """``text`` with ``key: scalar`` in the mapping node: its value replaced, or the key added first."""
    if not isinstance(mapping, yaml.MappingNode) or not mapping.value:
        raise KeywordEditError(f"{source}: groups is written in a way this page does not edit; change it by hand")
    for key_node, value in mapping.value:
        if key_node.value != key:
            continue
        if not isinstance(value, yaml.ScalarNode):
            raise KeywordEditError(f"{source}:{value.start_mark.line + 1}: cannot change {key} without changing "
                                   "something else; change it by hand")
        if value.start_mark.index == value.end_mark.index:  # `label:` left empty
            at = key_node.end_mark.index + 1
            return _splice(text, at, at, f" {scalar}")
        return _splice(text, value.start_mark.index, value.end_mark.index, scalar)
    if mapping.flow_style:
        at = mapping.start_mark.index + 1  # after the opening brace
        return _splice(text, at, at, f"{key}: {scalar}, ")
    first = mapping.value[0][0]
    return _add_line(text, first.start_mark.line - 1, " " * first.start_mark.column + f"{key}: {scalar}")


# -- shared ---------------------------------------------------------------------------
def _load(text: str, source: str) -> KeywordSet:
    try:
        return keywords_from_text(text, source)
    except ConfigError as err:
        raise refused(err) from None


def _group(keywords: KeywordSet, group_id: str, source: str) -> Group:
    try:
        return keywords.group(group_id)
    except KeyError:
        raise KeywordEditError(f"{source}: no such group {group_id!r} "
                               f"(known: {', '.join(g.id for g in keywords.groups)})") from None


def _found(keywords: KeywordSet, term: str, group_id: str, source: str) -> int:
    try:
        return find_term(keywords, term, group_id, source)[1]
    except ConfigError as err:
        raise refused(err) from None


def _terms_node(root: Any, group_id: str, source: str) -> yaml.SequenceNode:
    node = child(child(child(root, "groups"), group_id), "terms")
    if not isinstance(node, yaml.SequenceNode) or not node.value:
        raise KeywordEditError(f"{source}: the entry of {group_id} is written in a way this page does not edit; "
                               "change it by hand")
    return node


def _with_group(keywords: KeywordSet, group: Group) -> tuple[Group, ...]:
    return tuple(group if g.id == group.id else g for g in keywords.groups)


def _checked(new_text: str, source: str, expected: Callable[[KeywordSet], Sequence[Group]], mismatch: str) -> str:
    """``new_text`` once it loads as the check loads it and holds exactly the ``expected`` groups."""
    after = _load(new_text, source)
    if tuple(after.groups) != tuple(expected(after)):
        raise KeywordEditError(f"{source}: {mismatch}")
    return new_text


def _end(node: Any) -> int:
    """Index just past ``node``'s last character (a block collection's own end mark lies past what follows it)."""
    while isinstance(node, (yaml.MappingNode, yaml.SequenceNode)) and not node.flow_style and node.value:
        last = node.value[-1]
        node = last[1] if isinstance(node, yaml.MappingNode) else last
    return node.end_mark.index


def _append_item(text: str, items: yaml.SequenceNode, entry: str, source: str) -> str:
    if items.flow_style:
        at = _end(items.value[-1])
        return _splice(text, at, at, f", {entry}")
    return _add_line(text, _last_line(items), " " * items.start_mark.column + "- " + entry)


def _lines(text: str) -> list[str]:
    return [line for line in _LINES.split(text) if line]


def _without_lines(text: str, first: int, last: int, indent: int) -> str:
    """``text`` without its 0-based lines ``first``..``last``, and the comment lines right above them at
    ``indent`` (they were about what goes); no two blank lines left where they were."""
    lines = _lines(text)
    while first > 0 and lines[first - 1].lstrip().startswith("#") \
            and len(lines[first - 1]) - len(lines[first - 1].lstrip()) == indent:
        first -= 1
    del lines[first:last + 1]
    if 0 < first < len(lines) and not lines[first - 1].strip(_BREAKS + " ") and not lines[first].strip(_BREAKS + " "):
        del lines[first]
    elif first == len(lines) and first > 0 and not lines[first - 1].strip(_BREAKS + " "):
        del lines[first - 1]  # no blank line left at the end of the file
    return "".join(lines)


__all__ = ["TermSpec", "put_group", "put_term", "remove_group", "remove_term", "render_term"]
