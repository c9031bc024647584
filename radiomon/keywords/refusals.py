"""Why an edit of keywords.yml was refused, in the office's Spanish (pure).

``radiomon keywords check`` (radiomon/keywords/load.py) and the in-place
editors (radiomon/keywords/edit.py, edit_terms.py) explain a refusal in
English, for the command line: ``keywords.yml:42: groups.crisis.terms[3].term:
empty term; write the words to look for``. The web page «Palabras clave»
refuses the same edits for the same reasons, so it shows the same
explanation translated here, message by message, with the line and key kept
(whoever opens the file finds the place). A message without a translation
is shown as it is, after a Spanish lead: never hidden.
"""

from __future__ import annotations

import re

from radiomon.errors import ConfigError


class KeywordEditError(ConfigError):
    """An edit of keywords.yml refused; ``str()`` is the CLI's line, :attr:`spanish` the web's."""

    status = 400

    def __init__(self, message: str, spanish: str | None = None) -> None:
        super().__init__(message)
        self.spanish = spanish or in_spanish(message)


class StaleVersionError(KeywordEditError):
    """keywords.yml changed since the person read it: their edit would undo someone else's."""

    status = 409


def refused(err: ConfigError) -> KeywordEditError:
    """``err`` (the check's or an editor's) as a :class:`KeywordEditError`."""
    return err if isinstance(err, KeywordEditError) else KeywordEditError(str(err))


# "file:line: key.path: message" (load.py's ``_Parser.error``), or "file:line: message", or "file: message".
_WHERE = re.compile(r"^(?P<file>[^:\n]+?)(?::(?P<line>\d+))?: (?:(?P<key>(?:groups|defaults)[^:\n]*|\(top level\)): )?"
                    r"(?P<message>.*)$", re.S)

_Q = r"""(?P<q>'[^']*'|"[^"]*"|\S+)"""  # a repr()'d value
_KINDS = {"a mapping": "un mapa", "a list": "una lista", "text": "texto", "true/false": "verdadero/falso",
          "a number": "un número", "nothing": "nada"}

# (English message, Spanish template): the check's refusals first, then the editors'.
_MESSAGES: list[tuple[str, str]] = [
    (r"empty term; .*", "término vacío: escriba las palabras que se buscan"),
    (rf"{_Q} is out of range; .*", "el umbral {q} está fuera de rango: use un número de 0 a 100 (88 es el "
                                   "predeterminado)"),
    (r"must be a number from 0 to 100, not (?P<kind>.+)", "el umbral debe ser un número de 0 a 100, no {kind}"),
    (rf"{_Q} is a number; .*", "{q} es un número; si es un término, escríbalo entre comillas"),
    (rf"{_Q} looks like a pattern; .*", "{q} parece un patrón (*, +, |, [ ]…); los términos son palabras "
                                        "sencillas: agregue cada forma como variante"),
    (rf"{_Q} has no letters or digits; .*", "{q} no tiene letras ni números; escriba las palabras que se buscan"),
    (rf"bad group id {_Q}; .*", "el identificador de grupo {q} no es válido: use letras, números, «_» o «-», "
                                "p. ej. obras_publicas"),
    (rf"unknown priority {_Q}; .*", "prioridad desconocida {q}: use normal, high (alta) o crisis"),
    (r"no terms; .*", "el grupo se quedaría sin términos: agregue otro antes de quitar el último, o quite el grupo"),
    (r"no groups; .*", "no quedaría ningún grupo: agregue otro antes de quitar el último"),
    (r"duplicate group id '(?P<id>[^']*)'; .*", "ya existe un grupo «{id}»: elija otro identificador"),
    (r"duplicate key '(?P<id>[^']*)'; .*", "la clave «{id}» está repetida: una las dos o cambie el nombre de una"),
    (r"unknown key '(?P<id>[^']*)'; .*", "clave desconocida «{id}»"),
    (r"must be text \((?P<what>[^)]*)\), not (?P<kind>.+)", "debe ser texto, no {kind}"),
    (r"must be true or false, not (?P<kind>.+)", "debe ser verdadero o falso, no {kind}"),
    (r"must be a list.*", "debe ser una lista"),
    (r"must be (?P<what>.+), not (?P<kind>.+)", "tiene otra forma que la esperada ({kind})"),
    (r"missing 'term'; .*", "falta el término («term»)"),
    (r"invalid YAML \((?P<what>.*)\); .*", "el archivo no es YAML válido ({what}); corríjalo a mano"),
    (r"the file is empty; .*", "el archivo está vacío"),
    # the editors' own refusals (edit.py, edit_terms.py)
    (rf"{_Q} is already a term of (?P<group>[\w-]+); .*", "{q} ya es un término del grupo {group}: edítelo en "
                                                            "lugar de agregarlo otra vez"),
    (rf"{_Q} is already an alias of (?P<term>.+?) \((?P<group>[\w-]+)\); .*",
     "{q} ya es una variante de «{term}» ({group})"),
    (rf"{_Q} is already the term of (?P<term>.+?) \((?P<group>[\w-]+)\); .*",
     "{q} ya es el término «{term}» ({group})"),
    (rf"{_Q} is already an exclusion of (?P<term>.+?) \((?P<group>[\w-]+)\); .*",
     "{q} ya es una exclusión de «{term}» ({group})"),
    (rf"{_Q} is both a spelling and an exclusion of (?P<term>.+?); .*",
     "{q} está a la vez entre las variantes y las exclusiones de «{term}»: déjelo en una sola lista"),
    (rf"{_Q} is written twice in (?P<term>.+?); .*", "{q} está escrito dos veces en «{term}»"),
    (rf"no term {_Q} in group (?P<group>[\w-]+).*", "no hay un término {q} en el grupo {group}"),
    (rf"no term {_Q}.*", "no hay un término {q}"),
    (rf"no such group {_Q}.*", "no existe el grupo {q}"),
    (r"cannot (?:add|change|remove) .* by hand", "esa parte del archivo está escrita de una forma que la página no "
                                                 "edita; pida que la cambien a mano"),
    (r"the entry of .* is written in a way .*", "esa parte del archivo está escrita de una forma que la página no "
                                                "edita; pida que la cambien a mano"),
    (r"groups is written in a way .*", "los grupos están escritos de una forma que la página no edita; pida que "
                                       "los cambien a mano"),
    (r"file not found; .*", "no se encuentra el archivo de palabras clave"),
    (r"cannot read it .*", "no se puede leer el archivo de palabras clave"),
    (r"cannot write it .*", "no se puede escribir el archivo de palabras clave (permisos de la carpeta)"),
]
_COMPILED = [(re.compile(pattern + r"$", re.S), template) for pattern, template in _MESSAGES]


def in_spanish(message: str) -> str:
    """One line in Spanish for the English ``message`` of a refused edit, its line and key kept."""
    found = _WHERE.match(message.strip())
    where, text = "", message.strip()
    if found:
        text = found["message"]
        parts = [f"línea {found['line']}" if found["line"] else "", found["key"] or ""]
        where = ", ".join(p for p in parts if p)
    for pattern, template in _COMPILED:
        hit = pattern.match(text)
        if hit:
            values = {k: _KINDS.get(v, v) if k == "kind" else _quoted(v) if k == "q" else v
                      for k, v in hit.groupdict().items() if v is not None}
            line = template.format(**values)
            break
    else:
        line = f"el archivo de palabras clave no lo acepta ({text})"
    line = line[:1].upper() + line[1:]
    return f"{line} ({where})." if where else f"{line}."


def _quoted(value: str) -> str:
    """A repr()'d value between Spanish quotes: ``'Moroleón'`` → «Moroleón», a number as it is."""
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
        return f"«{value[1:-1]}»"
    return value


__all__ = ["KeywordEditError", "StaleVersionError", "in_spanish", "refused"]
