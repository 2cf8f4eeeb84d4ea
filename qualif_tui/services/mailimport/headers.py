"""A message's headers, decoded: who, when, what about, which message.

Everything is read with the standard :mod:`email` package. Header *blocks* are
split by its parser with policy ``compat32`` and header *values* decoded with
:mod:`email.utils` and :mod:`email.header`: policy ``default`` builds a parsed
header object per header, 0.2–0.3 ms for each address, subject or Content-Type
with a unique boundary (measured), more than a minute per 100 000 messages for
the same text on real mail. Policy ``default`` reads a message whole where the
fast path gives up, and is the reference the property tests compare it with
(:func:`.message.reference_body`).

Bytes that are not ASCII in a header (8-bit headers, against the RFC but
common) are read as UTF-8, else as cp1252; encoded words in an unknown or wrong
charset fall back the same way.
"""

from __future__ import annotations

import email.policy
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.header import decode_header
from email.message import Message
from email.parser import BytesHeaderParser
from email.utils import getaddresses, parsedate_to_datetime

from qualif_tui.base.i18n import _
from qualif_tui.domain import clock

POLICY = email.policy.default
_HEADER_PARSER = BytesHeaderParser(policy=email.policy.compat32)
_SURROGATES = re.compile("[\udc80-\udcff]")
_SPACES = re.compile(r"\s+")
_ADDRESS = re.compile(r"^[^@\s<>(),;:\"\[\]]+@[^@\s<>(),;:\"\[\]]+\.[^@\s<>(),;:\"\[\]]+$")
# cp1252 for latin-1: the bytes 0x80–0x9F of mail written on Windows are €, œ, ’…
_CHARSET_ALIASES = {"iso-8859-1": "cp1252", "latin1": "cp1252", "latin-1": "cp1252",
                    "us-ascii": "cp1252", "ascii": "cp1252", "iso_8859-1": "cp1252",
                    "x-unknown": "utf-8", "unknown-8bit": "utf-8", "x-user-defined": "cp1252",
                    "utf8": "utf-8", "gb2312": "gb18030", "gbk": "gb18030",
                    "ks_c_5601-1987": "cp949", "iso-8859-8-i": "iso-8859-8"}
_NOREPLY = re.compile(r"^(no-?reply|ne-?pas-?repondre|do-?not-?reply|donotreply|mailer-daemon"
                      r"|postmaster|bounces?|notifications?|newsletters?|ne_pas_repondre)"
                      r"([+._-].*)?$")
EARLIEST = datetime(1980, 1, 1)


def decode_bytes(data: bytes, charset: str | None) -> str:
    """``data`` in its declared ``charset``; a wrong or unknown label falls back to
    UTF-8, then cp1252 (which decodes anything)."""
    label = (charset or "").strip().strip('"').lower()
    label = _CHARSET_ALIASES.get(label, label)
    if label and label not in ("utf-8", "cp1252"):
        try:
            return data.decode(label)
        except (LookupError, UnicodeDecodeError):
            pass
    if label == "cp1252":
        # declared latin-1/ascii, yet often UTF-8 in practice: strict UTF-8 first
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError:
            return data.decode("cp1252", "replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252", "replace")


def header_text(raw: str, *, keep_spaces: bool = False) -> str:
    """A header's value as text: unfolded, 8-bit bytes and encoded words decoded, runs
    of spaces made one (``keep_spaces``: kept, as in a file name)."""
    text = raw.replace("\r", "").replace("\n", "")
    if _SURROGATES.search(text):
        text = decode_bytes(text.encode("utf-8", "surrogateescape"), None)

    def spaces(value: str) -> str:
        return value.strip() if keep_spaces else _SPACES.sub(" ", value).strip()

    if "=?" not in text:
        return spaces(text)
    try:
        chunks = decode_header(text)
    except Exception:  # noqa: BLE001 - a malformed encoded word: keep the text as it is
        return spaces(text)
    parts = []
    for chunk, charset in chunks:
        if isinstance(chunk, str):
            parts.append(chunk)
        elif charset is None:
            parts.append(chunk.decode("raw-unicode-escape", "replace"))
        else:
            parts.append(decode_bytes(chunk, charset))
    return spaces("".join(parts))


@dataclass(frozen=True)
class Address:
    """One e-mail address of a message: the address in lower case, the name shown."""

    email: str
    name: str = ""

    @property
    def local(self) -> str:
        return self.email.rsplit("@", 1)[0]

    @property
    def domain(self) -> str:
        return self.email.rsplit("@", 1)[1]

    @property
    def noreply(self) -> bool:
        return bool(_NOREPLY.match(self.local))


# The everyday forms of an address list — `Name <a@b>`, `"Name, Inc." <a@b>`, `a@b` —
# read with one regular expression; anything else (comments, groups, routes, quoted
# pairs) goes to email.utils.getaddresses, which is 5 to 10 times slower.
_SIMPLE_LIST = re.compile(r'^[^()\\;:]*$')
_SIMPLE_ITEM = re.compile(
    r'\s*(?:"(?P<quoted>[^"]*)"|(?P<bare>[^",<>]*?))\s*<(?P<angle>[^<>",\s]+)>\s*(?:,|$)'
    r'|\s*(?P<plain>[^<>",\s]+)\s*(?:,|$)')


def _pairs(values: list[str]) -> list[tuple[str, str]]:
    pairs: list[tuple[str, str]] = []
    for value in values:
        if not _SIMPLE_LIST.match(value):
            pairs.extend(getaddresses([value]))
            continue
        position, end = 0, len(value.rstrip())
        found: list[tuple[str, str]] = []
        while position < end:
            item = _SIMPLE_ITEM.match(value, position)
            if item is None or item.end() == position:
                found = getaddresses([value])
                break
            if item.group("angle"):
                quoted = item.group("quoted")
                # an unquoted name is words: spaces between them count as one, as
                # getaddresses reads them (`A  B <a@b>` is "A B"); a quoted one is kept
                name = quoted.strip() if quoted else " ".join((item.group("bare") or "").split())
                found.append((name, item.group("angle")))
            else:
                found.append(("", item.group("plain")))
            position = item.end()
        pairs.extend(found)
    return pairs


def addresses(raw_values: list[str]) -> list[Address]:
    """The addresses of address headers (From, To, Cc…), in order, without repeats.
    Anything that is not an address (``undisclosed-recipients:;``) is dropped."""
    found: list[Address] = []
    seen: set[str] = set()
    unfolded = []
    for raw in raw_values:
        value = raw.replace("\r", "").replace("\n", " ")
        if _SURROGATES.search(value):
            value = decode_bytes(value.encode("utf-8", "surrogateescape"), None)
        unfolded.append(value)
    for name, address in _pairs(unfolded):
        address = address.strip().strip("<>'\"").lower()
        if not _ADDRESS.match(address) or address in seen:
            continue
        seen.add(address)
        shown = header_text(name) if name else ""
        if shown.strip("'\" ").lower() == address:
            shown = ""
        found.append(Address(address, shown.strip("'\" ")))
    return found


def message_id(raw: str) -> str:
    """A Message-ID without its angle brackets and spaces ('' when there is none)."""
    text = raw.strip()
    start, end = text.find("<"), text.find(">")
    if 0 <= start < end:
        text = text[start + 1:end]
    text = "".join(text.split())
    return text[:500] if "@" in text or len(text) >= 8 else ""


def mail_date(raw: str) -> datetime | None:
    """The local wall time of a Date header, or None when it is missing or unreadable.

    A zone given (``+0200``) is converted to the machine's; a date with no zone (or
    ``-0000``, "zone unknown") is taken as local. A date before 1980 or more than a
    day in the future is a broken clock, not a date."""
    text = header_text(raw)
    if not text:
        return None
    try:
        parsed = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if parsed is None:
        return None
    if parsed.tzinfo is not None:
        try:
            parsed = parsed.astimezone().replace(tzinfo=None)
        except (OverflowError, OSError, ValueError):
            return None
    return plausible(parsed)


def plausible(moment: datetime | None) -> datetime | None:
    if moment is None or moment < EARLIEST or moment > clock.now() + timedelta(days=1):
        return None
    return moment.replace(microsecond=0)


_FOLD = re.compile(rb"\r?\n(?=[ \t])")
_FIELD_NAME = re.compile(r"^[!-9;-~]+$")


def parse_header_block(data: bytes) -> Message:
    """The headers of a message or part (the bytes up to the first empty line), as a
    :class:`email.message.Message` (its compat32 methods read types, parameters,
    file names). Lines are unfolded and split at their colon here, then handed over
    with ``set_raw``: the feed parser's line machinery cost 90 µs a header block,
    this 15 µs, for the same headers. A block with a line that is no header field
    goes to the feed parser, which knows what to make of it."""
    text = _FOLD.sub(b"", data).decode("ascii", "surrogateescape")
    message = Message()
    for line in text.splitlines():
        if not line:
            break
        name, colon, value = line.partition(":")
        if not colon or not _FIELD_NAME.match(name.rstrip(" \t")):
            return _HEADER_PARSER.parsebytes(data)
        message.set_raw(name.rstrip(" \t"), value.strip(" \t"))
    return message


def raw_headers(message: Message) -> dict[str, list[str]]:
    """Header name (lower case) → its raw values, without building header objects."""
    found: dict[str, list[str]] = {}
    for name, value in message.raw_items():
        found.setdefault(name.lower(), []).append(str(value))
    return found


BULK_PRECEDENCE = ("bulk", "list", "junk")


def is_bulk(headers: dict[str, list[str]]) -> bool:
    """A mailing list, a newsletter or an automatic message (not a person writing)."""
    if "list-id" in headers or "list-post" in headers:
        return True
    precedence = " ".join(headers.get("precedence", [])).strip().lower()
    if precedence in BULK_PRECEDENCE:
        return True
    auto = " ".join(headers.get("auto-submitted", [])).strip().lower()
    return bool(auto) and auto != "no"


def describe_date_source(source: str) -> str:
    """The note an entry carries when its date is not the message's Date header."""
    return {
        "from_line": _("date absente ou illisible : celle de la ligne « From » de l'archive"),
        "received": _("date absente ou illisible : celle de la réception (Received)"),
        "file": _("date absente ou illisible : celle du fichier"),
        "none": _("date absente ou illisible : celle de l'import"),
    }.get(source, "")
