"""The column layout shared by the CSV and xlsx exports.

Headers are the French labels the import recognises ("Prénom", "Code
postal"…), then one column per qualification key (its name and type:
``Profil (clé : choix)``), then one per custom field in use: exporting then importing into a fresh file gives back
the same contacts, keys and custom fields.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from qualif_tui.domain.contacts import FIELDS, FLAG_FIELDS
from qualif_tui.domain.keyheaders import key_header
from qualif_tui.domain.keys import Decoded, QualKey, format_value
from qualif_tui.services.exporting.rows import FIELD_NAMES, ContactStream, custom_of

_FLAG_INDEXES = {FIELD_NAMES.index(f) for f in FLAG_FIELDS}


def headers(stream: ContactStream, custom: list[str]) -> list[str]:
    # key columns say they are keys, and of which type: imported into an empty
    # file, they become keys again (domain/keyheaders.py)
    return [*FIELDS.values(), *(key_header(k.name, k.type) for k in stream.keys), *custom]


def key_text(value: Decoded, decimal_comma: bool = False) -> str:
    if isinstance(value, float) and not isinstance(value, bool) and decimal_comma:
        return repr(value).replace(".", ",")
    return format_value(value)


def key_texter(key: QualKey, decimal_comma: bool) -> Callable[[Any], str]:
    """Stored value → cell text for one key, with the key's values looked up once."""
    if key.type == "choice":
        names = {v.code: v.value for v in key.values}
        return lambda stored: "" if stored is None else names.get(int(stored), "")
    if key.type in ("month", "date", "text"):
        return lambda stored: "" if stored is None else str(stored)

    @functools.lru_cache(maxsize=4096)
    def cached(stored: Any) -> str:
        return key_text(key.decode(stored), decimal_comma)

    return lambda stored: "" if stored is None else cached(stored)


_GUARD_FIRST = "=+-@\t\r"
# unicode() is the code of the first character: = + - @ tab CR
_GUARD_SQL = ("CASE WHEN unicode({e}) IN (61, 43, 45, 64, 9, 13)"
              " THEN char(39) || {e} ELSE {e} END")


def guard(text: str) -> str:
    """``text`` with a ``'`` in front if a spreadsheet would run it as a formula."""
    return "'" + text if text and text[0] in _GUARD_FIRST else text


def text_batches(stream: ContactStream, custom: list[str], decimal_comma: bool,
                 formula_guard: bool = False) -> Iterator[Sequence[Sequence[str]]]:
    """The text of every cell of every row, in header order, a batch of rows at a time (CSV).

    SQLite does the work where it can — flags, the values of choice, month,
    date and text keys (a CASE over the key's codes, values bound as
    parameters), the formula guard — so that for most files each row comes
    out of the cursor ready to write; at a million rows that is most of the
    time saved. Other key types and custom fields go through Python.
    """
    expressions: list[str] = []
    params: list[Any] = []

    def text(expression: str) -> str:
        return _GUARD_SQL.format(e=expression) if formula_guard else expression

    for name in FIELD_NAMES:
        if name in FLAG_FIELDS:
            expressions.append(f"CASE WHEN c.{name} THEN 'oui' ELSE '' END")
        else:
            expressions.append(text(f"c.{name}"))
    in_python: list[tuple[int, Callable[[Any], str]]] = []
    for key in stream.keys:
        column = f"f.{key.column}"
        if key.type == "choice" and key.values:
            whens = " ".join("WHEN ? THEN ?" for _ in key.values)
            expressions.append(f"CASE {column} {whens} ELSE '' END")
            for value in key.values:
                params += [value.code, guard(value.value) if formula_guard else value.value]
        elif key.type in ("choice", "month", "date"):
            expressions.append(f"coalesce({column}, '')")
        elif key.type == "text":
            expressions.append(text(f"coalesce({column}, '')"))
        else:
            texter = key_texter(key, decimal_comma)
            if formula_guard:
                texter = functools.partial(_guarded, texter)
            in_python.append((len(expressions), texter))
            expressions.append(column)
    if custom:
        expressions.append("c.custom")
    for batch in stream.select_batches(expressions, params):
        if not in_python and not custom:
            yield batch
            continue
        done = []
        for row in batch:
            values = list(row)
            for index, texter in in_python:
                values[index] = texter(values[index])
            if custom:
                found = custom_of(values.pop())
                cells = [found.get(name, "") for name in custom]
                values += [guard(c) for c in cells] if formula_guard else cells
            done.append(values)
        yield done


def _guarded(texter: Callable[[Any], str], stored: Any) -> str:
    return guard(texter(stored))
