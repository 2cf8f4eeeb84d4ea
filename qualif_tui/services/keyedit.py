"""Keeping the qualification keys clean: rename, merge, delete values; rename,
retype, delete keys; the "remind" lead time — each one transaction, undoable.

A contact's choice values are stored as codes (see ``storage/schema.py``), so
renaming a value rewrites one row of ``key_values``; merging or deleting
values recodes every contact holding them with one statement. Every contact
whose displayed value changes gets one automatic history entry
("Profil : clientt → client"), written in bulk: the row triggers of the
history (its full-text index, the change log) are set aside for the insert
and their work done in two set-based statements, which is what keeps a value
held by 300 000 contacts under five seconds. Saved segments that name the key
or the values are rewritten to follow (:mod:`qualif_tui.query.rewrite`).

Each operation is recorded in the journal of :mod:`qualif_tui.domain.operations`
with what undo needs; :func:`undo_key_operation` takes it back.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from qualif_tui.base.i18n import _
from qualif_tui.base.text import fold, fold_key_name
from qualif_tui.domain import clock, operations
from qualif_tui.domain.errors import NotFound, QualifError, ValidationError
from qualif_tui.domain.keys import (
    KEY_TYPES,
    MULTI_MAX_VALUES,
    TYPE_LABELS,
    QualKey,
    format_value,
    get_key,
    list_keys,
)
from qualif_tui.query.fields import BUILTINS, RESERVED, SPECIALS
from qualif_tui.query.rewrite import rename_in_query
from qualif_tui.storage import Database
from qualif_tui.storage import migrations as storage_migrations
from qualif_tui.storage.schema import history_fts_rowid, key_column

_HISTORY_TRIGGERS = ("history_ai", "change_log_history_ai")


@dataclass(frozen=True)
class KeyEdit:
    """What an edit did: its journal entry, how many contacts it changed, its label."""

    operation_id: int
    contacts: int
    label: str


def _key(db: Database, key: QualKey | str | int) -> QualKey:
    return get_key(db, key.id if isinstance(key, QualKey) else key)


def _value(key: QualKey, text: str) -> Any:
    found = key.value_named(text)
    if found is None:
        raise NotFound(_("{key} : pas de valeur « {value} » (valeurs : {allowed})").format(
            key=key.display_name, value=text.strip(), allowed=key.allowed() or "aucune"))
    return found


def _choice_key(key: QualKey) -> None:
    if not key.has_choices:
        raise ValidationError(_("{key} est une clé de type {type} : elle n'a pas de liste de"
                                " valeurs").format(key=key.display_name,
                                                   type=_(TYPE_LABELS[key.type])), "key")


# -- history in bulk -------------------------------------------------------------


@contextlib.contextmanager
def _history_in_bulk(db: Database) -> Iterator[list[int]]:
    """Inside a transaction: history rows inserted meanwhile skip their row
    triggers; their full-text rows and one change-log row are written after,
    set-based. Yields a list that receives the first and last new entry ids."""
    saved = db.query("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'"
                     f" AND name IN ({','.join('?' * len(_HISTORY_TRIGGERS))})",
                     _HISTORY_TRIGGERS)
    for name, _sql in saved:
        db.execute(f'DROP TRIGGER "{name}"')
    first = int(db.scalar("SELECT coalesce(max(id), 0) + 1 FROM history"))
    span: list[int] = []
    yield span
    last = int(db.scalar("SELECT coalesce(max(id), 0) FROM history"))
    if last >= first:
        db.execute("INSERT INTO history_fts(rowid, subject, body)"
                   f" SELECT {history_fts_rowid()}, subject, body FROM history WHERE id >= ?",
                   (first,))
        db.execute("INSERT INTO change_log(contact_id) VALUES (NULL)")
        span.extend((first, last))
    for _name, sql in saved:
        db.execute(sql)


def _write_history(db: Database, where: str, params: Sequence[Any], subject: str) -> None:
    """One automatic "change" entry for each contact that ``where`` (on contact_facts) selects."""
    now = clock.stamp()
    db.execute("INSERT INTO history(contact_id, kind, happened_at, subject, body, automatic,"
               f" created) SELECT contact_id, 'change', ?, ?, '', 1, ? FROM contact_facts"
               f" WHERE {where} ORDER BY contact_id", (now, subject, now, *params))


def _describe(key: QualKey, old: str, new: str) -> str:
    return f"{key.display_name} : {old or '—'} → {new or '—'}"


def _undo_history(db: Database, span: Sequence[int]) -> None:
    """Delete the entries an edit wrote (ids ``span[0]..span[1]``), in bulk too."""
    if not span:
        return
    saved = db.query("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'"
                     " AND name IN ('history_ad', 'change_log_history_ad')")
    for name, _sql in saved:
        db.execute(f'DROP TRIGGER "{name}"')
    db.execute("INSERT INTO history_fts(history_fts, rowid, subject, body)"
               f" SELECT 'delete', {history_fts_rowid()}, subject, body FROM history"
               " WHERE id BETWEEN ? AND ?", (span[0], span[1]))
    db.execute("DELETE FROM history WHERE id BETWEEN ? AND ?", (span[0], span[1]))
    db.execute("INSERT INTO change_log(contact_id) VALUES (NULL)")
    for _name, sql in saved:
        db.execute(sql)


# -- saved segments follow ---------------------------------------------------------


def _rewrite_segments(db: Database, key: QualKey, *, new_key: str | None = None,
                      values: dict[str, str] | None = None) -> list[list[Any]]:
    """Rewrite the saved queries naming the key or the values; ``[[id, old, new]]``."""
    changed = []
    for segment_id, query in db.query("SELECT id, query FROM segments"):
        rewritten = rename_in_query(query, key.norm_name, new_key=new_key, values=values)
        if rewritten != query:
            db.execute("UPDATE segments SET query = ?, updated = ? WHERE id = ?",
                       (rewritten, clock.stamp(), segment_id))
            changed.append([int(segment_id), query, rewritten])
    return changed


def _undo_segments(db: Database, changed: Sequence[Sequence[Any]]) -> None:
    for segment_id, old, new in changed:
        db.execute("UPDATE segments SET query = ? WHERE id = ? AND query = ?",
                   (old, segment_id, new))


# -- keys ---------------------------------------------------------------------------


def _check_key_name(db: Database, name: str, key_id: int | None = None) -> str:
    name = name.strip()
    norm = fold_key_name(name)
    if not norm:
        raise ValidationError(_("une clé a besoin d'un nom"), "name")
    if norm in RESERVED or norm in ("not", "or", "and") or norm in SPECIALS:
        raise ValidationError(_("« {name} » est un mot du langage de requête ; choisissez un"
                                " autre nom").format(name=name), "name")
    clash = db.scalar("SELECT id FROM qual_keys WHERE norm_name = ?", (norm,))
    if clash is not None and clash != key_id:
        raise ValidationError(_("une clé s'appelle déjà « {name} »").format(name=name), "name")
    builtin = next((b for b in BUILTINS if fold_key_name(b.name) == norm
                    or norm in {fold_key_name(a) for a in b.aliases}), None)
    if builtin is not None:
        raise ValidationError(_("« {name} » désigne déjà le champ {field} ; choisissez un autre"
                                " nom").format(name=name, field=builtin.label), "name")
    return name


def rename_key(db: Database, key: QualKey | str | int, new_name: str) -> KeyEdit:
    """Rename a key; saved segments naming it follow."""
    with db.transaction():
        found = _key(db, key)
        name = _check_key_name(db, new_name, found.id)
        db.execute("UPDATE qual_keys SET name = ?, norm_name = ?, label = '' WHERE id = ?",
                   (name, fold_key_name(name), found.id))
        storage_migrations.refresh_contacts_with_keys(db.conn)  # the view names the key
        segments = _rewrite_segments(db, found, new_key=fold_key_name(name))
        label = _("clé « {old} » renommée « {new} »").format(old=found.name, new=name)
        operation = operations.record(db, "key_rename", label, {
            "key": found.id, "name": found.name, "norm_name": found.norm_name,
            "label": found.label, "new_name": name, "segments": segments})
    return KeyEdit(operation, 0, label)


def key_usage(db: Database, key: QualKey | str | int) -> int:
    """How many contacts have a value for the key."""
    found = _key(db, key)
    return int(db.scalar(f"SELECT count(*) FROM contact_facts WHERE {found.column} IS NOT NULL"))


def value_usage(db: Database, key: QualKey | str | int) -> dict[str, int]:
    """How many contacts hold each value of a choice key, in the key's order."""
    found = _key(db, key)
    _choice_key(found)
    if found.type == "choice":
        counts = {int(code): int(n) for code, n in db.query(
            f"SELECT {found.column}, count(*) FROM contact_facts WHERE {found.column} IS NOT"
            f" NULL GROUP BY {found.column}")}
        return {v.value: counts.get(v.code, 0) for v in found.values}
    return {v.value: int(db.scalar(f"SELECT count(*) FROM contact_facts WHERE {found.column}"
                                   " & ? != 0", (1 << v.code,))) for v in found.values}


def _stored_values(db: Database, key: QualKey) -> list[list[Any]]:
    return [[int(cid), stored] for cid, stored in db.query(
        f"SELECT contact_id, {key.column} FROM contact_facts WHERE {key.column} IS NOT NULL")]


def _definition(key: QualKey) -> dict[str, Any]:
    return {"id": key.id, "name": key.name, "norm_name": key.norm_name, "label": key.label,
            "type": key.type, "position": key.position, "remind": key.remind,
            "remind_lead_days": key.remind_lead_days,
            "remind_after_months": key.remind_after_months,
            "values": [[v.code, v.value, v.norm, v.position] for v in key.values]}


def delete_key(db: Database, key: QualKey | str | int) -> KeyEdit:
    """Delete a key and every contact's value for it (undoable)."""
    with db.transaction():
        found = _key(db, key)
        values = _stored_values(db, found)
        created = db.scalar("SELECT created FROM qual_keys WHERE id = ?", (found.id,))
        db.execute("DELETE FROM qual_keys WHERE id = ?", (found.id,))
        storage_migrations.drop_key_column(db.conn, found.id)
        label = _("clé « {name} » supprimée ({n} contacts avaient une valeur)").format(
            name=found.name, n=len(values))
        operation = operations.record(db, "key_delete", label, {
            "key": _definition(found), "created": created, "stored": values})
    return KeyEdit(operation, len(values), label)


def set_remind(db: Database, key: QualKey | str | int, *, remind: bool,
               lead_days: int | None = None, after_months: int | None = None) -> KeyEdit:
    """Declare a date or month key "remind" (the agenda shows its dates, ``lead_days``
    before; ``after_months``: the date to remind of is that long after the value)."""
    with db.transaction():
        found = _key(db, key)
        if found.type not in ("date", "month"):
            raise ValidationError(_("seule une clé date ou mois peut servir de rappel ({key} est"
                                    " de type {type})").format(key=found.display_name,
                                                               type=_(TYPE_LABELS[found.type])),
                                  "remind")
        lead = found.remind_lead_days if lead_days is None else int(lead_days)
        after = found.remind_after_months if after_months is None else int(after_months)
        if not 0 <= lead <= 366 or not 0 <= after <= 1200:
            raise ValidationError(_("délai de rappel : 0 à 366 jours avant, 0 à 1200 mois après"),
                                  "remind")
        db.execute("UPDATE qual_keys SET remind = ?, remind_lead_days = ?,"
                   " remind_after_months = ? WHERE id = ?", (int(remind), lead, after, found.id))
        if remind:
            label = _("rappel « {key} » : {lead} jour(s) avant").format(key=found.name, lead=lead)
            if after:
                label += _(", {after} mois après la valeur").format(after=after)
        else:
            label = _("plus de rappel pour « {key} »").format(key=found.name)
        operation = operations.record(db, "key_remind", label, {
            "key": found.id, "remind": found.remind, "lead": found.remind_lead_days,
            "after": found.remind_after_months})
    return KeyEdit(operation, 0, label)


# -- values -----------------------------------------------------------------------------


def rename_value(db: Database, key: QualKey | str | int, old: str, new: str) -> KeyEdit:
    """Rename a value: its contacts keep it under the new name (one history entry each)."""
    with db.transaction():
        found = _key(db, key)
        _choice_key(found)
        value = _value(found, old)
        new = " ".join(new.split())
        if not new:
            raise ValidationError(_("une valeur ne peut pas être vide"), "value")
        clash = found.value_named(new)
        if clash is not None and clash.code != value.code:
            raise ValidationError(_("{key} a déjà la valeur « {value} » : fusionnez plutôt les"
                                    " deux valeurs").format(key=found.display_name,
                                                            value=clash.value), "value")
        if new == value.value:
            raise ValidationError(_("« {value} » porte déjà ce nom").format(value=new), "value")
        db.execute("UPDATE key_values SET value = ?, norm_value = ? WHERE key_id = ? AND code = ?",
                   (new, fold(new), found.id, value.code))
        with _history_in_bulk(db) as span:
            _write_history(db, *_holding(found, [value.code]),
                           _describe(found, value.value, new))
        segments = _rewrite_segments(db, found, values={value.value: new})
        count = span[1] - span[0] + 1 if span else 0
        label = _("{key} : valeur « {old} » renommée « {new} » ({n} contacts)").format(
            key=found.name, old=value.value, new=new, n=count)
        operation = operations.record(db, "value_rename", label, {
            "key": found.id, "code": value.code, "old": value.value, "new": new,
            "history": span, "segments": segments})
    return KeyEdit(operation, count, label)


def _holding(key: QualKey, codes: Sequence[int]) -> tuple[str, list[Any]]:
    """SQL (on contact_facts) of the contacts holding any of ``codes``."""
    if key.type == "multi":
        mask = 0
        for code in codes:
            mask |= 1 << code
        return f"({key.column} & ?) != 0", [mask]
    return f"{key.column} IN ({','.join('?' * len(codes))})", list(codes)


def merge_values(db: Database, key: QualKey | str | int, sources: Sequence[str],
                 target: str) -> KeyEdit:
    """Recode every contact holding one of ``sources`` to ``target`` and remove
    ``sources`` from the list (``clientt``, ``Clientèle`` → ``client``)."""
    with db.transaction():
        found = _key(db, key)
        _choice_key(found)
        into = _value(found, target)
        merged = [_value(found, s) for s in dict.fromkeys(sources)]
        merged = [v for v in merged if v.code != into.code]
        if not merged:
            raise ValidationError(_("rien à fusionner dans « {value} »").format(
                value=into.value), "value")
        column = found.column
        before: dict[str, list[list[int]]] = {}
        with _history_in_bulk(db) as span:
            for value in merged:
                where, params = _holding(found, [value.code])
                _write_history(db, where, params, _describe(found, value.value, into.value))
            where, params = _holding(found, [v.code for v in merged])
            before["stored"] = [[int(c), int(s)] for c, s in db.query(
                f"SELECT contact_id, {column} FROM contact_facts WHERE {where}", params)]
            if found.type == "multi":
                mask = params[0]
                db.execute(f"UPDATE contact_facts SET {column} = ({column} & ~?) | ?"
                           f" WHERE {where}", (mask, 1 << into.code, *params))
            else:
                db.execute(f"UPDATE contact_facts SET {column} = ? WHERE {where}",
                           (into.code, *params))
        for value in merged:
            db.execute("DELETE FROM key_values WHERE key_id = ? AND code = ?",
                       (found.id, value.code))
        segments = _rewrite_segments(db, found, values={v.value: into.value for v in merged})
        count = len(before["stored"])
        names = ", ".join(f"« {v.value} »" for v in merged)
        label = _("{key} : {names} fusionnée(s) dans « {into} » ({n} contacts)").format(
            key=found.name, names=names, into=into.value, n=count)
        operation = operations.record(db, "value_merge", label, {
            "key": found.id, "values": [[v.code, v.value, v.norm, v.position] for v in merged],
            "into": into.code, "stored": before["stored"], "history": span,
            "segments": segments})
    return KeyEdit(operation, count, label)


def delete_value(db: Database, key: QualKey | str | int, value: str) -> KeyEdit:
    """Remove a value from the list; the contacts holding it lose it (undoable)."""
    with db.transaction():
        found = _key(db, key)
        _choice_key(found)
        gone = _value(found, value)
        column = found.column
        where, params = _holding(found, [gone.code])
        with _history_in_bulk(db) as span:
            _write_history(db, where, params, _describe(found, gone.value, ""))
            stored = [[int(c), int(s)] for c, s in db.query(
                f"SELECT contact_id, {column} FROM contact_facts WHERE {where}", params)]
            if found.type == "multi":
                db.execute(f"UPDATE contact_facts SET {column} = nullif({column} & ~?, 0)"
                           f" WHERE {where}", (1 << gone.code, *params))
            else:
                db.execute(f"UPDATE contact_facts SET {column} = NULL WHERE {where}", params)
        db.execute("DELETE FROM key_values WHERE key_id = ? AND code = ?", (found.id, gone.code))
        label = _("{key} : valeur « {value} » supprimée ({n} contacts)").format(
            key=found.name, value=gone.value, n=len(stored))
        operation = operations.record(db, "value_delete", label, {
            "key": found.id, "values": [[gone.code, gone.value, gone.norm, gone.position]],
            "stored": stored, "history": span})
    return KeyEdit(operation, len(stored), label)


def reorder_values(db: Database, key: QualKey | str | int, order: Sequence[str]) -> KeyEdit:
    """Put the named values first, in this order (the others keep theirs, after)."""
    with db.transaction():
        found = _key(db, key)
        _choice_key(found)
        named = [_value(found, v) for v in dict.fromkeys(order)]
        rest = [v for v in found.values if v not in named]
        for position, value in enumerate(named + rest):
            db.execute("UPDATE key_values SET position = ? WHERE key_id = ? AND code = ?",
                       (position, found.id, value.code))
        label = _("{key} : valeurs dans l'ordre {order}").format(
            key=found.name, order=", ".join(v.value for v in named + rest))
        operation = operations.record(db, "values_reorder", label, {
            "key": found.id, "positions": [[v.code, v.position] for v in found.values]})
    return KeyEdit(operation, 0, label)


def add_values(db: Database, key: QualKey | str | int, values: Sequence[str]) -> list[str]:
    """Append values to a choice key (the import's "add"); returns those added."""
    from qualif_tui.domain.keys import add_value

    found = _key(db, key)
    added = []
    with db.transaction():
        for value in values:
            if found.value_named(value) is None:
                add_value(db, found, value)
                added.append(" ".join(value.split()))
                found = _key(db, found)
    return added


# -- changing a key's type ------------------------------------------------------------


@dataclass
class RetypePlan:
    """What changing a key's type would do (a dry run)."""

    key: QualKey
    new_type: str
    converted: dict[int, Any] = field(default_factory=dict)     # contact → new stored value
    failures: list[tuple[int, str, str]] = field(default_factory=list)  # contact, value, why
    new_values: list[str] = field(default_factory=list)         # the list of a choice key

    @property
    def ok(self) -> bool:
        return not self.failures


def plan_retype(db: Database, key: QualKey | str | int, new_type: str) -> RetypePlan:
    """Convert every contact's value to ``new_type`` in memory: what would convert, what not."""
    found = _key(db, key)
    if new_type not in KEY_TYPES:
        raise ValidationError(_("type inconnu « {type} » (types : {types})").format(
            type=new_type, types=", ".join(KEY_TYPES)), "type")
    if new_type == found.type:
        raise ValidationError(_("{key} est déjà de type {type}").format(
            key=found.display_name, type=_(TYPE_LABELS[new_type])), "type")
    plan = RetypePlan(found, new_type)
    stored = _stored_values(db, found)
    texts: dict[int, Any] = {cid: found.decode(value) for cid, value in stored}
    if new_type in ("choice", "multi"):
        plan.new_values = _choice_list(found, texts.values(), new_type)
        if new_type == "multi" and len(plan.new_values) > MULTI_MAX_VALUES:
            raise ValidationError(_("une clé à choix multiple a au plus {n} valeurs ({key} en a"
                                    " {m})").format(n=MULTI_MAX_VALUES, key=found.display_name,
                                                    m=len(plan.new_values)), "type")
    target = QualKey(found.id, found.name, found.norm_name, found.label, new_type,
                     found.position, tuple(_values_of(plan.new_values)))
    for cid, decoded in texts.items():
        if isinstance(decoded, list) and new_type == "choice" and len(decoded) > 1:
            plan.failures.append((cid, format_value(decoded),
                                  _("plusieurs valeurs pour une clé à choix simple")))
            continue
        given: Any = decoded if isinstance(decoded, list) else format_value(decoded)
        if found.type == "month" and new_type == "date" and isinstance(given, str):
            given = f"{given}-01"  # a month becomes its first day
        if isinstance(given, list) and new_type != "multi":
            given = given[0] if given else ""
        try:
            plan.converted[cid] = target.encode(given)
        except ValidationError as error:
            plan.failures.append((cid, format_value(decoded), str(error)))
    return plan


def _choice_list(key: QualKey, decoded: Any, new_type: str) -> list[str]:
    """The value list of a key becoming a choice key: its own list if it has one,
    else the distinct values found, most frequent first."""
    if key.has_choices:
        return [v.value for v in key.values]
    seen: dict[str, tuple[int, str]] = {}
    for value in decoded:
        for text in (value if isinstance(value, list) else [format_value(value)]):
            if not text:
                continue
            count, spelling = seen.get(fold(text), (0, text))
            seen[fold(text)] = (count + 1, spelling)
    return [spelling for _count, spelling in sorted(seen.values(), key=lambda c: (-c[0], c[1]))]


def _values_of(names: Sequence[str]) -> Iterator[Any]:
    from qualif_tui.domain.keys import KeyValue

    for code, name in enumerate(names):
        yield KeyValue(code, name, fold(name), code)


def retype_key(db: Database, key: QualKey | str | int, new_type: str, *,
               force: bool = False) -> KeyEdit:
    """Change a key's type; refused while some value would not convert, unless
    ``force`` (those values are then cleared — undo gives them back)."""
    with db.transaction():
        plan = plan_retype(db, key, new_type)
        found = plan.key
        if plan.failures and not force:
            raise QualifError(_("{n} valeur(s) de {key} ne deviennent pas « {type} » (essai :"
                                " qualif key retype --dry-run) : {examples}").format(
                n=len(plan.failures), key=found.display_name, type=_(TYPE_LABELS[new_type]),
                examples="; ".join(f"n° {c} « {v} »" for c, v, _w in plan.failures[:5])))
        old_stored = _stored_values(db, found)
        old_definition = _definition(found)
        # the type first: the contacts_with_keys view, made again with the column,
        # reads it
        db.execute("UPDATE qual_keys SET type = ? WHERE id = ?", (new_type, found.id))
        _replace_column(db, found.id, new_type, plan.converted)
        db.execute("DELETE FROM key_values WHERE key_id = ?", (found.id,))
        for code, value in enumerate(plan.new_values):
            db.execute("INSERT INTO key_values(key_id, code, value, norm_value, position)"
                       " VALUES (?,?,?,?,?)", (found.id, code, value, fold(value), code))
        if new_type not in ("date", "month"):
            db.execute("UPDATE qual_keys SET remind = 0 WHERE id = ?", (found.id,))
        label = _("{key} : type {old} → {new} ({n} valeurs converties, {f} effacées)").format(
            key=found.name, old=_(TYPE_LABELS[found.type]), new=_(TYPE_LABELS[new_type]),
            n=len(plan.converted), f=len(plan.failures))
        operation = operations.record(db, "key_retype", label, {
            "key": old_definition, "stored": old_stored})
    return KeyEdit(operation, len(plan.converted), label)


def _replace_column(db: Database, key_id: int, key_type: str, values: dict[int, Any]) -> None:
    """A key column with another affinity (SQLite cannot change a column's type)."""
    storage_migrations.drop_key_column(db.conn, key_id)
    column = storage_migrations.add_key_column(db.conn, key_id, key_type, index=False)
    db.conn.executemany(f"UPDATE contact_facts SET {column} = ? WHERE contact_id = ?",
                        [(value, cid) for cid, value in values.items() if value is not None])
    db.execute(storage_migrations.key_index_sql(column))


# -- undo -----------------------------------------------------------------------------


def undo_key_operation(db: Database, operation: operations.Operation, force: bool = False
                       ) -> None:
    """Take back a key or value edit (called by the journal, inside its transaction)."""
    data = operation.data
    kind = operation.kind
    if kind == "key_delete":
        _restore_key(db, data["key"], data["created"], data["stored"])
        return
    key_id = data["key"]["id"] if isinstance(data["key"], dict) else int(data["key"])
    if not db.scalar("SELECT 1 FROM qual_keys WHERE id = ?", (key_id,)):
        raise operations.ChangedSince(_("la clé de cette opération a été supprimée depuis"))
    if kind == "key_rename":
        db.execute("UPDATE qual_keys SET name = ?, norm_name = ?, label = ? WHERE id = ?",
                   (data["name"], data["norm_name"], data["label"], key_id))
        storage_migrations.refresh_contacts_with_keys(db.conn)
        _undo_segments(db, data["segments"])
    elif kind == "key_remind":
        db.execute("UPDATE qual_keys SET remind = ?, remind_lead_days = ?,"
                   " remind_after_months = ? WHERE id = ?",
                   (int(data["remind"]), data["lead"], data["after"], key_id))
    elif kind == "value_rename":
        db.execute("UPDATE key_values SET value = ?, norm_value = ? WHERE key_id = ? AND code = ?",
                   (data["old"], fold(data["old"]), key_id, data["code"]))
        _undo_history(db, data["history"])
        _undo_segments(db, data["segments"])
    elif kind in ("value_merge", "value_delete"):
        for code, value, norm, position in data["values"]:
            db.execute("INSERT INTO key_values(key_id, code, value, norm_value, position)"
                       " VALUES (?,?,?,?,?)", (key_id, code, value, norm, position))
        column = key_column(key_id)
        db.conn.executemany(f"UPDATE contact_facts SET {column} = ? WHERE contact_id = ?",
                            [(stored, cid) for cid, stored in data["stored"]])
        _undo_history(db, data["history"])
        _undo_segments(db, data.get("segments", []))
    elif kind == "values_reorder":
        db.conn.executemany("UPDATE key_values SET position = ? WHERE key_id = ? AND code = ?",
                            [(position, key_id, code) for code, position in data["positions"]])
    elif kind == "key_retype":
        definition = data["key"]
        db.execute("UPDATE qual_keys SET type = ?, remind = ? WHERE id = ?",
                   (definition["type"], int(definition["remind"]), key_id))
        _replace_column(db, key_id, definition["type"], dict(map(tuple, data["stored"])))
        db.execute("DELETE FROM key_values WHERE key_id = ?", (key_id,))
        _insert_values(db, key_id, definition["values"])
    else:
        raise QualifError(_("opération inconnue : {kind}").format(kind=kind))


def _insert_values(db: Database, key_id: int, values: Sequence[Sequence[Any]]) -> None:
    db.conn.executemany("INSERT INTO key_values(key_id, code, value, norm_value, position)"
                        " VALUES (?,?,?,?,?)", [(key_id, *v) for v in values])


def _restore_key(db: Database, definition: dict[str, Any], created: str,
                 stored: Sequence[Sequence[Any]]) -> None:
    if db.scalar("SELECT 1 FROM qual_keys WHERE norm_name = ?", (definition["norm_name"],)):
        raise operations.ChangedSince(_("une clé « {name} » existe de nouveau : la suppression"
                                        " ne peut plus être annulée").format(
                                            name=definition["name"]))
    db.execute("INSERT INTO qual_keys(id, name, norm_name, label, type, position, remind,"
               " remind_lead_days, remind_after_months, created) VALUES (?,?,?,?,?,?,?,?,?,?)",
               (definition["id"], definition["name"], definition["norm_name"],
                definition["label"], definition["type"], definition["position"],
                int(definition["remind"]), definition["remind_lead_days"],
                definition["remind_after_months"], created))
    _insert_values(db, definition["id"], definition["values"])
    column = storage_migrations.add_key_column(db.conn, definition["id"], definition["type"],
                                               index=False)
    db.conn.executemany(f"UPDATE contact_facts SET {column} = ? WHERE contact_id = ?",
                        [(value, cid) for cid, value in stored])
    db.execute(storage_migrations.key_index_sql(column))


def describe_keys(db: Database) -> list[dict[str, Any]]:
    """Every key with its values and how many contacts hold each (for lists and the app)."""
    found = []
    for key in list_keys(db):
        entry: dict[str, Any] = {"key": key, "filled": key_usage(db, key)}
        entry["values"] = value_usage(db, key) if key.has_choices else {}
        found.append(entry)
    return found


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)
