"""Contacts: create, read, update, delete (with undo), each write one transaction.

Every changed field writes an automatic history entry "Ville : Toulouse → Albi",
and the normalised search columns are rewritten with the row, so search and
sorting never see stale forms.
"""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from qualif_tui.base.i18n import N_, _
from qualif_tui.base.text import display_name, fold, fold_key_name, sort_key
from qualif_tui.domain import clock
from qualif_tui.domain.errors import NotFound, ValidationError
from qualif_tui.domain.history import add_entry
from qualif_tui.domain.keys import (
    Change,
    Decoded,
    QualKey,
    contact_values,
    list_keys,
    parse_date,
    parse_yesno,
    set_qualification,
)
from qualif_tui.domain.legal_basis import normalise_legal_basis
from qualif_tui.domain.phones import phone_e164
from qualif_tui.storage import Database

# field → label, in the order forms show them
FIELDS: dict[str, str] = {
    "first_name": N_("Prénom"),
    "last_name": N_("Nom"),
    "company": N_("Société"),
    "title": N_("Fonction"),
    "email": N_("E-mail"),
    "email2": N_("E-mail 2"),
    "phone": N_("Téléphone"),
    "mobile": N_("Portable"),
    "address": N_("Adresse"),
    "address2": N_("Complément d'adresse"),
    "postal_code": N_("Code postal"),
    "city": N_("Ville"),
    "country": N_("Pays"),
    "birthday": N_("Anniversaire"),
    "website": N_("Site web"),
    "email_optout": N_("Refus e-mail"),
    "phone_optout": N_("Refus téléphone"),
    "legal_basis": N_("Base légale"),
}
FLAG_FIELDS = ("email_optout", "phone_optout")
_EMAIL = re.compile(r"^[^@\s,;<>]+@[^@\s,;<>]+\.[^@\s,;<>]+$")
_FRANCE = {"", "france", "fr", "fra"}


@dataclass
class Contact:
    id: int
    first_name: str = ""
    last_name: str = ""
    company: str = ""
    title: str = ""
    email: str = ""
    email2: str = ""
    phone: str = ""
    mobile: str = ""
    address: str = ""
    address2: str = ""
    postal_code: str = ""
    city: str = ""
    country: str = ""
    birthday: str = ""
    website: str = ""
    email_optout: bool = False
    phone_optout: bool = False
    legal_basis: str = ""
    custom: dict[str, str] = field(default_factory=dict)
    created: str = ""
    updated: str = ""
    dept: str | None = None
    last_contact: str | None = None
    next_activity: str | None = None
    deals: int = 0
    revenue: float = 0.0
    open_deals: int = 0
    keys: dict[str, Decoded] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return display_name(self.first_name, self.last_name, self.company)

    def qualified(self) -> tuple[int, int]:
        """(keys with a value, keys in all), for "qualifié 4/6"."""
        return sum(v not in (None, []) for v in self.keys.values()), len(self.keys)


# -- validation --------------------------------------------------------------


def clean_fields(values: Mapping[str, Any]) -> dict[str, Any]:
    """Validate and tidy user-typed field values; raises ValidationError."""
    unknown = set(values) - set(FIELDS)
    if unknown:
        raise ValidationError(_("champ(s) inconnu(s) : {value}").format(value=', '.join(sorted(unknown))))
    cleaned: dict[str, Any] = {}
    for name, value in values.items():
        if name in FLAG_FIELDS:
            # "0", "non", "" from a file or a form are no, not a true non-empty string
            blank = value is None or (isinstance(value, str) and not value.strip())
            cleaned[name] = 0 if blank else int(parse_yesno(value, _(FIELDS[name]), name))
            continue
        text = "" if value is None else str(value).strip()
        label = _(FIELDS[name])
        if name in ("email", "email2") and text:
            text = text.strip("<>").strip()
            if not _EMAIL.match(text):
                raise ValidationError(_("{label} : « {text} » n'est pas une adresse e-mail").format(label=label, text=text), name)
        elif name == "birthday" and text:
            text = _clean_birthday(text)
        elif name == "legal_basis":
            text = normalise_legal_basis(text)
        cleaned[name] = text
    country = fold(str(cleaned.get("country", "")))
    postal = cleaned.get("postal_code", "")
    if postal and country in _FRANCE:
        compact = postal.replace(" ", "")
        if not re.fullmatch(r"\d{5}", compact):
            raise ValidationError(
                _("{value} : « {postal} » n'est pas un code postal français (5 chiffres)").format(value=_(FIELDS['postal_code']), postal=postal),
                "postal_code",
            )
        cleaned["postal_code"] = compact
    return cleaned


def _clean_birthday(text: str) -> str:
    partial = re.fullmatch(r"(?:--)?(\d{1,2})[/.\-](\d{1,2})", text)
    if partial and not re.fullmatch(r"\d{4}-\d{1,2}", text):
        day, month = int(partial[1]), int(partial[2])
        if text.startswith("--"):
            month, day = day, month
        if 1 <= month <= 12 and 1 <= day <= 31:
            return f"--{month:02d}-{day:02d}"
    return parse_date(text, _(FIELDS["birthday"]), "birthday")


def derived_columns(fields: Mapping[str, Any]) -> dict[str, str]:
    first, last, company = fields["first_name"], fields["last_name"], fields["company"]
    return {
        "sort_key": sort_key(last, first, company),
        "norm_name": fold(f"{first} {last}"),
        "norm_company": fold(company),
        "norm_city": fold(fields["city"]),
        "norm_email": fields["email"].lower(),
        "phone_e164": phone_e164(fields["phone"]),
        "mobile_e164": phone_e164(fields["mobile"]),
    }


# -- create / read / update / delete ----------------------------------------------


def create_contact(
    db: Database,
    fields: Mapping[str, Any] | None = None,
    keys: Mapping[str, Any] | None = None,
    *,
    custom: Mapping[str, str] | None = None,
    import_batch: int | None = None,
    history_subject: str = "Fiche créée",
) -> int:
    """Create a contact (and set its qualification) in one transaction; returns its id."""
    values: dict[str, Any] = {name: "" for name in FIELDS}
    values.update({flag: 0 for flag in FLAG_FIELDS})
    values.update(clean_fields(fields or {}))
    if not (values["first_name"] or values["last_name"] or values["company"] or values["email"]):
        raise ValidationError(_("un contact a besoin au moins d'un nom, d'une société ou d'un e-mail"), "last_name")
    now = clock.stamp()
    row = {**values, **derived_columns(values), "custom": json.dumps(dict(custom or {}), ensure_ascii=False),
           "import_batch": import_batch, "created": now, "updated": now}
    columns = ", ".join(row)
    placeholders = ", ".join(f":{name}" for name in row)
    with db.transaction():
        cursor = db.execute(f"INSERT INTO contacts({columns}) VALUES ({placeholders})", row)
        contact_id = int(cursor.lastrowid or 0)
        if keys:
            catalog = {k.norm_name: k for k in list_keys(db)}
            for name, value in keys.items():
                set_qualification(db, contact_id, _key_in(catalog, name), value, audit=False)
        add_entry(db, contact_id, "import" if import_batch else "system", history_subject,
                  automatic=True, import_batch=import_batch)
    return contact_id


def _key_in(catalog: Mapping[str, QualKey], name: str) -> QualKey:
    key = catalog.get(fold_key_name(name))
    if key is None:
        raise NotFound(_("clé inconnue « {name} »").format(name=name))
    return key


def _contact_from_row(row: sqlite3.Row) -> Contact:
    contact = Contact(id=row["id"])
    for name in FIELDS:
        value = row[name]
        setattr(contact, name, bool(value) if name in FLAG_FIELDS else value)
    try:
        custom = json.loads(row["custom"] or "{}")
    except ValueError:
        custom = {}
    contact.custom = {str(k): str(v) for k, v in custom.items()} if isinstance(custom, dict) else {}
    contact.created, contact.updated = row["created"], row["updated"]
    for fact in ("dept", "last_contact", "next_activity", "deals", "revenue", "open_deals"):
        setattr(contact, fact, row[fact])
    return contact


def get_contact(db: Database, contact_id: int, *, with_keys: bool = True) -> Contact:
    rows = db.query(
        "SELECT c.*, f.dept, f.last_contact, f.next_activity, f.deals, f.revenue, f.open_deals"
        " FROM contacts c JOIN contact_facts f ON f.contact_id = c.id WHERE c.id = ?",
        (contact_id,),
    )
    if not rows:
        raise NotFound(_("pas de contact n° {contact_id}").format(contact_id=contact_id))
    contact = _contact_from_row(rows[0])
    if with_keys:
        contact.keys = contact_values(db, contact_id)
    return contact


def update_contact(db: Database, contact_id: int, changes: Mapping[str, Any]) -> list[Change]:
    """Change some fields; each real change is audited. Returns the changes made."""
    cleaned = clean_fields(changes)
    with db.transaction():
        current = get_contact(db, contact_id, with_keys=False)
        merged = {name: getattr(current, name) for name in FIELDS}
        merged.update({flag: int(bool(merged[flag])) for flag in FLAG_FIELDS})
        if "postal_code" in cleaned or "country" in cleaned:
            # validate the postal code against the (possibly new) country
            cleaned.update(clean_fields({"postal_code": cleaned.get("postal_code", merged["postal_code"]),
                                         "country": cleaned.get("country", merged["country"])}))
        made: list[Change] = []
        for name, value in cleaned.items():
            old = merged[name]
            if name in FLAG_FIELDS:
                old = int(bool(old))
            if old == value:
                continue
            merged[name] = value
            made.append(Change(FIELDS[name], _show(name, old), _show(name, value)))
        if not made:
            return []
        if not (merged["first_name"] or merged["last_name"] or merged["company"] or merged["email"]):
            raise ValidationError(_("un contact a besoin au moins d'un nom, d'une société ou d'un e-mail"),
                                  "last_name")
        row = {**merged, **derived_columns(merged), "updated": clock.stamp(), "id": contact_id}
        assignments = ", ".join(f"{name} = :{name}" for name in row if name != "id")
        db.execute(f"UPDATE contacts SET {assignments} WHERE id = :id", row)
        for change in made:
            add_entry(db, contact_id, "change", change.describe(), automatic=True)
    return made


def _show(name: str, value: Any) -> str:
    if name in FLAG_FIELDS:
        return "oui" if value else "non"
    return str(value)


# -- delete and undo --------------------------------------------------------------

# table → the rows a contact owns (``?`` is its id), in the order they are put back
_OWNED_TABLES = (
    ("contacts", "id = ?"),
    ("contact_facts", "contact_id = ?"),
    ("history", "contact_id = ?"),
    ("deals", "contact_id = ?"),
    ("deal_moves", "deal_id IN (SELECT id FROM deals WHERE contact_id = ?)"),
    ("deal_contacts", "contact_id = ?1 OR deal_id IN (SELECT id FROM deals WHERE contact_id = ?1)"),
    ("quotes", "contact_id = ?"),
    ("quote_lines", "quote_id IN (SELECT id FROM quotes WHERE contact_id = ?)"),
    ("activity_contacts", "contact_id = ?"),
    ("segment_members", "contact_id = ?"),
)


@dataclass
class DeletedContact:
    """Everything a deleted contact owned, enough to put it back (undo)."""

    contact_id: int
    name: str
    rows: dict[str, list[dict[str, Any]]]


def delete_contact(db: Database, contact_id: int) -> DeletedContact:
    """Erase a contact and everything it owns; returns a snapshot for undo.

    ``secure_delete`` overwrites the freed pages, so the bytes are gone from
    the file too — keep the snapshot in memory only as long as undo is offered.
    """
    with db.transaction():
        contact = get_contact(db, contact_id, with_keys=False)
        rows = {
            table: [dict(r) for r in db.query(f"SELECT * FROM {table} WHERE {where}",
                                              (contact_id,))]
            for table, where in _OWNED_TABLES
        }
        db.execute("DELETE FROM contacts WHERE id = ?", (contact_id,))
    return DeletedContact(contact_id, contact.name, rows)


def restore_contact(db: Database, snapshot: DeletedContact) -> int:
    """Undo :func:`delete_contact`: the contact comes back with the same id."""
    with db.transaction():
        if db.scalar("SELECT 1 FROM contacts WHERE id = ?", (snapshot.contact_id,)):
            raise ValidationError(_("le contact n° {contact_id} existe de nouveau ; impossible de le restaurer").format(contact_id=snapshot.contact_id))
        for table, _column in _OWNED_TABLES:
            for row in snapshot.rows[table]:
                if table == "activity_contacts" and not db.scalar(
                    "SELECT 1 FROM activities WHERE id = ?", (row["activity_id"],)):
                    continue
                if table == "segment_members" and not db.scalar(
                    "SELECT 1 FROM segments WHERE id = ?", (row["segment_id"],)):
                    continue
                if table == "deal_contacts" and not db.scalar(
                    "SELECT 1 FROM deals WHERE id = ?", (row["deal_id"],)):
                    continue
                if table == "quotes" and row["deal_id"] is not None and not db.scalar(
                    "SELECT 1 FROM deals WHERE id = ?", (row["deal_id"],)):
                    row = {**row, "deal_id": None}
                if table == "contact_facts":
                    # the insert trigger made a fresh facts row; put the saved one back
                    assignments = ", ".join(f"{k} = :{k}" for k in row if k != "contact_id")
                    db.execute(f"UPDATE contact_facts SET {assignments} WHERE contact_id = :contact_id",
                               row)
                    continue
                columns = ", ".join(row)
                placeholders = ", ".join(f":{k}" for k in row)
                db.execute(f"INSERT INTO {table}({columns}) VALUES ({placeholders})", row)
    return snapshot.contact_id


def contact_count(db: Database) -> int:
    return int(db.scalar("SELECT count(*) FROM contacts"))
