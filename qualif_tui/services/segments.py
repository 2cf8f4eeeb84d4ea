"""Segments: saved queries (dynamic groups) and frozen member lists (static groups).

A dynamic segment is re-evaluated each time it is used; a static one holds
the contacts it held when it was frozen (the targets of a mailing), plus or
minus those added or removed by hand. Both are used in queries as
``segment:"name"``; a dynamic segment may use others, never itself (a cycle
is refused when it is saved, and reported, not followed, if a file holds one).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass

from qualif_tui.base.i18n import _
from qualif_tui.base.text import fold
from qualif_tui.domain import clock
from qualif_tui.domain.errors import NotFound, ValidationError
from qualif_tui.query import CompiledQuery, QueryError, compile_query, count_many
from qualif_tui.query.ast import quote
from qualif_tui.storage import Database


@dataclass(frozen=True)
class Segment:
    id: int
    name: str
    query: str
    kind: str  # "dynamic" or "static"
    created: str
    updated: str

    @property
    def is_static(self) -> bool:
        return self.kind == "static"

    @property
    def reference(self) -> str:
        """How a query names it: ``segment:"Clients Occitanie"``."""
        return f"segment:{quote(self.name)}"


@dataclass(frozen=True)
class SegmentInfo:
    """A segment with its live count, or why it cannot be counted."""

    segment: Segment
    count: int | None
    error: str | None = None


def _segment(row: sqlite3.Row) -> Segment:
    return Segment(row["id"], row["name"], row["query"], row["kind"], row["created"],
                   row["updated"])


def list_segments(db: Database) -> list[Segment]:
    """Every segment, by name."""
    return [_segment(r) for r in db.query("SELECT * FROM segments ORDER BY norm_name")]


def find_segment(db: Database, name: str) -> Segment | None:
    rows = db.query("SELECT * FROM segments WHERE norm_name = ?", (fold(name),))
    return _segment(rows[0]) if rows else None


def get_segment(db: Database, name: str) -> Segment:
    found = find_segment(db, name)
    if found is None:
        raise NotFound(_("pas de segment nommé « {name} »").format(name=name))
    return found


def _clean_name(name: str) -> str:
    name = " ".join(name.split())
    if not name:
        raise ValidationError(_("un segment a besoin d'un nom"), "name")
    if len(name) > 200:
        raise ValidationError(_("un nom de segment fait au plus 200 caractères"), "name")
    return name


def _write(db: Database, name: str, query: str, kind: str, replace: bool) -> Segment:
    stamp = clock.stamp()
    existing = find_segment(db, name)
    if existing and not replace:
        raise ValidationError(_("un segment nommé « {name} » existe déjà").format(name=existing.name), "name")
    if existing:
        db.execute("UPDATE segments SET name = ?, query = ?, kind = ?, updated = ? WHERE id = ?",
                   (name, query, kind, stamp, existing.id))
        db.execute("DELETE FROM segment_members WHERE segment_id = ?", (existing.id,))
        return get_segment(db, name)
    db.execute("INSERT INTO segments(name, norm_name, query, kind, created, updated)"
               " VALUES (?, ?, ?, ?, ?, ?)", (name, fold(name), query, kind, stamp, stamp))
    return get_segment(db, name)


def save_segment(db: Database, name: str, query: str, *, replace: bool = False) -> Segment:
    """Save ``query`` under ``name`` as a dynamic segment (checked by compiling it).

    Raises :class:`QueryError` for a query that does not compile or would make
    segments use themselves, :class:`ValidationError` for a taken name.
    """
    name = _clean_name(name)
    with db.transaction():
        _write(db, name, query, "dynamic", replace)
        # compiled once stored (rolled back on error), so that a query using
        # this very segment is seen as the cycle it is
        compile_query(db, query, inside=name)
    return get_segment(db, name)


def freeze_segment(db: Database, name: str, query: str, *, replace: bool = False) -> Segment:
    """A static group of the contacts ``query`` matches now (e.g. a mailing's targets)."""
    name = _clean_name(name)
    compiled = compile_query(db, query)
    if any(fold(used) == fold(name) for used in compiled.segments):
        raise ValidationError(_("« {name} » ne peut pas être figé depuis une requête qui l'utilise ; figez-le sous un autre nom").format(name=name), "name")
    with db.transaction():
        segment = _write(db, name, query, "static", replace)
        _insert_matches(db, segment.id, compiled)
    return get_segment(db, name)


def snapshot_segment(db: Database, source: str, name: str, *, replace: bool = False) -> Segment:
    """A static copy of the current members of segment ``source`` under ``name``."""
    original = get_segment(db, source)
    name = _clean_name(name)
    if fold(name) == fold(original.name):
        raise ValidationError(_("un instantané a besoin d'un nom à lui"), "name")
    compiled = compile_query(db, original.reference)
    with db.transaction():
        segment = _write(db, name, original.query, "static", replace)
        _insert_matches(db, segment.id, compiled)
    return get_segment(db, name)


def create_group(db: Database, name: str, contact_ids: Iterable[int] = ()) -> Segment:
    """An empty (or given) static group, to fill by hand."""
    name = _clean_name(name)
    with db.transaction():
        segment = _write(db, name, "", "static", False)
        add_members(db, segment.name, contact_ids)
    return get_segment(db, name)


def _insert_matches(db: Database, segment_id: int, compiled: CompiledQuery) -> None:
    db.execute(
        "INSERT INTO segment_members(segment_id, contact_id, added)"
        " SELECT ?, c.id, ? FROM contacts c JOIN contact_facts f ON f.contact_id = c.id"
        f" WHERE {compiled.where}", (segment_id, clock.stamp(), *compiled.params))


def _static(db: Database, name: str) -> Segment:
    segment = get_segment(db, name)
    if not segment.is_static:
        raise ValidationError(
            _("« {name} » est un segment dynamique : ses membres viennent de sa requête (figez-en une copie avec snapshot pour modifier la liste à la main)").format(name=segment.name), "name")
    return segment


def _existing_contacts(db: Database, contact_ids: Iterable[int]) -> list[int]:
    wanted = sorted({int(i) for i in contact_ids})
    if not wanted:
        return []
    found = {r[0] for r in db.query(
        "SELECT id FROM contacts WHERE id IN (SELECT value FROM json_each(?))",
        (_json(wanted),))}
    missing = [i for i in wanted if i not in found]
    if missing:
        shown = ", ".join(f"#{i}" for i in missing[:10]) + ("…" if len(missing) > 10 else "")
        raise NotFound(_("pas de contact {shown}").format(shown=shown))
    return wanted


def _json(ids: list[int]) -> str:
    return "[" + ",".join(str(i) for i in ids) + "]"


def add_members(db: Database, name: str, contact_ids: Iterable[int]) -> int:
    """Add contacts to a static group; returns how many were not already in it."""
    with db.transaction():
        segment = _static(db, name)
        ids = _existing_contacts(db, contact_ids)
        before = db.scalar("SELECT count(*) FROM segment_members WHERE segment_id = ?",
                           (segment.id,))
        db.execute("INSERT OR IGNORE INTO segment_members(segment_id, contact_id, added)"
                   " SELECT ?, value, ? FROM json_each(?)",
                   (segment.id, clock.stamp(), _json(ids)))
        after = db.scalar("SELECT count(*) FROM segment_members WHERE segment_id = ?",
                          (segment.id,))
        if ids:
            db.execute("UPDATE segments SET updated = ? WHERE id = ?",
                       (clock.stamp(), segment.id))
    return int(after) - int(before)


def remove_members(db: Database, name: str, contact_ids: Iterable[int]) -> int:
    """Take contacts out of a static group; returns how many were in it."""
    wanted = sorted({int(i) for i in contact_ids})
    with db.transaction():
        segment = _static(db, name)
        removed = db.execute(
            "DELETE FROM segment_members WHERE segment_id = ?"
            " AND contact_id IN (SELECT value FROM json_each(?))",
            (segment.id, _json(wanted))).rowcount
        if removed:
            db.execute("UPDATE segments SET updated = ? WHERE id = ?",
                       (clock.stamp(), segment.id))
    return int(removed)


def segment_members(db: Database, name: str) -> list[int]:
    """The contact ids of a static group, in id order."""
    segment = _static(db, name)
    return [r[0] for r in db.query(
        "SELECT contact_id FROM segment_members WHERE segment_id = ? ORDER BY contact_id",
        (segment.id,))]


def segment_query(db: Database, name: str) -> CompiledQuery:
    """The compiled query of a segment (dynamic or static), ready for count/fetch_page."""
    return compile_query(db, get_segment(db, name).reference)


def users_of(db: Database, name: str) -> list[Segment]:
    """The other segments whose queries use segment ``name`` (directly or not)."""
    target = get_segment(db, name)
    users = []
    for segment in list_segments(db):
        if segment.id == target.id or segment.is_static:
            continue
        try:
            compiled = compile_query(db, segment.query)
        except QueryError:
            continue
        if any(fold(used) == fold(target.name) for used in compiled.segments):
            users.append(segment)
    return users


def rename_segment(db: Database, name: str, new_name: str) -> Segment:
    """Rename a segment; the queries of segments that use it are rewritten to follow."""
    segment = get_segment(db, name)
    new_name = _clean_name(new_name)
    clash = find_segment(db, new_name)
    if clash is not None and clash.id != segment.id:
        raise ValidationError(_("un segment nommé « {name} » existe déjà").format(name=clash.name), "name")
    users = users_of(db, segment.name)
    with db.transaction():
        db.execute("UPDATE segments SET name = ?, norm_name = ?, updated = ? WHERE id = ?",
                   (new_name, fold(new_name), clock.stamp(), segment.id))
        for user in users:
            rewritten = _rename_reference(user.query, segment.name, new_name)
            db.execute("UPDATE segments SET query = ?, updated = ? WHERE id = ?",
                       (rewritten, clock.stamp(), user.id))
    return get_segment(db, new_name)


def _rename_reference(query: str, old: str, new: str) -> str:
    """``query`` with its ``segment:"old"`` references naming ``new`` instead."""
    from qualif_tui.base.text import fold_key_name
    from qualif_tui.query.ast import Term, Value, to_text, walk
    from qualif_tui.query.fields import SPECIALS
    from qualif_tui.query.parser import parse

    tree = parse(query)
    replaced = query
    # rewrite from the end so earlier positions stay valid
    for node in sorted(walk(tree), key=lambda n: -n.span.start):
        if not isinstance(node, Term) or SPECIALS.get(fold_key_name(node.key)) != "segment":
            continue
        for value in sorted(node.values, key=lambda v: -v.span.start):
            if fold(value.text) == fold(old):
                text = to_text(Term("segment", values=(Value(new, True),))).split(":", 1)[1]
                replaced = replaced[:value.span.start] + text + replaced[value.span.end:]
    return replaced


def delete_segment(db: Database, name: str, *, force: bool = False) -> Segment:
    """Delete a segment; refused while other segments use it, unless ``force``."""
    segment = get_segment(db, name)
    users = users_of(db, segment.name)
    if users and not force:
        listed = ", ".join(f"'{u.name}'" for u in users)
        raise ValidationError(_("le segment « {name} » est utilisé par {listed} : supprimez-les ou modifiez-les d'abord (ou forcez la suppression)").format(name=segment.name, listed=listed), "name")
    with db.transaction():
        db.execute("DELETE FROM segments WHERE id = ?", (segment.id,))
    return segment


def segment_overview(db: Database) -> list[SegmentInfo]:
    """Every segment with its live count (or the reason it cannot be counted)."""
    segments = list_segments(db)
    compiled: list[tuple[Segment, CompiledQuery | None, str | None]] = []
    for segment in segments:
        try:
            compiled.append((segment, compile_query(db, segment.reference), None))
        except QueryError as error:
            compiled.append((segment, None, str(error)))
    counts = iter(count_many(db, [c for _, c, _ in compiled if c is not None]))
    return [SegmentInfo(s, next(counts) if c is not None else None, e) for s, c, e in compiled]


def count_segments(db: Database) -> dict[str, int]:
    """``{segment name: live count}`` for every segment that can be counted, at once.

    Counts are cached until the data changes; with bitmaps warm (the TUI) ten
    segments over 1 000 000 contacts take a few milliseconds.
    """
    return {info.segment.name: info.count for info in segment_overview(db)
            if info.count is not None}
