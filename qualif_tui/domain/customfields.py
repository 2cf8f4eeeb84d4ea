"""Custom fields: the columns of imported files that are neither a field nor a key.

They live in ``contacts.custom`` (a JSON object, name → text as imported) and
their names in the ``custom_fields`` table (kept by triggers). This module
reads and edits them on a contact (each change audited in the history like
any field), tells what type their values look like (:func:`infer_type`, used
by the query language and by promotion to a key), and lists them.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from qualif_tui.base.i18n import _
from qualif_tui.base.text import fold, fold_key_name
from qualif_tui.domain import clock, parsing
from qualif_tui.domain.errors import NotFound, ValidationError
from qualif_tui.domain.history import add_entry
from qualif_tui.storage import Database

# at most this many distinct values (and each held twice on average) make a choice list
CHOICE_MAX_VALUES = 30
_MONTH = re.compile(r"\d{4}[-/.]\d{1,2}|\d{1,2}[-/.]\d{4}")
_YESNO = {"oui", "non", "yes", "no", "vrai", "faux", "true", "false", "o", "n"}


@dataclass(frozen=True)
class CustomField:
    name: str
    contacts: int    # how many contacts have a value


def field_names(db: Database) -> list[str]:
    """Every custom field name the file has used."""
    return [str(r[0]) for r in db.query("SELECT name FROM custom_fields ORDER BY name")]


def names_by_fold(db: Database) -> dict[str, list[str]]:
    """Custom field names by their folded form (``budget`` → ["Budget", "budget"])."""
    found: dict[str, list[str]] = {}
    for name in field_names(db):
        found.setdefault(fold_key_name(name), []).append(name)
    return found


def list_fields(db: Database) -> list[CustomField]:
    """The custom fields in use, with how many contacts have each."""
    return [CustomField(str(name), int(n)) for name, n in db.query(
        "SELECT j.key, count(*) FROM contacts c, json_each(c.custom) j"
        " WHERE c.custom != '{}' AND json_valid(c.custom) AND j.value != ''"
        " GROUP BY j.key ORDER BY j.key")]


def values_of(db: Database, names: Iterable[str], limit: int | None = None) -> list[tuple[int, str]]:
    """``(contact id, text)`` of every contact with a value for one of ``names``."""
    wanted = list(names)
    if not wanted:
        return []
    marks = ",".join("?" * len(wanted))
    sql = ("SELECT c.id, j.value FROM contacts c, json_each(c.custom) j WHERE c.custom != '{}'"
           f" AND json_valid(c.custom) AND j.key IN ({marks}) AND j.value != ''")
    params: list[Any] = list(wanted)
    if limit is not None:
        sql += " LIMIT ?"
        params.append(limit)
    return [(int(cid), str(value)) for cid, value in db.query(sql, params)]


def infer_type(values: Iterable[str]) -> str:
    """The key type a column of texts fits: ``yesno``, ``number``, ``month``,
    ``date``, ``choice`` (a few values, each held by several contacts) or ``text``.

    A type fits when at least :data:`FIT_SHARE` of the values are of it: a
    stray "beaucoup" in a column of amounts does not make it text (promotion
    lists the values that do not convert; they stay custom fields)."""
    texts = [v.strip() for v in values if v and v.strip()]
    if not texts:
        return "text"
    if _share(texts, lambda t: fold(t) in _YESNO) >= FIT_SHARE:
        return "yesno"
    if _share(texts, lambda t: _parses(parsing.parse_number, t)) >= FIT_SHARE:
        return "number"
    if _share(texts, lambda t: bool(_MONTH.fullmatch(t))
              and _parses(parsing.parse_month, t)) >= FIT_SHARE:
        return "month"
    if _share(texts, lambda t: _parses(parsing.parse_date, t)) >= FIT_SHARE:
        return "date"
    distinct = {fold(t) for t in texts}
    if len(distinct) <= CHOICE_MAX_VALUES and len(distinct) * 2 <= len(texts):
        return "choice"
    return "text"


FIT_SHARE = 0.75


def _share(texts: list[str], fits: Any) -> float:
    return sum(1 for t in texts if fits(t)) / len(texts)


def _parses(parse: Any, text: str) -> bool:
    try:
        return parse(text) is not None
    except (parsing.ParseError, ValueError):
        return False


def _custom(db: Database, contact_id: int) -> dict[str, str]:
    raw = db.scalar("SELECT custom FROM contacts WHERE id = ?", (contact_id,))
    if raw is None:
        raise NotFound(_("aucun contact n° {id}").format(id=contact_id))
    try:
        loaded = json.loads(raw or "{}")
    except ValueError:
        return {}
    return {str(k): str(v) for k, v in loaded.items()} if isinstance(loaded, dict) else {}


def set_field(db: Database, contact_id: int, name: str, value: str) -> bool:
    """Set (or, with '', remove) one custom field of a contact; audited. True if it changed."""
    name = " ".join(name.split())
    if not name:
        raise ValidationError(_("un champ libre a besoin d'un nom"), "name")
    value = value.strip()
    with db.transaction():
        custom = _custom(db, contact_id)
        old = custom.get(name, "")
        if old == value:
            return False
        if value:
            custom[name] = value
        else:
            custom.pop(name, None)
        db.execute("UPDATE contacts SET custom = ?, updated = ? WHERE id = ?",
                   (json.dumps(custom, ensure_ascii=False), clock.stamp(), contact_id))
        add_entry(db, contact_id, "change", f"{name} : {old or '—'} → {value or '—'}",
                  automatic=True)
    return True


def contact_fields(db: Database, contact_id: int) -> dict[str, str]:
    """One contact's custom fields."""
    return _custom(db, contact_id)

