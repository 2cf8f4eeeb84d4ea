"""Completion of the query being typed: key names, values, places, segments.

The search bar completes the word under the cursor (Tab) and lists what it could
be, so that ``p`` Tab ``c`` Tab gives ``profil:client`` and a target is typed in a
fraction of its letters. What is proposed depends on where the cursor is:

- a name (before ``:``): the file's qualification keys first (in their order), then
  the words of the language (``dept``, ``region``, ``segment``, ``has``, ``missing``)
  and the built-in fields; the completion ends with ``:``;
- a value after ``key:`` (or after a ``,`` in a list of values): the values of a
  choice key in their order; département and region names for ``dept:`` and
  ``region:``; segment names for ``segment:``; key and field names for ``has:`` and
  ``missing:``. A value that needs quotes (``"foire/salon"``) gets them.

Matching ignores case and accents; a candidate whose first letters match comes
before one where only a later word does (``sal`` → ``"foire/salon"``).
Pure functions over a :class:`Vocabulary`: tested without a terminal.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from qualif_tui.base.geography import DEPARTEMENTS, REGIONS
from qualif_tui.base.text import fold, fold_key_name
from qualif_tui.domain.keys import QualKey
from qualif_tui.query.fields import BUILTINS, DEAL_GROUP, RESERVED, SPECIALS
from qualif_tui.query.lexer import KEYWORDS

_PLAIN = re.compile(r"[\w\-.]+")  # a value that needs no quotes
_OPERATORS = re.compile(r"[<>=]|\.\.")


@dataclass(frozen=True)
class Vocabulary:
    """What the file gives names to: its keys and its segments."""

    keys: Sequence[QualKey] = ()
    segments: Sequence[str] = ()


@dataclass(frozen=True)
class Completion:
    """Replace ``text[start:end]`` by one of ``candidates`` (best first)."""

    start: int
    end: int
    candidates: tuple[str, ...]
    what: str  # "name", "value", "place", "segment"

    def apply(self, text: str, index: int = 0) -> tuple[str, int]:
        """The text with candidate ``index`` in place, and where the cursor goes."""
        chosen = self.candidates[index % len(self.candidates)]
        return text[:self.start] + chosen + text[self.end:], self.start + len(chosen)


def quoted(value: str) -> str:
    """``value`` as the query language reads it (quoted when it must be)."""
    if _PLAIN.fullmatch(value):
        return value
    return '"' + value.replace('"', '') + '"'


def slug(name: str) -> str:
    """A place name as one word: ``Haute-Garonne`` → ``haute-garonne``."""
    return "-".join("".join(c if c.isalnum() else " " for c in fold(name)).split())


def _term_start(text: str) -> int:
    """Where the term under the cursor (at the end of ``text``) begins."""
    start, in_quote = 0, False
    for index, char in enumerate(text):
        if char == '"':
            in_quote = not in_quote
        elif not in_quote and (char.isspace() or char in "()"):
            start = index + 1
    return start


def _split_unquoted(term: str, separator: str) -> int:
    """Index of the last ``separator`` outside quotes in ``term``, or -1."""
    found, in_quote = -1, False
    for index, char in enumerate(term):
        if char == '"':
            in_quote = not in_quote
        elif char == separator and not in_quote:
            found = index
    return found


def _first_unquoted(term: str, separator: str) -> int:
    in_quote = False
    for index, char in enumerate(term):
        if char == '"':
            in_quote = not in_quote
        elif char == separator and not in_quote:
            return index
    return -1


def _ranked(typed: str, candidates: Sequence[tuple[str, str]]) -> list[str]:
    """Candidates (shown, inserted) whose name starts with ``typed`` first, then those
    where a later word does; each inserted text once."""
    wanted = fold(typed.strip('"'))
    first: list[str] = []
    later: list[str] = []
    for shown, inserted in candidates:
        folded = fold(shown)
        words = re.split(r"[^\w]+", folded)
        if folded.startswith(wanted):
            bucket = first
        elif wanted and any(word.startswith(wanted) for word in words[1:]):
            bucket = later
        else:
            continue
        if inserted not in first and inserted not in later:
            bucket.append(inserted)
    return first + later


def name_candidates(vocabulary: Vocabulary) -> list[tuple[str, str]]:
    """Every name a term can start with, as (name, completion) — keys first."""
    names = [(key.norm_name, f"{key.norm_name}:") for key in vocabulary.keys]
    names += [(word, f"{word}:") for word in RESERVED]
    names += [(field.name, f"{field.name}:") for field in BUILTINS]
    names += [(alias, f"{alias}:") for field in BUILTINS for alias in field.aliases]
    names += [(alias, f"{alias}:") for alias in SPECIALS if alias not in RESERVED]
    names += [(word, f"{word}:(") for word in DEAL_GROUP]  # criteria on one deal
    return names


def _value_candidates(name: str, vocabulary: Vocabulary) -> tuple[str, list[tuple[str, str]]]:
    wanted = fold_key_name(name)
    key = next((k for k in vocabulary.keys if k.norm_name == wanted), None)
    if key is not None:
        if key.has_choices:
            return "value", [(v.value, quoted(v.value)) for v in key.values]
        return "value", []
    special = SPECIALS.get(wanted)
    if special == "dept":
        return "place", [(d.name, slug(d.name)) for d in DEPARTEMENTS.values()] + [
            (d.code, d.code) for d in DEPARTEMENTS.values()]
    if special == "region":
        return "place", [(r.name, slug(r.name)) for r in REGIONS] + [
            (alias, slug(alias)) for r in REGIONS for alias in r.aliases]
    if special == "segment":
        return "segment", [(s, quoted(s)) for s in vocabulary.segments]
    if special in ("has", "missing"):
        return "name", [(k.norm_name, k.norm_name) for k in vocabulary.keys] + [
            (f.name, f.name) for f in BUILTINS]
    return "value", []


def complete(text: str, cursor: int, vocabulary: Vocabulary) -> Completion | None:
    """What the term under the cursor can become, or None (nothing to propose)."""
    before = text[:cursor]
    start = _term_start(before)
    term = before[start:]
    while term.startswith("-"):  # a negation: complete what follows
        term, start = term[1:], start + 1
    end = cursor
    while end < len(text) and not (text[end].isspace() or text[end] in "(),"):
        end += 1  # the rest of the word under the cursor is replaced too
    colon = _first_unquoted(term, ":")
    if colon < 0:
        if not term or _OPERATORS.search(term) or term.upper() in KEYWORDS:
            return None
        found = _ranked(term, name_candidates(vocabulary))
        return Completion(start, end, tuple(found), "name") if found else None
    name, values = term[:colon], term[colon + 1:]
    if _OPERATORS.search(values) or not name:
        return None
    comma = _split_unquoted(values, ",")
    value_start = start + colon + 1 + comma + 1
    typed = values[comma + 1:]
    what, candidates = _value_candidates(name.strip('"'), vocabulary)
    if not candidates:
        return None
    if not typed:
        found = [inserted for _shown, inserted in candidates]
    else:
        found = _ranked(typed, candidates)
    found = list(dict.fromkeys(found))
    return Completion(value_start, end, tuple(found), what) if found else None
