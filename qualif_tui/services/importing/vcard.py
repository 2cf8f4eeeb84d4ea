"""vCard 2.1, 3.0 and 4.0 → contacts, with the line of every problem.

Why not vobject: it drops everything after an unescaped comma in FN, NOTE
and TITLE ("NOTE:a, b" reads as "a"), and vCard 2.1 from Outlook and many
phones never escapes commas — silent data loss. vCard's line syntax is small;
this parser handles what real files hold:

* folded lines (a line starting with a space or tab continues the previous
  one; in 2.1 the whitespace is kept, in 3.0/4.0 it is removed),
* 2.1 quoted-printable with soft line breaks (a line ending in ``=``) and
  ``CHARSET=Windows-1252``, bare 2.1 parameters (``TEL;WORK;VOICE``),
* escapes ``\\n \\, \\; \\\\``, structured values (N, ADR, ORG) split on ``;``,
* ``TYPE=`` lists, quoted parameter values, ``PREF``, ``item1.`` groups with
  their ``X-ABLabel``, ``tel:`` URIs (kept as the number they hold),
* many cards per file; a card never ended (no ``END:VCARD``) is an error.

Properties with no contact column are kept as custom fields; pictures and
keys (PHOTO, LOGO, SOUND, KEY) are not imported, and the report counts them.
"""

from __future__ import annotations

import quopri
import re
from dataclasses import dataclass, field

from qualif_tui.base.i18n import _
from qualif_tui.base.text import fold, fold_key_name
from qualif_tui.domain.keyheaders import kind_of
from qualif_tui.services.importing import normalize
from qualif_tui.services.importing.keyvalues import KeyCatalog
from qualif_tui.services.importing.model import Incoming, Notice, ParsedFile, Problem
from qualif_tui.services.importing.normalize import BadValue
from qualif_tui.services.importing.tabular import split_full_name

_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_PROPERTY = re.compile(r"^(?:([A-Za-z0-9\-]+)\.)?([A-Za-z0-9\-]+)((?:;[^:]*)?):(.*)$", re.DOTALL)
_BINARY = {"PHOTO", "LOGO", "SOUND", "KEY"}
_TECHNICAL = {"VERSION", "PRODID", "REV", "UID", "KIND", "SORT-STRING", "CLIENTPIDMAP",
              "X-ABUID", "X-ABLABEL", "NAME", "PROFILE", "SOURCE", "X-ABSHOWAS", "MAILER",
              "X-ABADR", "X-MS-OL-DEFAULT-POSTAL-ADDRESS", "X-MS-CARDPICTURE"}
_MOBILE_TYPES = {"cell", "mobile", "iphone", "cellular"}
_EXPORTED_FIELDS = {"X-QUALIF-EMAIL-OPTOUT": "email_optout", "X-QUALIF-PHONE-OPTOUT":
                    "phone_optout", "X-QUALIF-LEGAL-BASIS": "legal_basis"}


def is_vcard(text: str) -> bool:
    return text.lstrip("\ufeff \t\r\n").upper().startswith("BEGIN:VCARD")


@dataclass
class Property:
    line: int
    group: str
    name: str
    params: dict[str, list[str]]
    value: str
    types: set[str] = field(default_factory=set)

    @property
    def pref(self) -> bool:
        return "pref" in self.types or "PREF" in self.params


def read_vcards(parsed: ParsedFile, text: str, catalog: KeyCatalog) -> None:
    """Fill ``parsed`` with one contact per valid card, and a problem per broken one."""
    for begin, card in _cards(parsed, text):
        properties = _properties(parsed, card)
        if properties is None:
            continue
        record = _contact(parsed, begin, properties, catalog)
        if record is not None:
            parsed.records.append(record)


def _cards(parsed: ParsedFile, text: str) -> list[tuple[int, list[tuple[int, str]]]]:
    cards: list[tuple[int, list[tuple[int, str]]]] = []
    current: list[tuple[int, str]] | None = None
    begin = 0
    outside_reported = 0
    for number, line in enumerate(_LINE_BREAK.split(text.lstrip("\ufeff")), start=1):
        head = line.strip().upper()
        if current is None:
            if head == "BEGIN:VCARD":
                current, begin = [], number
            elif head and outside_reported < 3:
                parsed.problems.append(Problem(parsed.source, number,
                                               "text outside a BEGIN:VCARD … END:VCARD card"))
                outside_reported += 1
            continue
        if head == "END:VCARD":
            cards.append((begin, current))
            current = None
        elif head == "BEGIN:VCARD":
            parsed.problems.append(Problem(parsed.source, begin,
                                           _("cette fiche ne se termine jamais (pas de END:VCARD avant la fiche suivante, ligne {number})").format(number=number)))
            current, begin = [], number
        else:
            current.append((number, line))
    if current is not None:
        parsed.problems.append(Problem(parsed.source, begin,
                                       _("cette fiche ne se termine jamais (pas de END:VCARD) : le fichier est tronqué")))
    return cards


def _properties(parsed: ParsedFile, card: list[tuple[int, str]]) -> list[Property] | None:
    version = next((line.split(":", 1)[1].strip() for _, line in card
                    if line.upper().startswith("VERSION:")), "3.0")
    # Each logical line is gathered as a list of its physical pieces and joined
    # once: appending to a growing string made a card folded thousands of
    # times quadratic (a 9 MB folded card took minutes).
    logical: list[tuple[int, list[str], bool]] = []  # (line, pieces, quoted-printable?)
    for number, line in card:
        if line[:1] in (" ", "\t") and logical:
            logical[-1][1].append(line if version == "2.1" else line[1:])
            continue
        if logical and logical[-1][2] and _drop_soft_break(logical[-1][1]):
            logical[-1][1].append(line)  # quoted-printable soft line break
            continue
        if not line.strip():
            continue
        head = line.split(":", 1)[0].upper()
        logical.append((number, [line], "QUOTED-PRINTABLE" in head))
    properties = []
    ok = True
    for number, pieces, _quoted in logical:
        prop = _parse_property(parsed, number, "".join(pieces))
        if prop is None:
            ok = False
        else:
            properties.append(prop)
    return properties if ok else None


def _drop_soft_break(pieces: list[str]) -> bool:
    """True (and the ``=`` removed) when the pieces so far end with a
    quoted-printable soft line break."""
    for index in range(len(pieces) - 1, -1, -1):
        if pieces[index]:
            if not pieces[index].endswith("="):
                return False
            pieces[index] = pieces[index][:-1]
            return True
    return False


def _parse_property(parsed: ParsedFile, number: int, text: str) -> Property | None:
    match = _PROPERTY.match(_split_at_colon(text))
    if not match:
        parsed.problems.append(Problem(parsed.source, number,
                                       _("pas une ligne de propriété vCard : « {value} »").format(value=text[:40])))
        return None
    group, name, raw_params, value = match.groups()
    params: dict[str, list[str]] = {}
    types: set[str] = set()
    for param in _split_params(raw_params[1:]) if raw_params else []:
        if "=" in param:
            pname, pvalue = param.split("=", 1)
            values = [v.strip() for v in pvalue.replace('"', "").split(",") if v.strip()]
            params.setdefault(pname.upper(), []).extend(values)
            if pname.upper() == "TYPE":
                types.update(v.lower() for v in values)
        else:  # vCard 2.1 bare parameter: TEL;WORK;VOICE, QUOTED-PRINTABLE, BASE64
            bare = param.strip().upper()
            if bare in ("QUOTED-PRINTABLE", "BASE64", "8BIT", "7BIT", "B"):
                params["ENCODING"] = [bare]
            else:
                types.add(bare.lower())
    value = _decode(params, value)
    return Property(number, (group or "").lower(), name.upper(), params, value, types)


def _split_at_colon(text: str) -> str:
    """The line with the name/value colon placed correctly: a colon inside a
    quoted parameter value (``LABEL="a:b"``) is not it."""
    quoted = False
    for index, char in enumerate(text):
        if char == '"':
            quoted = not quoted
        elif char == ":" and not quoted:
            head = text[:index].replace(":", "\x00")
            return head + text[index:]
    return text


def _split_params(text: str) -> list[str]:
    return [p for p in _split_unquoted(text, ";") if p]


def _split_unquoted(text: str, separator: str) -> list[str]:
    parts: list[str] = []
    start, quoted = 0, False
    for index, char in enumerate(text):
        if char == '"':
            quoted = not quoted
        elif char == separator and not quoted:
            parts.append(text[start:index])
            start = index + 1
    parts.append(text[start:])
    return [p.replace("\x00", ":") for p in parts]


def _decode(params: dict[str, list[str]], value: str) -> str:
    encoding = (params.get("ENCODING") or [""])[0].upper()
    if encoding == "QUOTED-PRINTABLE":
        charset = (params.get("CHARSET") or ["utf-8"])[0]
        raw = quopri.decodestring(value.encode("utf-8"))
        try:
            return raw.decode(charset)
        except (LookupError, UnicodeDecodeError):
            try:
                return raw.decode("utf-8")
            except UnicodeDecodeError:
                return raw.decode("cp1252", errors="replace")
    return value


def unescape(text: str) -> str:
    return re.sub(r"\\(.)", lambda m: "\n" if m[1] in "nN" else m[1], text)


def split_escaped(text: str, separator: str, maxsplit: int = -1) -> list[str]:
    """``text`` split on the separators no backslash escapes (parts still escaped)."""
    parts: list[str] = []
    current: list[str] = []
    index = 0
    while index < len(text):
        char = text[index]
        if char == "\\" and index + 1 < len(text):
            current.append(text[index:index + 2])
            index += 2
            continue
        if char == separator and maxsplit != len(parts):
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
        index += 1
    parts.append("".join(current))
    return parts


def components(text: str) -> list[str]:
    """A structured value split on unescaped ``;``, each part unescaped."""
    return [unescape(p) for p in split_escaped(text, ";")]


# -- a card → a contact -------------------------------------------------------------------


def _contact(parsed: ParsedFile, begin: int, properties: list[Property], catalog: KeyCatalog
             ) -> Incoming | None:
    record = Incoming(parsed.source, begin)
    labels = {p.group: unescape(p.value) for p in properties if p.name == "X-ABLABEL" and p.group}
    emails: list[Property] = []
    phones: list[Property] = []
    addresses: list[Property] = []
    full_name = ""
    seen_n = False
    for prop in properties:
        name = prop.name
        label = labels.get(prop.group, "")
        if name in _TECHNICAL:
            continue
        if name in _BINARY:
            parsed.dropped[name] = parsed.dropped.get(name, 0) + 1
            continue
        if name == "FN":
            full_name = unescape(prop.value).strip()
        elif name == "N":
            parts = components(prop.value) + [""] * 5
            if seen_n:
                record.keep("N (autre forme)", " ".join(p for p in parts[:5] if p.strip()))
                continue
            seen_n = True
            _set(record, "last_name", parts[0])
            _set(record, "first_name", parts[1])
            record.keep("Deuxième prénom", parts[2])
            record.keep("Civilité", parts[3])
            record.keep("Suffixe", parts[4])
        elif name == "ORG":
            parts = components(prop.value)
            _set(record, "company", parts[0])
            record.keep("Service", " / ".join(p for p in parts[1:] if p.strip()))
        elif name == "TITLE":
            if not _set(record, "title", unescape(prop.value)):
                record.keep("Fonction (2)", unescape(prop.value))
        elif name == "EMAIL":
            emails.append(prop)
        elif name == "TEL":
            phones.append(prop)
        elif name == "ADR":
            addresses.append(prop)
        elif name == "BDAY":
            _birthday(parsed, record, prop)
        elif name == "URL":
            url = unescape(prop.value).strip()
            if not _set(record, "website", url):
                record.keep(label or "Site web", url)
        elif name == "NOTE":
            note = unescape(prop.value).replace("\r\n", "\n").replace("\r", "\n").strip()
            if note:
                record.notes.append(note)
        elif name == "NICKNAME":
            record.keep("Surnom", ", ".join(_list(prop.value)))
        elif name == "CATEGORIES":
            record.keep("Catégories", ", ".join(_list(prop.value)))
        elif name == "LABEL":
            if not any(p.name == "ADR" for p in properties):
                record.keep("Adresse (étiquette)", unescape(prop.value))
        elif name == "X-QUALIF-KEY":
            _qualif_key(parsed, record, prop, catalog)
        elif name == "X-QUALIF-KEYDEF":
            _declare_key(prop, catalog)
        elif name == "X-QUALIF-FIELD":
            parts = components(prop.value)
            if len(parts) >= 2:
                record.keep(parts[0], ";".join(parts[1:]))
        elif name in _EXPORTED_FIELDS:
            _exported_field(parsed, record, prop)
        else:
            record.keep(label or _custom_name(prop), unescape(prop.value))
    _emails(parsed, record, emails, labels)
    _phones(record, phones, labels)
    _addresses(parsed, record, addresses, labels)
    _names_from_fn(record, full_name)
    if not any(record.fields.get(f) for f in ("first_name", "last_name", "company", "email")):
        parsed.problems.append(Problem(parsed.source, begin,
                                       _("une fiche sans nom (FN/N), organisation ni e-mail")))
        return None
    return record


def _set(record: Incoming, name: str, value: str) -> bool:
    """Fill a field if it is empty; False if it already held something else."""
    value = normalize.one_line(value)
    if not value:
        return True
    current = record.fields.get(name)
    if current is None:
        record.fields[name] = value
        return True
    return fold(current) == fold(value)


def _list(value: str) -> list[str]:
    return [unescape(v).strip() for v in split_escaped(value, ",") if v.strip()]


def _custom_name(prop: Property) -> str:
    types = sorted(t for t in prop.types if t not in ("pref", "internet", "voice", "x400"))
    return prop.name + (f" ({', '.join(types)})" if types else "")


def _ordered(props: list[Property]) -> list[Property]:
    return sorted(props, key=lambda p: (not p.pref, _pref_number(p)))


def _pref_number(prop: Property) -> int:
    value = (prop.params.get("PREF") or ["100"])[0]
    return int(value) if value.isdigit() else 100


def _emails(parsed: ParsedFile, record: Incoming, props: list[Property], labels: dict[str, str]
            ) -> None:
    found: list[str] = []
    for prop in _ordered(props):
        value = unescape(prop.value)
        try:
            email = normalize.clean_email(value)
        except BadValue as error:
            email = normalize.kept_email(value)
            if not email:
                record.keep(labels.get(prop.group) or _custom_name(prop), value)
                parsed.notices.append(Notice(parsed.source, prop.line,
                                             _("{error} : gardé en champ libre").format(error=error), "EMAIL"))
                continue
            parsed.notices.append(Notice(parsed.source, prop.line,
                                         normalize.KEPT_INVALID.format(reason=error), "EMAIL"))
        if email.lower() in (e.lower() for e in found):
            continue
        if len(found) < 2:
            found.append(email)
        else:
            record.keep(labels.get(prop.group) or _custom_name(prop), email)
    for name, email in zip(("email", "email2"), found, strict=False):
        record.fields[name] = email


def _phone_value(prop: Property) -> str:
    return normalize.clean_phone(unescape(prop.value))


def _phones(record: Incoming, props: list[Property], labels: dict[str, str]) -> None:
    for prop in _ordered(props):
        number = _phone_value(prop)
        if not number:
            continue
        label = labels.get(prop.group, "")
        if "fax" in prop.types or "pager" in prop.types:
            record.keep(label or ("Fax" if "fax" in prop.types else "Bip"), number)
            continue
        mobile = bool(prop.types & _MOBILE_TYPES) or "mobile" in label.lower()
        slot = "mobile" if mobile else "phone"
        if slot not in record.fields:
            record.fields[slot] = number
        elif record.fields[slot] != number:
            record.keep(label or _custom_name(prop), number)


def _addresses(parsed: ParsedFile, record: Incoming, props: list[Property],
               labels: dict[str, str]) -> None:
    if not props:
        return
    chosen = sorted(props, key=lambda p: (not p.pref, "work" not in p.types))[0]
    for prop in props:
        if prop is not chosen:
            parts = [p.strip() for p in components(prop.value) if p.strip()]
            record.keep(labels.get(prop.group) or "Adresse" + (
                f" ({', '.join(sorted(prop.types - {'pref'}))})" if prop.types - {"pref"} else ""),
                ", ".join(parts))
    pobox, extended, street, city, region, postal, country = (components(chosen.value) + [""] * 7)[:7]
    lines = [ln.strip() for ln in street.split("\n") if ln.strip()]
    _set(record, "address", lines[0] if lines else "")
    second = ", ".join(p for p in [*lines[1:], extended.strip(), pobox.strip()] if p)
    _set(record, "address2", second)
    _set(record, "city", city)
    _set(record, "country", country)
    record.keep("Région", region)
    if postal.strip():
        try:
            record.fields["postal_code"] = normalize.clean_postal_code(postal, country)
        except BadValue as error:
            record.fields["postal_code"] = normalize.one_line(postal)  # kept, flagged
            parsed.notices.append(Notice(parsed.source, chosen.line,
                                         normalize.KEPT_INVALID.format(reason=error), "ADR"))


def _birthday(parsed: ParsedFile, record: Incoming, prop: Property) -> None:
    value = unescape(prop.value).strip()
    try:
        birthday = normalize.parse_birthday(value, "dmy")
    except BadValue as error:
        record.keep("Anniversaire", value)
        parsed.notices.append(Notice(parsed.source, prop.line,
                                     _("{error} : gardé en champ libre").format(error=error), "BDAY"))
        return
    if birthday:
        record.fields["birthday"] = birthday


def _names_from_fn(record: Incoming, full_name: str) -> None:
    full_name = normalize.one_line(full_name)
    if not full_name:
        return
    first, last = record.fields.get("first_name", ""), record.fields.get("last_name", "")
    company = record.fields.get("company", "")
    if not first and not last:
        if fold(full_name) == fold(company) or fold(full_name) == fold(record.fields.get("email", "")):
            return
        first, last = split_full_name(full_name)
        if first:
            record.fields["first_name"] = first
        record.fields["last_name"] = last
        return
    shown = {fold(f"{first} {last}"), fold(f"{last} {first}"), fold(company)}
    if fold(full_name) not in shown and not _same_words(full_name, f"{first} {last}"):
        record.keep("Nom affiché", full_name)


def _same_words(a: str, b: str) -> bool:
    """FN often adds middle names or titles: "Wile E. Coyote" for N "Coyote;Wile;E."."""
    words_a, words_b = set(fold(a).replace(".", "").split()), set(fold(b).replace(".", "").split())
    return bool(words_b) and words_b <= words_a


def _qualif_key(parsed: ParsedFile, record: Incoming, prop: Property, catalog: KeyCatalog) -> None:
    raw_parts = split_escaped(prop.value, ";", maxsplit=1)
    if len(raw_parts) < 2:
        return
    name, value = unescape(raw_parts[0]), unescape(raw_parts[1])
    key = next((k for k in catalog.keys.values() if k.norm_name == fold_key_name(name)), None)
    kind = kind_of(prop.params.get("X-KIND", [""])[0])
    if key is None and kind is not None:
        key = catalog.declare(name, kind)  # qualif's own export: the key comes with it
    if key is None:
        record.keep(name, value)
        return
    try:
        if key.type == "multi":  # items are separated by unescaped commas
            converted: object = [catalog.choice_value(key, item) for item in _list(raw_parts[1])]
        else:
            converted = catalog.value_of(key, value)
    except (BadValue, ValueError) as error:
        record.keep(name, value)
        parsed.notices.append(Notice(parsed.source, prop.line,
                                     _("{error} pour la clé {name} : gardé en champ libre").format(error=error, name=key.name)))
        return
    if converted not in (None, []):
        record.keys[key.id] = converted


def _declare_key(prop: Property, catalog: KeyCatalog) -> None:
    """``X-QUALIF-KEYDEF;X-KIND=choice;X-REMIND=30/48:Profil;client,prospect``."""
    kind = kind_of(prop.params.get("X-KIND", [""])[0])
    parts = split_escaped(prop.value, ";", maxsplit=1)
    if kind is None or not parts or not unescape(parts[0]).strip():
        return
    values = _list(parts[1]) if len(parts) > 1 else []
    remind = None
    reminder = prop.params.get("X-REMIND", [""])[0]
    if re.fullmatch(r"\d+/\d+", reminder):
        lead, after = reminder.split("/")
        remind = (int(lead), int(after))
    catalog.declare(unescape(parts[0]), kind, values, remind)


def _exported_field(parsed: ParsedFile, record: Incoming, prop: Property) -> None:
    name = _EXPORTED_FIELDS[prop.name]
    value = unescape(prop.value).strip()
    if name == "legal_basis":
        _set(record, name, value)
        return
    try:
        record.fields[name] = str(normalize.parse_flag(value))
    except BadValue:
        record.keep(prop.name, value)
