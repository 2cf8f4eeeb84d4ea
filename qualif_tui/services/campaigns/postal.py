"""Postal addresses in La Poste's format (norm NF Z 10-011), for labels, envelopes, letters.

At most six lines of at most 38 characters, from the most personal to the most
general: the addressee (a company first, then the person), the complement
(building, floor), the number and street, the postal code and town in capitals
without accents or punctuation, and for abroad the country, in capitals, on a
last line of its own. A line longer than 38 characters is cut *visibly* (it ends
with "…") and reported — never silently overflowing the label.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from qualif_tui.base.i18n import _
from qualif_tui.base.text import fold

MAX_LINES = 6
MAX_CHARS = 38
CUT_MARK = "…"
_FRANCE = {"", "france", "fr", "fra", "france metropolitaine"}
# overseas départements and collectivities write their town line like the mainland
_PUNCTUATION = re.compile(r"[^\w\s]|_")


def plain_capitals(text: str) -> str:
    """``Saint-Jean-d'Angély`` → ``SAINT JEAN D ANGELY`` (the last line's spelling)."""
    text = unicodedata.normalize("NFKD", text.replace("œ", "oe").replace("Œ", "OE"))
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = _PUNCTUATION.sub(" ", text)
    return " ".join(text.upper().split())


@dataclass
class PostalAddress:
    lines: list[str]
    cut: list[tuple[int, str]] = field(default_factory=list)  # (line number, full text)
    dropped: list[str] = field(default_factory=list)  # lines beyond the sixth

    @property
    def problems(self) -> list[str]:
        found = [_("ligne {n} coupée à {max} caractères : « {text} »").format(
            n=n, max=MAX_CHARS, text=text) for n, text in self.cut]
        found += [_("ligne en trop (plus de {max}) : « {text} »").format(max=MAX_LINES,
                                                                         text=text)
                  for text in self.dropped]
        return found


def _cut(text: str) -> str:
    return text if len(text) <= MAX_CHARS else text[:MAX_CHARS - 1].rstrip() + CUT_MARK


def is_abroad(country: str) -> bool:
    return fold(country).strip(" .") not in _FRANCE


def format_address(*, first_name: str = "", last_name: str = "", company: str = "",
                   title: str = "", address: str = "", address2: str = "",
                   postal_code: str = "", city: str = "", country: str = "") -> PostalAddress:
    """The lines of one addressee, in order, cut and reported where too long."""
    person = " ".join(p for p in (first_name.strip(), last_name.strip()) if p)
    wanted: list[str] = []
    if company.strip():
        wanted.append(company.strip())
        if person:
            wanted.append(f"{person}, {title.strip()}" if title.strip() and
                          len(person) + len(title) + 2 <= MAX_CHARS else person)
    elif person:
        wanted.append(person)
    wanted += [line.strip() for line in (address2, address) if line.strip()]
    abroad = is_abroad(country)
    town = " ".join(p for p in (postal_code.strip(), city.strip()) if p)
    if town:
        wanted.append(town.upper() if abroad else plain_capitals(town))
    if abroad:
        wanted.append(plain_capitals(country))
    wanted = [" ".join(line.split()) for line in wanted]
    result = PostalAddress([])
    if len(wanted) > MAX_LINES:
        # the person's line goes first (the company and the street still deliver it)
        overflow = len(wanted) - MAX_LINES
        drop = wanted[1:1 + overflow] if company.strip() and person else wanted[:overflow]
        result.dropped = drop
        wanted = [line for line in wanted if line not in drop]
    for number, line in enumerate(wanted, start=1):
        shown = _cut(line)
        if shown != line:
            result.cut.append((number, line))
        result.lines.append(shown)
    return result
