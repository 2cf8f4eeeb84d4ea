"""How qualif's own exports declare a qualification key, so an import recreates it.

A CSV or xlsx column holding a key is headed ``Profil (clé : choix)``; the
xlsx workbook adds a sheet "Clés" with each key's type, its values in order
and its reminder; a vCard file carries ``X-QUALIF-KEYDEF`` on its first card
and ``X-KIND`` on each ``X-QUALIF-KEY``. Imported into an empty file, the
keys come back with their types and values: a round trip loses nothing.
"""

from __future__ import annotations

import re

# key type → the word written in headers (French: the file is read by people too)
KIND_WORDS = {
    "choice": "choix",
    "multi": "choix multiple",
    "month": "mois",
    "date": "date",
    "number": "nombre",
    "yesno": "oui/non",
    "text": "texte",
}
_TYPES = {word: kind for kind, word in KIND_WORDS.items()}
_HEADER = re.compile(r"(.+?)\s*\((?:clé|cle|key)\s*:\s*([^()]+?)\s*\)\s*", re.IGNORECASE)
KEY_SHEET = "Clés"
KEY_SHEET_HEADER = ("Clé", "Type", "Valeurs", "Rappel (jours avant)", "Rappel (mois après)")


def key_header(name: str, key_type: str) -> str:
    """``Profil (clé : choix)``."""
    return f"{name} (clé : {KIND_WORDS[key_type]})"


def parse_key_header(header: str) -> tuple[str, str] | None:
    """``(name, type)`` of a header written by :func:`key_header`, else None."""
    match = _HEADER.fullmatch(header.strip())
    if not match:
        return None
    kind = _TYPES.get(match[2].strip().lower()) or (
        match[2].strip().lower() if match[2].strip().lower() in KIND_WORDS else None)
    return (match[1].strip(), kind) if kind else None


def kind_of(word: str) -> str | None:
    """A type from its header word or its id (``choix`` or ``choice``)."""
    word = word.strip().lower()
    return _TYPES.get(word) or (word if word in KIND_WORDS else None)
