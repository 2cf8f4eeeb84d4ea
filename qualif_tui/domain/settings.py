"""The file's own settings: what the user sets once and every machine must see.

They live in the ``meta`` table of the database file (not in a per-machine config
folder), because the file travels on a stick between an office PC and a laptop:
the freelancer's identity printed on quotes, the user's own e-mail addresses, the
deal stages. Values are JSON, under ``settings.<name>``; names are dotted by
feature (``company.siret``, ``mail.own_addresses``).
"""

from __future__ import annotations

import json
from typing import Any

from qualif_tui.storage import Database

_PREFIX = "settings."


def get_setting(db: Database, name: str, default: Any = None) -> Any:
    """The value of setting ``name``, or ``default`` when it was never set."""
    raw = db.get_meta(_PREFIX + name)
    if raw is None:
        return default
    try:
        return json.loads(raw)
    except ValueError:
        return default


def set_setting(db: Database, name: str, value: Any) -> None:
    """Set ``name`` to ``value`` (anything JSON can hold), in the caller's transaction."""
    db.set_meta(_PREFIX + name, json.dumps(value, ensure_ascii=False))


def all_settings(db: Database, prefix: str = "") -> dict[str, Any]:
    """Every setting whose name starts with ``prefix``, by name."""
    rows = db.query("SELECT key, value FROM meta WHERE key >= ? AND key < ?",
                    (_PREFIX + prefix, _PREFIX + prefix + "\uffff"))
    found: dict[str, Any] = {}
    for row in rows:
        try:
            found[str(row[0])[len(_PREFIX):]] = json.loads(row[1])
        except (TypeError, ValueError):
            continue
    return found
