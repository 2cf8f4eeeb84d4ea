"""The shape of a page of results and the SQL that reads it.

Two plans read a page (the engine chooses, see :mod:`.engine`):

* **walk** — read the sort index in order and keep matching contacts until the
  page is full (:func:`walk_sql`; matching is a bitmap probe ``qualif_in`` or,
  in SQL mode, the WHERE clause in a correlated EXISTS, :func:`sql_membership`);
* **list** — take the (small) set of matching ids and sort only those
  (:func:`list_sql`).

Both are keyset paged: the cursor is the (sort value, id) of the last row seen.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from qualif_tui.base.i18n import N_, _
from qualif_tui.base.text import display_name
from qualif_tui.domain.keys import Decoded, QualKey
from qualif_tui.query.compiled import CompiledQuery
from qualif_tui.query.errors import QueryError
from qualif_tui.query.plan import tables as plan_tables
from qualif_tui.storage import Database

# sort name → (SQL expression, label). Every sort ends with c.id for a total order.
SORTS: dict[str, tuple[str, str]] = {
    "name": ("c.sort_key", N_("nom")),
    "company": ("c.norm_company", N_("société")),
    "city": ("c.norm_city", N_("ville")),
    "last_contact": ("coalesce(f.last_contact, '')", N_("dernier contact")),
}

Cursor = tuple[Any, int]  # (sort value, contact id) of a row


@dataclass(frozen=True)
class Walk:
    """How to read a sort in order from an index."""

    alias: str  # "c" or "f": the table the index belongs to
    index: str
    column: str  # the indexed column, in walk order
    ident: str  # the contact id column of that table
    nullable: bool  # NULL sorts first and stands for '' in cursors


WALKS: dict[str, Walk] = {
    "name": Walk("c", "contacts_sort", "c.sort_key", "c.id", False),
    "company": Walk("c", "contacts_company", "c.norm_company", "c.id", False),
    "city": Walk("c", "contacts_city", "c.norm_city", "c.id", False),
    "last_contact": Walk("f", "facts_last_contact", "f.last_contact", "f.contact_id", True),
}

@dataclass(frozen=True)
class ContactRow:
    """One line of a result: what lists and exports show."""

    id: int
    first_name: str
    last_name: str
    company: str
    email: str
    phone: str
    mobile: str
    postal_code: str
    city: str
    dept: str | None
    last_contact: str | None
    email_optout: bool
    cursor: Cursor
    keys: dict[str, Decoded] = field(default_factory=dict)
    revenue: float = 0.0  # sum of the won deals
    open_deals: int = 0
    last_purchase: str | None = None  # day of the latest won deal

    @property
    def name(self) -> str:
        return display_name(self.first_name, self.last_name, self.company)

    def as_json(self) -> dict[str, Any]:
        """The JSON shape of ``qualif query --format json`` (DESIGN.md contract)."""
        return {
            "id": self.id,
            "first_name": self.first_name,
            "last_name": self.last_name,
            "company": self.company,
            "email": self.email,
            "phone": self.phone,
            "mobile": self.mobile,
            "postal_code": self.postal_code,
            "city": self.city,
            "dept": self.dept,
            "last_contact": self.last_contact,
            "revenue": self.revenue,
            "open_deals": self.open_deals,
            "last_purchase": self.last_purchase,
            "keys": dict(self.keys),
        }


def from_clause(tables: str) -> str:
    if tables == "f":
        return "contact_facts f"
    if tables == "c":
        return "contacts c"
    return "contacts c JOIN contact_facts f ON f.contact_id = c.id"


def sort_expression(sort: str) -> str:
    try:
        return SORTS[sort][0]
    except KeyError:
        raise QueryError(_("tri inconnu « {sort} » (l'un de {value})").format(sort=sort, value=', '.join(SORTS))) from None


def _columns(keys: Sequence[QualKey], sort_expr: str) -> str:
    key_columns = "".join(f", f.{k.column}" for k in keys)
    return ("c.id, c.first_name, c.last_name, c.company, c.email, c.phone, c.mobile,"
            " c.postal_code, c.city, c.email_optout, f.dept, f.last_contact,"
            f" {sort_expr} AS sort_value, f.revenue, f.open_deals, f.last_purchase{key_columns}")


def _decoder(key: QualKey) -> Callable[[Any], Decoded]:
    """``key.decode``, with a dict for choice codes (50 rows × 6 keys per page)."""
    if key.type != "choice":
        return key.decode
    names = {v.code: v.value for v in key.values}

    def decode(stored: Any) -> Decoded:
        return None if stored is None else names.get(int(stored))
    return decode


def read_rows(db: Database, sql: str, params: Sequence[Any], keys: Sequence[QualKey]
          ) -> list[ContactRow]:
    rows = []
    decoders = [(k.name, 16 + i, _decoder(k)) for i, k in enumerate(keys)]
    for r in db.query(sql, params):
        rows.append(ContactRow(
            id=r[0], first_name=r[1], last_name=r[2], company=r[3], email=r[4], phone=r[5],
            mobile=r[6], postal_code=r[7], city=r[8], email_optout=bool(r[9]), dept=r[10],
            last_contact=r[11], cursor=(r[12], r[0]),
            keys={name: decode(r[at]) for name, at, decode in decoders},
            revenue=float(r[13] or 0), open_deals=int(r[14] or 0), last_purchase=r[15],
        ))
    return rows


def _walk_keyset(walk: Walk, cursor: Cursor, greater: bool) -> tuple[str, list[Any]]:
    """The rows after (``greater``) or before a cursor, in a form the index can seek."""
    o, i = walk.column, walk.ident
    value, ident = cursor
    if not walk.nullable:
        return f"({o}, {i}) {'>' if greater else '<'} (?, ?)", [value, ident]
    if value in (None, ""):
        if greater:
            return f"(({o} IS NULL AND {i} > ?) OR {o} IS NOT NULL)", [ident]
        return f"({o} IS NULL AND {i} < ?)", [ident]
    if greater:
        return f"({o} >= ? AND ({o} > ? OR {i} > ?))", [value, value, ident]
    return f"({o} IS NULL OR {o} < ? OR ({o} = ? AND {i} < ?))", [value, value, ident]


@dataclass
class PageRequest:
    """A page request, normalised: direction, cursor, window."""

    sort: str
    cursor: Cursor | None
    greater: bool  # rows after the cursor in ascending order
    direction: str  # ASC / DESC
    backwards: bool
    limit: int
    offset: int = 0


def page_request(sort: str, after: Cursor | None, before: Cursor | None, limit: int,
                  descending: bool, offset: int = 0) -> PageRequest:
    sort_expression(sort)
    backwards = before is not None
    cursor = before if backwards else after
    greater = (not descending) != backwards
    direction = "DESC" if descending != backwards else "ASC"
    return PageRequest(sort, cursor, greater, direction, backwards, max(0, limit), max(0, offset))


def walk_sql(query: CompiledQuery, page: PageRequest, keys: Sequence[QualKey], membership: str,
              membership_params: Sequence[Any]) -> tuple[str, list[Any]]:
    walk = WALKS[page.sort]
    expr = SORTS[page.sort][0]
    table = "contacts c" if walk.alias == "c" else "contact_facts f"
    where = [membership]
    params: list[Any] = list(membership_params)
    if page.cursor is not None:
        condition, values = _walk_keyset(walk, page.cursor, page.greater)
        where.append(condition)
        params.extend(values)
    d = page.direction
    inner = (f"SELECT {walk.ident} AS pid, {walk.column} AS pv FROM {table}"
             f" INDEXED BY {walk.index} WHERE {' AND '.join(where)}"
             f" ORDER BY {walk.column} {d}, {walk.ident} {d} LIMIT ? OFFSET ?")
    params.extend([page.limit, page.offset])
    # the walked order again (NULL first when ascending, as in the index)
    outer = (f"SELECT {_columns(keys, expr)} FROM ({inner}) AS p"
             " JOIN contacts c ON c.id = p.pid JOIN contact_facts f ON f.contact_id = c.id"
             f" ORDER BY p.pv {d}, p.pid {d}")
    return outer, params


def sql_membership(query: CompiledQuery, walk: Walk) -> str:
    """The WHERE clause as a test on the walked table (EXISTS joins the other one)."""
    needs = plan_tables(query.plan)
    if walk.alias == "c":
        if "f" not in needs:
            return f"({query.where})"
        return (f"EXISTS (SELECT 1 FROM contact_facts f WHERE f.contact_id = c.id"
                f" AND ({query.where}))")
    if "c" not in needs:
        return f"({query.where})"
    return f"EXISTS (SELECT 1 FROM contacts c WHERE c.id = f.contact_id AND ({query.where}))"


def list_sql(page: PageRequest, keys: Sequence[QualKey], ids_json: str) -> tuple[str, list[Any]]:
    expr = SORTS[page.sort][0]
    where = ["c.id IN (SELECT value FROM json_each(?))"]
    params: list[Any] = [ids_json]
    if page.cursor is not None:
        where.append(f"({expr}, c.id) {'>' if page.greater else '<'} (?, ?)")
        params.extend(page.cursor)
    d = page.direction
    sql = (f"SELECT {_columns(keys, expr)} FROM contacts c"
           " JOIN contact_facts f ON f.contact_id = c.id"
           f" WHERE {' AND '.join(where)} ORDER BY {expr} {d}, c.id {d} LIMIT ? OFFSET ?")
    params.extend([page.limit, page.offset])
    return sql, params
