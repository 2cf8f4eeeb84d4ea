"""Is a stored e-mail address or French postal code well formed? (kept, but flagged)

An import keeps an invalid value as typed (``helene.lefevre@orange``, ``3120``)
rather than dropping it: the card shows it with a warning and the query
language finds them (``invalid:email``, ``invalid:postal_code``). The query
reads partial indexes whose SQL (``schema.INVALID_EMAIL_SQL``…) states the same
rule as these functions; ``tests/test_validity.py`` holds them equal.
"""

from __future__ import annotations

from qualif_tui.base.i18n import _

_FORBIDDEN_IN_EMAIL = set(" ,;<>\t\n\r")
_FRANCE = {"", "france", "fr", "fra"}


def email_ok(address: str) -> bool:
    """One ``@`` with something before it, a dot with something either side after
    it, and no space, tab, line break or ``, ; < >``."""
    if not address:
        return True
    if address.count("@") != 1 or _FORBIDDEN_IN_EMAIL & set(address):
        return False
    local, domain = address.split("@")
    if not local:
        return False
    # '?*.?*' after the '@': at least one character, a dot, at least one character
    return any(domain[:i] and domain[i + 1:] for i, c in enumerate(domain) if c == ".")


def _ascii_lower(text: str) -> str:
    return "".join(chr(ord(c) + 32) if "A" <= c <= "Z" else c for c in text)


def postal_code_ok(code: str, country: str = "") -> bool:
    """Five digits in France (an empty country is France); anything elsewhere."""
    if not code or _ascii_lower(country.strip(" ")) not in _FRANCE:
        return True
    return len(code) == 5 and all(c in "0123456789" for c in code)


def warnings_of(email: str, email2: str, postal_code: str, country: str) -> list[str]:
    """What the card says about a contact's values that are kept but not valid."""
    found = []
    for label, address in ((_("E-mail"), email), (_("E-mail 2"), email2)):
        if not email_ok(address):
            found.append(_("{label} « {value} » n'est pas une adresse valide").format(
                label=label, value=address))
    if not postal_code_ok(postal_code, country):
        found.append(_("Code postal « {value} » : un code postal français a cinq chiffres")
                     .format(value=postal_code))
    return found
