"""Merging duplicate contacts into one, field by field, and taking a merge back.

:func:`plan_merge` decides what the merged card holds: for each field the
value of the preferred contact, else the first other one that has a value
(or the contact the user chose for that field); both e-mail addresses and
phone numbers are kept where there is room (``email2``, ``mobile``);
multi-choice keys take the values of both by default; opt-outs are kept if
either contact asked. Values that find no place are written, with the
contact they came from, in the merge's history entry: nothing is lost.

:func:`merge_contacts` then moves to the survivor every row of every table
that references ``contacts(id)`` — found in the schema's foreign keys, not in
a hand-kept list, so tables added later (quotes, campaign recipients, mail
entries) follow without a change here. A row that would break a unique
constraint (both contacts in the same static segment, on the same activity,
among the recipients of the same campaign) is dropped: the survivor's own
row stands for both. Everything is one transaction, recorded in the journal
of :mod:`.operations`, and :func:`undo_merge` puts every row back as it was.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from qualif_tui.base.i18n import _
from qualif_tui.base.text import display_name, fold
from qualif_tui.domain import clock, operations
from qualif_tui.domain.contacts import FIELDS, FLAG_FIELDS, derived_columns
from qualif_tui.domain.errors import NotFound, ValidationError
from qualif_tui.domain.history import add_entry
from qualif_tui.domain.keys import QualKey, format_value, list_keys
from qualif_tui.domain.phones import phone_e164
from qualif_tui.storage import Database
from qualif_tui.storage.schema import (
    DEALS_SQL,
    LAST_CONTACT_SQL,
    NEXT_ACTIVITY_SQL,
    OPEN_DEALS_SQL,
    REVENUE_SQL,
)

# Tables handled by the merge itself rather than moved row by row.
_OWN_TABLES = {"contact_facts", "duplicate_dismissals"}
_EMAILS = ("email", "email2")
_PHONES = ("phone", "mobile")
PREFERENCES = ("newest", "oldest")
BOTH = "both"


@dataclass
class MergePlan:
    """What the merged contact will hold. ``contacts`` in preference order."""

    survivor: int
    others: list[int]
    fields: dict[str, Any]
    keys: dict[int, Any]             # key id → stored value (contact_facts form)
    custom: dict[str, str]
    created: str
    not_kept: list[str] = field(default_factory=list)
    names: dict[int, str] = field(default_factory=dict)

    @property
    def ids(self) -> list[int]:
        return [self.survivor, *self.others]


@dataclass(frozen=True)
class MergeResult:
    operation_id: int
    survivor: int
    merged: list[int]
    moved: dict[str, int]      # table → rows moved to the survivor
    dropped: dict[str, int]    # table → rows dropped (the survivor had the same)
    label: str


# -- reading the contacts ---------------------------------------------------------


def _rows(db: Database, ids: Sequence[int]) -> dict[int, dict[str, Any]]:
    marks = ",".join("?" * len(ids))
    rows = {int(r["id"]): dict(r) for r in db.query(
        f"SELECT * FROM contacts WHERE id IN ({marks})", list(ids))}
    missing = [i for i in ids if i not in rows]
    if missing:
        raise NotFound(_("aucun contact n° {ids}").format(ids=", ".join(map(str, missing))))
    return rows


def _facts(db: Database, ids: Sequence[int]) -> dict[int, dict[str, Any]]:
    marks = ",".join("?" * len(ids))
    return {int(r["contact_id"]): dict(r) for r in db.query(
        f"SELECT * FROM contact_facts WHERE contact_id IN ({marks})", list(ids))}


def _custom(row: Mapping[str, Any]) -> dict[str, str]:
    try:
        loaded = json.loads(row["custom"] or "{}")
    except ValueError:
        return {}
    return {str(k): str(v) for k, v in loaded.items()} if isinstance(loaded, dict) else {}


def _name(row: Mapping[str, Any]) -> str:
    return display_name(row["first_name"], row["last_name"], row["company"])


# -- deciding -------------------------------------------------------------------------


def choose_survivor(rows: Mapping[int, Mapping[str, Any]], keep: int | None = None) -> int:
    """``keep``, else the contact known first (its id is the one others link to longest)."""
    if keep is not None:
        if keep not in rows:
            raise ValidationError(_("--keep {id} n'est pas parmi les contacts à fusionner")
                                  .format(id=keep), "keep")
        return keep
    return min(rows, key=lambda i: (rows[i]["created"], i))


def preference_order(rows: Mapping[int, Mapping[str, Any]], survivor: int,
                     prefer: str | int | None = None) -> list[int]:
    """Whose values win where several contacts have one: the first of this list.

    ``prefer``: ``None`` (the survivor's), ``"newest"`` (the latest updated),
    ``"oldest"`` (the first created) or a contact id.
    """
    ids = sorted(rows)
    if prefer is None:
        return [survivor, *[i for i in ids if i != survivor]]
    if prefer == "newest":
        return sorted(ids, key=lambda i: (str(rows[i]["updated"]), i), reverse=True)
    if prefer == "oldest":
        return sorted(ids, key=lambda i: (str(rows[i]["created"]), i))
    try:
        wanted = int(prefer)
    except (TypeError, ValueError):
        raise ValidationError(_("--prefer attend newest, oldest ou un numéro de contact, pas"
                                " « {value} »").format(value=prefer), "prefer") from None
    if wanted not in rows:
        raise ValidationError(_("--prefer {id} n'est pas parmi les contacts à fusionner")
                              .format(id=wanted), "prefer")
    return [wanted, *[i for i in ids if i != wanted]]


def plan_merge(db: Database, ids: Sequence[int], *, keep: int | None = None,
               prefer: str | int | None = None,
               choices: Mapping[str, int | str] | None = None) -> MergePlan:
    """What merging ``ids`` would give (nothing written).

    ``choices``: a field name (``city``) or key name (``Profil``) → the contact
    whose value to take, or ``"both"`` for a multi-choice key (the union).
    """
    unique = list(dict.fromkeys(int(i) for i in ids))
    if len(unique) < 2:
        raise ValidationError(_("une fusion demande au moins deux contacts différents"), "ids")
    rows = _rows(db, unique)
    facts = _facts(db, unique)
    survivor = choose_survivor(rows, keep)
    order = preference_order(rows, survivor, prefer)
    chosen = dict(choices or {})
    names = {i: _name(rows[i]) for i in unique}
    plan = MergePlan(survivor, [i for i in unique if i != survivor], {}, {}, {},
                     min(str(rows[i]["created"]) for i in unique), names=names)

    def ordered_for(name: str) -> list[int]:
        pick = chosen.get(name)
        if pick is None or pick == BOTH:
            return order
        pick = int(pick)
        if pick not in rows:
            raise ValidationError(_("{name} : le contact n° {id} n'est pas dans la fusion")
                                  .format(name=name, id=pick), name)
        return [pick, *[i for i in order if i != pick]]

    def lost(label: str, value: Any, contact_id: int) -> None:
        plan.not_kept.append(f"{label} : {value} (n° {contact_id})")

    for name in FIELDS:
        if name in _EMAILS or name in _PHONES:
            continue
        if name in FLAG_FIELDS:
            # an opt-out asked on either card stands (a refusal is never lost)
            plan.fields[name] = int(any(rows[i][name] for i in unique))
            continue
        sources = ordered_for(name)
        picked = chosen.get(name)
        value = rows[sources[0]][name] if picked is not None else next(
            (rows[i][name] for i in sources if rows[i][name]), "")
        plan.fields[name] = value
        for i in sources:
            other = rows[i][name]
            if other and fold(str(other)) != fold(str(value)):
                lost(FIELDS[name], other, i)
    _merge_emails(plan, rows, ordered_for("email"), lost)
    _merge_phones(plan, rows, ordered_for("phone"), lost)
    for key in list_keys(db):
        plan.keys[key.id] = _merge_key(key, facts, ordered_for(key.name), chosen.get(key.name),
                                       lost)
    for i in order:
        for name, value in _custom(rows[i]).items():
            if name not in plan.custom:
                plan.custom[name] = value
            elif fold(plan.custom[name]) != fold(value):
                lost(name, value, i)
    return plan


def _merge_emails(plan: MergePlan, rows: Mapping[int, Mapping[str, Any]], order: list[int],
                  lost: Any) -> None:
    seen: list[tuple[str, int]] = []
    for i in order:
        for name in _EMAILS:
            address = str(rows[i][name] or "").strip()
            if address and address.lower() not in {a.lower() for a, _i in seen}:
                seen.append((address, i))
    plan.fields["email"] = seen[0][0] if seen else ""
    plan.fields["email2"] = seen[1][0] if len(seen) > 1 else ""
    for address, i in seen[2:]:
        lost(FIELDS["email"], address, i)


def _merge_phones(plan: MergePlan, rows: Mapping[int, Mapping[str, Any]], order: list[int],
                  lost: Any) -> None:
    taken: set[str] = set()
    leftovers: list[tuple[str, int]] = []
    for name in ("mobile", "phone"):
        plan.fields[name] = ""
        for i in order:
            number = str(rows[i][name] or "").strip()
            if not number:
                continue
            same = phone_e164(number) or number
            if same in taken:
                continue
            if not plan.fields[name]:
                plan.fields[name] = number
                taken.add(same)
            else:
                leftovers.append((number, i))
    for number, i in leftovers:
        same = phone_e164(number) or number
        if same in taken:
            continue
        taken.add(same)
        empty = next((n for n in ("phone", "mobile") if not plan.fields[n]), None)
        if empty is not None:
            plan.fields[empty] = number  # a second number fills the free slot
        else:
            lost(FIELDS["phone"], number, i)


def _merge_key(key: QualKey, facts: Mapping[int, Mapping[str, Any]], order: list[int],
               pick: int | str | None, lost: Any) -> Any:
    column = key.column
    values = [(i, facts[i].get(column)) for i in order]
    if key.type == "multi" and (pick is None or pick == BOTH):
        mask = 0
        for _i, stored in values:
            mask |= int(stored or 0)
        return mask or None
    if pick is not None and pick != BOTH:
        chosen = values[0][1]
    else:
        chosen = next((stored for _i, stored in values if stored is not None), None)
    for i, stored in values:
        if stored is not None and stored != chosen:
            lost(key.display_name, format_value(key.decode(stored)), i)
    return chosen


# -- writing --------------------------------------------------------------------------


def tables_referencing_contacts(db: Database) -> list[tuple[str, str, bool]]:
    """``(table, column, without_rowid)`` of every foreign key to ``contacts(id)``,
    read from the schema (tables added by later versions included)."""
    found = []
    for name, sql in db.query("SELECT name, sql FROM sqlite_schema WHERE type = 'table'"
                              " AND sql NOT LIKE 'CREATE VIRTUAL%' ORDER BY name"):
        if name in _OWN_TABLES or name.startswith("sqlite_"):
            continue
        without_rowid = "WITHOUT ROWID" in " ".join(str(sql).upper().split())
        for fk in db.query(f'PRAGMA foreign_key_list("{name}")'):
            if fk["table"] == "contacts" and fk["to"] in (None, "id"):
                found.append((str(name), str(fk["from"]), without_rowid))
    return found


def _primary_key(db: Database, table: str) -> list[str]:
    columns = sorted((r["pk"], r["name"]) for r in db.query(f'PRAGMA table_info("{table}")')
                     if r["pk"])
    return [name for _pk, name in columns]


def merge_contacts(db: Database, plan: MergePlan) -> MergeResult:
    """Write ``plan``: the survivor holds the merged values and every linked row."""
    ids = plan.ids
    with db.transaction():
        rows = _rows(db, ids)
        facts = _facts(db, ids)
        data: dict[str, Any] = {
            "survivor": plan.survivor,
            "contacts": [rows[i] for i in ids],
            "facts": [facts[i] for i in ids],
            "moved": [], "dropped": [], "dismissals": [],
        }
        moved: dict[str, int] = {}
        dropped: dict[str, int] = {}
        _write_survivor(db, plan)
        for table, column, without_rowid in tables_referencing_contacts(db):
            for loser in plan.others:
                _move_rows(db, table, column, without_rowid, loser, plan.survivor, data,
                           moved, dropped)
        marks = ",".join("?" * len(plan.others))
        for row in db.query(f"SELECT * FROM duplicate_dismissals WHERE contact_a IN ({marks})"
                            f" OR contact_b IN ({marks})", [*plan.others, *plan.others]):
            data["dismissals"].append(dict(row))
        db.execute(f"DELETE FROM contacts WHERE id IN ({marks})", plan.others)
        _refresh_facts(db, plan.survivor)
        merged_names = ", ".join(f"n° {i} {plan.names.get(i, '')}".strip() for i in plan.others)
        body = ""
        if plan.not_kept:
            body = _("Valeurs non retenues :") + "\n" + "\n".join(plan.not_kept)
        entry = add_entry(db, plan.survivor, "system",
                          _("Fusion avec {names}").format(names=merged_names), body,
                          automatic=True)
        data["entry"] = entry
        data["updated"] = db.scalar("SELECT updated FROM contacts WHERE id = ?",
                                    (plan.survivor,))
        label = _("n° {survivor} {name} ← {others}").format(
            survivor=plan.survivor, name=plan.names.get(plan.survivor, ""),
            others=", ".join(f"n° {i}" for i in plan.others))
        operation = operations.record(db, "merge", label, data)
    return MergeResult(operation, plan.survivor, plan.others, moved, dropped, label)


def _write_survivor(db: Database, plan: MergePlan) -> None:
    values = dict(plan.fields)
    row = {**values, **derived_columns(values),
           "custom": json.dumps(plan.custom, ensure_ascii=False),
           "created": plan.created, "updated": clock.stamp()}
    assignments = ", ".join(f"{name} = ?" for name in row)
    db.execute(f"UPDATE contacts SET {assignments} WHERE id = ?", [*row.values(), plan.survivor])
    if plan.keys:
        keys = {k.id: k for k in list_keys(db)}
        columns = [keys[k].column for k in plan.keys if k in keys]
        stored = [v for k, v in plan.keys.items() if k in keys]
        db.execute(f"UPDATE contact_facts SET {', '.join(f'{c} = ?' for c in columns)}"
                   " WHERE contact_id = ?", [*stored, plan.survivor])


def _move_rows(db: Database, table: str, column: str, without_rowid: bool, loser: int,
               survivor: int, data: dict[str, Any], moved: dict[str, int],
               dropped: dict[str, int]) -> None:
    select = "*" if without_rowid else "rowid AS qualif_rowid, *"
    before = [dict(r) for r in db.query(f'SELECT {select} FROM "{table}" WHERE "{column}" = ?',
                                        (loser,))]
    if not before:
        return
    db.execute(f'UPDATE OR IGNORE "{table}" SET "{column}" = ? WHERE "{column}" = ?',
               (survivor, loser))
    left = [dict(r) for r in db.query(f'SELECT {select} FROM "{table}" WHERE "{column}" = ?',
                                      (loser,))]
    if left:
        # the survivor already has the same row (a unique constraint): keep its own
        db.execute(f'DELETE FROM "{table}" WHERE "{column}" = ?', (loser,))
    kept = {json.dumps(r, sort_keys=True, default=str) for r in left}
    for row in before:
        entry = {"table": table, "column": column, "row": row}
        if json.dumps(row, sort_keys=True, default=str) in kept:
            data["dropped"].append(entry)
        else:
            data["moved"].append(entry)
    moved[table] = moved.get(table, 0) + len(before) - len(left)
    if left:
        dropped[table] = dropped.get(table, 0) + len(left)


def _refresh_facts(db: Database, contact_id: int) -> None:
    """The computed facts of a contact whose linked rows moved (no trigger on every move)."""
    cid = "?"
    db.execute(
        f"UPDATE contact_facts SET last_contact = {LAST_CONTACT_SQL.format(cid=cid)},"
        f" next_activity = {NEXT_ACTIVITY_SQL.format(cid=cid)},"
        f" deals = {DEALS_SQL.format(cid=cid)}, revenue = {REVENUE_SQL.format(cid=cid)},"
        f" open_deals = {OPEN_DEALS_SQL.format(cid=cid)} WHERE contact_id = ?",
        (contact_id,) * 6)


# -- undo -----------------------------------------------------------------------------


def undo_merge(db: Database, operation: operations.Operation, force: bool = False) -> None:
    """Put the merged contacts back, with every row that moved, as they were."""
    data = operation.data
    survivor = int(data["survivor"])
    current = db.scalar("SELECT updated FROM contacts WHERE id = ?", (survivor,))
    if current is None:
        raise operations.ChangedSince(_("le contact n° {id} issu de la fusion a été supprimé"
                                        " depuis : la fusion ne peut plus être annulée")
                                      .format(id=survivor))
    later = db.scalar("SELECT count(*) FROM history WHERE contact_id = ? AND id > ?",
                      (survivor, data["entry"]))
    if (current != data["updated"] or later) and not force:
        raise operations.ChangedSince(_(
            "le contact n° {id} a été modifié depuis la fusion ; l'annuler effacerait ces"
            " modifications (--force pour annuler quand même)").format(id=survivor))
    db.execute("DELETE FROM history WHERE id = ?", (data["entry"],))
    contacts = {int(row["id"]): row for row in data["contacts"]}
    for contact_id, row in contacts.items():
        if contact_id == survivor:
            assignments = ", ".join(f"{k} = :{k}" for k in row if k != "id")
            db.execute(f"UPDATE contacts SET {assignments} WHERE id = :id", row)
        else:
            columns = ", ".join(row)
            db.execute(f"INSERT INTO contacts({columns}) VALUES"
                       f" ({', '.join(':' + k for k in row)})", row)
    for entry in data["moved"]:
        _move_back(db, entry, survivor)
    for entry in data["dropped"]:
        row = {k: v for k, v in entry["row"].items() if k != "qualif_rowid"}
        rowid = entry["row"].get("qualif_rowid")
        names = list(row) + (["rowid"] if rowid is not None and "id" not in row else [])
        values = list(row.values()) + ([rowid] if rowid is not None and "id" not in row else [])
        db.execute(f'INSERT INTO "{entry["table"]}"({", ".join(names)})'
                   f" VALUES ({', '.join('?' * len(values))})", values)
    for row in data["dismissals"]:
        db.execute("INSERT OR IGNORE INTO duplicate_dismissals(contact_a, contact_b, created)"
                   " VALUES (:contact_a, :contact_b, :created)", row)
    for row in data["facts"]:
        assignments = ", ".join(f"{k} = :{k}" for k in row if k != "contact_id")
        db.execute(f"UPDATE contact_facts SET {assignments} WHERE contact_id = :contact_id", row)


def _move_back(db: Database, entry: Mapping[str, Any], survivor: int) -> None:
    table, column, row = entry["table"], entry["column"], dict(entry["row"])
    loser = row[column]
    rowid = row.pop("qualif_rowid", None)
    if rowid is not None:
        db.execute(f'UPDATE "{table}" SET "{column}" = ? WHERE rowid = ?', (loser, rowid))
        return
    keys = _primary_key(db, table)
    where = " AND ".join(f'"{k}" = ?' for k in keys)
    params = [survivor if k == column else row[k] for k in keys]
    db.execute(f'UPDATE "{table}" SET "{column}" = ? WHERE {where}', [loser, *params])


# -- "not a duplicate" ------------------------------------------------------------------


def dismiss_pair(db: Database, a: int, b: int) -> None:
    """Remember that ``a`` and ``b`` are not duplicates (never proposed again)."""
    low, high = sorted((int(a), int(b)))
    if low == high:
        raise ValidationError(_("un contact n'est pas le doublon de lui-même"))
    with db.transaction():
        _rows(db, [low, high])
        db.execute("INSERT OR IGNORE INTO duplicate_dismissals(contact_a, contact_b, created)"
                   " VALUES (?,?,?)", (low, high, clock.stamp()))


def undismiss_pair(db: Database, a: int, b: int) -> None:
    low, high = sorted((int(a), int(b)))
    with db.transaction():
        db.execute("DELETE FROM duplicate_dismissals WHERE contact_a = ? AND contact_b = ?",
                   (low, high))
