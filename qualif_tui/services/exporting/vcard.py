"""Contacts → vCard 3.0 or 4.0, readable by phones and by our own import.

Standard properties carry what phones show (N, FN, ORG, TITLE, EMAIL, TEL,
ADR, BDAY, URL); qualification keys and custom fields travel in
``X-QUALIF-KEY;X-KIND=type:name;value`` and ``X-QUALIF-FIELD:name;value``, and
the first card declares the keys (``X-QUALIF-KEYDEF``: type, values in order,
reminder), so that an import into an empty file recreates them (phones
ignore X- properties): a round trip loses nothing.
Lines are folded at 75 octets without cutting a UTF-8 character, with CRLF
line ends; text is escaped (``\\\\ \\n \\, \\;``). Phone numbers stay as typed.
"""

from __future__ import annotations

from typing import IO

from qualif_tui.domain.contacts import FIELDS
from qualif_tui.domain.keys import QualKey
from qualif_tui.services.exporting.rows import FIELD_NAMES, ContactStream, ExportRow
from qualif_tui.services.exporting.tables import key_text
from qualif_tui.services.exporting.writers import ExportOptions, ExportResult

_AT = {name: index for index, name in enumerate(FIELD_NAMES)}


def escape(text: str) -> str:
    return (text.replace("\\", "\\\\").replace("\r\n", "\n").replace("\r", "\n")
            .replace("\n", "\\n").replace(",", "\\,").replace(";", "\\;"))


def fold(line: str) -> str:
    """Fold a content line at 75 octets (RFC 6350 §3.2), never inside a character."""
    encoded = line.encode("utf-8")
    if len(encoded) <= 75:
        return line
    parts: list[str] = []
    current: list[str] = []
    size, limit = 0, 75
    for char in line:
        width = len(char.encode("utf-8"))
        if size + width > limit:
            parts.append("".join(current))
            current, size, limit = [], 0, 74  # continuation lines start with a space
        current.append(char)
        size += width
    parts.append("".join(current))
    return "\r\n ".join(parts)


def card(row: ExportRow, keys: list[QualKey], version: str, *, definitions: bool = False) -> str:
    """One vCard; ``definitions``: also declare the keys (the file's first card)."""
    v = row.values
    first, last, company = v[_AT["first_name"]], v[_AT["last_name"]], v[_AT["company"]]
    lines = ["BEGIN:VCARD", f"VERSION:{version}"]
    if definitions:  # before the values, so that a reader meets the types first
        lines.extend(key_definitions(keys))
    full = " ".join(p for p in (first, last) if p) or company or v[_AT["email"]]
    lines.append(f"N:{escape(last)};{escape(first)};;;")
    lines.append(f"FN:{escape(full)}")
    if not first and not last and company:
        lines.append("KIND:org" if version == "4.0" else "X-ABShowAs:COMPANY")
    if company:
        lines.append(f"ORG:{escape(company)}")
    if v[_AT["title"]]:
        lines.append(f"TITLE:{escape(v[_AT['title']])}")
    pref = "PREF=1" if version == "4.0" else "TYPE=INTERNET,PREF"
    other = "" if version == "4.0" else "TYPE=INTERNET"
    if v[_AT["email"]]:
        lines.append(f"EMAIL;{pref}:{escape(v[_AT['email']])}")
    if v[_AT["email2"]]:
        lines.append(f"EMAIL{';' + other if other else ''}:{escape(v[_AT['email2']])}")
    if v[_AT["mobile"]]:
        kind = "cell" if version == "4.0" else "CELL"
        lines.append(f"TEL;TYPE={kind}:{escape(v[_AT['mobile']])}")
    if v[_AT["phone"]]:
        kind = "work,voice" if version == "4.0" else "WORK,VOICE"
        lines.append(f"TEL;TYPE={kind}:{escape(v[_AT['phone']])}")
    address = [v[_AT[n]] for n in ("address2", "address", "city", "postal_code", "country")]
    if any(address):
        extended, street, city, postal, country = (escape(a) for a in address)
        lines.append(f"ADR;TYPE={'work' if version == '4.0' else 'WORK'}:"
                     f";{extended};{street};{city};;{postal};{country}")
    birthday = v[_AT["birthday"]]
    if birthday:
        if birthday.startswith("--"):
            birthday = "--" + birthday[2:].replace("-", "") if version == "4.0" else birthday
        lines.append(f"BDAY:{birthday}")
    if v[_AT["website"]]:
        lines.append(f"URL:{escape(v[_AT['website']])}")
    if v[_AT["email_optout"]]:
        lines.append("X-QUALIF-EMAIL-OPTOUT:oui")
    if v[_AT["phone_optout"]]:
        lines.append("X-QUALIF-PHONE-OPTOUT:oui")
    if v[_AT["legal_basis"]]:
        lines.append(f"X-QUALIF-LEGAL-BASIS:{escape(v[_AT['legal_basis']])}")
    for key, value in zip(keys, row.keys, strict=True):
        if value is None or value == []:
            continue
        if isinstance(value, list):
            text = ",".join(escape(item) for item in value)
        else:
            text = escape(key_text(value))
        lines.append(f"X-QUALIF-KEY;X-KIND={key.type}:{escape(key.name)};{text}")
    for name, value in row.custom.items():
        lines.append(f"X-QUALIF-FIELD:{escape(name)};{escape(value)}")
    lines.append(f"UID:qualif-{row.id}")
    lines.append("END:VCARD")
    return "\r\n".join(fold(line) for line in lines) + "\r\n"


def write_vcards(stream: ContactStream, out: IO[bytes], options: ExportOptions) -> ExportResult:
    version = options.vcard_version
    if version not in ("3.0", "4.0"):
        raise ValueError(f"vCard version {version}: choose 3.0 or 4.0")
    written = 0
    for row in stream:
        out.write(card(row, stream.keys, version, definitions=written == 0).encode("utf-8"))
        written += 1
    return ExportResult(written)


def key_definitions(keys: list[QualKey]) -> list[str]:
    """``X-QUALIF-KEYDEF;X-KIND=choice;X-REMIND=30/48:Profil;client,prospect,…``: the
    keys with their types, values in order and reminders (phones ignore X- lines)."""
    lines = []
    for key in keys:
        params = f";X-KIND={key.type}"
        if key.remind:
            params += f";X-REMIND={key.remind_lead_days}/{key.remind_after_months}"
        values = ",".join(escape(v.value) for v in key.values)
        lines.append(f"X-QUALIF-KEYDEF{params}:{escape(key.name)};{values}")
    return lines


assert set(FIELDS) == set(FIELD_NAMES)
