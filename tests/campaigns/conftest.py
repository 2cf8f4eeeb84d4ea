"""Campaign fixtures: a small file of contacts whose fates are known, and a real
SMTP server (aiosmtpd) on a free local port, plain, STARTTLS or SSL, with or
without AUTH, that records what it received."""

from __future__ import annotations

import asyncio
import socket
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult

from qualif_tui.domain.contacts import create_contact
from qualif_tui.storage import Database

USER, PASSWORD = "moi@garage.fr", "s3cret-été"
SENDER = "Garage Martin <contact@garage-martin.fr>"

# name → (fields, keys); what each one tests is in its name
PEOPLE: dict[str, tuple[dict[str, Any], dict[str, Any]]] = {
    "consent": ({"first_name": "Hélène", "last_name": "Éluard", "email": "helene@exemple.fr",
                 "legal_basis": "consentement", "address": "3 rue des Lilas",
                 "postal_code": "31000", "city": "Toulouse"},
                {"Profil": "prospect", "Source": "foire/salon", "Véhicule actuel": "berline"}),
    "customer": ({"first_name": "Cédric", "last_name": "D'Almeida", "email": "cedric@exemple.fr",
                  "legal_basis": "client", "address": "12 avenue de Muret",
                  "postal_code": "31300", "city": "Toulouse"},
                 {"Profil": "client", "Source": "web"}),
    "b2b": ({"first_name": "Noël", "last_name": "Œillet", "company": "Garage Œillet & Fils",
             "email": "noel@oeillet.fr", "address": "ZA du Ritouret", "postal_code": "31700",
             "city": "Blagnac"}, {"Profil": "prospect", "Source": "prospection"}),
    "private_no_basis": ({"first_name": "Léa", "last_name": "Sans", "email": "lea@exemple.fr",
                          "address": "1 place du Capitole", "postal_code": "31000",
                          "city": "Toulouse"}, {"Profil": "prospect", "Source": "web"}),
    "optout": ({"first_name": "Marc", "last_name": "Refus", "email": "marc@exemple.fr",
                "email_optout": True, "legal_basis": "consentement",
                "address": "8 rue Alsace-Lorraine", "postal_code": "31000", "city": "Toulouse"},
               {"Profil": "client", "Source": "web"}),
    "no_email": ({"first_name": "Paul", "last_name": "Papier", "legal_basis": "consentement",
                  "address": "5 chemin des Vignes", "postal_code": "81000", "city": "Albi"},
                 {"Profil": "prospect", "Source": "foire/salon"}),
    "duplicate": ({"first_name": "Hélène", "last_name": "Éluard-Bis",
                   "email": "HELENE@exemple.fr", "legal_basis": "consentement"},
                  {"Profil": "prospect", "Source": "foire/salon"}),
    "rejected": ({"first_name": "Zoé", "last_name": "Rebond", "email": "zoe@inconnu.fr",
                  "legal_basis": "consentement", "address": "2 rue Longue",
                  "postal_code": "32000", "city": "Auch"}, {"Profil": "client",
                                                              "Source": "foire/salon"}),
}


@pytest.fixture
def people(keyed_db: Database) -> dict[str, int]:
    """The contacts of :data:`PEOPLE` in ``keyed_db``: name → contact id."""
    return {name: create_contact(keyed_db, fields, keys)
            for name, (fields, keys) in PEOPLE.items()}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Received:
    sender: str
    recipients: list[str]
    raw: bytes

    @property
    def message(self) -> EmailMessage:
        parsed = message_from_bytes(self.raw, policy=policy.default)
        assert isinstance(parsed, EmailMessage)
        return parsed


@dataclass
class Recorder:
    """aiosmtpd handler: keeps every message; refuses the addresses in ``reject``."""

    reject: set[str] = field(default_factory=set)
    received: list[Received] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    delay: float = 0.0
    on_message: Callable[[int], None] | None = None

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str,
                          rcpt_options: list[str]) -> str:
        if address in self.reject:
            return f"550 5.1.1 <{address}>: utilisateur inconnu"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.delay:
            await asyncio.sleep(self.delay)
        with self.lock:
            self.received.append(Received(envelope.mail_from, list(envelope.rcpt_tos),
                                          envelope.original_content or envelope.content))
            count = len(self.received)
        if self.on_message is not None:
            self.on_message(count)
        return "250 2.0.0 Ok: queued"

    def to(self) -> list[str]:
        with self.lock:
            return [r for m in self.received for r in m.recipients]


def _authenticator(server: Any, session: Any, envelope: Any, mechanism: str,
                   auth_data: Any) -> AuthResult:
    ok = (getattr(auth_data, "login", b"") == USER.encode()
          and getattr(auth_data, "password", b"") == PASSWORD.encode())
    return AuthResult(success=ok, handled=False)


@dataclass
class Server:
    controller: Controller
    recorder: Recorder
    port: int
    security: str

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    def stop(self) -> None:
        self.controller.stop()


@pytest.fixture(scope="session")
def certificate_authority(tmp_path_factory: pytest.TempPathFactory) -> Any:
    import trustme

    authority = trustme.CA()
    folder = tmp_path_factory.mktemp("ca")
    authority.cert_pem.write_to_path(str(folder / "ca.pem"))
    return authority, folder / "ca.pem"


@pytest.fixture
def smtp_server(certificate_authority: Any, monkeypatch: pytest.MonkeyPatch
                ) -> Iterator[Callable[..., Server]]:
    """``smtp_server(security="none"|"starttls"|"ssl", auth=False)`` → a running server."""
    import ssl

    started: list[Server] = []
    authority, ca_file = certificate_authority
    # the client trusts the test authority the way OpenSSL reads it everywhere
    monkeypatch.setenv("SSL_CERT_FILE", str(ca_file))

    def start(security: str = "none", auth: bool = False, recorder: Recorder | None = None,
              port: int | None = None) -> Server:
        recorder = recorder or Recorder()
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        authority.issue_cert("127.0.0.1", "localhost").configure_cert(context)
        options: dict[str, Any] = {}
        if security == "starttls":
            options.update(tls_context=context, require_starttls=True)
        if auth:
            options.update(authenticator=_authenticator, auth_required=True,
                           auth_require_tls=security == "starttls")
        chosen = port or free_port()
        controller = Controller(recorder, hostname="127.0.0.1", port=chosen,
                                ssl_context=context if security == "ssl" else None,
                                server_hostname="127.0.0.1", **options)
        controller.start()
        server = Server(controller, recorder, chosen, security)
        started.append(server)
        return server

    yield start
    for server in started:
        try:
            server.stop()
        except (AssertionError, RuntimeError):
            pass


def template_file(folder: Path, text: str, name: str = "modele.txt") -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path
