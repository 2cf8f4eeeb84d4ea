"""Outlook ``.msg`` files, read with extract-msg (the OLE compound file of one item)."""

from __future__ import annotations

import hashlib
import logging
from datetime import datetime
from pathlib import Path
from typing import Any

from qualif_tui.base.i18n import _
from qualif_tui.services.mailimport.headers import (
    Address,
    addresses,
    decode_bytes,
    header_text,
    is_bulk,
    message_id,
    plausible,
)
from qualif_tui.services.mailimport.message import Attachment, BadMail, Body, MailHeaders
from qualif_tui.services.mailimport.text import html_to_text, tidy


def read_msg(path: Path) -> tuple[MailHeaders, Body]:
    """The headers and body of an Outlook message; :class:`BadMail` for a file that
    is not one (or an Outlook item that is not an e-mail: a contact, a meeting)."""
    import extract_msg  # a second or so to import: only when there is a .msg

    logging.getLogger("extract_msg").setLevel(logging.CRITICAL)  # its warnings are ours
    try:
        item: Any = extract_msg.openMsg(str(path), strict=False)
    except Exception as error:  # noqa: BLE001 - the library raises many kinds
        raise BadMail(_("pas un message Outlook lisible ({why})").format(
            why=str(error).strip()[:120] or error.__class__.__name__)) from None
    try:
        if not isinstance(item, extract_msg.msg_classes.MessageBase):
            raise BadMail(_("un élément Outlook qui n'est pas un e-mail ({kind})").format(
                kind=type(item).__name__))
        return _headers(item), _body(item)
    except BadMail:
        raise
    except Exception as error:  # noqa: BLE001
        raise BadMail(_("message Outlook illisible ({why})").format(
            why=str(error).strip()[:120] or error.__class__.__name__)) from None
    finally:
        item.close()


def _headers(item: Any) -> MailHeaders:
    transport: dict[str, list[str]] = {}
    if getattr(item, "headerInit", False) and item.header is not None:
        for name, value in item.header.items():
            transport.setdefault(name.lower(), []).append(str(value))
    senders = addresses([str(item.sender or "")])
    sender = senders[0] if senders else None
    to: list[Address] = []
    cc: list[Address] = []
    seen = {sender.email} if sender else set()
    for recipient in item.recipients or ():
        address = str(getattr(recipient, "email", "") or "").strip().lower()
        if "@" not in address or address in seen:
            continue
        seen.add(address)
        name = str(recipient.name or "")
        shown = header_text(name) if name and name.lower() != address else ""
        (cc if int(getattr(recipient, "type", 1) or 1) == 2 else to).append(
            Address(address, shown))
    if not to and not cc:
        to = [a for a in addresses([str(item.to or "")]) if a.email not in seen]
        cc = [a for a in addresses([str(item.cc or "")])
              if a.email not in seen and a not in to]
    recipients = to + cc
    if sender is None and not recipients:
        raise BadMail(_("ni expéditeur ni destinataire lisible"))
    date = _local(item.date) or _local(getattr(item, "receivedTime", None))
    subject = header_text(str(item.subject or ""))
    key = message_id(str(item.messageId or ""))
    if not key:
        digest = hashlib.sha1()
        for part in (sender.email if sender else "", ",".join(a.email for a in recipients),
                     subject, str(date or ""), str(item.body or "")[:20000]):
            digest.update(part.encode("utf-8", "replace") + b"\x00")
        key = "sha1:" + digest.hexdigest()
    return MailHeaders(key, date, None, subject, sender, tuple(to), tuple(cc),
                       is_bulk(transport) or (sender is not None and sender.noreply))


def _local(moment: object) -> datetime | None:
    if not isinstance(moment, datetime):
        return None
    if moment.tzinfo is not None:
        moment = moment.astimezone().replace(tzinfo=None)
    return plausible(moment)


def _body(item: Any) -> Body:
    attachments = []
    for attachment in item.attachments or ():
        name = (getattr(attachment, "longFilename", None) or getattr(attachment, "shortFilename",
                                                                      None)
                or getattr(attachment, "name", None) or _("pièce jointe"))
        data = getattr(attachment, "data", None)
        size = len(data) if isinstance(data, bytes | bytearray) else 0
        if getattr(attachment, "hidden", False):
            continue  # an image of the HTML body
        attachments.append(Attachment(str(name), size))
    plain = item.body
    if isinstance(plain, str) and plain.strip():
        return Body(tidy(plain), attachments, False, True)
    html = item.htmlBody
    if isinstance(html, bytes) and html.strip():
        return Body(html_to_text(decode_bytes(html, "utf-8")), attachments, True, True)
    return Body("", attachments, False, True)
