"""Correspondents with no contact yet: a name and a company guessed from the address.

"Dupont, Jean" and "DUPONT Jean" give first name Jean, last name Dupont; an
address with no name, ``jean.dupont@…``, gives the same. The company is the
domain's name (``garage-martin.fr`` → Garage Martin) unless the domain is a
mailbox provider's, where it says nothing about the person.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

WEBMAIL_DOMAINS = frozenset("""
gmail.com googlemail.com yahoo.fr yahoo.com ymail.com hotmail.fr hotmail.com outlook.fr
outlook.com live.fr live.com msn.com orange.fr wanadoo.fr free.fr laposte.net sfr.fr neuf.fr
bbox.fr numericable.fr aol.com aol.fr icloud.com me.com mac.com gmx.fr gmx.com gmx.de gmx.net
protonmail.com proton.me pm.me yandex.com yandex.ru club-internet.fr aliceadsl.fr alice.fr
cegetel.net noos.fr voila.fr tutanota.com tuta.io mailo.com netcourrier.com libertysurf.fr
9online.fr tiscali.fr hotmail.be skynet.be bluewin.ch web.de t-online.de zoho.com
""".split())
_SECOND_LEVEL = {"co", "com", "org", "net", "gouv", "asso", "ac", "nom", "presse", "tm"}
_PAREN = re.compile(r"\s*[(\[].*?[)\]]\s*")
_SEPARATORS = re.compile(r"[._+]+")
_LEGAL_FORMS = {"sa", "sas", "sasu", "sarl", "eurl", "sci", "scp", "selarl", "gaec", "earl"}


@dataclass(frozen=True)
class GuessedName:
    first_name: str
    last_name: str
    company: str


def is_webmail(domain: str) -> bool:
    return domain.lower() in WEBMAIL_DOMAINS


def company_of_domain(domain: str) -> str:
    """``mail.garage-martin.fr`` → ``Garage Martin``; '' for a webmail domain."""
    domain = domain.lower().strip(".")
    if is_webmail(domain):
        return ""
    labels = domain.split(".")
    if len(labels) < 2:
        return ""
    name = labels[-2]
    if len(labels) >= 3 and labels[-2] in _SECOND_LEVEL and len(labels[-1]) == 2:
        name = labels[-3]
    words = [w for w in re.split(r"[-_]+", name) if w]
    return " ".join(w.upper() if w.lower() in _LEGAL_FORMS and len(words) > 1
                    else w.capitalize() for w in words)


def _cap(word: str) -> str:
    return "-".join(part[:1].upper() + part[1:].lower() for part in word.split("-"))


def guess_name(display: str, email: str) -> GuessedName:
    """First name, last name and company of a correspondent."""
    local, _sep, domain = email.partition("@")
    company = company_of_domain(domain)
    name = _PAREN.sub(" ", display).strip().strip("'\"").strip()
    if "@" in name:
        name = ""
    first = last = ""
    if name:
        if "," in name:
            last, first = (p.strip() for p in name.split(",", 1))
        else:
            words = name.split()
            capitals = [w for w in words if len(w) > 1 and w.isupper() and w.isalpha()]
            if capitals and len(capitals) < len(words):
                last = " ".join(capitals)
                first = " ".join(w for w in words if w not in capitals)
            elif len(words) == 1:
                last = words[0]
            else:
                first, last = words[0], " ".join(words[1:])
        if last.isupper() and len(last) > 1:
            last = " ".join(_cap(w) for w in last.split())
    else:
        words = [w for w in _SEPARATORS.split(local) if w]
        if len(words) == 2 and all(w.replace("-", "").isalpha() and len(w) > 1 for w in words):
            first, last = _cap(words[0]), _cap(words[1])
    return GuessedName(first, last, company)
