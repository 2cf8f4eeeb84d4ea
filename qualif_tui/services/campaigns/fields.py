"""What a mail-merge template can name: a recipient's fields and qualification keys.

Each recipient gives one *context*: the contact's fields under French names
(``{{ prenom }}``, ``{{ societe }}``, ``{{ code_postal }}``) and English ones
(``{{ first_name }}``), the whole contact (``{{ contact.company }}``), its keys
by name (``{{ keys["Véhicule actuel"] }}``, ``{{ keys.vehicule_actuel }}``, and
``{{ vehicule_actuel }}`` when no field has that name), the campaign and the
sender. Contexts are read in batches (one query per 500 recipients), so a
merge over 10 000 recipients does not run 10 000 × n small queries.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from qualif_tui.base.text import display_name, fold_key_name
from qualif_tui.domain import clock
from qualif_tui.domain.keys import QualKey, list_keys
from qualif_tui.domain.settings import get_setting
from qualif_tui.services.campaigns.postal import format_address
from qualif_tui.storage import Database

# contact column → its French name in templates
CONTACT_FIELDS: dict[str, str] = {
    "first_name": "prenom",
    "last_name": "nom",
    "company": "societe",
    "title": "fonction",
    "email": "email",
    "email2": "email2",
    "phone": "telephone",
    "mobile": "portable",
    "address": "adresse",
    "address2": "complement",
    "postal_code": "code_postal",
    "city": "ville",
    "country": "pays",
    "birthday": "anniversaire",
    "website": "site_web",
    "legal_basis": "base_legale",
}
# names every context has besides the fields
EXTRA_NAMES = ("id", "name", "nom_complet", "contact", "keys", "cles", "campagne", "campaign",
               "date", "aujourdhui", "today", "expediteur", "sender", "desinscription",
               "unsubscribe", "adresse_postale", "postal_address")
BATCH = 500


class KeyValues(dict[str, Any]):
    """A recipient's keys, by their name as written, their folded name, or label:
    ``keys["Véhicule actuel"]`` = ``keys["vehicule actuel"]`` = ``keys.vehicule_actuel``."""

    def __getitem__(self, name: str) -> Any:
        if dict.__contains__(self, name):
            return dict.__getitem__(self, name)
        return dict.get(self, fold_key_name(name))

    def __getattr__(self, name: str) -> Any:
        return self[name]


@dataclass(frozen=True)
class MergeSchema:
    """The names a context holds, so a template can be checked before any is built."""

    keys: tuple[QualKey, ...]

    @property
    def top_names(self) -> set[str]:
        names = set(CONTACT_FIELDS) | set(CONTACT_FIELDS.values()) | set(EXTRA_NAMES)
        return names | {k.norm_name for k in self.keys}

    @property
    def contact_attributes(self) -> set[str]:
        return set(CONTACT_FIELDS) | set(CONTACT_FIELDS.values()) | {
            "id", "name", "nom_complet", "adresse_postale", "postal_address"}

    def has_key(self, name: str) -> bool:
        folded = fold_key_name(name)
        return any(folded in (k.norm_name, fold_key_name(k.display_name)) for k in self.keys)

    def key_names(self) -> list[str]:
        return [k.name for k in self.keys]


def merge_schema(db: Database) -> MergeSchema:
    return MergeSchema(tuple(list_keys(db)))


def sender_fields(db: Database) -> dict[str, str]:
    """The freelancer's identity from the file's settings (quotes use the same)."""
    names = ("name", "address", "postal_code", "city", "phone", "email", "siret", "website")
    found = {name: str(get_setting(db, f"company.{name}", "") or "") for name in names}
    found["from"] = str(get_setting(db, "mail.from", "") or found["email"])
    return found


def _context(row: Any, keys: Sequence[QualKey], extras: dict[str, Any]) -> dict[str, Any]:
    contact: dict[str, Any] = {"id": row["id"]}
    for column, french in CONTACT_FIELDS.items():
        value = row[column] or ""
        contact[column] = value
        contact[french] = value
    name = display_name(row["first_name"], row["last_name"], row["company"])
    contact["name"] = contact["nom_complet"] = name
    block = "\n".join(format_address(
        first_name=row["first_name"], last_name=row["last_name"], company=row["company"],
        title=row["title"], address=row["address"], address2=row["address2"],
        postal_code=row["postal_code"], city=row["city"], country=row["country"]).lines)
    contact["adresse_postale"] = contact["postal_address"] = block
    values = KeyValues()
    for key in keys:
        value = key.decode(row[key.column])
        if isinstance(value, list):
            value = ", ".join(value)
        for spelling in (key.name, key.norm_name, fold_key_name(key.display_name)):
            values[spelling] = value
    context: dict[str, Any] = {k.norm_name: values[k.norm_name] for k in keys}
    context.update(contact)
    context.update(extras)
    context.update({"contact": contact, "keys": values, "cles": values})
    return context


def contexts(db: Database, contact_ids: Sequence[int], *, campaign_name: str = "",
             unsubscribe: str = "", schema: MergeSchema | None = None
             ) -> Iterator[tuple[int, dict[str, Any]]]:
    """``(contact id, context)`` for each id, in the order given (missing ids skipped)."""
    keys = list(schema.keys) if schema is not None else list_keys(db)
    sender = sender_fields(db)
    today = clock.today()
    extras: dict[str, Any] = {
        "campagne": campaign_name, "campaign": campaign_name,
        "date": today, "aujourdhui": today, "today": today,
        "expediteur": sender, "sender": sender,
        "desinscription": unsubscribe, "unsubscribe": unsubscribe,
    }
    columns = ", ".join(f"c.{c}" for c in CONTACT_FIELDS)
    key_columns = "".join(f", f.{k.column}" for k in keys)
    sql = (f"SELECT c.id, {columns}{key_columns} FROM contacts c"
           " JOIN contact_facts f ON f.contact_id = c.id"
           " WHERE c.id IN (SELECT value FROM json_each(?))")
    for start in range(0, len(contact_ids), BATCH):
        batch = list(contact_ids[start:start + BATCH])
        rows = {r["id"]: r for r in db.query(sql, ("[" + ",".join(map(str, batch)) + "]",))}
        for contact_id in batch:
            row = rows.get(contact_id)
            if row is not None:
                yield contact_id, _context(row, keys, extras)

