"""Phone numbers in a comparable form (E.164), for duplicates and matching.

Numbers are stored as the user typed them; this form sits beside them
(contacts.phone_e164, mobile_e164) so "06 12 34 56 78" and "+33 6 12 34 56 78"
are one number. The phonenumbers library knows every country's plan.
"""

from __future__ import annotations

import functools
import re

_PHONE_PUNCTUATION = re.compile(r"[\s.\-/()]")
_FR_NATIONAL = re.compile(r"0[1-9]\d{8}")
_FR_INTERNATIONAL = re.compile(r"(?:\+|00)33([1-9]\d{8})")


@functools.lru_cache(maxsize=1 << 19)
def phone_e164(number: str, region: str = "FR") -> str:
    """The E.164 form of a phone number for duplicate matching ('' if it is not one).

    French numbers in their usual forms take a fast path giving exactly what
    ``phonenumbers`` gives (tested); the rest go through ``phonenumbers``.
    """
    digits = _PHONE_PUNCTUATION.sub("", number)
    if region == "FR":
        if _FR_NATIONAL.fullmatch(digits):
            return "+33" + digits[1:]
        match = _FR_INTERNATIONAL.fullmatch(digits)
        if match:
            return "+33" + match[1]
    # imported here: the library takes ~40 ms to load, and French numbers
    # (nearly all of them) never need it, nor do commands that only read
    import phonenumbers

    try:
        parsed = phonenumbers.parse(number, region)
    except phonenumbers.NumberParseException:
        return ""
    if not phonenumbers.is_possible_number(parsed):
        return ""
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def format_phone(number: str) -> str:
    """A phone as French users read it: a French number in pairs (``05 62 00 11 22``),
    any other as typed. The typed form is what the file keeps."""
    e164 = phone_e164(number) if not number.startswith("+33") or " " in number else number
    if e164.startswith("+33") and len(e164) == 12 and e164[3:].isdigit():
        national = "0" + e164[3:]
        return " ".join(national[i:i + 2] for i in range(0, 10, 2))
    return number
