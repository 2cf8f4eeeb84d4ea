"""Turning what a user typed into a safe FTS5 query.

User text never reaches FTS5 syntax: every word becomes a quoted prefix term
(``"dupon"*``), so quotes, ``NEAR``, ``-`` or column filters typed by the user
are just characters to find.
"""

from __future__ import annotations

import re

from qualif_tui.base.text import fold

_WORD = re.compile(r"[^\W_]+", re.UNICODE)


def words(text: str) -> list[str]:
    """The folded words of ``text``, as the unicode61 tokenizer would split them."""
    return _WORD.findall(fold(text))


def prefix_query(text: str) -> str | None:
    """An FTS5 MATCH expression requiring every word of ``text`` as a prefix.

    Returns None when ``text`` holds no word at all (punctuation only).
    """
    terms = words(text)
    if not terms:
        return None
    return " ".join(f'"{term}"*' for term in terms)


def phrase_query(text: str) -> str | None:
    """An FTS5 phrase: the words of ``text`` in this order, the last one a prefix."""
    terms = words(text)
    if not terms:
        return None
    return '"' + " ".join(terms) + '"*'
