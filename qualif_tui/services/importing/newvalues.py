"""Values a file brings that a choice key does not have: never added silently.

A typo in a file (``clientt``, ``Clientèle``) must not become a new allowed
value of Profil without anyone deciding it. After the files are read, each
such value is listed with how many contacts hold it and the existing value it
most likely means (a did-you-mean, by rapidfuzz), and gets a decision:

``map``
    the contacts get the existing value (the suggestion, or one the user chose);
``add``
    the value joins the key's list;
``empty``
    the contacts are left without a value for that key — the text is kept as
    a custom field "Profil (importé)", so nothing is lost;
``refuse``
    no decision yet: the import is refused, listing the values (the default
    of ``qualif import``, whose ``--new-values add|map|refuse`` decides for all,
    and ``--map-value`` for one).

Keys the file itself declares (qualif's own exports, see
:mod:`qualif_tui.domain.keyheaders`) are created with their values: those are
not new values of an existing key.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from rapidfuzz import fuzz, process

from qualif_tui.base.i18n import _
from qualif_tui.base.text import fold, fold_key_name
from qualif_tui.domain.errors import QualifError
from qualif_tui.domain.keys import QualKey
from qualif_tui.services.importing.keyvalues import KeyCatalog
from qualif_tui.services.importing.model import Incoming

POLICIES = ("refuse", "add", "map")  # and "suggest": map where there is a suggestion
ADD = "+"  # in a value map: add the value to the key's list
SUGGESTION_CUTOFF = 70
# value map: (key's folded name, folded value) → existing value to map to, ADD, or None (empty)
ValueMap = Mapping[tuple[str, str], str | None]


@dataclass
class NewValue:
    """One value a file brings to a choice key, and what the import does with it."""

    key_id: int
    key: str
    value: str
    count: int
    suggestion: str | None
    decision: str            # map, add, empty, refuse
    target: str | None = None

    def describe(self) -> str:
        text = _("{key} : « {value} » ({n} contact(s))").format(key=self.key, value=self.value,
                                                                 n=self.count)
        if self.decision == "map":
            return text + " → " + _("« {target} »").format(target=self.target)
        if self.decision == "add":
            return text + " → " + _("ajoutée à la liste")
        if self.decision == "empty":
            return text + " → " + _("laissée vide (texte gardé en champ libre)")
        if self.suggestion:
            return text + " — " + _("vouliez-vous dire « {s} » ?").format(s=self.suggestion)
        return text


class NewValuesRefused(QualifError):
    """The files bring values the keys do not have and nobody decided what to do."""

    def __init__(self, values: list[NewValue]) -> None:
        self.values = values
        lines = [v.describe() for v in values[:20]]
        if len(values) > 20:
            lines.append(_("… et {n} autre(s)").format(n=len(values) - 20))
        super().__init__(
            _("import refusé, rien n'a été écrit : valeurs absentes des listes des clés —")
            + "\n  " + "\n  ".join(lines) + "\n" + _(
                "décidez avec --new-values add (les ajouter), --new-values map (prendre la"
                " valeur suggérée) ou --map-value « Clé:valeur=existante » (« = » seul : laisser"
                " vide, « =+ » : ajouter)"))


def suggest(key: QualKey, value: str) -> str | None:
    """The existing value ``value`` most likely means, if one is close enough."""
    if not key.values:
        return None
    choices = {v.norm: v.value for v in key.values}
    folded = fold(value)
    prefix = [v for n, v in choices.items() if folded.startswith(n) or n.startswith(folded)]
    found = process.extractOne(folded, list(choices), scorer=fuzz.ratio,
                               score_cutoff=SUGGESTION_CUTOFF)
    if found is not None:
        return choices[found[0]]
    return prefix[0] if len(prefix) == 1 else None


def resolve(records: Iterable[Incoming], catalog: KeyCatalog, policy: str,
            choices: ValueMap) -> list[NewValue]:
    """Decide each new value of an existing key, apply the decisions to the records
    (mapped values rewritten, emptied ones kept as custom fields) and leave in
    ``catalog.new_values`` only the values to add. Returns every new value."""
    records = list(records)
    pending = {k: v for k, v in catalog.new_values.items() if k >= 0 and v}
    if not pending:
        return []
    counts: dict[tuple[int, str], int] = {}
    for record in records:
        for key_id, value in record.keys.items():
            if key_id not in pending:
                continue
            for item in value if isinstance(value, list) else [value]:
                folded = fold(str(item))
                if folded in pending[key_id]:
                    counts[(key_id, folded)] = counts.get((key_id, folded), 0) + 1
    found: list[NewValue] = []
    rewrites: dict[tuple[int, str], str | None] = {}
    for key_id, spellings in pending.items():
        key = catalog.keys[key_id]
        for folded, spelling in list(spellings.items()):
            entry = NewValue(key_id, key.name, spelling, counts.get((key_id, folded), 0),
                             suggest(key, spelling), "refuse")
            _decide(entry, key, choices, policy)
            found.append(entry)
            if entry.decision != "add":
                del spellings[folded]
            if entry.decision in ("map", "empty"):
                rewrites[(key_id, folded)] = entry.target
    for record in records:
        _rewrite(record, catalog, rewrites)
    for key_id in [k for k, v in catalog.new_values.items() if not v]:
        del catalog.new_values[key_id]
    return found


def _decide(entry: NewValue, key: QualKey, choices: ValueMap, policy: str) -> None:
    chosen = choices.get((key.norm_name, fold(entry.value)), "")
    if chosen is None:
        entry.decision = "empty"
    elif chosen == ADD:
        entry.decision = "add"
    elif chosen:
        existing = key.value_named(chosen)
        if existing is None:
            raise QualifError(_("{key} : « {target} » n'est pas une valeur de la clé (valeurs :"
                                " {allowed})").format(key=key.name, target=chosen,
                                                      allowed=key.allowed()))
        entry.decision, entry.target = "map", existing.value
    elif policy == "add":
        entry.decision = "add"
    elif policy == "map":
        if entry.suggestion:
            entry.decision, entry.target = "map", entry.suggestion
        else:
            entry.decision = "empty"
    elif policy == "suggest" and entry.suggestion:  # the app: a proposal the user sees
        entry.decision, entry.target = "map", entry.suggestion


def _rewrite(record: Incoming, catalog: KeyCatalog, rewrites: dict[tuple[int, str], str | None]
             ) -> None:
    for key_id in [k for k in record.keys if k >= 0]:
        value: Any = record.keys[key_id]
        items = value if isinstance(value, list) else [value]
        kept: list[str] = []
        changed = False
        for item in items:
            folded = fold(str(item))
            if (key_id, folded) not in rewrites:
                kept.append(item)
                continue
            changed = True
            target = rewrites[(key_id, folded)]
            if target is None:
                record.keep(_("{key} (importé)").format(key=catalog.keys[key_id].name), str(item))
            elif fold(target) not in {fold(k) for k in kept}:
                kept.append(target)
        if not changed:
            continue
        if isinstance(value, list):
            if kept:
                record.keys[key_id] = kept
            else:
                del record.keys[key_id]
        elif kept:
            record.keys[key_id] = kept[0]
        else:
            del record.keys[key_id]


def parse_value_map(items: Iterable[str], keys: Iterable[QualKey]) -> dict[tuple[str, str],
                                                                             str | None]:
    """``Profil:Clientèle=client`` (map), ``Profil:Clientèle=`` (leave empty),
    ``Profil:Clientèle=+`` (add) → a value map; QualifError on a bad item."""
    by_name = {k.norm_name: k for k in keys}
    found: dict[tuple[str, str], str | None] = {}
    for item in items:
        if ":" not in item or "=" not in item:
            raise QualifError(_("--map-value « {item} » : écrire Clé:valeur=existante").format(
                item=item))
        name, rest = item.split(":", 1)
        value, target = rest.rsplit("=", 1)
        key = by_name.get(fold_key_name(name))
        if key is None:
            raise QualifError(_("--map-value « {item} » : pas de clé « {name} »").format(
                item=item, name=name.strip()))
        target = target.strip()
        found[(key.norm_name, fold(value))] = None if not target else (
            ADD if target == ADD else target)
    return found
