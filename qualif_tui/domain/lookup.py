"""Finding a contact by what a user remembers of its name ("go to contact").

The full-text index answers a prefix search over names and company in a few
milliseconds even on 1 000 000 contacts; the face then ranks the few
candidates (the command palette scores them fuzzily).
"""

from __future__ import annotations

from dataclasses import dataclass

from qualif_tui.base.text import display_name
from qualif_tui.domain.fulltext import words
from qualif_tui.storage import Database


@dataclass(frozen=True)
class ContactMatch:
    id: int
    name: str
    company: str
    city: str


def find_contacts(db: Database, text: str, limit: int = 20) -> list[ContactMatch]:
    """Contacts whose first name, last name or company start with every word of ``text``.

    Results are ordered by name; at most ``limit`` of them. User text never
    reaches FTS5 syntax (each word becomes a quoted prefix term).
    """
    terms = words(text)
    if not terms:
        return []
    match = "{first_name last_name company} : (" + " ".join(f'"{t}"*' for t in terms) + ")"
    # No ORDER BY inside: a common prefix on 1M contacts matches many rows, and
    # ranking them all would cost more than the user is waiting for.
    rows = db.query(
        "SELECT c.id, c.first_name, c.last_name, c.company, c.city, c.sort_key FROM contacts c"
        " WHERE c.id IN (SELECT rowid FROM contacts_fts WHERE contacts_fts MATCH ? LIMIT ?)",
        (match, limit))
    rows = sorted(rows, key=lambda r: (r["sort_key"], r["id"]))
    return [ContactMatch(r["id"], display_name(r["first_name"], r["last_name"], r["company"]),
                         r["company"], r["city"]) for r in rows]
