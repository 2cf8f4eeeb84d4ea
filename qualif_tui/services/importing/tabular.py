"""Rows of a CSV or xlsx file → contacts, following a :class:`ColumnPlan`.

Several columns may feed one field (Outlook's office, home and other phones;
Google's "E-mail 1", "E-mail 2"…): they are taken in rank order, the first
value fills the field (the second e-mail fills "E-mail 2"), and every other
value is kept as a custom field under its column's name. Addresses are taken
whole from one block (office, else home…), so a street never ends up with
another block's town. A value that does not fit its field (a date that is
not one) is kept as a custom field too, with a notice.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from qualif_tui.base.i18n import _
from qualif_tui.base.text import fold
from qualif_tui.domain.keys import QualKey
from qualif_tui.services.importing import normalize
from qualif_tui.services.importing.csvfile import Table, column_letter
from qualif_tui.services.importing.headers import ColumnPlan, Target, norm_header
from qualif_tui.services.importing.keyvalues import KeyCatalog
from qualif_tui.services.importing.model import ColumnUse, Incoming, Notice, ParsedFile, Problem
from qualif_tui.services.importing.normalize import BadValue

_ADDRESS_ORDER = ("", "bureau", "1", "domicile", "2", "autre")
_CIVILITIES = {"m", "mr", "mme", "mlle", "melle", "monsieur", "madame", "mademoiselle", "dr",
               "docteur", "me", "maitre", "mrs", "ms", "miss", "pr", "professeur", "m et mme",
               "mr et mme", "sir", "prof"}
_SYSTEM_LABELS = {"* mycontacts", "mycontacts", "* starred", "starred", "* friends", "* family",
                  "* coworkers"}
_FORMULA_GUARD = re.compile(r"'(?=[=+\-@])")
_PLAIN_FIELDS = {"first_name", "last_name", "company", "title", "website", "legal_basis"}
_PLAIN_ADDRESS = {"address", "address2", "city", "country"}
one_line = normalize.one_line
# Outlook writes these in every date column it has no date for
_OUTLOOK_NO_DATE = {"0/0/00", "00/00/00", "0/0/0000", "00/00/0000"}
_MOBILE_LABELS = ("mobile", "cell", "portable", "gsm")


@dataclass
class _Column:
    index: int
    header: str
    target: Target
    date_order: str = "dmy"
    key: QualKey | None = None
    memo: dict[str, Any] = field(default_factory=dict)  # cell text → key value


def rows_to_contacts(parsed: ParsedFile, table: Table, plan: ColumnPlan, catalog: KeyCatalog,
                     progress: Callable[[int], None] | None = None) -> None:
    """Fill ``parsed.records`` (and its problems and notices) from ``table``."""
    columns = _prepare(table, plan, catalog)
    rows = table.rows
    # stops at the first value: only columns empty all the way down are scanned whole
    filled = [any(cells[c.index].strip() for _line, cells in rows) for c in columns]
    parsed.columns = [ColumnUse(c.header or column_letter(c.index),
                                c.target.describe(catalog.keys), c.target.kind == "custom",
                                filled[i])
                      for i, c in enumerate(columns)]
    reader = _RowReader(parsed, columns, catalog)
    for count, (line, cells) in enumerate(table.rows, start=1):
        record = reader.read(line, cells)
        if record is not None:
            parsed.records.append(record)
        if progress and count % 5000 == 0:
            progress(count)


def _prepare(table: Table, plan: ColumnPlan, catalog: KeyCatalog) -> list[_Column]:
    default_order = "mdy" if plan.profile == "Outlook (English)" else "dmy"
    columns = []
    for index, (header, target) in enumerate(zip(table.header, plan.targets, strict=False)):
        column = _Column(index, header, target)
        if target.kind == "key":
            column.key = catalog.keys[int(target.name)]
        dated = (target.kind == "field" and target.name == "birthday") or (
            column.key is not None and column.key.type in ("date", "month"))
        if dated:
            values = [cells[index] for _, cells in table.rows if cells[index].strip()]
            column.date_order = normalize.date_order(values, default_order)
        if target.kind == "title_or_civility":
            column.target = _civility_or_title(table, index)
        columns.append(column)
    return columns


def _civility_or_title(table: Table, index: int) -> Target:
    values = [fold(cells[index]).rstrip(".") for _, cells in table.rows if cells[index].strip()]
    civil = sum(1 for v in values if v in _CIVILITIES)
    if values and civil >= 0.8 * len(values):
        return Target("custom", "Civilité")
    return Target("field", "title")


class _RowReader:
    def __init__(self, parsed: ParsedFile, columns: list[_Column], catalog: KeyCatalog) -> None:
        self.parsed = parsed
        self.columns = columns
        self.catalog = catalog
        self.source = parsed.source
        # "consumed" and "ignore" columns hold nothing to keep: leave them out of the loop
        active = [c for c in columns if c.target.kind not in ("consumed", "ignore")]
        # A field fed by one column only, in a file with one address block, needs
        # none of the ranking below: "plain" columns go straight to their field.
        feeding: dict[str, int] = {}
        groups = {c.target.group for c in active if c.target.kind == "address"}
        for c in active:
            if c.target.kind in ("field", "address"):
                feeding[c.target.name] = feeding.get(c.target.name, 0) + 1
        self.active = []
        for c in active:
            kind = c.target.kind
            if feeding.get(c.target.name) == 1 and (
                    (kind == "field" and c.target.name in _PLAIN_FIELDS)
                    or (kind == "address" and len(groups) == 1
                        and c.target.name in _PLAIN_ADDRESS)):
                kind = "plain"
            self.active.append((c.index, kind, c.target, c))

    def notice(self, line: int, column: _Column, message: str) -> None:
        self.parsed.notices.append(Notice(self.source, line, message, column.header))

    def read(self, line: int, cells: Sequence[str]) -> Incoming | None:
        record = Incoming(self.source, line)
        singles: dict[str, list[tuple[int, str, _Column]]] = {}
        lists: dict[str, list[tuple[int, str, _Column]]] = {"email": [], "phone": [], "mobile": []}
        blocks: dict[str, list[tuple[str, str, _Column]]] = {}
        full_names: list[tuple[int, str, _Column]] = []
        later: list[tuple[_Column, str]] = []
        for index, kind, target, column in self.active:
            value = cells[index]
            if not value:
                continue
            value = value.strip()
            if not value:
                continue
            if "\r" in value:
                value = value.replace("\r\n", "\n").replace("\r", "\n")
            if value[0] == "'":
                value = _FORMULA_GUARD.sub("", value, count=1)
            elif value in _OUTLOOK_NO_DATE:
                continue
            if kind == "plain":
                if "\n" in value and target.name == "address":
                    blocks.setdefault(target.group, []).append((target.name, value, column))
                else:
                    record.fields[target.name] = one_line(value)
            elif kind == "field":
                name = target.name
                if name in lists:
                    if " ::: " in value:
                        for part in value.split(" ::: "):
                            lists[name].append((target.rank, part, column))
                    else:
                        lists[name].append((target.rank, value, column))
                else:
                    singles.setdefault(name, []).append((target.rank, value, column))
            elif kind == "address":
                blocks.setdefault(target.group, []).append((target.name, value, column))
            elif kind == "key":
                self._key(record, column, value)
            elif kind == "note":
                record.notes.append(value)
            elif kind == "custom":
                record.keep(target.name or column.header, value)
            elif kind == "full_name":
                full_names.append((target.rank, value, column))
            elif kind == "phone_labelled":
                label = cells[target.label_column] if target.label_column is not None else ""
                slot = "mobile" if any(w in label.lower() for w in _MOBILE_LABELS) else "phone"
                for part in value.split(" ::: "):
                    lists[slot].append((target.rank, part, column))
            else:  # "default" and "labels" need the other fields first
                later.append((column, value))
        self._singles(record, singles)
        self._emails(record, lists["email"])
        self._phones(record, "phone", lists["phone"])
        self._phones(record, "mobile", lists["mobile"])
        self._address(record, blocks)
        self._full_name(record, full_names)
        for column, value in later:
            self._default(record, column, value)
        fields = record.fields
        if not (fields.get("first_name") or fields.get("last_name") or fields.get("company")
                or fields.get("email")):
            self.parsed.problems.append(Problem(
                self.source, line, _("ni nom, ni société, ni e-mail : un contact en a besoin d'un (remplissez-le, ou associez-y une colonne avec --mapping)")))
            return None
        return record

    def _key(self, record: Incoming, column: _Column, value: str) -> None:
        key = column.key
        assert key is not None
        if value in column.memo:
            converted = column.memo[value]
            if converted is not None and converted != []:
                record.keys[key.id] = converted
            return
        try:
            converted = self.catalog.value_of(key, value, column.date_order)
            column.memo[value] = converted
        except (BadValue, ValueError) as error:
            record.keep(column.header, value)
            self.notice(record.line, column, _("{value} pour la clé {name} : gardé en champ libre").format(value=_reason(error), name=key.name))
            return
        if converted not in (None, []):
            record.keys[key.id] = converted

    def _singles(self, record: Incoming, singles: dict[str, list[tuple[int, str, _Column]]]
                 ) -> None:
        for name, candidates in singles.items():
            if len(candidates) > 1:
                candidates.sort(key=lambda c: c[0])
            for _rank, value, column in candidates:
                clean = normalize.one_line(value)
                try:
                    if name == "birthday":
                        clean = normalize.parse_birthday(clean, column.date_order)
                        if not clean:
                            continue
                    elif name in ("email_optout", "phone_optout"):
                        clean = str(normalize.parse_flag(clean))
                except BadValue as error:
                    record.keep(column.header, value)
                    self.notice(record.line, column, _("{value} : gardé en champ libre").format(value=_reason(error)))
                    continue
                if name not in record.fields:
                    record.fields[name] = clean
                elif fold(record.fields[name]) != fold(clean):
                    record.keep(column.header, value)

    def _emails(self, record: Incoming, candidates: list[tuple[int, str, _Column]]) -> None:
        candidates.sort(key=lambda c: c[0])
        found: list[str] = []
        for _rank, value, column in candidates:
            try:
                email = normalize.clean_email(value)
            except BadValue as error:
                email = normalize.kept_email(value)
                if not email:
                    record.keep(column.header, value)
                    self.notice(record.line, column, _("{value} : gardé en champ libre").format(value=_reason(error)))
                    continue
                # an address with a typo stays where it belongs, flagged (invalid:email)
                self.notice(record.line, column, normalize.KEPT_INVALID.format(
                    reason=_reason(error)))
            if normalize.email_key(email) in (normalize.email_key(e) for e in found):
                continue
            if len(found) < 2:
                found.append(email)
            else:
                record.keep(column.header, email)
        for name, email in zip(("email", "email2"), found, strict=False):
            record.fields[name] = email

    def _phones(self, record: Incoming, name: str, candidates: list[tuple[int, str, _Column]]
                ) -> None:
        candidates.sort(key=lambda c: c[0])
        for _rank, value, column in candidates:
            phone = normalize.clean_phone(value)
            if not phone:
                continue
            if name not in record.fields:
                record.fields[name] = phone
            elif record.fields[name] != phone:
                record.keep(column.header, phone)

    def _address(self, record: Incoming, blocks: dict[str, list[tuple[str, str, _Column]]]
                 ) -> None:
        if not blocks:
            return
        if len(blocks) == 1:
            order = list(blocks)
            chosen = order[0]
        else:
            order = sorted(blocks, key=lambda g: _ADDRESS_ORDER.index(g) if g in _ADDRESS_ORDER
                           else len(_ADDRESS_ORDER))
            chosen = next((g for g in order if any(f != "formatted" for f, _, _ in blocks[g])),
                          order[0])
        for group in order:
            if group != chosen:
                for field_name, value, column in blocks[group]:
                    if field_name != "formatted" or not _has_street(blocks[group]):
                        record.keep(column.header, value)
        parts = blocks[chosen]
        country = record.fields.get("country", "")
        for part_name, part_value, _column in parts:
            if part_name == "country":
                country = part_value
        for field_name, value, column in parts:
            if field_name == "formatted":
                if not _has_street(parts):
                    record.keep(column.header, value)
                continue
            if field_name in ("region", "pobox"):
                if field_name == "pobox" and "address2" not in record.fields:
                    record.fields["address2"] = normalize.one_line(value)
                else:
                    record.keep(column.header, value)
                continue
            if field_name == "address" and "\n" in value:
                lines = [ln.strip() for ln in value.split("\n") if ln.strip()]
                value = lines[0] if lines else ""
                if len(lines) > 1:
                    rest = ", ".join(lines[1:])
                    if "address2" not in record.fields:
                        record.fields["address2"] = rest
                    else:
                        record.keep(column.header, rest)
            elif field_name == "postal_code":
                try:
                    value = normalize.clean_postal_code(value, country)
                except BadValue as error:
                    # kept as typed, flagged on the card and found by invalid:postal_code
                    value = normalize.one_line(value)
                    self.notice(record.line, column, normalize.KEPT_INVALID.format(
                        reason=_reason(error)))
            else:
                value = normalize.one_line(value)
            if field_name not in record.fields:
                record.fields[field_name] = value
            elif fold(record.fields[field_name]) != fold(value):
                record.keep(column.header, value)

    def _full_name(self, record: Incoming, names: list[tuple[int, str, _Column]]) -> None:
        names.sort(key=lambda c: c[0])
        for _rank, value, column in names:
            value = normalize.one_line(value)
            first, last = record.fields.get("first_name", ""), record.fields.get("last_name", "")
            if not first and not last:
                if fold(value) == fold(record.fields.get("company", "")):
                    continue
                first, last = split_full_name(value)
                if first:
                    record.fields["first_name"] = first
                record.fields["last_name"] = last
            elif fold(value) not in (fold(f"{first} {last}"), fold(f"{last} {first}"),
                                     fold(record.fields.get("company", ""))):
                record.keep(column.header, value)

    def _default(self, record: Incoming, column: _Column, value: str) -> None:
        target = column.target
        if target.kind == "labels":
            kept = [v.strip() for v in value.split(" ::: ")
                    if v.strip() and v.strip().lower() not in _SYSTEM_LABELS]
            if kept:
                record.keep(column.header, ", ".join(kept))
            return
        if target.name == "email":
            emails = [record.fields.get("email", ""), record.fields.get("email2", "")]
            if any(e and e.lower() in value.lower() for e in emails) or not value.strip():
                return
        elif norm_header(value) in target.defaults:
            return
        record.keep(column.header, value)


def _has_street(parts: list[tuple[str, str, _Column]]) -> bool:
    return any(f in ("address", "city", "postal_code") for f, _, _ in parts)


def split_full_name(value: str) -> tuple[str, str]:
    """("Jean", "Dupont") from "Jean Dupont", "DUPONT Jean" or "Dupont, Jean"."""
    if "," in value:
        last, first = (p.strip() for p in value.split(",", 1))
        return first, last
    words = value.split()
    if len(words) == 1:
        return "", value
    upper = [i for i, w in enumerate(words) if len(w) > 1 and w.isupper() and w.isalpha()]
    if upper and len(upper) < len(words):
        last = " ".join(words[i] for i in upper)
        first = " ".join(w for i, w in enumerate(words) if i not in upper)
        return first, last
    return " ".join(words[:-1]), words[-1]


def _reason(error: Exception) -> str:
    return str(error).rstrip(".")
