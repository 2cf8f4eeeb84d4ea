"""Writing an import plan as one batch, undoing a batch, listing batches.

The write is one transaction and bulk: contacts are inserted with
``executemany`` (ids given, so keys, history and notes follow without a
query per row); the triggers keep the facts and full-text index right.
Every created contact gets one history entry "Importé depuis FILE"; notes
become history entries of kind ``note`` dated at the import, marked
automatic so that an import does not count as having met everyone today
(full-text search still finds them). Each merge records what it changed
in ``import_merges``, so :func:`undo_batch` can put the old values back.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from qualif_tui.base.geography import departement_of_postal_code
from qualif_tui.domain import clock
from qualif_tui.domain.contacts import FIELDS, FLAG_FIELDS
from qualif_tui.domain.errors import NotFound, QualifError
from qualif_tui.domain.keys import QualKey, add_value, define_key, delete_key, list_keys
from qualif_tui.services.importing.keyvalues import encoder, stored
from qualif_tui.services.importing.matching import cached_fold
from qualif_tui.services.importing.newvalues import NewValuesRefused
from qualif_tui.services.importing.normalize import email_key, phone_e164
from qualif_tui.services.importing.plan import ImportPlan, no_cycle_collection
from qualif_tui.storage import Database
from qualif_tui.storage.schema import history_fts_rowid, key_column

Progress = Callable[[str, int, int], None]
_CHUNK = 5000
_COLUMNS = [*FIELDS, "custom", "import_batch", "created", "updated", "sort_key", "norm_name",
            "norm_company", "norm_city", "norm_email", "phone_e164", "mobile_e164", "id"]


@dataclass
class ImportResult:
    batch_id: int | None  # None: nothing was new, nothing was written
    created: int
    merged: int
    skipped: int
    new_values: dict[str, list[str]] = field(default_factory=dict)


_DERIVED = ("sort_key", "norm_name", "norm_company", "norm_city", "norm_email", "phone_e164",
            "mobile_e164")


def derived(fields: dict[str, Any], region: str = "FR") -> dict[str, str]:
    """The normalised columns of a contact row (as core.contacts writes them)."""
    return dict(zip(_DERIVED, derived_values(fields, region), strict=True))


def derived_values(fields: dict[str, Any], region: str) -> tuple[str, ...]:
    get = fields.get
    first, last, company = get("first_name", ""), get("last_name", ""), get("company", "")
    folded_first, folded_company = cached_fold(first), cached_fold(company)
    phone, mobile = get("phone", ""), get("mobile", "")
    return (
        # text.sort_key, with the folds cached: names repeat a lot in big files
        f"{cached_fold(last) or folded_company}\x1f{folded_first}\x1f{folded_company}",
        cached_fold(f"{first} {last}"),
        folded_company,
        cached_fold(get("city", "")),
        email_key(get("email", "")),
        phone_e164(phone, region) if phone else "",
        phone_e164(mobile, region) if mobile else "",
    )


def apply_plan(db: Database, plan: ImportPlan, progress: Progress | None = None) -> ImportResult:
    """Write ``plan`` in one transaction; returns the batch written."""
    with no_cycle_collection():
        return _apply_plan(db, plan, progress)


def _apply_plan(db: Database, plan: ImportPlan, progress: Progress | None) -> ImportResult:
    now = clock.stamp()
    region = plan.options.region
    if plan.unresolved:
        raise NewValuesRefused(plan.unresolved)  # never add a value nobody decided on
    if not plan.creates and not plan.merges and not plan.declared_keys:
        return ImportResult(None, 0, 0, len(plan.skips))
    with db.transaction():
        cursor = db.execute("INSERT INTO import_batches(source, format, created) VALUES (?,?,?)",
                            (plan.source, ",".join(sorted({f.format for f in plan.files})), now))
        batch = int(cursor.lastrowid or 0)
        created_keys = create_declared_keys(db, plan)
        added_codes = _add_key_values(db, plan)
        keys = {k.id: k for k in list_keys(db)}
        _insert_created(db, plan, keys, batch, now, region, progress)
        _apply_merges(db, plan, keys, batch, now, region)
        new_values = plan.new_values_named()
        summary = {"created": len(plan.creates), "merged": len(plan.merges),
                   "skipped": len(plan.skips), "new_values": new_values,
                   "added_codes": added_codes, "unmapped": plan.unmapped,
                   "created_keys": created_keys,
                   "files": [{"source": f.source, "format": f.format, "encoding": f.encoding,
                              "separator": f.separator, "rows": len(f.records)}
                             for f in plan.files]}
        db.execute("UPDATE import_batches SET summary = ? WHERE id = ?",
                   (json.dumps(summary, ensure_ascii=False), batch))
    return ImportResult(batch, len(plan.creates), len(plan.merges), len(plan.skips), new_values)


def _add_key_values(db: Database, plan: ImportPlan) -> dict[str, list[int]]:
    added: dict[str, list[int]] = {}
    for key_id, values in plan.new_values.items():
        if key_id < 0:
            continue  # a key the import created, with its values
        key = plan.keys[key_id]
        for value in values:
            code = add_value(db, key, value).code
            added.setdefault(str(key_id), []).append(code)
    return added


def _insert_created(db: Database, plan: ImportPlan, keys: dict[int, QualKey], batch: int,
                    now: str, region: str, progress: Progress | None) -> None:
    total = len(plan.creates)
    if not total:
        return
    first_id = int(db.scalar("SELECT coalesce(max(id), 0) + 1 FROM contacts"))
    first_history = int(db.scalar("SELECT coalesce(max(id), 0) + 1 FROM history"))
    existing = int(db.scalar("SELECT count(*) FROM contacts"))
    key_ids = sorted(keys)
    insert = (f"INSERT INTO contacts({', '.join(_COLUMNS)})"
              f" VALUES ({', '.join('?' * len(_COLUMNS))})")
    facts_sql = (f"INSERT INTO contact_facts(contact_id, dept"
                 f"{''.join(', ' + key_column(k) for k in key_ids)})"
                 f" VALUES ({', '.join('?' * (len(key_ids) + 2))})")
    history_sql = ("INSERT INTO history(id, contact_id, kind, happened_at, subject, body, automatic,"
                   " import_batch, created) VALUES (?,?,?,?,?,?,1,?,?)")
    encoders = [encoder(keys[k]) for k in key_ids]
    flag_indexes = [list(FIELDS).index(flag) for flag in FLAG_FIELDS]
    coders = list(zip(key_ids, encoders, strict=True))
    no_keys = [None] * len(key_ids)
    subjects: dict[str, str] = {}
    history_id = first_history
    # Rebuilding the indexes after the load pays when the import at least doubles
    # the file; on a big file, keeping them is cheaper than sorting it all again.
    with _bulk_window(db, drop_indexes=total >= existing):
        for start in range(0, total, _CHUNK):
            chunk = plan.creates[start:start + _CHUNK]
            rows, facts, history = [], [], []
            for offset, record in enumerate(chunk):
                contact_id = first_id + start + offset
                fields = record.fields
                values: list[Any] = [fields.get(name, "") for name in FIELDS]
                for index in flag_indexes:
                    values[index] = int(values[index] or 0)
                custom = json.dumps(record.custom, ensure_ascii=False) if record.custom else "{}"
                rows.append([*values, custom, batch, now, now, *derived_values(fields, region),
                             contact_id])
                record_keys = record.keys
                dept = departement_of_postal_code(fields.get("postal_code"))
                if record_keys:
                    get = record_keys.get
                    facts.append([contact_id, dept, *[encode(get(k)) for k, encode in coders]])
                else:
                    facts.append([contact_id, dept, *no_keys])
                subject = subjects.get(record.source)
                if subject is None:
                    subject = subjects[record.source] = f"Importé depuis {Path(record.source).name}"
                history.append((history_id, contact_id, "import", now, subject, "", batch, now))
                history_id += 1
                for note in record.notes:
                    history.append((history_id, contact_id, "note", now, "Note importée", note,
                                    batch, now))
                    history_id += 1
            db.conn.executemany(insert, rows)
            db.conn.executemany(facts_sql, facts)
            db.conn.executemany(history_sql, history)
            if progress:
                progress("écriture", start + len(chunk), total)
        # what the triggers would have done row by row, in two set-based statements
        db.execute("INSERT INTO contacts_fts(rowid, first_name, last_name, company, email, city)"
                   " SELECT id, first_name, last_name, company, email, city FROM contacts"
                   " WHERE id >= ?", (first_id,))
        db.execute("INSERT INTO history_fts(rowid, subject, body)"
                   f" SELECT {history_fts_rowid()}, subject, body FROM history WHERE id >= ?",
                   (first_history,))


@contextlib.contextmanager
def _bulk_window(db: Database, *, drop_indexes: bool) -> Iterator[None]:
    """Inside the import's transaction: the row triggers of contacts and history
    are set aside (the loader writes facts and full-text rows itself, in bulk)
    and, when ``drop_indexes``, so are the indexes of contacts and contact_facts,
    built again at the end. Everything is restored from its own SQL in
    sqlite_master, and a failure rolls the whole transaction back."""
    saved = db.query(
        "SELECT type, name, sql FROM sqlite_master WHERE sql IS NOT NULL AND ("
        " (type = 'trigger' AND name IN ('contacts_ai', 'history_ai'))"
        " OR (type = 'index' AND ? AND tbl_name IN ('contacts', 'contact_facts')))",
        (int(drop_indexes),))
    for kind, name, _sql in saved:
        db.execute(f'DROP {kind.upper()} "{name}"')
    yield
    for _kind, _name, sql in saved:
        db.execute(sql)


def _apply_merges(db: Database, plan: ImportPlan, keys: dict[int, QualKey], batch: int, now: str,
                  region: str) -> None:
    for merge in plan.merges:
        row = dict(db.query("SELECT * FROM contacts WHERE id = ?", (merge.contact_id,))[0])
        fields = {name: row[name] for name in FIELDS}
        changes: dict[str, dict[str, list[Any]]] = {"fields": {}, "keys": {}, "custom": {}}
        for name, (old, new) in merge.fields.items():
            value = int(new) if name in FLAG_FIELDS else new
            fields[name] = value
            changes["fields"][name] = [old, value]
        custom = json.loads(row["custom"] or "{}")
        for name, value in merge.custom.items():
            custom[name] = value
            changes["custom"][name] = [None, value]
        assignments = {**fields, **derived(fields, region), "custom":
                       json.dumps(custom, ensure_ascii=False), "updated": now}
        db.execute(f"UPDATE contacts SET {', '.join(f'{k} = ?' for k in assignments)}"
                   " WHERE id = ?", [*assignments.values(), merge.contact_id])
        for key_id, (old, new) in merge.keys.items():
            value = stored(keys[key_id], new)
            db.execute(f"UPDATE contact_facts SET {key_column(key_id)} = ? WHERE contact_id = ?",
                       (value, merge.contact_id))
            changes["keys"][str(key_id)] = [old, value]
        what = [FIELDS[n] for n in merge.fields] + [keys[k].name for k in merge.keys] \
            + list(merge.custom)
        subject = f"Complété depuis {Path(merge.record.source).name}"
        if what:
            subject += " : " + ", ".join(what)
        db.execute("INSERT INTO history(contact_id, kind, happened_at, subject, body, automatic,"
                   " import_batch, created) VALUES (?,?,?,?,?,1,?,?)",
                   (merge.contact_id, "import", now, subject, "", batch, now))
        for note in merge.notes:
            db.execute("INSERT INTO history(contact_id, kind, happened_at, subject, body, automatic,"
                       " import_batch, created) VALUES (?,?,?,?,?,1,?,?)",
                       (merge.contact_id, "note", now, "Note importée", note, batch, now))
        db.execute("INSERT INTO import_merges(batch_id, contact_id, changes) VALUES (?,?,?)",
                   (batch, merge.contact_id, json.dumps(changes, ensure_ascii=False)))


def create_declared_keys(db: Database, plan: ImportPlan) -> list[int]:
    """Create the keys the files declare (qualif's own exports), with their values
    in order, and give the records their real ids; returns the new key ids."""
    created: dict[int, int] = {}
    for declared in plan.declared_keys:
        values = [v.value for v in declared.values]
        values += [v for v in plan.new_values.get(declared.id, []) if v not in values]
        lead, after = plan.reminders.get(declared.id, (0, 0))
        key = define_key(db, declared.name, declared.type, values,
                         remind=declared.id in plan.reminders, remind_lead_days=lead,
                         remind_after_months=after)
        created[declared.id] = key.id
    if not created:
        return []
    for record in plan.creates:
        record.keys = {created.get(k, k): v for k, v in record.keys.items()}
    for merge in plan.merges:
        merge.keys = {created.get(k, k): v for k, v in merge.keys.items()}
    plan.keys = {k.id: k for k in list_keys(db)}
    plan.new_values = {k: v for k, v in plan.new_values.items() if k >= 0}
    return list(created.values())


# -- listing and undoing batches ---------------------------------------------------------


@dataclass(frozen=True)
class BatchInfo:
    id: int
    created: str
    source: str
    format: str
    summary: dict[str, Any]
    undone: str | None

    @property
    def counts(self) -> tuple[int, int, int]:
        s = self.summary
        return int(s.get("created", 0)), int(s.get("merged", 0)), int(s.get("skipped", 0))

    @property
    def entries(self) -> int:
        """The e-mail history entries a mail import added (0 for other imports)."""
        return int(self.summary.get("entries", 0))


def list_batches(db: Database, limit: int = 50) -> list[BatchInfo]:
    """The latest import batches, newest first."""
    return [_batch(row) for row in db.query(
        "SELECT * FROM import_batches ORDER BY id DESC LIMIT ?", (limit,))]


def _batch(row: Any) -> BatchInfo:
    try:
        summary = json.loads(row["summary"] or "{}")
    except ValueError:
        summary = {}
    return BatchInfo(row["id"], row["created"], row["source"], row["format"], summary,
                     row["undone"])


def get_batch(db: Database, which: str | int) -> BatchInfo:
    """A batch by id, or ``"last"``: the latest batch not undone yet."""
    if isinstance(which, str) and which.strip().lower() in ("last", "dernier"):
        rows = db.query("SELECT * FROM import_batches WHERE undone IS NULL ORDER BY id DESC LIMIT 1")
        if not rows:
            raise NotFound("no import to undo")
        return _batch(rows[0])
    try:
        batch_id = int(which)
    except ValueError:
        raise NotFound(f"'{which}' is not a batch number (see: qualif import DB --list)") from None
    rows = db.query("SELECT * FROM import_batches WHERE id = ?", (batch_id,))
    if not rows:
        raise NotFound(f"no import batch #{batch_id} (see: qualif import DB --list)")
    return _batch(rows[0])


class WorkedOn(QualifError):
    """Undoing would erase what the user did since on the imported contacts."""


@dataclass
class UndoResult:
    batch_id: int
    deleted: int
    reverted: int
    deals: int = 0  # deals of a deals import (qualif deal DB import)
    entries: int = 0  # e-mail entries of a mail import, on kept and deleted contacts alike
    kept_changes: list[str] = field(default_factory=list)   # merged values changed since
    removed_values: dict[str, list[str]] = field(default_factory=dict)


def undo_batch(db: Database, which: str | int, *, force: bool = False) -> UndoResult:
    """Remove what batch ``which`` did: its contacts, the values its merges
    filled in (unless changed since), its notes and history, the key values
    it added that no contact uses any more. One transaction."""
    with db.transaction():
        batch = get_batch(db, which)
        if batch.undone:
            raise QualifError(f"import batch #{batch.id} was already undone ({batch.undone})")
        worked = _worked_on(db, batch.id)
        moved = int(db.scalar("SELECT count(*) FROM deals d WHERE d.import_batch = ? AND"
                              " (d.updated != d.created OR EXISTS (SELECT 1 FROM quotes q"
                              " WHERE q.deal_id = d.id))", (batch.id,)))
        if moved and not force:
            raise WorkedOn(
                f"{moved} deal(s) of import #{batch.id} were changed or quoted since the import;"
                " undoing deletes them too. Add --force to undo anyway.")
        if worked and not force:
            raise WorkedOn(
                f"{worked} contact(s) of import #{batch.id} have history, deals or agenda"
                " entries added since the import; undoing deletes them too. Add --force to"
                " undo anyway.")
        # counted before the contacts go: their entries go with them (ON DELETE CASCADE)
        entries = int(db.scalar("SELECT count(*) FROM history WHERE import_batch = ?"
                                " AND kind = 'email'", (batch.id,)))
        deals = db.execute("DELETE FROM deals WHERE import_batch = ?", (batch.id,)).rowcount
        deleted = db.execute("DELETE FROM contacts WHERE import_batch = ?", (batch.id,)).rowcount
        result = UndoResult(batch.id, deleted, 0, deals, entries)
        _revert_merges(db, batch.id, result)
        db.execute("DELETE FROM import_merges WHERE batch_id = ?", (batch.id,))
        db.execute("DELETE FROM history WHERE import_batch = ?", (batch.id,))
        _remove_added_values(db, batch, result)
        db.execute("UPDATE import_batches SET undone = ? WHERE id = ?", (clock.stamp(), batch.id))
    return result


def _worked_on(db: Database, batch_id: int) -> int:
    return int(db.scalar(
        "SELECT count(*) FROM contacts c WHERE c.import_batch = :b AND ("
        " EXISTS (SELECT 1 FROM history h WHERE h.contact_id = c.id"
        "         AND (h.import_batch IS NULL OR h.import_batch != :b))"
        " OR EXISTS (SELECT 1 FROM deals d WHERE d.contact_id = c.id)"
        " OR EXISTS (SELECT 1 FROM activity_contacts a WHERE a.contact_id = c.id))",
        {"b": batch_id}))


def _revert_merges(db: Database, batch_id: int, result: UndoResult) -> None:
    keys = {k.id: k for k in list_keys(db)}
    for row in db.query("SELECT contact_id, changes FROM import_merges WHERE batch_id = ?",
                        (batch_id,)):
        contact_id = int(row[0])
        current = db.query("SELECT * FROM contacts WHERE id = ?", (contact_id,))
        if not current:
            continue  # erased since: nothing to put back
        contact = dict(current[0])
        changes = json.loads(row[1])
        fields = {name: contact[name] for name in FIELDS}
        for name, (old, new) in changes.get("fields", {}).items():
            if fields.get(name) == new:
                fields[name] = old
            else:
                result.kept_changes.append(f"#{contact_id} {FIELDS.get(name, name)}")
        custom = json.loads(contact["custom"] or "{}")
        for name, (old, new) in changes.get("custom", {}).items():
            if custom.get(name) == new:
                if old is None:
                    custom.pop(name, None)
                else:
                    custom[name] = old
            else:
                result.kept_changes.append(f"#{contact_id} {name}")
        assignments = {**fields, **derived(fields), "custom": json.dumps(custom, ensure_ascii=False),
                       "updated": clock.stamp()}
        db.execute(f"UPDATE contacts SET {', '.join(f'{k} = ?' for k in assignments)} WHERE id = ?",
                   [*assignments.values(), contact_id])
        for key_id, (old, new) in changes.get("keys", {}).items():
            if int(key_id) not in keys:
                continue
            column = key_column(int(key_id))
            now = db.scalar(f"SELECT {column} FROM contact_facts WHERE contact_id = ?",
                            (contact_id,))
            if now == new:
                db.execute(f"UPDATE contact_facts SET {column} = ? WHERE contact_id = ?",
                           (old, contact_id))
            else:
                result.kept_changes.append(f"#{contact_id} {keys[int(key_id)].name}")
        result.reverted += 1


def _remove_added_values(db: Database, batch: BatchInfo, result: UndoResult) -> None:
    for key_id in batch.summary.get("created_keys", []):
        key = next((k for k in list_keys(db) if k.id == int(key_id)), None)
        if key is not None and not db.scalar(
                f"SELECT 1 FROM contact_facts WHERE {key.column} IS NOT NULL LIMIT 1"):
            delete_key(db, key)  # the import created it and nobody uses it any more
            result.removed_values.setdefault(key.name, []).append("(clé)")
    keys = {k.id: k for k in list_keys(db)}
    for key_id_text, codes in batch.summary.get("added_codes", {}).items():
        key = keys.get(int(key_id_text))
        if key is None:
            continue
        for code in codes:
            if key.type == "multi":
                used = db.scalar(f"SELECT 1 FROM contact_facts WHERE {key.column} & ? != 0 LIMIT 1",
                                 (1 << int(code),))
            else:
                used = db.scalar(f"SELECT 1 FROM contact_facts WHERE {key.column} = ? LIMIT 1",
                                 (int(code),))
            value = key.value_coded(int(code))
            if used or value is None:
                continue
            db.execute("DELETE FROM key_values WHERE key_id = ? AND code = ?", (key.id, int(code)))
            result.removed_values.setdefault(key.name, []).append(value.value)
