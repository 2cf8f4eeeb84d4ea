"""Queries derived from a compiled query, for the faces that browse a result.

* :func:`missing_any` — the contacts of a result that lack at least one of
  some keys (what the qualification sprint walks);
* :func:`position_of` — where a contact sits in a sorted result (to put the
  list's cursor on a contact just created or picked by name);
* :func:`page_containing` — that position and the page of rows around it,
  read by keyset from the contact itself, so showing a contact deep in a
  million-row result never pays for an OFFSET scan.

Both build on :class:`CompiledQuery` (a boolean SQL expression over ``c`` and
``f``) and the sort expressions of :data:`SORTS`; key columns are ``k<id>``
names made from integers, never from user text.
"""

from __future__ import annotations

from collections.abc import Sequence

from qualif_tui.base.i18n import _
from qualif_tui.domain.keys import QualKey
from qualif_tui.query.engine import (
    SORTS,
    CompiledQuery,
    ContactRow,
    Cursor,
    count,
    fetch_page,
    refine,
)
from qualif_tui.query.errors import QueryError
from qualif_tui.query.plan import Cond
from qualif_tui.storage import Database


def missing_any(query: CompiledQuery, keys: Sequence[QualKey]) -> CompiledQuery:
    """The contacts of ``query`` with no value for at least one of ``keys``."""
    if not keys:
        return refine(query, Cond("0", (), "f", label=_("pas de clé")))
    # The unary + keeps SQLite from answering the OR with one index per key
    # (a MULTI-INDEX OR that then sorts every incomplete contact: 1.4 s for the
    # first 25 of 1M); walking the sort index and filtering stops at the 25th.
    missing = " OR ".join(f"+f.{key.column} IS NULL" for key in keys)
    return refine(query, Cond(f"({missing})", (), "f", label=_("une clé manque")))


def _cursor_of(db: Database, query: CompiledQuery, contact_id: int, sort: str
               ) -> Cursor | None:
    """The (sort value, id) of a contact if it is in the result."""
    try:
        expr = SORTS[sort][0]
    except KeyError:
        raise QueryError(_("tri inconnu « {sort} » (l'un de {value})").format(sort=sort, value=', '.join(SORTS))) from None
    rows = db.query(
        f"SELECT {expr} FROM contacts c JOIN contact_facts f ON f.contact_id = c.id"
        f" WHERE c.id = ? AND ({query.where})", (contact_id, *query.params))
    return (rows[0][0], contact_id) if rows else None


def _rows_before(db: Database, query: CompiledQuery, cursor: Cursor, sort: str) -> int:
    expr = SORTS[sort][0]
    before = refine(query, Cond(f"({expr}, c.id) < (?, ?)", tuple(cursor), "cf",
                                label=_("avant le contact")))
    return count(db, before)


def position_of(db: Database, query: CompiledQuery, contact_id: int, *,
                sort: str = "name") -> int | None:
    """The 0-based index of a contact in the result sorted by ``sort``; None if absent.

    Counting the rows before it costs time in proportion to its position (about
    a second and a half 700 000 rows deep); see ``position_hint`` below."""
    cursor = _cursor_of(db, query, contact_id, sort)
    return None if cursor is None else _rows_before(db, query, cursor, sort)


def page_containing(db: Database, query: CompiledQuery, contact_id: int, *,
                    sort: str = "name", page_size: int = 100,
                    keys: Sequence[QualKey] | None = None,
                    position_hint: int | None = None,
                    ) -> tuple[int, list[ContactRow]] | None:
    """(position, rows of the page of ``page_size`` rows holding the contact); None if
    the contact is not in the result. Pages start at multiples of ``page_size``.

    ``position_hint`` (where the contact was before a write that cannot have moved
    it) skips counting the rows before it: the page is then read by keyset alone,
    in constant time however deep the contact is. A hint larger than the rows
    that precede the contact is corrected.
    """
    cursor = _cursor_of(db, query, contact_id, sort)
    if cursor is None:
        return None
    if position_hint is None:
        position = _rows_before(db, query, cursor, sort)
    else:
        position = max(0, position_hint)

    def page(after: Cursor | None = None, before: Cursor | None = None,
             limit: int = page_size) -> list[ContactRow]:
        return fetch_page(db, query, sort=sort, after=after, before=before, limit=limit,
                          keys=keys)

    lead = position % page_size  # rows of the page before the contact
    first = page(before=cursor, limit=lead) if lead else []
    if len(first) < lead:
        # fewer rows precede it than the hint said: they are all there is
        position = lead = len(first)
    if first:
        return position, [first[0], *page(after=first[0].cursor, limit=page_size - 1)]
    previous = page(before=cursor, limit=1)
    if previous:
        return position, page(after=previous[0].cursor)
    return 0, page()
