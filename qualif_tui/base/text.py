"""Text normalisation shared by storage, search and import.

French contact data is typed with and without accents, in any case, with curly
or straight apostrophes. Every comparison the user can make ("profil:Client",
"source:bouche a oreille", a bare word) goes through :func:`fold`, and the
normalised columns in the database are written with it, so both sides agree.
"""

from __future__ import annotations

import re
import unicodedata

# Letters that NFKD does not decompose but that French (and neighbours) write
# as ligatures or stroked letters; users type them without the ligature.
_LIGATURES = str.maketrans(
    {
        "œ": "oe",
        "Œ": "oe",
        "æ": "ae",
        "Æ": "ae",
        "ø": "o",
        "Ø": "o",
        "ł": "l",
        "Ł": "l",
        "đ": "d",
        "Đ": "d",
        "ß": "ss",
        "’": "'",
        "‘": "'",
        "ʼ": "'",
        "´": "'",
        "`": "'",
        "\u00a0": " ",
        "\u202f": " ",
    }
)
_SPACES = re.compile(r"\s+")


def fold(text: str | None) -> str:
    """Casefold, strip accents and ligatures, unify apostrophes and spaces.

    >>> fold("  Hélène   L’Œuvre ")
    "helene l'oeuvre"
    """
    if not text:
        return ""
    text = text.translate(_LIGATURES)
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return _SPACES.sub(" ", stripped.casefold()).strip()


def fold_key_name(text: str) -> str:
    """Fold a qualification key name; spaces, dashes and underscores are one.

    Users write "mise en service", "Mise_en_service" or "mise-en-service".
    """
    return re.sub(r"[\s_\-]+", "_", fold(text)).strip("_")


def sort_key(last_name: str, first_name: str, company: str) -> str:
    """The key contacts are listed by: last name, first name, then company.

    A contact with no person name (a company card) sorts by its company. The
    unit separator keeps "Le Roy" apart from "Leroy Anne".
    """
    last = fold(last_name) or fold(company)
    return f"{last}\x1f{fold(first_name)}\x1f{fold(company)}"


def display_name(first_name: str, last_name: str, company: str = "") -> str:
    """"LAST First" style is what French address books show; keep it readable."""
    name = " ".join(part for part in (last_name.strip(), first_name.strip()) if part)
    return name or company.strip() or "(sans nom)"
