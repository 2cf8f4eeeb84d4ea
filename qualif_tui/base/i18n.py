"""The user's language: every user-visible string goes through :func:`_`.

Source strings are written in French (the user speaks French first); the English
catalogue translates them. The language is chosen once per process from
``QUALIF_LANG``, then ``LC_ALL``, ``LC_MESSAGES``, ``LANG``: English when the locale
says English, French otherwise (a bare ``C`` locale is no choice of English).

Until the English catalogue lands, :func:`_` returns its argument: wrapping a
string now is what makes it translatable later. Use ``_("… {name} …").format(name=…)``
rather than an f-string, so that the catalogue sees one string with its fields.
"""

from __future__ import annotations

import os


def language() -> str:
    """``"fr"`` or ``"en"``, from the environment."""
    for variable in ("QUALIF_LANG", "LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(variable, "").strip().lower()
        if value:
            return "en" if value.startswith("en") else "fr"
    return "fr"


def _(message: str) -> str:
    """The translation of ``message`` (French source) into the user's language."""
    return message


def ngettext(singular: str, plural: str, count: int) -> str:
    """The form of ``singular``/``plural`` for ``count`` (French: 0 and 1 singular)."""
    return singular if count <= 1 else plural
