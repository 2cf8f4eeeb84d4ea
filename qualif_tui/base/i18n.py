"""The user's language: every user-visible string goes through :func:`_`.

Source strings are written in French (the user speaks French first); the English
catalogue (``qualif_tui/locale/en/LC_MESSAGES/qualif.po``, compiled to ``.mo``,
standard gettext) translates them. The language is chosen from ``QUALIF_LANG``,
then ``LC_ALL``, ``LC_MESSAGES``, ``LANG`` (the first one set): French when it says
French (``fr``, ``fr_FR.UTF-8``…), English for any other language; a bare ``C`` or
``POSIX`` locale says no language and the next variable decides; none: French.

The choice is made on first use and kept for the process; :func:`set_language`
changes it (tests speak both languages in one process). Strings that exist before
any call — a table of labels at module level, a click ``help=``, a key's
description — are marked with :func:`N_` (for the extractor) and translated where
they are shown, so that they follow the language too.

``scripts/i18n.py`` extracts every marked string into the catalogue; the tests
fail when one has no English (``tests/test_i18n_catalogue.py``). Write
``_("… {name} …").format(name=…)`` rather than an f-string, so that the catalogue
sees one string with its fields.
"""

from __future__ import annotations

import gettext
import os
from collections.abc import Callable, Mapping
from functools import cache
from pathlib import Path

DOMAIN = "qualif"
LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"
LANGUAGES = ("fr", "en")

_chosen: str | None = None
_listeners: list[Callable[[str], None]] = []


def language_from(environ: Mapping[str, str]) -> str:
    """``"fr"`` or ``"en"`` for these environment variables."""
    for variable in ("QUALIF_LANG", "LC_ALL", "LC_MESSAGES", "LANG"):
        value = environ.get(variable, "").strip().lower()
        if not value or value.split(".")[0] in ("c", "posix"):
            continue
        return "fr" if value.startswith("fr") else "en"
    return "fr"


def language() -> str:
    """``"fr"`` or ``"en"``: the one set by :func:`set_language`, else the environment's."""
    global _chosen
    if _chosen is None:
        _chosen = language_from(os.environ)
    return _chosen


def set_language(code: str | None) -> None:
    """Speak ``code`` (``"fr"``/``"en"``) from now on; ``None``: the environment's again."""
    global _chosen
    if code is not None and code not in LANGUAGES:
        raise ValueError(f"unknown language {code!r}")
    _chosen = code
    current = language()
    for listener in list(_listeners):
        listener(current)


def on_language_change(listener: Callable[[str], None]) -> None:
    """Call ``listener(code)`` after each :func:`set_language` (the app's key tables)."""
    _listeners.append(listener)


@cache
def translations(code: str, domain: str = DOMAIN) -> gettext.NullTranslations:
    """The compiled catalogue of ``domain`` for ``code`` (none: strings as written)."""
    return gettext.translation(domain, LOCALE_DIR, [code], fallback=True)


def _(message: str) -> str:
    """The translation of ``message`` (French source) into the user's language."""
    if not message or language() == "fr":
        return message
    return translations(language()).gettext(message)


def N_(message: str) -> str:
    """Marks ``message`` for the catalogue, translated later by ``_(message)`` where shown."""
    return message


def ngettext(singular: str, plural: str, count: int) -> str:
    """The form of ``singular``/``plural`` for ``count`` in the user's language
    (French: 0 and 1 singular; English: 1 singular)."""
    if language() == "fr":
        return singular if count <= 1 else plural
    return translations(language()).ngettext(singular, plural, count)
