"""Bare words and phrases → FTS5 MATCH expressions, safely.

User text never reaches FTS5 syntax: it is cut into words, and each word is
written as a quoted FTS5 string (``"dupon"*``), so quotes, ``NEAR``, ``-`` or
column filters typed by the user are only characters to find.

Words of one or two letters are left out of the history search (a search of
such words only looks on the cards): nearly every note has one
(:data:`HISTORY_MIN_LETTERS`).

The tables use ``unicode61 remove_diacritics 2``: it lowercases and drops
accents but keeps ligatures (``œ``, ``æ``, ``ß``) as letters, while
:func:`qualif_tui.base.text.fold` (the rest of the program) writes them ``oe``,
``ae``, ``ss``. So each word is searched in every spelling the index may
hold: ``oeuvre`` finds both "Oeuvre" and "Œuvre". (Letters unicode61 neither
decomposes nor folds to ASCII — ``ø``, ``ł``, ``đ`` — are found when typed as
written, not from their ASCII spelling.)
"""

from __future__ import annotations

import itertools
import re
import unicodedata

from qualif_tui.base.text import fold

_WORD = re.compile(r"[^\W_]+", re.UNICODE)
_LIGATURES = (("oe", "œ"), ("ae", "æ"), ("ss", "ß"))
MAX_SPELLINGS = 8


def index_form(text: str) -> str:
    """``text`` roughly as unicode61 indexes it: lower case, accents dropped."""
    decomposed = unicodedata.normalize("NFD", text.lower())
    return unicodedata.normalize("NFC", "".join(c for c in decomposed
                                               if not unicodedata.combining(c)))


def words(text: str) -> list[str]:
    """The words of ``text`` as typed (each is searched in all its spellings)."""
    return _WORD.findall(text)


def spellings(word: str, *, prefix: bool = False) -> list[str]:
    """The forms one typed word may have in the index, folded form first.

    For a prefix, a last letter that starts a ligature is also searched as
    the ligature: ``o``* finds "Œuvre" too.
    """
    folded = fold(word)
    forms = [folded]
    if prefix and folded and folded[-1] in "oas":
        forms.append(folded[:-1] + {"o": "œ", "a": "æ", "s": "ß"}[folded[-1]])
    for plain, ligature in _LIGATURES:
        for form in list(forms):
            starts = [m.start() for m in re.finditer(plain, form)]
            for count in range(1, len(starts) + 1):
                for chosen in itertools.combinations(starts, count):
                    chars = list(form)
                    for start in reversed(chosen):
                        chars[start:start + 2] = [ligature]
                    forms.append("".join(chars))
                    if len(forms) >= MAX_SPELLINGS:
                        break
    typed = index_form(word)
    if typed not in forms:
        forms.append(typed)
    unique = list(dict.fromkeys(f for f in forms if f and _WORD.fullmatch(f)))
    return unique[:MAX_SPELLINGS] or [folded]


def _string(term: str) -> str:
    return '"' + term.replace('"', '""') + '"'


def _alternatives(terms: list[str], suffix: str) -> str:
    parts = [_string(t) + suffix for t in terms]
    return parts[0] if len(parts) == 1 else "(" + " OR ".join(parts) + ")"


def all_words(text: str, *, prefix: bool = True) -> str | None:
    """Every word of ``text`` (as a prefix if ``prefix``), in one row; None if no word."""
    typed = words(text)
    if not typed:
        return None
    star = "*" if prefix else ""
    return " AND ".join(_alternatives(spellings(w, prefix=prefix), star) for w in typed)


def phrase(text: str) -> str | None:
    """The words of ``text`` in this order, side by side, the last one a prefix."""
    typed = words(text)
    if not typed:
        return None
    options = [spellings(w, prefix=i == len(typed) - 1) for i, w in enumerate(typed)]
    combos = list(itertools.islice(itertools.product(*options), MAX_SPELLINGS))
    parts = [_string(" ".join(combo)) + "*" for combo in combos]
    return parts[0] if len(parts) == 1 else "(" + " OR ".join(parts) + ")"


# Words shorter than this are looked for on the cards only, not in the history:
# "d", "du", "de" are in most notes (1.9 million entries hold a "de…" at 1 000 000
# contacts), and FTS5 merges every such word's list before the first row — 1.5 s.
# The cards have prefix indexes for one and two letters (schema: prefix='1 2').
HISTORY_MIN_LETTERS = 3


def searched_in_history(word: str) -> bool:
    """Whether a typed word is also looked for in the history (not only the cards)."""
    return len(fold(word)) >= HISTORY_MIN_LETTERS


def in_columns(columns: tuple[str, ...], expression: str) -> str:
    """Restrict an expression to some columns of the FTS table."""
    return "{" + " ".join(columns) + "} : (" + expression + ")"
