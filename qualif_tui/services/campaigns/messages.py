"""One recipient's e-mail as the Internet expects it.

Headers a mail server and a mail client look for: ``From``/``To`` with names
(encoded per RFC 2047 when they hold accents, like the subject), ``Date``, a
``Message-ID`` that names the campaign and the recipient (the same one on a
resumed send: a message found in an mbox or a "Sent" folder is recognised),
``List-Unsubscribe`` as a ``mailto:`` (the one-click unsubscribe of Gmail and
Outlook; an unsubscribe recorded as a response sets the contact's opt-out), and
a plain-text part with an optional HTML alternative, both UTF-8.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr
from urllib.parse import quote

from qualif_tui.base.i18n import _
from qualif_tui.domain import clock
from qualif_tui.domain.errors import ValidationError
from qualif_tui.services.campaigns.merge import Rendered


def parse_sender(text: str) -> tuple[str, str]:
    """``Garage Martin <contact@garage-martin.fr>`` → (name, address); refuses a
    text that holds no address."""
    name, address = parseaddr(text.strip())
    if not address or "@" not in address or address.startswith("@") or address.endswith("@"):
        raise ValidationError(_("adresse d'expéditeur invalide : « {text} » (par exemple"
                                " « Garage Martin <contact@garage-martin.fr> »)").format(
                                    text=text), "from")
    return name, address


def _address(name: str, address: str) -> Address:
    local, _at, domain = address.rpartition("@")
    return Address(display_name=name, username=local, domain=domain)


def message_id(campaign_id: int, contact_id: int, sender_address: str) -> str:
    """Stable for a (campaign, recipient, sender): a resumed send reuses it."""
    domain = sender_address.rpartition("@")[2] or "qualif.invalid"
    token = hashlib.sha256(f"{campaign_id}/{contact_id}/{sender_address}".encode()).hexdigest()
    return f"<qualif.{campaign_id}.{contact_id}.{token[:12]}@{domain}>"


def unsubscribe_link(address: str) -> str:
    """The ``mailto:`` a recipient follows to unsubscribe."""
    return f"mailto:{address}?subject={quote('désinscription')}"


def build_message(
    rendered: Rendered,
    *,
    sender: str,
    to_name: str,
    to_address: str,
    msg_id: str,
    unsubscribe_to: str | None = None,
    when: datetime | None = None,
) -> EmailMessage:
    sender_name, sender_address = parse_sender(sender)
    message = EmailMessage()
    message["From"] = _address(sender_name, sender_address)
    message["To"] = _address(to_name, to_address)
    message["Subject"] = rendered.subject
    moment = (when or clock.now())
    if moment.tzinfo is None:
        moment = moment.astimezone()
    message["Date"] = format_datetime(moment)
    message["Message-ID"] = msg_id
    message["List-Unsubscribe"] = f"<{unsubscribe_link(unsubscribe_to or sender_address)}>"
    message["X-Mailer"] = "qualif"
    # quoted-printable: readable in the raw file, and 7-bit clean for any server
    message.set_content(rendered.text or "", charset="utf-8", cte="quoted-printable")
    if rendered.html:
        message.add_alternative(rendered.html, subtype="html", charset="utf-8",
                                cte="quoted-printable")
    return message
