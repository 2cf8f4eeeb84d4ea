"""One message, from its bytes: the headers the preview needs, the body the entry keeps.

:func:`read_headers` reads only the header block (the preview reads every
message of the archive); :func:`read_body` the text and the attachments, for
the messages that become entries. Bodies are walked part by part: each part's
headers are parsed by :mod:`email` (policy default, :data:`.headers.POLICY`),
boundaries are found with ``bytes.find`` — the standard parser compiles a
regular expression for every multipart message's boundary (0.3 ms a message,
measured: unique boundaries miss ``re``'s cache), which alone was half the
time budget of a 100 000-message archive. A body the walker cannot follow is
read again by the standard parser (:func:`reference_body`), which is also what
the property tests compare the walker with.
"""

from __future__ import annotations

import binascii
import email
import hashlib
import re
from dataclasses import dataclass, field
from datetime import datetime
from email.message import Message
from typing import Any

from qualif_tui.base.i18n import _
from qualif_tui.services.mailimport.headers import (
    POLICY,
    Address,
    addresses,
    decode_bytes,
    header_text,
    is_bulk,
    mail_date,
    message_id,
    parse_header_block,
    raw_headers,
)
from qualif_tui.services.mailimport.text import html_to_text, tidy

# Of one text part, at most this much is decoded: far more than an excerpt needs.
MAX_TEXT_BYTES = 1_000_000
_MAX_DEPTH = 12
_HEADER_END = re.compile(rb"\r?\n\r?\n")
_FIELD = re.compile(rb"^[!-9;-~]+[ \t]*:")
_MAIL_FIELDS = ("from", "to", "cc", "date", "subject", "message-id", "received", "sender",
                "return-path", "mime-version", "delivered-to", "x-mozilla-status")


class BadMail(Exception):
    """A message that cannot be read; the text says why, in the user's language."""


@dataclass(frozen=True)
class MailHeaders:
    key: str                     # Message-ID, or "sha1:…" of the content when it has none
    date: datetime | None        # local wall time from Date (None: missing or unreadable)
    received: datetime | None    # from the newest Received header (read when date is None)
    subject: str
    sender: Address | None
    to: tuple[Address, ...]      # To and Bcc, without the sender
    cc: tuple[Address, ...]
    bulk: bool                   # list, newsletter or automatic message

    @property
    def recipients(self) -> tuple[Address, ...]:
        return self.to + self.cc


@dataclass(frozen=True)
class Attachment:
    name: str
    size: int


@dataclass
class Body:
    text: str = ""
    attachments: list[Attachment] = field(default_factory=list)
    from_html: bool = False
    complete: bool = True        # False: a multipart body ends before its closing boundary


def split_message(raw: bytes) -> tuple[bytes, bytes]:
    """The header block and the body of a message (or of a MIME part)."""
    if raw.startswith((b"\n", b"\r\n")):
        return b"", raw.lstrip(b"\r\n")
    lf = raw.find(b"\n\n")
    crlf = raw.find(b"\r\n\r\n", 0, lf if lf >= 0 else len(raw))
    if crlf >= 0:
        end = crlf + 4
    elif lf >= 0:
        end = lf + 2
    else:
        found = _HEADER_END.search(raw)  # mixed line ends ("\n\r\n")
        if found is None:
            return raw, b""
        end = found.end()
    return raw[:end], raw[end:]


def looks_like_message(head: bytes) -> bool:
    """Whether bytes start like an e-mail message (RFC 5322 header fields, at least
    one a mail field: From, Date, Subject, Message-ID, Received…)."""
    block = split_message(head[:65536])[0]
    fields = 0
    known = False
    for line in block.splitlines()[:200]:
        if not line.strip() or line[:1] in (b" ", b"\t"):
            continue
        if not _FIELD.match(line):
            return False
        fields += 1
        name = line.split(b":", 1)[0].strip().decode("ascii", "replace").lower()
        known = known or name in _MAIL_FIELDS
    return fields > 0 and known


def read_headers(raw: bytes) -> MailHeaders:
    """The headers of a message; :class:`BadMail` when it has none worth the name."""
    block, body = split_message(raw)
    if not block.strip() or not _FIELD.match(block.lstrip(b"\r\n")):
        raise BadMail(_("aucun en-tête de message"))
    parsed = parse_header_block(block)
    headers = raw_headers(parsed)
    if not headers:
        raise BadMail(_("aucun en-tête de message"))
    senders = addresses(headers.get("from", []) or headers.get("sender", []))
    sender = senders[0] if senders else None
    to = addresses(headers.get("to", []) + headers.get("bcc", []))
    cc = addresses(headers.get("cc", []))
    seen = {sender.email} if sender is not None else set()
    to = [a for a in to if a.email not in seen]
    seen.update(a.email for a in to)
    cc = [a for a in cc if a.email not in seen]
    if sender is None and not to and not cc:
        raise BadMail(_("ni expéditeur ni destinataire lisible"))
    date = mail_date(headers["date"][0]) if headers.get("date") else None
    received = None
    for value in headers.get("received", [])[:1] if date is None else ():
        received = mail_date(value.rsplit(";", 1)[-1]) if ";" in value else None
    subject = header_text(headers["subject"][0]) if headers.get("subject") else ""
    key = message_id(headers["message-id"][0]) if headers.get("message-id") else ""
    if not key:
        key = content_key(headers, body)
    return MailHeaders(key, date, received, subject, sender, tuple(to), tuple(cc),
                       is_bulk(headers) or (sender is not None and sender.noreply))


def content_key(headers: dict[str, list[str]], body: bytes) -> str:
    """The identity of a message without Message-ID: what its author wrote (not the
    headers a mail program rewrites, such as Thunderbird's read flags)."""
    digest = hashlib.sha1()
    for name in ("from", "to", "cc", "date", "subject"):
        for value in headers.get(name, []):
            digest.update(value.encode("utf-8", "surrogateescape") + b"\x00")
    digest.update(body.replace(b"\r\n", b"\n").rstrip())
    return "sha1:" + digest.hexdigest()


# -- bodies -----------------------------------------------------------------------------


def read_body(raw: bytes, dropped: int = 0) -> Body:
    """The text (text/plain preferred, else text/html made plain) and the attachments'
    names and sizes. ``dropped``: bytes of the message not kept by the reader (a huge
    attachment), counted in the size of the last attachment."""
    found = _Found()
    try:
        block, body = split_message(raw)
        _walk(parse_header_block(block), body, 0, found)
    except Exception:  # noqa: BLE001 - anything odd: the standard parser reads it whole
        return reference_body(raw)
    result = found.body()
    if dropped and result.attachments:
        # the rest of the last part was not kept: its size, at the rate of what was
        last = result.attachments[-1]
        result.attachments[-1] = Attachment(last.name, last.size + int(dropped * found.rate))
    return result


class _Found:
    def __init__(self) -> None:
        self.plain: str | None = None
        self.html: str | None = None
        self.attachments: list[Attachment] = []
        self.complete = True
        self.rate = 0.75         # decoded bytes per encoded byte, of the last attachment

    def body(self) -> Body:
        if self.plain is not None and (self.plain.strip() or self.html is None):
            return Body(tidy(self.plain), self.attachments, False, self.complete)
        if self.html is not None:
            return Body(html_to_text(self.html), self.attachments, True, self.complete)
        return Body("", self.attachments, False, self.complete)


def _walk(headers: Message, body: bytes, depth: int, found: _Found) -> None:
    ctype = headers.get_content_type()
    if ctype.startswith("multipart/") and depth < _MAX_DEPTH:
        boundary = headers.get_boundary()
        if boundary:
            parts, closed = split_parts(body, boundary.encode("utf-8", "surrogateescape"))
            found.complete = found.complete and closed
            for part in parts:
                part_block, part_body = split_message(part)
                part_headers = parse_header_block(part_block) if part_block.strip() else None
                if part_headers is None:  # no headers: text/plain in us-ascii (RFC 2046)
                    part_headers = parse_header_block(b"Content-Type: text/plain\n\n")
                _walk(part_headers, part_body, depth + 1, found)
            return
    _leaf(headers, body, ctype, found)


def _leaf(headers: Message, body: bytes, ctype: str, found: _Found) -> None:
    disposition = headers.get_content_disposition()
    filename = _filename(headers)
    encoding = str(headers.get("content-transfer-encoding", "") or "").strip().lower()
    if ctype == "message/rfc822":
        inner = read_headers(body) if body.strip() else None
        name = filename or (inner.subject if inner and inner.subject else _("message joint"))
        found.attachments.append(Attachment(name + ".eml" if not filename else name,
                                            decoded_size(body, encoding)))
        return
    textual = ctype in ("text/plain", "text/html")
    if filename or disposition == "attachment" or not textual:
        if not filename and headers.get("content-id") and disposition != "attachment":
            return  # an image of the HTML body (a signature's logo), not an attachment
        size = decoded_size(body, encoding)
        found.attachments.append(Attachment(filename or f"({ctype})", size))
        found.rate = size / len(body) if body else 0.75
        return
    if (ctype == "text/plain" and found.plain is not None) or (
            ctype == "text/html" and (found.html is not None or (found.plain or "").strip())):
        return  # the first of each kind is the body; no HTML needed after a text part
    text = decode_bytes(decode_payload(body[:MAX_TEXT_BYTES], encoding),
                        headers.get_content_charset())
    if ctype == "text/plain":
        found.plain = text
    else:
        found.html = text


def _filename(headers: Message) -> str:
    """An attachment's name: RFC 2231 parameters (by compat32) and RFC 2047 encoded
    words (Outlook's way, against the RFC) both decoded."""
    name = headers.get_filename()
    if not name:
        return ""
    # spaces as they are: "0  .pdf" is a name of its own (the standard parser agrees)
    return header_text(str(name), keep_spaces=True).replace("/", "_").replace("\\", "_")


def split_parts(body: bytes, boundary: bytes) -> tuple[list[bytes], bool]:
    """The parts of a multipart body and whether its closing boundary was there."""
    delimiter = b"--" + boundary
    parts: list[bytes] = []
    position, start = 0, -1
    while True:
        index = body.find(delimiter, position)
        if index < 0:
            break
        if index > 0 and body[index - 1] != 0x0A:
            position = index + 1
            continue
        after = index + len(delimiter)
        line_end = body.find(b"\n", after)
        if line_end < 0:
            line_end = len(body)
        rest = body[after:line_end].strip(b" \t\r")
        closing = rest == b"--" or (rest.startswith(b"--") and not rest[2:].strip(b"-"))
        if rest and not closing:
            position = index + 1  # a longer boundary that starts like this one
            continue
        if start >= 0:
            end = index - 1 if index > 0 else 0
            if end > start and body[end - 1] == 0x0D:
                end -= 1
            parts.append(body[start:max(start, end)])
        if closing:
            return parts, True
        start = position = line_end + 1
    if start >= 0 and start < len(body):
        parts.append(body[start:])
    return parts, False


def decode_payload(data: bytes, encoding: str) -> bytes:
    """A part's bytes with its Content-Transfer-Encoding undone (QP, base64)."""
    if encoding == "base64":
        clean = data.translate(None, b" \t\r\n")
        clean = clean[:len(clean) // 4 * 4]
        try:
            return binascii.a2b_base64(clean)
        except binascii.Error:
            return b""
    if encoding == "quoted-printable":
        return binascii.a2b_qp(data)
    return data


def decoded_size(data: bytes, encoding: str) -> int:
    """The size of a part once decoded, without decoding it."""
    if encoding == "base64":
        clean = data.translate(None, b" \t\r\n")
        return max(0, len(clean) * 3 // 4 - clean[-2:].count(b"="))
    return len(data)


def reference_body(raw: bytes) -> Body:
    """The same as :func:`read_body`, by the standard parser alone (slower)."""
    message: Any = email.message_from_bytes(raw, policy=POLICY)
    found = _Found()
    _reference_walk(message, found, 0)
    return found.body()


def _reference_walk(part: Any, found: _Found, depth: int) -> None:
    ctype = part.get_content_type()
    if ctype == "message/rfc822":
        inner = part.get_payload()
        inner_message = inner[0] if isinstance(inner, list) and inner else None
        subject = header_text(str(inner_message.get("subject", ""))) if inner_message else ""
        name = part.get_filename() or ((subject or _("message joint")) + ".eml")
        found.attachments.append(Attachment(name, len(inner_message.as_bytes())
                                            if inner_message is not None else 0))
        return
    if part.is_multipart():
        if depth < _MAX_DEPTH:
            for sub in part.get_payload():
                _reference_walk(sub, found, depth + 1)
        return
    payload = part.get_payload(decode=True) or b""
    filename = str(part.get_filename() or "").replace("/", "_").replace("\\", "_")
    disposition = part.get_content_disposition()
    if filename or disposition == "attachment" or ctype not in ("text/plain", "text/html"):
        if not filename and part.get("content-id") and disposition != "attachment":
            return
        found.attachments.append(Attachment(filename or f"({ctype})", len(payload)))
        return
    text = decode_bytes(payload[:MAX_TEXT_BYTES], part.get_content_charset())
    if ctype == "text/plain" and found.plain is None:
        found.plain = text
    elif ctype == "text/html" and found.html is None:
        found.html = text
