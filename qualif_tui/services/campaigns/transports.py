"""Where a campaign's messages go: the user's SMTP server, or files for their mail client.

:class:`SmtpTransport` talks to the server itself, one SMTP step at a time, so
that a failure says whether the message may have been accepted: refused at
``MAIL``/``RCPT`` (a 550 for one recipient) it certainly was not; lost during
``DATA`` it may have been — the sender then never sends it again on its own.

:class:`EmlFolder` writes one ``.eml`` file per recipient (named by contact, so
a resumed run rewrites rather than duplicates); :class:`MboxFile` appends to one
mbox that Thunderbird imports, and skips on resume the Message-IDs already in it.

The password is never stored in the database file: it comes from
``QUALIF_SMTP_PASSWORD``, else from the system keyring (when the machine has
one; a headless machine has none, and is told to use the variable).
"""

from __future__ import annotations

import os
import re
import smtplib
import socket
import ssl
import time
from dataclasses import dataclass
from email.generator import BytesGenerator
from email.message import Message
from email.policy import Compat32, compat32
from io import BytesIO
from pathlib import Path
from typing import Any, Protocol

from qualif_tui.base.i18n import _
from qualif_tui.base.text import fold
from qualif_tui.domain.errors import QualifError, ValidationError
from qualif_tui.domain.settings import get_setting, set_setting
from qualif_tui.services.campaigns.messages import recipient_name
from qualif_tui.storage import Database

PASSWORD_VARIABLE = "QUALIF_SMTP_PASSWORD"


class WirePolicy(Compat32):
    """The classic API's policy (messages are built on it, see messages.build_message)
    with the network's line ends, and one shortcut: a header that is ASCII and fits
    on its line is written as it is. Nearly every header is such (names arrive
    already RFC 2047-encoded; control characters take the long way); sending each through ``email.header.Header``, which
    the base policy does, was a third of the time of a 10 000-message merge. The
    output is the base policy's, byte for byte (tests/test_campaign_wire_policy.py)."""

    def fold_binary(self, name: str, value: str) -> bytes:
        limit = self.max_line_length
        if (isinstance(value, str) and value.isascii() and value.isprintable() and limit
                and len(name) + 2 + len(value) <= limit):
            return f"{name}: {value}{self.linesep}".encode("ascii")
        return super().fold_binary(name, value)


WIRE = WirePolicy(linesep="\r\n")
KEYRING_SERVICE = "qualif-smtp"
SECURITIES = ("starttls", "ssl", "none")


class SendAborted(QualifError):
    """The whole send cannot go on (server unreachable, login refused, sender refused)."""


class DeliveryFailed(Exception):
    """One recipient's message was refused; ``reply`` is the server's words.

    ``accepted_maybe``: the connection broke while the message was being
    handed over — the server may have it."""

    def __init__(self, reply: str, *, permanent: bool, accepted_maybe: bool = False,
                 connection_lost: bool = False) -> None:
        super().__init__(reply)
        self.reply = reply
        self.permanent = permanent
        self.accepted_maybe = accepted_maybe
        self.connection_lost = connection_lost


class Transport(Protocol):
    label: str
    commits_each: bool  # state written after every message (else in batches)

    def open(self) -> None: ...

    def deliver(self, message: Message, sender: str, recipient: str) -> None: ...

    def close(self) -> None: ...


# -- settings and password ---------------------------------------------------------------


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    security: str = "starttls"
    user: str = ""
    rate: float = 0.0  # messages per minute; 0: as fast as the server takes them
    timeout: float = 30.0

    @property
    def address(self) -> str:
        return f"{self.host}:{self.port}"


def default_port(security: str) -> int:
    return {"ssl": 465, "starttls": 587}.get(security, 25)


def parse_host(text: str, security: str) -> tuple[str, int]:
    """``smtp.example.fr:587`` → (host, port); the port defaults by security."""
    text = text.strip()
    match = re.fullmatch(r"\[?([^\]\s]+?)\]?(?::(\d{1,5}))?", text)
    if not text or match is None:
        raise ValidationError(_("serveur SMTP « {text} » illisible (HÔTE:PORT)").format(
            text=text), "smtp")
    port = int(match.group(2)) if match.group(2) else default_port(security)
    if not 0 < port < 65536:
        raise ValidationError(_("port SMTP {port} impossible").format(port=port), "smtp")
    return match.group(1), port


def stored_smtp(db: Database) -> SmtpSettings | None:
    host = get_setting(db, "smtp.host")
    if not host:
        return None
    security = str(get_setting(db, "smtp.security", "starttls"))
    return SmtpSettings(str(host), int(get_setting(db, "smtp.port", default_port(security))),
                        security, str(get_setting(db, "smtp.user", "") or ""),
                        float(get_setting(db, "smtp.rate", 0) or 0))


def store_smtp(db: Database, settings: SmtpSettings) -> None:
    """Keep the server's settings in the file (never its password)."""
    with db.transaction():
        set_setting(db, "smtp.host", settings.host)
        set_setting(db, "smtp.port", settings.port)
        set_setting(db, "smtp.security", settings.security)
        set_setting(db, "smtp.user", settings.user)
        set_setting(db, "smtp.rate", settings.rate)


def _keyring_user(settings: SmtpSettings) -> str:
    return f"{settings.user}@{settings.host}"


def smtp_password(settings: SmtpSettings) -> str | None:
    """The password: ``QUALIF_SMTP_PASSWORD``, else the keyring, else None."""
    value = os.environ.get(PASSWORD_VARIABLE)
    if value:
        return value
    try:
        import keyring

        found = keyring.get_password(KEYRING_SERVICE, _keyring_user(settings))
    except Exception:  # noqa: BLE001 - no usable keyring backend: the variable is the way
        return None
    return found or None


def save_password(settings: SmtpSettings, password: str) -> None:
    """Store the password in the system keyring; a clear error when there is none."""
    try:
        import keyring
        from keyring.errors import KeyringError

        keyring.set_password(KEYRING_SERVICE, _keyring_user(settings), password)
    except (ImportError, KeyringError, RuntimeError, OSError) as error:
        raise SendAborted(_("pas de trousseau système utilisable ici ({error}) : donnez le mot"
                            " de passe par la variable {var}").format(
                                error=type(error).__name__, var=PASSWORD_VARIABLE)) from None


# -- SMTP --------------------------------------------------------------------------------


def _reply(code: int, text: bytes | str) -> str:
    words = text.decode("utf-8", "replace") if isinstance(text, bytes) else str(text)
    return f"{code} {' '.join(words.split())}".strip()


def _login(smtp: smtplib.SMTP, user: str, password: str) -> None:
    """smtplib encodes credentials as ASCII: an accented password (common in French)
    goes by AUTH PLAIN in UTF-8 instead, as RFC 4616 defines it."""
    if (user + password).isascii():
        smtp.login(user, password)
        return
    import base64

    if not smtp.has_extn("auth"):
        raise smtplib.SMTPNotSupportedError("AUTH")
    token = base64.b64encode(b"\0" + user.encode() + b"\0" + password.encode()).decode()
    code, text = smtp.docmd("AUTH", "PLAIN " + token)
    if code == 334:  # the server wanted the credentials on their own line
        code, text = smtp.docmd(token)
    if code not in (235, 503):
        raise smtplib.SMTPAuthenticationError(code, text)


class SmtpTransport:
    """The user's SMTP server: STARTTLS, SSL or plain; login when a user is set."""

    commits_each = True

    def __init__(self, settings: SmtpSettings, password: str | None = None) -> None:
        self.settings = settings
        self.password = password
        self.label = f"SMTP {settings.address}"
        self._smtp: smtplib.SMTP | None = None

    def open(self) -> None:
        s = self.settings
        context = ssl.create_default_context()
        try:
            if s.security == "ssl":
                smtp: smtplib.SMTP = smtplib.SMTP_SSL(s.host, s.port, timeout=s.timeout,
                                                      context=context)
            else:
                smtp = smtplib.SMTP(s.host, s.port, timeout=s.timeout)
            smtp.ehlo_or_helo_if_needed()
            if s.security == "starttls":
                if not smtp.has_extn("starttls"):
                    smtp.close()
                    raise SendAborted(_("{server} ne propose pas STARTTLS : choisissez --ssl,"
                                        " ou un autre port").format(server=s.address))
                smtp.starttls(context=context)
                smtp.ehlo()
            if s.user:
                if self.password is None:
                    smtp.close()
                    raise SendAborted(_("pas de mot de passe pour {user} : donnez-le par la"
                                        " variable {var} ou enregistrez-le dans le trousseau"
                                        " (qualif campaign DB password)").format(
                                            user=s.user, var=PASSWORD_VARIABLE))
                _login(smtp, s.user, self.password)
        except smtplib.SMTPAuthenticationError as error:
            raise SendAborted(_("{server} refuse l'identifiant ou le mot de passe de {user}"
                                " ({reply})").format(server=s.address, user=s.user,
                                                    reply=_reply(error.smtp_code,
                                                                 error.smtp_error))) from None
        except smtplib.SMTPNotSupportedError:
            raise SendAborted(_("{server} ne propose pas d'authentification : retirez --user"
                                " ou passez en STARTTLS/SSL").format(server=s.address)) from None
        except ssl.SSLError as error:
            raise SendAborted(_("échec de la connexion chiffrée avec {server} : {error}").format(
                server=s.address, error=error.reason or error)) from None
        except (socket.gaierror, ConnectionRefusedError, TimeoutError) as error:
            raise SendAborted(_("serveur SMTP {server} injoignable : {error}").format(
                server=s.address, error=error.strerror or error)) from None
        except (smtplib.SMTPException, OSError) as error:
            raise SendAborted(_("le serveur SMTP {server} a refusé la connexion : {error}").format(
                server=s.address, error=error)) from None
        self._smtp = smtp

    def deliver(self, message: Message, sender: str, recipient: str) -> None:
        smtp = self._smtp
        if smtp is None:
            raise DeliveryFailed(_("pas de connexion"), permanent=False, connection_lost=True)
        buffer = BytesIO()
        BytesGenerator(buffer, policy=WIRE).flatten(message)
        data = buffer.getvalue()
        options = ["SMTPUTF8"] if not (sender + recipient).isascii() else []
        try:
            code, text = smtp.mail(sender, options)
            if code != 250:
                smtp.rset()
                if code >= 500 or code == 421:
                    raise SendAborted(_("le serveur refuse l'expéditeur {sender} ({reply})")
                                      .format(sender=sender, reply=_reply(code, text)))
                raise DeliveryFailed(_reply(code, text), permanent=False)
            code, text = smtp.rcpt(recipient)
            if code not in (250, 251):
                smtp.rset()
                raise DeliveryFailed(_reply(code, text), permanent=code >= 500)
        except (smtplib.SMTPServerDisconnected, OSError) as error:
            self._smtp = None
            raise DeliveryFailed(_("connexion perdue : {error}").format(error=error),
                                 permanent=False, connection_lost=True) from None
        try:
            code, text = smtp.data(data)
        except smtplib.SMTPDataError as error:
            raise DeliveryFailed(_reply(error.smtp_code, error.smtp_error),
                                 permanent=error.smtp_code >= 500) from None
        except smtplib.SMTPResponseException as error:
            raise DeliveryFailed(_reply(error.smtp_code, error.smtp_error),
                                 permanent=error.smtp_code >= 500) from None
        except (smtplib.SMTPServerDisconnected, OSError) as error:
            self._smtp = None
            raise DeliveryFailed(_("connexion perdue pendant la remise : {error}").format(
                error=error), permanent=False, accepted_maybe=True,
                connection_lost=True) from None
        if code != 250:
            raise DeliveryFailed(_reply(code, text), permanent=code >= 500)

    def reconnect(self) -> bool:
        self.close()
        try:
            self.open()
        except SendAborted:
            return False
        return True

    def close(self) -> None:
        smtp, self._smtp = self._smtp, None
        if smtp is None:
            return
        try:
            smtp.quit()
        except (smtplib.SMTPException, OSError):
            smtp.close()


# -- files -------------------------------------------------------------------------------


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", fold(text)).strip("-")[:40] or "contact"


class EmlFolder:
    """One ``.eml`` per recipient in a folder (Outlook and Thunderbird open them)."""

    commits_each = False

    def __init__(self, folder: str | Path) -> None:
        self.folder = Path(folder).expanduser()
        self.label = str(self.folder)
        self.written: list[Path] = []

    def open(self) -> None:
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise SendAborted(_("dossier {folder} impossible à créer : {error}").format(
                folder=self.folder, error=error.strerror or error)) from None
        if not os.access(self.folder, os.W_OK):
            raise SendAborted(_("dossier {folder} en lecture seule").format(folder=self.folder))

    def file_for(self, message: Message) -> Path:
        match = re.search(r"qualif\.\d+\.(\d+)\.", str(message["Message-ID"]))
        number = int(match.group(1)) if match else len(self.written) + 1
        return self.folder / f"{number:07d}-{_slug(recipient_name(message))}.eml"

    def deliver(self, message: Message, sender: str, recipient: str) -> None:
        target = self.file_for(message)
        partial = target.with_suffix(".eml.partial")
        try:
            with partial.open("wb") as handle:
                BytesGenerator(handle, policy=WIRE).flatten(message)
            partial.replace(target)
        except OSError as error:
            raise SendAborted(_("écriture de {file} impossible : {error}").format(
                file=target, error=error.strerror or error)) from None
        self.written.append(target)

    def close(self) -> None:
        pass


class MboxFile:
    """All messages in one mbox file (Thunderbird: ImportExportTools; mutt; Apple Mail)."""

    commits_each = False

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path).expanduser()
        self.label = str(self.path)
        self.present: set[str] = set()
        self._handle: Any = None

    def open(self) -> None:
        if self.path.is_dir():
            raise SendAborted(_("{path} est un dossier, pas un fichier mbox").format(
                path=self.path))
        if not self.path.parent.exists():
            raise SendAborted(_("le dossier {folder} n'existe pas").format(
                folder=self.path.parent))
        if self.path.exists():
            # a resumed run: the messages already appended are not appended twice
            with self.path.open("rb") as handle:
                for line in handle:
                    if line[:11].lower() == b"message-id:":
                        self.present.add(line[11:].strip().decode("ascii", "replace"))
        try:
            self._handle = self.path.open("ab")
        except OSError as error:
            raise SendAborted(_("écriture de {file} impossible : {error}").format(
                file=self.path, error=error.strerror or error)) from None

    def deliver(self, message: Message, sender: str, recipient: str) -> None:
        if str(message["Message-ID"]) in self.present:
            return
        handle = self._handle
        buffer = BytesIO()
        BytesGenerator(buffer, mangle_from_=True, policy=compat32).flatten(message)
        body = buffer.getvalue()
        handle.write(f"From {sender} {time.asctime(time.gmtime())}\n".encode("ascii", "replace"))
        handle.write(body if body.endswith(b"\n") else body + b"\n")
        handle.write(b"\n")
        self.present.add(str(message["Message-ID"]))

    def sync(self) -> None:
        """Flush to the device: what the database then records as sent is there."""
        if self._handle is not None:
            self._handle.flush()
            os.fsync(self._handle.fileno())

    def close(self) -> None:
        if self._handle is not None:
            self.sync()
            self._handle.close()
            self._handle = None
