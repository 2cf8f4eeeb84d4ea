"""One keystroke → one value: how the form and the sprint read a key's answer.

Digits 1–9 pick a value by its position; a letter picks the first value that
starts with it, and pressing it again moves on to the next value with the same
initial (``c`` → client, ``c`` again → concurrent). Yes/no keys take o/y/1 and
n/0. Pure functions, tested without a terminal.
"""

from __future__ import annotations

from rich.text import Text

from qualif_tui.base.i18n import _
from qualif_tui.base.text import fold
from qualif_tui.domain.keys import Decoded, QualKey, format_value

TYPED = ("month", "date", "number", "text")
_YES = {"o", "y", "1"}
_NO = {"n", "0", "2"}

PLACEHOLDERS = {"month": "AAAA-MM", "date": "JJ/MM/AAAA", "number": "nombre", "text": "texte"}


def value_for(key: QualKey, character: str, current: Decoded = None) -> str | bool | None:
    """The value a keystroke means for ``key``, or None if it means nothing."""
    if not character or len(character) != 1:
        return None
    if key.type == "yesno":
        folded = fold(character)
        if folded in _YES:
            return True
        if folded in _NO:
            return False
        return None
    if not key.has_choices or not key.values:
        return None
    if character.isdigit():
        number = int(character)
        if 1 <= number <= min(9, len(key.values)):
            return key.values[number - 1].value
        return None
    initial = fold(character)
    if not initial or not initial[0].isalpha():
        return None
    candidates = [v.value for v in key.values if v.norm.startswith(initial)]
    if not candidates:
        return None
    if key.type == "choice" and isinstance(current, str) and current in candidates:
        return candidates[(candidates.index(current) + 1) % len(candidates)]
    return candidates[0]


def starts_typing(key: QualKey, character: str) -> bool:
    """Does this keystroke begin a typed value (a month, a date, a number…)?"""
    if key.type not in TYPED or not character or len(character) != 1:
        return False
    if key.type == "text":
        return character.isprintable() and not character.isspace()
    return character.isdigit()


def choices_hint(key: QualKey, current: Decoded) -> Text:
    """``1 client  2 prospect …`` with the current value(s) highlighted."""
    text = Text()
    if key.type == "yesno":
        for label, answer in (("o", True), ("n", False)):
            style = "reverse" if current is answer else ""
            text.append(f"{label} {'oui' if answer else 'non'}", style)
            text.append("  ")
        return text
    if key.type in TYPED:
        text.append(_("tapez la valeur ({value}) puis ↵").format(value=PLACEHOLDERS[key.type]), "italic")
        return text
    chosen: set[object] = set(current) if isinstance(current, list) else {current}
    for position, value in enumerate(key.values, start=1):
        label = str(position) if position <= 9 else "·"
        text.append(f"{label} ", "bold")
        text.append(value.value, "reverse" if value.value in chosen else "")
        text.append("  ")
    if key.type == "multi":
        text.append(_("(bascule)"), "italic dim")
    return text


def shown(value: Decoded) -> str:
    return format_value(value) or "—"
