"""A contact's legal basis for being sent prospecting: what the GDPR asks us to know.

French rules for electronic prospecting (CNIL, art. L34-5 CPCE), which decide who
an e-mail campaign may reach:

- a private person (B2C) needs their prior **consent** — or is an existing
  customer (**contrat**) receiving offers for similar products ("soft opt-in");
- a professional (B2B, a contact with a company) may be e-mailed on the basis
  of **intérêt légitime** as long as the message concerns their trade and they
  can object (opt-out) — the opt-out itself is ``email_optout``.

Values are stored in French, as the user reads them, under a few canonical
spellings (``consentement``, ``contrat``, ``intérêt légitime``) so that
``legal_basis:consentement`` finds them; other spellings typed or imported
("consent", "opt-in", "client", "B2B") are brought to those. Text that names no
basis is kept as typed (nothing a user wrote is dropped) and counts as none.
"""

from __future__ import annotations

from functools import lru_cache

from qualif_tui.base.text import fold

CONSENT = "consentement"
CONTRACT = "contrat"
LEGITIMATE_INTEREST = "intérêt légitime"

# canonical value → what forms and lists show
LEGAL_BASES: dict[str, str] = {
    CONSENT: "consentement (opt-in)",
    CONTRACT: "contrat (client existant)",
    LEGITIMATE_INTEREST: "intérêt légitime (B2B, opt-out)",
}

_ALIASES: dict[str, str] = {
    **{fold(value): value for value in LEGAL_BASES},
    "consent": CONSENT, "consentement explicite": CONSENT, "opt-in": CONSENT,
    "optin": CONSENT, "opt in": CONSENT, "accord": CONSENT,
    "contract": CONTRACT, "client": CONTRACT, "client existant": CONTRACT,
    "soft opt-in": CONTRACT, "execution du contrat": CONTRACT,
    "interet legitime": LEGITIMATE_INTEREST, "legitimate interest": LEGITIMATE_INTEREST,
    "legitimate interests": LEGITIMATE_INTEREST, "b2b": LEGITIMATE_INTEREST,
    "opt-out": LEGITIMATE_INTEREST, "optout": LEGITIMATE_INTEREST,
}


def normalise_legal_basis(text: str) -> str:
    """The canonical spelling of a known basis; anything else as typed (stripped)."""
    text = " ".join(text.split())
    return _ALIASES.get(fold(text), text)


@lru_cache(maxsize=4096)
def basis_of(text: str) -> str | None:
    """Which basis a stored value states, if any: exact spellings, or a value that
    starts with one ("consentement (formulaire du salon 2025)")."""
    folded = fold(text)
    if not folded:
        return None
    if folded in _ALIASES:
        return _ALIASES[folded]
    for alias, value in _ALIASES.items():
        if folded.startswith(alias + " ") or folded.startswith(alias + "("):
            return value
    return None


def may_email(legal_basis: str, company: str) -> bool:
    """May this contact be sent an e-mail campaign (opt-out aside)?

    A professional (a company is named) may, on the opt-out regime; a private
    person only with consent, or as a customer (contract)."""
    if company.strip():
        return True
    return bool(legal_basis) and basis_of(legal_basis) in (CONSENT, CONTRACT)
