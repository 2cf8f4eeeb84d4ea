"""What the language tests share: the catalogue's words, and finding them in a text.

A string "shows untranslated" when a French msgid (one whose English differs) is
found in what an English screen shows, or an English translation in a French one.
Messages with fields (``{name}``) are looked for by their longest fixed part.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache

from qualif_tui.base.i18n import translations

FIELD = re.compile(r"\{[^{}]*\}")
MIN_FRAGMENT = 12  # shorter pieces ("Fiche", "Notes") are words of the data as well


def _fragment(text: str) -> str:
    """The longest fixed part of a message, without its fields and markup."""
    parts = [part.strip(" :;,.—…()«»\"'\n") for part in FIELD.split(text)]
    return max(parts, key=len, default="")


@cache
def pairs() -> tuple[tuple[str, str], ...]:
    """(French, English) of every message of the catalogue whose English differs."""
    catalogue = translations("en")
    found = []
    for key, value in catalogue._catalog.items():  # type: ignore[attr-defined]
        if not key or not isinstance(value, str):
            continue
        french = key[0] if isinstance(key, tuple) else key
        if french != value and "\n" not in french:
            found.append((french, value))
    return tuple(found)


def _pieces(texts: Iterable[str]) -> set[str]:
    return {piece for piece in map(_fragment, texts)
            if len(piece) >= MIN_FRAGMENT and " " in piece}


@cache
def french_pieces() -> frozenset[str]:
    english = [e for _f, e in pairs()]
    # a French piece that is also English text (a name, an example) proves nothing
    return frozenset(p for p in _pieces(f for f, _e in pairs())
                     if not any(p in e for e in english))


@cache
def english_pieces() -> frozenset[str]:
    french = [f for f, _e in pairs()]
    return frozenset(p for p in _pieces(e for _f, e in pairs())
                     if not any(p in f for f in french))


def untranslated(shown: str, language: str, data: str = "") -> list[str]:
    """The pieces of the other language found in ``shown`` (minus those in ``data``:
    the user's own words stay as they are)."""
    pieces = french_pieces() if language == "en" else english_pieces()
    flat = " ".join(shown.split())
    return sorted(p for p in pieces if p in flat and p not in data)
