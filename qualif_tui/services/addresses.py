"""The e-mail addresses of a target, for the BCC field of a mail client.

"Target → addresses" is the everyday end of a query: the app puts them on the
clipboard (``y``), the command line could print them. Who is left out, and why,
is part of the answer — the user must be told that 12 clients have no address
and 3 refused e-mails, not find it out by counting:

- no address (neither e-mail field filled);
- opted out of e-mails (``email_optout``): never mailed, whatever the query;
- an address already listed (two contacts sharing one mailbox get one copy).

The first e-mail is used, the second one when the first is empty. Addresses are
given as ``Name <address>`` (what Outlook, Thunderbird and Gmail accept in a BCC
field), in the order of the contacts' creation.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from qualif_tui.base.i18n import _, ngettext
from qualif_tui.query import CompiledQuery
from qualif_tui.services.exporting import ContactStream, mailbox
from qualif_tui.services.exporting.rows import FIELD_NAMES
from qualif_tui.storage import Database

# How the addresses are joined: Outlook's BCC field wants ";", others take one a line.
SEPARATORS = {"semicolon": "; ", "lines": "\n"}


@dataclass
class AddressList:
    """The addresses of a target and the contacts left out, by reason."""

    addresses: list[str] = field(default_factory=list)
    no_address: int = 0
    opted_out: int = 0
    repeated: int = 0

    @property
    def left_out(self) -> int:
        return self.no_address + self.opted_out + self.repeated

    def text(self, separator: str = "semicolon") -> str:
        """The addresses joined for pasting (``semicolon`` or ``lines``)."""
        return SEPARATORS[separator].join(self.addresses)

    def reasons(self) -> list[str]:
        """Why contacts were left out, one phrase per reason (French)."""
        phrases = []
        if self.no_address:
            phrases.append(ngettext("{n} sans adresse", "{n} sans adresse",
                                    self.no_address).format(n=self.no_address))
        if self.opted_out:
            phrases.append(ngettext("{n} a refusé les e-mails", "{n} ont refusé les e-mails",
                                    self.opted_out).format(n=self.opted_out))
        if self.repeated:
            phrases.append(ngettext("{n} adresse en double", "{n} adresses en double",
                                    self.repeated).format(n=self.repeated))
        return phrases

    def summary(self) -> str:
        """``42 adresses ; 5 contacts laissés de côté : 3 sans adresse, 2 ont refusé…``"""
        told = ngettext("{n} adresse", "{n} adresses", len(self.addresses)).format(
            n=len(self.addresses))
        if self.left_out:
            told += _(" ; {n} laissé(s) de côté : {why}").format(
                n=self.left_out, why=", ".join(self.reasons()))
        return told


def address_list(db: Database, query: CompiledQuery,
                 progress: Callable[[int], object] | None = None) -> AddressList:
    """The addresses of the contacts ``query`` selects (see the module's docstring)."""
    email_at, email2_at = FIELD_NAMES.index("email"), FIELD_NAMES.index("email2")
    first_at, last_at = FIELD_NAMES.index("first_name"), FIELD_NAMES.index("last_name")
    company_at, optout_at = FIELD_NAMES.index("company"), FIELD_NAMES.index("email_optout")
    found = AddressList()
    seen: set[str] = set()
    for row in ContactStream(db, query, progress):
        values = row.values
        address = ((values[email_at] or "").strip() or (values[email2_at] or "").strip())
        if not address:
            found.no_address += 1
        elif values[optout_at]:
            found.opted_out += 1
        elif address.lower() in seen:
            found.repeated += 1
        else:
            seen.add(address.lower())
            person = " ".join(p for p in (values[first_at], values[last_at]) if p and p.strip())
            found.addresses.append(mailbox(person or values[company_at] or "", address))
    return found
