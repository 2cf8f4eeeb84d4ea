"""Saved queries follow a key or a value renamed: ``profil:clientt`` → ``statut:client``.

Renaming a qualification key or one of its values (or merging values) would
silently empty every saved segment that names them. :func:`rename_in_query`
rewrites exactly the pieces that name them — a term's key, its values, the
names in ``has:``/``missing:`` — and leaves the rest of the text as the user
typed it (spacing, order, other terms).
"""

from __future__ import annotations

from collections.abc import Mapping

from qualif_tui.base.text import fold, fold_key_name
from qualif_tui.query.ast import Span, Term, Value, quote, walk
from qualif_tui.query.errors import QueryError
from qualif_tui.query.fields import SPECIALS
from qualif_tui.query.parser import parse

_STOP = set('()":<>=,“«„')


def _plain(text: str) -> bool:
    return (bool(text) and ".." not in text and not text.startswith("-")
            and not any(c in _STOP or c.isspace() for c in text))


def _written(text: str) -> str:
    return text if _plain(text) and text not in ("OR", "AND", "NOT") else quote(text)


def rename_in_query(text: str, key_name: str, *, new_key: str | None = None,
                    values: Mapping[str, str] | None = None) -> str:
    """``text`` with key ``key_name`` called ``new_key`` and its values renamed
    (``values``: old value, any case or accents → new value). A query that does
    not parse is returned as it is."""
    try:
        tree = parse(text)
    except QueryError:
        return text
    wanted = fold_key_name(key_name)
    renames = {fold(old): new for old, new in (values or {}).items()}
    edits: list[tuple[Span, str]] = []
    for node in walk(tree):
        if not isinstance(node, Term):
            continue
        special = SPECIALS.get(fold_key_name(node.key))
        if special in ("has", "missing") and new_key is not None:
            for value in node.values:
                if fold_key_name(value.text) == wanted:
                    edits.append((value.span, _written(new_key)))
            continue
        if fold_key_name(node.key) != wanted:
            continue
        if new_key is not None:
            edits.append((node.key_span, _written(new_key)))
        for value in _values(node):
            new = renames.get(fold(value.text))
            if new is not None:
                edits.append((value.span, _written(new)))
    for span, replacement in sorted(edits, key=lambda e: e[0].start, reverse=True):
        text = text[:span.start] + replacement + text[span.end:]
    return text


def _values(term: Term) -> list[Value]:
    found = list(term.values)
    found += [v for v in (term.low, term.high) if v is not None]
    return found
