"""The freelancer's own details, printed on every quote: kept once, in the file.

They live in the file's settings (``company.*``, :mod:`.settings`) so that the
office PC and the laptop print the same header from the same stick. A
micro-entrepreneur under the VAT exemption (``vat_exempt``) quotes at 0 % and
every quote carries "TVA non applicable, art. 293 B du CGI". The logo, if any,
is kept as the image's bytes (PNG or JPEG), not as a path that would not
exist on the other machine.
"""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any

from qualif_tui.base.i18n import _
from qualif_tui.domain.errors import ValidationError
from qualif_tui.domain.settings import all_settings, set_setting
from qualif_tui.storage import Database

PREFIX = "company."
VAT_EXEMPT_MENTION = "TVA non applicable, art. 293 B du CGI"
DEFAULT_TERMS = "Paiement à 30 jours à réception de facture, par virement."
LOGO_MAX_BYTES = 512 * 1024

# field → French label (CLI options, the app's form, messages)
LABELS = {
    "name": _("nom"),
    "trade_name": _("nom commercial"),
    "address": _("adresse"),
    "postal_code": _("code postal"),
    "city": _("ville"),
    "email": _("e-mail"),
    "phone": _("téléphone"),
    "siret": _("SIRET"),
    "vat_number": _("n° de TVA"),
    "vat_exempt": _("TVA non applicable (293 B)"),
    "payment_terms": _("conditions de paiement"),
    "iban": _("IBAN"),
}


@dataclass(frozen=True)
class Issuer:
    name: str = ""
    trade_name: str = ""
    address: str = ""
    postal_code: str = ""
    city: str = ""
    email: str = ""
    phone: str = ""
    siret: str = ""
    vat_number: str = ""
    vat_exempt: bool = False
    payment_terms: str = DEFAULT_TERMS
    iban: str = ""
    logo: str = ""  # base64 of a PNG or JPEG

    @property
    def is_set(self) -> bool:
        return bool(self.name or self.trade_name)

    @property
    def vat_mention(self) -> str:
        if self.vat_exempt:
            return VAT_EXEMPT_MENTION
        return _("N° de TVA intracommunautaire : {number}").format(number=self.vat_number) \
            if self.vat_number else ""

    @property
    def logo_bytes(self) -> bytes | None:
        return base64.b64decode(self.logo) if self.logo else None

    def lines(self) -> list[str]:
        """The header block of a quote, line by line."""
        out = [self.trade_name or self.name]
        if self.trade_name and self.name and self.name != self.trade_name:
            out.append(self.name)
        out.extend(line for line in self.address.splitlines() if line.strip())
        place = " ".join(p for p in (self.postal_code, self.city) if p)
        if place:
            out.append(place)
        out.extend(p for p in (self.phone, self.email) if p)
        if self.siret:
            out.append(_("SIRET : {siret}").format(siret=format_siret(self.siret)))
        if self.vat_mention:
            out.append(self.vat_mention)
        return [line for line in out if line]


def load_issuer(db: Database) -> Issuer:
    saved = all_settings(db, PREFIX)
    values: dict[str, Any] = {}
    for item in fields(Issuer):
        if PREFIX + item.name in saved:
            value = saved[PREFIX + item.name]
            values[item.name] = bool(value) if item.name == "vat_exempt" else str(value or "")
    return Issuer(**values)


def format_siret(siret: str) -> str:
    digits = re.sub(r"\D", "", siret)
    if len(digits) != 14:
        return siret
    return f"{digits[:3]} {digits[3:6]} {digits[6:9]} {digits[9:]}"


def check_siret(text: str) -> str:
    """14 digits passing the Luhn check (La Poste's own establishments aside)."""
    digits = re.sub(r"[\s.]", "", text)
    if not digits:
        return ""
    if not re.fullmatch(r"\d{14}", digits):
        raise ValidationError(_("SIRET : 14 chiffres attendus (« {text} »)").format(
            text=text.strip()), "siret")
    if not digits.startswith("356000000") and _luhn(digits) % 10 != 0:
        raise ValidationError(_("SIRET : « {text} » n'est pas un numéro valide (clé de contrôle)"
                                ).format(text=text.strip()), "siret")
    return digits


def _luhn(digits: str) -> int:
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = int(char) * (2 if index % 2 else 1)
        total += value - 9 if value > 9 else value
    return total


def check_vat_number(text: str) -> str:
    """An EU VAT number (two letters then 2 to 13 characters); a French one's key
    is checked against its SIREN."""
    number = re.sub(r"[\s.\-]", "", text).upper()
    if not number:
        return ""
    if not re.fullmatch(r"[A-Z]{2}[0-9A-Z]{2,13}", number):
        raise ValidationError(_("n° de TVA : « {text} » n'a pas la forme FR12345678901").format(
            text=text.strip()), "vat_number")
    if number.startswith("FR") and re.fullmatch(r"FR\d{11}", number):
        key, siren = int(number[2:4]), int(number[4:])
        if key != (12 + 3 * (siren % 97)) % 97:
            raise ValidationError(_("n° de TVA : la clé de « {text} » ne correspond pas au SIREN"
                                    ).format(text=text.strip()), "vat_number")
    return number


def save_issuer(db: Database, changes: dict[str, Any]) -> Issuer:
    """Set some details (validated first: a bad SIRET writes nothing)."""
    current = load_issuer(db)
    cleaned: dict[str, Any] = {}
    for name, value in changes.items():
        if name not in LABELS:
            raise ValidationError(_("champ inconnu : {name}").format(name=name), name)
        if name == "vat_exempt":
            cleaned[name] = bool(value)
            continue
        text = str(value or "").strip() if name == "address" else " ".join(
            str(value or "").split())
        if name == "siret":
            text = check_siret(text)
        elif name == "vat_number":
            text = check_vat_number(text)
        elif len(text) > 500:
            raise ValidationError(_("{label} : 500 caractères au plus").format(
                label=LABELS[name]), name)
        cleaned[name] = text
    updated = replace(current, **cleaned)
    with db.transaction():
        for name, value in cleaned.items():
            set_setting(db, PREFIX + name, value)
    return updated


def set_logo(db: Database, path: str | Path | None) -> Issuer:
    """Keep a PNG or JPEG as the quotes' logo (None removes it)."""
    if path is None:
        with db.transaction():
            set_setting(db, PREFIX + "logo", "")
        return load_issuer(db)
    target = Path(path)
    try:
        data = target.read_bytes()
    except OSError as error:
        raise ValidationError(_("logo : impossible de lire {path} ({why})").format(
            path=target, why=error.strerror), "logo") from None
    if not (data.startswith(b"\x89PNG\r\n\x1a\n") or data.startswith(b"\xff\xd8")):
        raise ValidationError(_("logo : {path} n'est ni un PNG ni un JPEG").format(path=target),
                              "logo")
    if len(data) > LOGO_MAX_BYTES:
        raise ValidationError(_("logo : {path} dépasse 512 Ko").format(path=target), "logo")
    with db.transaction():
        set_setting(db, PREFIX + "logo", base64.b64encode(data).decode("ascii"))
    return load_issuer(db)


def update_issuer(db: Database, changes: dict[str, Any], *, logo: str | Path | None = None,
                  remove_logo: bool = False) -> Issuer:
    """Details and logo together, all or nothing (the app's form): ``logo`` a PNG or
    JPEG to keep, ``remove_logo`` to print none."""
    with db.transaction():
        if remove_logo:
            set_logo(db, None)
        elif logo is not None and str(logo).strip():
            set_logo(db, Path(str(logo).strip()).expanduser())
        if changes:
            save_issuer(db, changes)
    return load_issuer(db)
