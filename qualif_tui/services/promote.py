"""A custom field becomes a qualification key in one action (type inferred, dry run first).

An imported "Budget" column kept as a custom field is worth a key once the
user wants to segment on it: :func:`plan_promotion` infers the type from the
values (:func:`~qualif_tui.domain.customfields.infer_type`), converts each
value in memory and lists what would not convert; :func:`promote_field`
creates the key, sets every contact's value, and removes the custom field
from those contacts — one transaction, in the journal of operations, undone
by ``qualif undo`` (the key goes, the custom fields come back as they were).
A value that does not convert stays a custom field, so nothing is lost.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from qualif_tui.base.i18n import _
from qualif_tui.base.text import fold, fold_key_name
from qualif_tui.domain import operations
from qualif_tui.domain.customfields import infer_type, names_by_fold, values_of
from qualif_tui.domain.errors import NotFound, ValidationError
from qualif_tui.domain.keys import KEY_TYPES, KeyValue, QualKey, define_key, get_key
from qualif_tui.storage import Database
from qualif_tui.storage import migrations as storage_migrations


@dataclass
class PromotionPlan:
    """What promoting a custom field would do (nothing written)."""

    name: str                       # the key's name (the field's, unless given)
    fields: list[str]               # the custom field's spellings ("Budget", "budget")
    type: str
    inferred: str
    values: list[str] = field(default_factory=list)            # a choice key's list
    converted: dict[int, Any] = field(default_factory=dict)    # contact → value to set
    failures: list[tuple[int, str, str]] = field(default_factory=list)

    @property
    def contacts(self) -> int:
        return len(self.converted) + len(self.failures)


def plan_promotion(db: Database, field_name: str, key_type: str | None = None,
                   key_name: str | None = None) -> PromotionPlan:
    """Infer the type (unless ``key_type``), convert every value in memory."""
    spellings = names_by_fold(db).get(fold_key_name(field_name))
    if not spellings:
        raise NotFound(_("pas de champ libre « {name} »").format(name=field_name))
    found = values_of(db, spellings)
    inferred = infer_type(text for _cid, text in found)
    chosen = key_type or inferred
    if chosen not in KEY_TYPES:
        raise ValidationError(_("type inconnu « {type} »").format(type=chosen), "type")
    plan = PromotionPlan(" ".join((key_name or spellings[0]).split()), spellings, chosen,
                         inferred)
    if chosen in ("choice", "multi"):
        counts: dict[str, tuple[int, str]] = {}
        for _cid, text in found:
            parts = [text] if chosen == "choice" else [p.strip() for p in text.replace(
                ";", ",").split(",") if p.strip()]
            for part in parts:
                count, spelling = counts.get(fold(part), (0, " ".join(part.split())))
                counts[fold(part)] = (count + 1, spelling)
        plan.values = [s for _n, s in sorted(counts.values(), key=lambda c: (-c[0], c[1]))]
    key = QualKey(0, plan.name, fold_key_name(plan.name), "", chosen, 0,
                  tuple(KeyValue(i, v, fold(v), i) for i, v in enumerate(plan.values)))
    seen: set[int] = set()
    for contact_id, text in found:
        if contact_id in seen:
            continue  # two spellings on one card: the first wins, the other stays
        seen.add(contact_id)
        try:
            plan.converted[contact_id] = key.encode(text)
        except ValidationError as error:
            plan.failures.append((contact_id, text, str(error)))
    return plan


@dataclass(frozen=True)
class Promoted:
    operation_id: int
    key: QualKey
    contacts: int
    label: str


def promote_field(db: Database, field_name: str, key_type: str | None = None,
                  key_name: str | None = None) -> Promoted:
    """Make a custom field a key; values that do not convert stay custom fields."""
    with db.transaction():
        plan = plan_promotion(db, field_name, key_type, key_name)
        key = define_key(db, plan.name, plan.type, plan.values)
        db.conn.executemany(f"UPDATE contact_facts SET {key.column} = ? WHERE contact_id = ?",
                            [(v, cid) for cid, v in plan.converted.items() if v is not None])
        before: dict[int, str] = {}
        for contact_id in plan.converted:
            raw = str(db.scalar("SELECT custom FROM contacts WHERE id = ?", (contact_id,)))
            before[contact_id] = raw
            custom = json.loads(raw)
            for spelling in plan.fields:
                custom.pop(spelling, None)
            db.execute("UPDATE contacts SET custom = ? WHERE id = ?",
                       (json.dumps(custom, ensure_ascii=False), contact_id))
        label = _("champ libre « {field} » promu en clé « {key} » ({type}, {n} contacts)").format(
            field=plan.fields[0], key=key.name, type=key.type, n=len(plan.converted))
        if plan.failures:
            label += _(" ; {f} valeur(s) restées en champ libre").format(f=len(plan.failures))
        operation = operations.record(db, "field_promote", label, {
            "key": key.id, "custom": [[cid, raw] for cid, raw in before.items()]})
    return Promoted(operation, get_key(db, key.id), len(plan.converted), label)


def undo_promotion(db: Database, operation: operations.Operation, force: bool = False) -> None:
    """The key goes, the custom fields come back as they were."""
    key_id = int(operation.data["key"])
    if not db.scalar("SELECT 1 FROM qual_keys WHERE id = ?", (key_id,)):
        raise operations.ChangedSince(_("la clé créée par cette promotion a été supprimée"))
    db.execute("DELETE FROM qual_keys WHERE id = ?", (key_id,))
    storage_migrations.drop_key_column(db.conn, key_id)
    db.conn.executemany("UPDATE contacts SET custom = ? WHERE id = ?",
                        [(raw, cid) for cid, raw in operation.data["custom"]])
