"""The mail settings a user sets once, apart from any import: their own addresses
(``mail.own_addresses``: a message from one of them is sent, to one of them received)
and how much of each message the timeline keeps (``mail.excerpt_chars``).

They live in the file's settings (:mod:`qualif_tui.domain.settings`), so the office
PC and the laptop decide the same way. A change applies to the next imports: entries
already in the timelines keep the direction they were given.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from qualif_tui.base.i18n import _
from qualif_tui.domain.errors import ValidationError
from qualif_tui.domain.settings import set_setting
from qualif_tui.services.mailimport.plan import (
    EXCERPT_CHARS,
    OWN_ADDRESSES,
    excerpt_chars,
    own_addresses,
)
from qualif_tui.storage import Database

# one address as a user types it: no spaces, one @, a dot in the domain
_ADDRESS = re.compile(r"[^@\s<>,;]+@[^@\s<>,;]+\.[^@\s<>,;]+")
_NAMED = re.compile(r"[^<>]*<([^<>]*)>")
MAX_EXCERPT = 1_000_000


@dataclass(frozen=True)
class MailSettings:
    own: tuple[str, ...]
    excerpt_chars: int   # 0: the whole text


def load_mail_settings(db: Database) -> MailSettings:
    return MailSettings(tuple(own_addresses(db)), excerpt_chars(db))


def parse_addresses(text: str) -> list[str]:
    """The addresses of ``text`` (separated by commas, semicolons or new lines; "Name
    <address>" is the address), lower-case, each once, in order; a piece that is not an
    address is refused by name."""
    found: list[str] = []
    for piece in re.split(r"[,;\n]+", text):
        piece = piece.strip()
        if not piece:
            continue
        named = _NAMED.fullmatch(piece)
        address = (named.group(1) if named else piece).strip().lower()
        if not _ADDRESS.fullmatch(address):
            raise ValidationError(_("« {piece} » n'est pas une adresse e-mail").format(
                piece=piece), "own")
        if address not in found:
            found.append(address)
    return found


def save_mail_settings(db: Database, own: Sequence[str] | None = None,
                       excerpt: int | None = None) -> MailSettings:
    """Keep the addresses (``None``: unchanged, empty: none) and the excerpt length
    (``None``: unchanged, 0: everything), in one transaction; the settings as now kept."""
    if excerpt is not None and not 0 <= excerpt <= MAX_EXCERPT:
        raise ValidationError(_("Longueur des extraits : un nombre de 0 (tout le texte)"
                                " à {most}").format(most=f"{MAX_EXCERPT:,}".replace(",", " ")),
                              "excerpt")
    addresses = parse_addresses("\n".join(own)) if own is not None else None
    with db.transaction():
        if addresses is not None:
            set_setting(db, OWN_ADDRESSES, addresses)
        if excerpt is not None:
            set_setting(db, EXCERPT_CHARS, excerpt)
    return load_mail_settings(db)
