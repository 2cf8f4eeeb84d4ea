"""Qualification keys (Profil, Métier, Source…) and the values contacts take.

A key has a type and, for choice keys, an ordered list of allowed values. A
contact's values live in its ``contact_facts`` row, one column per key, coded
as :mod:`qualif_tui.storage.schema` describes; this module is the only one
that encodes and decodes them. Every change of a contact's value writes an
automatic history entry "Profil : prospect → client".
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from qualif_tui.base.i18n import N_, _
from qualif_tui.base.text import fold, fold_key_name
from qualif_tui.domain import clock, parsing
from qualif_tui.domain.errors import NotFound, ValidationError
from qualif_tui.domain.history import add_entry
from qualif_tui.storage import Database
from qualif_tui.storage import migrations as storage_migrations
from qualif_tui.storage.schema import key_column

KEY_TYPES = ("choice", "multi", "month", "date", "number", "yesno", "text")
TYPE_LABELS = {
    "choice": N_("choix"),
    "multi": N_("choix multiple"),
    "month": N_("mois (AAAA-MM)"),
    "date": N_("date"),
    "number": N_("nombre"),
    "yesno": N_("oui/non"),
    "text": N_("texte"),
}
# Beyond this many keys, qualifying a file stops being quick; advise, don't forbid.
RECOMMENDED_MAX_KEYS = 6
# A multi-choice value is one bit of a 64-bit integer (the sign bit left alone).
MULTI_MAX_VALUES = 63

_YES = {"oui", "o", "yes", "y", "vrai", "true", "1", "x"}
_NO = {"non", "n", "no", "faux", "false", "0"}

Decoded = str | list[str] | float | bool | None


@dataclass(frozen=True)
class KeyValue:
    code: int
    value: str
    norm: str
    position: int


@dataclass(frozen=True)
class QualKey:
    id: int
    name: str
    norm_name: str
    label: str
    type: str
    position: int
    values: tuple[KeyValue, ...]
    remind: bool = False
    remind_lead_days: int = 0
    remind_after_months: int = 0

    @property
    def column(self) -> str:
        return key_column(self.id)

    @property
    def has_choices(self) -> bool:
        return self.type in ("choice", "multi")

    @property
    def display_name(self) -> str:
        return self.label or self.name

    def value_named(self, text: str) -> KeyValue | None:
        wanted = fold(text)
        for value in self.values:
            if value.norm == wanted:
                return value
        return None

    def value_coded(self, code: int) -> KeyValue | None:
        for value in self.values:
            if value.code == code:
                return value
        return None

    def allowed(self) -> str:
        return ", ".join(v.value for v in self.values)

    # -- encoding -------------------------------------------------------
    def encode(self, value: Any) -> Any:
        """The stored form of a value a user gave; raises ValidationError."""
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        if self.type == "choice":
            return self._code_of(str(value))
        if self.type == "multi":
            items = value if isinstance(value, list | tuple | set) else split_multi(str(value))
            mask = 0
            for item in items:
                mask |= 1 << self._code_of(str(item))
            return mask or None
        if self.type == "month":
            return parse_month(str(value), self.display_name, self.name)
        if self.type == "date":
            return parse_date(str(value), self.display_name, self.name)
        if self.type == "number":
            return parse_number(str(value), self.display_name, self.name)
        if self.type == "yesno":
            return int(parse_yesno(value, self.display_name, self.name))
        return str(value).strip()

    def decode(self, stored: Any) -> Decoded:
        """The value as users see it (a list for multi-choice)."""
        if stored is None:
            return None
        if self.type == "choice":
            found = self.value_coded(int(stored))
            return found.value if found else None
        if self.type == "multi":
            mask = int(stored)
            return [v.value for v in self.values if mask >> v.code & 1]
        if self.type == "number":
            number = float(stored)
            return int(number) if number.is_integer() else number
        if self.type == "yesno":
            return bool(stored)
        return str(stored)

    def _code_of(self, text: str) -> int:
        found = self.value_named(text)
        if found is None:
            raise ValidationError(
                _("{display_name} : valeur inconnue « {value} » (permises : {value2})").format(display_name=self.display_name, value=text.strip(), value2=self.allowed()),
                self.name,
            )
        return found.code


def format_value(value: Decoded) -> str:
    """One line of text for a decoded value, as lists and tables show it."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, list):
        return ", ".join(value)
    return str(value)


def split_multi(text: str) -> list[str]:
    return [part.strip() for part in re.split(r"[;,|]", text) if part.strip()]


def parse_month(text: str, label: str = "mois", field: str = "") -> str:
    """``2019-03``, ``2019/03``, ``03/2019``, ``mars 2019`` → ``2019-03`` (:mod:`.parsing`)."""
    try:
        return parsing.parse_month(text)
    except parsing.ParseError as error:
        raise ValidationError(f"{label} : {error}", field or label) from None


def parse_date(text: str, label: str = "date", field: str = "") -> str:
    """``2024-06-15``, ``15/06/2024``, ``15.06.2024``, ``20240615`` → ``2024-06-15``
    (day first: the rule of :mod:`.parsing`)."""
    try:
        day = parsing.parse_date(text)
    except parsing.ParseError as error:
        raise ValidationError(f"{label} : {error}", field or label) from None
    if day is None:
        raise ValidationError(_("{label} : « {text} » n'est pas une date").format(
            label=label, text=str(text).strip()), field or label)
    return day.isoformat()


def parse_number(text: str, label: str = "nombre", field: str = "") -> float:
    """French and English forms: ``12 500,50``, ``12,500.50``, ``1.234,5`` (:mod:`.parsing`)."""
    try:
        return parsing.parse_number(text)
    except parsing.ParseError as error:
        raise ValidationError(f"{label} : {error}", field or label) from None


def parse_yesno(value: Any, label: str = "oui/non", field: str = "") -> bool:
    if isinstance(value, bool):
        return value
    text = fold(str(value))
    if text in _YES:
        return True
    if text in _NO:
        return False
    raise ValidationError(_("{label} : « {value} » n'est pas oui/non").format(label=label, value=value), field or label)


# -- reading keys -------------------------------------------------------------


def list_keys(db: Database) -> list[QualKey]:
    """Every key in display order, with its values in their order."""
    values: dict[int, list[KeyValue]] = {}
    for row in db.query("SELECT key_id, code, value, norm_value, position FROM key_values"
                        " ORDER BY key_id, position, code"):
        values.setdefault(row["key_id"], []).append(
            KeyValue(row["code"], row["value"], row["norm_value"], row["position"])
        )
    return [
        QualKey(
            id=row["id"],
            name=row["name"],
            norm_name=row["norm_name"],
            label=row["label"],
            type=row["type"],
            position=row["position"],
            values=tuple(values.get(row["id"], ())),
            remind=bool(row["remind"]),
            remind_lead_days=row["remind_lead_days"],
            remind_after_months=row["remind_after_months"],
        )
        for row in db.query("SELECT * FROM qual_keys ORDER BY position, id")
    ]


def find_key(db: Database, name: str) -> QualKey | None:
    wanted = fold_key_name(name)
    for key in list_keys(db):
        if key.norm_name == wanted:
            return key
    return None


def get_key(db: Database, name: str | int) -> QualKey:
    """The key called ``name`` (any case, accents, spaces or underscores)."""
    keys = list_keys(db)
    if isinstance(name, int):
        for key in keys:
            if key.id == name:
                return key
        raise NotFound(_("pas de clé de qualification n° {name}").format(name=name))
    wanted = fold_key_name(name)
    for key in keys:
        if key.norm_name == wanted:
            return key
    hint = closest(wanted, [k.norm_name for k in keys])
    suffix = _(" — vouliez-vous dire « {hint} » ?").format(hint=hint) if hint else ""
    raise NotFound(_("clé inconnue « {name} »{suffix}").format(name=name, suffix=suffix))


def closest(word: str, candidates: Iterable[str]) -> str | None:
    """The candidate a typo most likely meant, or None."""
    import difflib

    matches = difflib.get_close_matches(word, list(candidates), n=1, cutoff=0.6)
    return matches[0] if matches else None


# -- defining keys ------------------------------------------------------------


def define_key(
    db: Database,
    name: str,
    key_type: str,
    values: Sequence[str] = (),
    *,
    label: str = "",
    remind: bool = False,
    remind_lead_days: int = 0,
    remind_after_months: int = 0,
) -> QualKey:
    """Create a key (and its column in the segment table) in one transaction."""
    name = name.strip()
    if not name:
        raise ValidationError(_("une clé a besoin d'un nom"), "name")
    if key_type not in KEY_TYPES:
        raise ValidationError(
            _("type de clé inconnu « {key_type} » (choisissez l'un de {value})").format(key_type=key_type, value=', '.join(KEY_TYPES)), "type"
        )
    norm = fold_key_name(name)
    if norm in {"has", "missing", "segment", "dept", "region", "not", "or"}:
        raise ValidationError(_("« {name} » est un mot du langage des requêtes ; choisissez un autre nom").format(name=name))
    with db.transaction():
        if db.scalar("SELECT 1 FROM qual_keys WHERE norm_name = ?", (norm,)):
            raise ValidationError(_("une clé nommée « {name} » existe déjà").format(name=name), "name")
        position = db.scalar("SELECT coalesce(max(position), 0) + 1 FROM qual_keys")
        cursor = db.execute(
            "INSERT INTO qual_keys(name, norm_name, label, type, position, remind,"
            " remind_lead_days, remind_after_months, created) VALUES (?,?,?,?,?,?,?,?,?)",
            (name, norm, label, key_type, position, int(remind), remind_lead_days,
             remind_after_months, clock.stamp()),
        )
        key_id = int(cursor.lastrowid or 0)
        storage_migrations.add_key_column(db.conn, key_id, key_type)
        for value in values:
            _insert_value(db, key_id, key_type, value)
    return get_key(db, key_id)


@dataclass(frozen=True)
class KeySpec:
    """A key to create, as the demo data and the generator describe them."""

    name: str
    type: str
    values: tuple[str, ...] = ()
    remind: bool = False
    remind_lead_days: int = 0
    remind_after_months: int = 0


def bulk_define_keys(conn: sqlite3.Connection, specs: Sequence[KeySpec]) -> list[str]:
    """Create keys on a file being bulk-loaded (no index yet); returns their columns.

    Values get codes 0, 1, 2… in the order given.
    """
    columns = []
    stamp = clock.stamp()
    for position, spec in enumerate(specs, start=1):
        cursor = conn.execute(
            "INSERT INTO qual_keys(name, norm_name, label, type, position, remind,"
            " remind_lead_days, remind_after_months, created) VALUES (?,?,?,?,?,?,?,?,?)",
            (spec.name, fold_key_name(spec.name), "", spec.type, position, int(spec.remind),
             spec.remind_lead_days, spec.remind_after_months, stamp),
        )
        key_id = int(cursor.lastrowid or 0)
        columns.append(storage_migrations.add_key_column(conn, key_id, spec.type, index=False))
        conn.executemany(
            "INSERT INTO key_values(key_id, code, value, norm_value, position) VALUES (?,?,?,?,?)",
            [(key_id, code, value, fold(value), code) for code, value in enumerate(spec.values)])
    return columns


def _insert_value(db: Database, key_id: int, key_type: str, value: str) -> KeyValue:
    value = value.strip()
    if not value:
        raise ValidationError(_("une valeur ne peut pas être vide"), "value")
    norm = fold(value)
    if db.scalar("SELECT 1 FROM key_values WHERE key_id = ? AND norm_value = ?", (key_id, norm)):
        raise ValidationError(_("la valeur « {value} » existe déjà").format(value=value), "value")
    code = int(db.scalar("SELECT coalesce(max(code) + 1, 0) FROM key_values WHERE key_id = ?",
                         (key_id,)))
    if key_type == "multi" and code >= MULTI_MAX_VALUES:
        raise ValidationError(_("une clé à choix multiple a au plus {MULTI_MAX_VALUES} valeurs").format(MULTI_MAX_VALUES=MULTI_MAX_VALUES))
    position = int(db.scalar("SELECT coalesce(max(position) + 1, 0) FROM key_values"
                             " WHERE key_id = ?", (key_id,)))
    db.execute(
        "INSERT INTO key_values(key_id, code, value, norm_value, position) VALUES (?,?,?,?,?)",
        (key_id, code, value, norm, position),
    )
    return KeyValue(code, value, norm, position)


def add_value(db: Database, key: QualKey | str, value: str) -> KeyValue:
    """Append an allowed value to a choice key."""
    key = key if isinstance(key, QualKey) else get_key(db, key)
    if not key.has_choices:
        raise ValidationError(_("{display_name} est une clé de type {value} : elle n'a pas de liste").format(display_name=key.display_name, value=_(TYPE_LABELS[key.type])))
    with db.transaction():
        return _insert_value(db, key.id, key.type, value)


def rename_value(db: Database, key: QualKey | str, old: str, new: str) -> None:
    """Rename a value; contacts keep it (values are stored by code)."""
    key = key if isinstance(key, QualKey) else get_key(db, key)
    found = key.value_named(old)
    if found is None:
        raise NotFound(_("{display_name} : pas de valeur « {old} »").format(display_name=key.display_name, old=old))
    new = new.strip()
    clash = key.value_named(new)
    if not new or (clash is not None and clash.code != found.code):
        raise ValidationError(_("{display_name} : « {new} » est vide ou déjà pris").format(display_name=key.display_name, new=new), "value")
    with db.transaction():
        db.execute("UPDATE key_values SET value = ?, norm_value = ? WHERE key_id = ? AND code = ?",
                   (new, fold(new), key.id, found.code))


def reorder_values(db: Database, key: QualKey | str, order: Sequence[str]) -> None:
    """Set the display order of a key's values (unnamed ones keep their place after)."""
    key = key if isinstance(key, QualKey) else get_key(db, key)
    named = [key.value_named(v) for v in order]
    missing = [v for v, found in zip(order, named, strict=True) if found is None]
    if missing:
        raise NotFound(_("{display_name} : pas de valeur {value}").format(display_name=key.display_name, value=', '.join(repr(v) for v in missing)))
    ordered = [v for v in named if v is not None]
    rest = [v for v in key.values if v not in ordered]
    with db.transaction():
        for position, value in enumerate(ordered + rest):
            db.execute("UPDATE key_values SET position = ? WHERE key_id = ? AND code = ?",
                       (position, key.id, value.code))


def remove_value(db: Database, key: QualKey | str, value: str) -> int:
    """Remove an allowed value; contacts that had it lose it. Returns how many."""
    key = key if isinstance(key, QualKey) else get_key(db, key)
    found = key.value_named(value)
    if found is None:
        raise NotFound(_("{display_name} : pas de valeur « {value} »").format(display_name=key.display_name, value=value))
    column = key.column
    with db.transaction():
        if key.type == "choice":
            ids = [r[0] for r in db.query(
                f"SELECT contact_id FROM contact_facts WHERE {column} = ?", (found.code,))]
            for contact_id in ids:
                set_qualification(db, contact_id, key, None)
        else:
            bit = 1 << found.code
            ids = [r[0] for r in db.query(
                f"SELECT contact_id FROM contact_facts WHERE {column} & ? != 0", (bit,))]
            for contact_id in ids:
                toggle_value(db, contact_id, key, found.value)
        db.execute("DELETE FROM key_values WHERE key_id = ? AND code = ?", (key.id, found.code))
    return len(ids)


def delete_key(db: Database, key: QualKey | str) -> None:
    """Delete a key and every contact's value for it."""
    key = key if isinstance(key, QualKey) else get_key(db, key)
    with db.transaction():
        db.execute("DELETE FROM qual_keys WHERE id = ?", (key.id,))
        storage_migrations.drop_key_column(db.conn, key.id)


# -- a contact's values ------------------------------------------------------


@dataclass(frozen=True)
class Change:
    """One field or key of one contact changed from ``old`` to ``new`` (display forms)."""

    field: str
    old: str
    new: str

    def describe(self) -> str:
        return f"{self.field} : {self.old or '—'} → {self.new or '—'}"


def contact_values(db: Database, contact_id: int, keys: Sequence[QualKey] | None = None
                   ) -> dict[str, Decoded]:
    """``{key name: decoded value}`` for every key (None when unqualified)."""
    keys = list_keys(db) if keys is None else keys
    if not keys:
        return {}
    columns = ", ".join(k.column for k in keys)
    row = db.query(f"SELECT {columns} FROM contact_facts WHERE contact_id = ?", (contact_id,))
    if not row:
        raise NotFound(_("pas de contact n° {contact_id}").format(contact_id=contact_id))
    return {k.name: k.decode(row[0][i]) for i, k in enumerate(keys)}


def set_qualification(db: Database, contact_id: int, key: QualKey | str, value: Any,
                      *, audit: bool = True) -> Change | None:
    """Set (or clear, with None) one key of one contact; returns the change made."""
    key = key if isinstance(key, QualKey) else get_key(db, key)
    stored = key.encode(value)
    with db.transaction():
        row = db.query(f"SELECT {key.column} FROM contact_facts WHERE contact_id = ?",
                       (contact_id,))
        if not row:
            raise NotFound(_("pas de contact n° {contact_id}").format(contact_id=contact_id))
        before = row[0][0]
        if before == stored:
            return None
        db.execute(f"UPDATE contact_facts SET {key.column} = ? WHERE contact_id = ?",
                   (stored, contact_id))
        db.execute("UPDATE contacts SET updated = ? WHERE id = ?", (clock.stamp(), contact_id))
        change = Change(key.display_name, format_value(key.decode(before)),
                        format_value(key.decode(stored)))
        if audit:
            _audit(db, contact_id, change)
    return change


def clear_qualification(db: Database, contact_id: int, key: QualKey | str) -> Change | None:
    return set_qualification(db, contact_id, key, None)


def toggle_value(db: Database, contact_id: int, key: QualKey | str, value: str) -> Change | None:
    """Add or remove one value of a multi-choice key."""
    key = key if isinstance(key, QualKey) else get_key(db, key)
    with db.transaction():
        return set_qualification(db, contact_id, key, toggled(db, contact_id, key, value))


def toggled(db: Database, contact_id: int, key: QualKey, value: str) -> list[str] | None:
    """A contact's values of a multi-choice key with ``value`` added or removed."""
    if key.type != "multi":
        raise ValidationError(_("{display_name} n'est pas une clé à choix multiple").format(display_name=key.display_name), key.name)
    found = key.value_named(value)
    if found is None:
        raise ValidationError(
            _("{display_name} : valeur inconnue « {value} » (permises : {value2})").format(display_name=key.display_name, value=value, value2=key.allowed()), key.name)
    current = contact_values(db, contact_id, [key])[key.name]
    chosen = list(current) if isinstance(current, list) else []
    if found.value in chosen:
        chosen.remove(found.value)
    else:
        chosen.append(found.value)
    return chosen or None


def _audit(db: Database, contact_id: int, change: Change) -> None:
    add_entry(db, contact_id, "change", change.describe(), automatic=True)
