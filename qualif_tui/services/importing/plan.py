"""Reading the files and deciding, row by row, what an import would do — writing nothing.

:func:`plan_import` returns an :class:`ImportPlan`: the contacts to create,
the existing contacts to complete (``--on-duplicate merge``: only empty
fields and keys are filled, custom fields and notes added), the duplicates
skipped with the reason, and the values the keys would gain. ``--dry-run``
prints the plan; :func:`~.batch.apply_plan` writes it in one transaction.
A file with problems raises :class:`ImportRefused` before anything is
decided.
"""

from __future__ import annotations

import contextlib
import gc
import json
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from qualif_tui.base.i18n import _
from qualif_tui.base.text import display_name
from qualif_tui.domain.contacts import FIELDS
from qualif_tui.domain.keys import QualKey, list_keys
from qualif_tui.services.importing import formats, newvalues
from qualif_tui.services.importing.headers import norm_header, read_mapping
from qualif_tui.services.importing.keyvalues import KeyCatalog
from qualif_tui.services.importing.matching import Matcher, identity_of
from qualif_tui.services.importing.model import ImportRefused, Incoming, Notice, ParsedFile, Problem
from qualif_tui.services.importing.newvalues import NewValue, ValueMap
from qualif_tui.services.importing.sniff import SourceError, read_source
from qualif_tui.storage import Database
from qualif_tui.storage.schema import key_column

Progress = Callable[[str, int, int], None]  # (stage, done, total)
_CHUNK = 500


@dataclass(frozen=True)
class ImportOptions:
    on_duplicate: str = "skip"          # or "merge"
    region: str = "FR"                  # phone numbers without a country code
    mapping: Path | None = None
    # values a choice key lacks: refuse (list them), add, map (to the suggestion);
    # value_map decides one by one (see newvalues.py)
    new_values: str = "refuse"
    value_map: ValueMap = field(default_factory=dict)


@dataclass
class Merge:
    """Fill an existing contact's empty fields from an incoming one."""

    contact_id: int
    label: str
    record: Incoming
    reason: str
    fields: dict[str, tuple[Any, Any]] = field(default_factory=dict)   # column → (old, new)
    keys: dict[int, tuple[Any, Any]] = field(default_factory=dict)     # key id → (old stored, new value)
    custom: dict[str, str] = field(default_factory=dict)               # added custom fields
    notes: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.fields or self.keys or self.custom or self.notes)


@dataclass(frozen=True)
class Skip:
    record: Incoming
    reason: str


@dataclass
class ImportPlan:
    files: list[ParsedFile]
    options: ImportOptions
    keys: dict[int, QualKey]
    creates: list[Incoming] = field(default_factory=list)
    merges: list[Merge] = field(default_factory=list)
    skips: list[Skip] = field(default_factory=list)
    new_values: dict[int, list[str]] = field(default_factory=dict)
    # each value a file brings to an existing choice key, and the decision on it
    value_decisions: list[NewValue] = field(default_factory=list)
    declared_keys: list[QualKey] = field(default_factory=list)   # keys the import creates
    reminders: dict[int, tuple[int, int]] = field(default_factory=dict)

    @property
    def unresolved(self) -> list[NewValue]:
        """New values nobody decided on: the import is refused while there are some."""
        return [v for v in self.value_decisions if v.decision == "refuse"]

    @property
    def source(self) -> str:
        return ", ".join(f.source for f in self.files)

    @property
    def notices(self) -> list[Notice]:
        return [n for f in self.files for n in f.notices]

    @property
    def unmapped(self) -> list[str]:
        seen: list[str] = []
        for parsed in self.files:
            seen += [c for c in parsed.unmapped if c not in seen]
        return seen

    @property
    def dropped(self) -> dict[str, int]:
        total: dict[str, int] = {}
        for parsed in self.files:
            for name, count in parsed.dropped.items():
                total[name] = total.get(name, 0) + count
        return total

    def new_values_named(self) -> dict[str, list[str]]:
        return {self.keys[k].name: v for k, v in self.new_values.items() if v}


def read_files(db: Database, paths: Sequence[Path], options: ImportOptions,
               progress: Progress | None = None, names: Sequence[str] | None = None
               ) -> tuple[list[ParsedFile], KeyCatalog]:
    """Read every file; raise ImportRefused listing every problem found."""
    keys = list_keys(db)
    catalog = KeyCatalog({k.id: k for k in keys})
    mapping = read_mapping(options.mapping, keys) if options.mapping else None
    parsed_files: list[ParsedFile] = []
    problems: list[Problem] = []
    for index, path in enumerate(paths):
        name = names[index] if names else str(path)
        try:
            source = read_source(path, name)
            fmt = formats.format_of(source)

            def step(done: int, name: str = name) -> None:
                if progress:
                    progress(f"lecture de {name}", done, 0)

            context = formats.ReadContext(keys, catalog, mapping, step)
            parsed = formats.read_file(source, fmt, context)
        except SourceError as error:
            problems.append(_problem_of(name, str(error)))
            continue
        problems += parsed.problems
        parsed_files.append(parsed)
    if mapping is not None:
        present = {c.column for f in parsed_files for c in f.columns}
        missing = [h for h in mapping if h not in {norm_header(c) for c in present}]
        if missing and parsed_files:
            problems.append(Problem(str(options.mapping), None,
                                    _("la correspondance nomme des colonnes qu'aucun fichier n'a : ") + ", ".join(missing)))
    if problems:
        raise ImportRefused(problems)
    return parsed_files, catalog


def _problem_of(name: str, message: str) -> Problem:
    """A SourceError's message ("NAME, line 3: …") as a Problem of file NAME."""
    match = re.match(re.escape(name) + r"(?:, line (\d+))?: (.*)", message, re.DOTALL)
    if match:
        return Problem(name, int(match[1]) if match[1] else None, match[2])
    return Problem(name, None, message)


@contextlib.contextmanager
def no_cycle_collection() -> Iterator[None]:
    """Pause Python's cycle collector: a big import allocates millions of small
    objects that hold no cycles, and each collection pass walks them all
    (about a sixth of the time of a 100 000-row import)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def plan_import(db: Database, paths: Sequence[Path], options: ImportOptions = ImportOptions(),
                progress: Progress | None = None, names: Sequence[str] | None = None
                ) -> ImportPlan:
    with no_cycle_collection():
        return _plan_import(db, paths, options, progress, names)


def _plan_import(db: Database, paths: Sequence[Path], options: ImportOptions,
                 progress: Progress | None, names: Sequence[str] | None) -> ImportPlan:
    files, catalog = read_files(db, paths, options, progress, names)
    plan = ImportPlan(files, options, catalog.keys)
    records = [r for f in files for r in f.records]
    plan.value_decisions = newvalues.resolve(records, catalog, options.new_values,
                                             options.value_map)
    plan.new_values = {k: list(v.values()) for k, v in catalog.new_values.items() if v}
    plan.declared_keys = list(catalog.declared.values())
    plan.reminders = dict(catalog.reminders)
    identities = [identity_of(r.fields, options.region) for r in records]
    matcher = Matcher(db, options.region)
    matcher.prefetch(identities)
    existing = _Existing(db, catalog.keys) if options.on_duplicate == "merge" else None
    merges: dict[int, Merge] = {}
    pending: list[Incoming] = []
    total = len(records)
    for index, (record, identity) in enumerate(zip(records, identities, strict=True)):
        match = matcher.find(identity)
        if match is None:
            matcher.remember(identity, len(pending), record)
            pending.append(record)
        elif existing is None:
            plan.skips.append(Skip(record, f"{match.reason} as {match.label}"))
        elif match.record_index is not None:
            _fill_pending(pending[match.record_index], record)
            plan.skips.append(Skip(record, f"{match.reason} as {match.label} (merged into it)"))
        else:
            assert match.contact_id is not None
            merge = merges.get(match.contact_id)
            if merge is None:
                merge = merges[match.contact_id] = Merge(match.contact_id, match.label, record,
                                                         f"{match.reason} as {match.label}")
            existing.merge_into(merge, record)
        if progress and (index % 5000 == 0 or index == total - 1):
            progress("doublons", index + 1, total)
    if existing is not None:
        existing.load([m for m in merges.values()])
        for merge in merges.values():
            existing.resolve(merge)
            if merge.changed:
                plan.merges.append(merge)
            else:
                plan.skips.append(Skip(merge.record, f"{merge.reason}, nothing new to add"))
    plan.creates = pending
    return plan


def _fill_pending(target: Incoming, record: Incoming) -> None:
    for name, value in record.fields.items():
        target.fields.setdefault(name, value)
    for key_id, value in record.keys.items():
        target.keys.setdefault(key_id, value)
    for name, value in record.custom.items():
        if name not in target.custom:
            target.custom[name] = value
    for note in record.notes:
        if note not in target.notes:
            target.notes.append(note)


class _Existing:
    """The current state of the contacts an import merges into, read in batches."""

    def __init__(self, db: Database, keys: dict[int, QualKey]) -> None:
        self.db = db
        self.keys = keys
        self.incoming: dict[int, list[Incoming]] = {}
        self.rows: dict[int, dict[str, Any]] = {}
        self.notes: dict[int, set[str]] = {}

    def merge_into(self, merge: Merge, record: Incoming) -> None:
        self.incoming.setdefault(merge.contact_id, []).append(record)

    def load(self, merges: list[Merge]) -> None:
        ids = [m.contact_id for m in merges]
        columns = ", ".join(f"f.{key_column(k)} AS {key_column(k)}" for k in self.keys
                            if k >= 0)  # below zero: keys the import will create
        select = (f"SELECT c.*{', ' + columns if columns else ''} FROM contacts c"
                  " JOIN contact_facts f ON f.contact_id = c.id WHERE c.id IN ({})")
        for start in range(0, len(ids), _CHUNK):
            chunk = ids[start:start + _CHUNK]
            marks = ",".join("?" * len(chunk))
            for row in self.db.query(select.format(marks), chunk):
                self.rows[int(row["id"])] = dict(row)
            for row in self.db.query("SELECT contact_id, body FROM history WHERE kind = 'note'"
                                     f" AND contact_id IN ({marks})", chunk):
                self.notes.setdefault(int(row[0]), set()).add(row[1])

    def resolve(self, merge: Merge) -> None:
        row = self.rows[merge.contact_id]
        merge.label = f"#{merge.contact_id} {display_name(row['first_name'], row['last_name'], row['company'])}"
        try:
            custom = json.loads(row["custom"] or "{}")
        except ValueError:
            custom = {}
        notes = set(self.notes.get(merge.contact_id, set()))
        for record in self.incoming[merge.contact_id]:
            for name, value in record.fields.items():
                if name not in FIELDS:
                    continue
                current = row[name]
                empty = current in ("", None, 0) if name not in ("email_optout", "phone_optout") \
                    else not current
                if empty and value not in ("", "0") and name not in merge.fields:
                    merge.fields[name] = (current, value)
            for key_id, value in record.keys.items():
                column = key_column(key_id)
                if row.get(column) is None and key_id not in merge.keys:
                    merge.keys[key_id] = (None, value)
            for name, value in record.custom.items():
                if name not in custom and name not in merge.custom:
                    merge.custom[name] = value
            for note in record.notes:
                if note not in notes:
                    merge.notes.append(note)
                    notes.add(note)
