"""Postal code → town, from the contacts already in the file.

A new contact's town is proposed from its postal code: the spellings other
contacts with that code use, most used first (``31000`` → ``Toulouse``). The
file is the only source: no list of French communes is bundled (none was found
packaged with a licence and upkeep to rely on), so a code nobody in the file has
yet proposes nothing, and the user types the town once.

The postal code is also checked the way the form needs it: five digits, and a
département that exists (``00…``, ``96…``, ``98…`` are not one).
"""

from __future__ import annotations

import re

from qualif_tui.base.geography import departement_of_postal_code
from qualif_tui.base.i18n import _
from qualif_tui.base.text import fold
from qualif_tui.storage import Database


def postal_code_problem(postal_code: str) -> str | None:
    """Why ``postal_code`` is not a French postal code, or None when it is one."""
    compact = postal_code.replace(" ", "")
    if not compact:
        return None
    if not re.fullmatch(r"\d{5}", compact):
        return _("un code postal a 5 chiffres")
    if departement_of_postal_code(compact) is None:
        return _("aucun département ne commence par {prefix}").format(prefix=compact[:2])
    return None


def towns_of_postal_code(db: Database, postal_code: str, limit: int = 5) -> list[str]:
    """The towns contacts with this postal code live in, most contacts first; one
    spelling per town (the most used), whatever its case or accents."""
    compact = postal_code.replace(" ", "")
    if postal_code_problem(compact) is not None or not compact:
        return []
    rows = db.query("SELECT city, COUNT(*) AS n FROM contacts"
                    " WHERE postal_code = ? AND city != '' GROUP BY city ORDER BY n DESC",
                    (compact,))
    spellings: dict[str, dict[str, int]] = {}
    for city, used in rows:
        spelling = str(city).strip()
        spellings.setdefault(fold(spelling), {})[spelling] = int(used)

    def best(uses: dict[str, int]) -> str:
        # the most used spelling; on a tie, the one written like a name ("Toulouse")
        return max(uses, key=lambda s: (uses[s], s[:1].isupper() and not s.isupper()))

    ranked = sorted(spellings.values(), key=lambda uses: -sum(uses.values()))
    return [best(uses) for uses in ranked[:limit]]
