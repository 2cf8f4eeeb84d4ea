"""Sending through a real SMTP server (aiosmtpd, started here), and what it received."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from email.header import decode_header, make_header
from pathlib import Path
from typing import Any

import pytest

from campaigns.conftest import PASSWORD, SENDER, USER, Recorder, free_port
from qualif_tui.services.campaigns import core, sending
from qualif_tui.services.campaigns.merge import TemplateProblem, TemplateText
from qualif_tui.services.campaigns.transports import (
    SendAborted,
    SmtpSettings,
    SmtpTransport,
)
from qualif_tui.storage import Database, open_database

pytestmark = pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")

TEMPLATE = TemplateText.from_file_text(
    "Subject: Salon de l'auto — {{ prenom|defaut('Madame, Monsieur') }}, votre invitation\n"
    "\n"
    "Bonjour {{ prenom }} {{ nom }},\n"
    "\n"
    "Votre {{ keys[\"Véhicule actuel\"]|defaut(\"véhicule\") }} mérite un œil neuf : rendez-vous"
    " le {{ \"2026-12-12\"|date_fr(\"jour\") }}, remise de {{ 1500|euros }}.\n"
    "{% if contact.company %}Pour {{ contact.company }}.{% endif %}\n")


def _campaign(db: Database, name: str = "Salon 2026") -> core.Campaign:
    return core.create_campaign(db, name, "", channel="email", cost=350).campaign


def _smtp(server: Any, *, user: str = "", password: str | None = None) -> SmtpTransport:
    return SmtpTransport(SmtpSettings("127.0.0.1", server.port, server.security, user,
                                      timeout=10), password)


def _states(db: Database, campaign: core.Campaign) -> dict[int, str]:
    return {r[0]: r[1] for r in db.query(
        "SELECT contact_id, state FROM campaign_recipients WHERE campaign_id = ?",
        (campaign.id,))}


def _subject(raw: str) -> str:
    return str(make_header(decode_header(raw)))


def test_plain_smtp_delivers_each_recipient_once_with_proper_headers(
        keyed_db: Database, people: dict[str, int], smtp_server: Any) -> None:
    server = smtp_server("none")
    campaign = _campaign(keyed_db)
    report = sending.send_campaign(keyed_db, campaign, _smtp(server), sender=SENDER,
                                   template=TEMPLATE)
    expected = {"helene@exemple.fr", "cedric@exemple.fr", "noel@oeillet.fr", "zoe@inconnu.fr"}
    assert report.sent == 4 and report.complete and not report.failed
    received = server.recorder.received
    assert sorted(server.recorder.to()) == sorted(expected)  # each once
    # nothing to the opted-out, the private person without a basis, the duplicate
    assert not {"marc@exemple.fr", "lea@exemple.fr"} & set(server.recorder.to())
    by_to = {m.recipients[0]: m.message for m in received}
    helene = by_to["helene@exemple.fr"]
    assert received[0].sender == "contact@garage-martin.fr"
    assert str(helene["Subject"]) == "Salon de l'auto — Hélène, votre invitation"
    raw_subject = next(line for line in received[0].raw.decode("ascii").splitlines()
                       if line.startswith("Subject:"))
    assert raw_subject.isascii() and "=?utf-8?" in raw_subject  # RFC 2047 on the wire
    assert helene["Message-ID"].startswith(f"<qualif.{campaign.id}.{people['consent']}.")
    assert helene["Message-ID"].endswith("@garage-martin.fr>")
    assert helene["Date"] and helene["From"].addresses[0].display_name == "Garage Martin"
    assert str(helene["List-Unsubscribe"]).strip().startswith(
        "<mailto:contact@garage-martin.fr?subject=")
    assert helene["To"].addresses[0].display_name == "Hélène Éluard"
    body = helene.get_body(("plain",)).get_content()
    assert "Bonjour Hélène Éluard," in body and "œil neuf" in body
    assert "samedi 12 décembre 2026" in body and "1\u00a0500,00\u00a0€" in body
    assert "votre berline" not in body and "Votre berline mérite" in body
    noel = by_to["noel@oeillet.fr"].get_body(("plain",)).get_content()
    assert "Pour Garage Œillet & Fils." in noel and "Votre véhicule mérite" in noel
    assert set(_states(keyed_db, campaign).values()) == {"sent"}


def test_sent_campaign_is_on_each_timeline_without_moving_last_contact(
        keyed_db: Database, people: dict[str, int], smtp_server: Any) -> None:
    server = smtp_server("none")
    before = {r[0]: r[1] for r in keyed_db.query("SELECT contact_id, last_contact"
                                                  " FROM contact_facts")}
    campaign = _campaign(keyed_db)
    sending.send_campaign(keyed_db, campaign, _smtp(server), sender=SENDER, template=TEMPLATE)
    entries = keyed_db.query("SELECT contact_id, subject, body, automatic FROM history"
                             " WHERE kind = 'campaign'")
    assert sorted(r[0] for r in entries) == sorted(_states(keyed_db, campaign))
    assert {r[1] for r in entries} == {"Mailing Salon 2026 envoyé"}
    assert all(r[3] == 1 for r in entries)
    assert any("Objet : Salon de l'auto — Hélène" in r[2] for r in entries)
    after = {r[0]: r[1] for r in keyed_db.query("SELECT contact_id, last_contact"
                                                 " FROM contact_facts")}
    assert after == before  # an outbound mailing is not a contact


def test_starttls_with_login(keyed_db: Database, people: dict[str, int],
                             smtp_server: Any) -> None:
    server = smtp_server("starttls", auth=True)
    report = sending.send_campaign(keyed_db, _campaign(keyed_db),
                                   _smtp(server, user=USER, password=PASSWORD),
                                   sender=SENDER, template=TEMPLATE)
    assert report.sent == 4 and len(server.recorder.received) == 4


def test_ssl_with_login(keyed_db: Database, people: dict[str, int], smtp_server: Any) -> None:
    server = smtp_server("ssl", auth=True)
    report = sending.send_campaign(keyed_db, _campaign(keyed_db),
                                   _smtp(server, user=USER, password=PASSWORD),
                                   sender=SENDER, template=TEMPLATE)
    assert report.sent == 4 and len(server.recorder.received) == 4


def test_wrong_password_stops_before_anything_and_changes_nothing(
        keyed_db: Database, people: dict[str, int], smtp_server: Any) -> None:
    server = smtp_server("starttls", auth=True)
    campaign = _campaign(keyed_db)
    with pytest.raises(SendAborted, match="refuse l'identifiant ou le mot de passe"):
        sending.send_campaign(keyed_db, campaign, _smtp(server, user=USER, password="faux"),
                              sender=SENDER, template=TEMPLATE)
    assert set(_states(keyed_db, campaign).values()) == {"queued"}
    assert not server.recorder.received
    assert keyed_db.scalar("SELECT count(*) FROM history WHERE kind = 'campaign'") == 0


def test_missing_password_is_a_clear_message(keyed_db: Database, people: dict[str, int],
                                             smtp_server: Any) -> None:
    server = smtp_server("starttls", auth=True)
    with pytest.raises(SendAborted, match="QUALIF_SMTP_PASSWORD"):
        sending.send_campaign(keyed_db, _campaign(keyed_db), _smtp(server, user=USER),
                              sender=SENDER, template=TEMPLATE)


def test_server_that_refuses_connections(keyed_db: Database, people: dict[str, int]) -> None:
    campaign = _campaign(keyed_db)
    transport = SmtpTransport(SmtpSettings("127.0.0.1", free_port(), "none", timeout=5))
    with pytest.raises(SendAborted, match="injoignable"):
        sending.send_campaign(keyed_db, campaign, transport, sender=SENDER, template=TEMPLATE)
    assert set(_states(keyed_db, campaign).values()) == {"queued"}


def test_starttls_demanded_of_a_server_without_it(keyed_db: Database, people: dict[str, int],
                                                  smtp_server: Any) -> None:
    server = smtp_server("none")
    transport = SmtpTransport(SmtpSettings("127.0.0.1", server.port, "starttls", timeout=5))
    with pytest.raises(SendAborted, match="STARTTLS"):
        sending.send_campaign(keyed_db, _campaign(keyed_db), transport, sender=SENDER,
                              template=TEMPLATE)


def test_a_rejected_recipient_is_recorded_and_the_rest_goes_on(
        keyed_db: Database, people: dict[str, int], smtp_server: Any) -> None:
    server = smtp_server("none", recorder=Recorder(reject={"zoe@inconnu.fr"}))
    campaign = _campaign(keyed_db)
    report = sending.send_campaign(keyed_db, campaign, _smtp(server), sender=SENDER,
                                   template=TEMPLATE)
    assert report.sent == 3 and len(report.failed) == 1
    contact_id, name, reply = report.failed[0]
    assert contact_id == people["rejected"] and reply.startswith("550")
    assert "utilisateur inconnu" in reply
    row = keyed_db.query("SELECT state, detail FROM campaign_recipients WHERE contact_id = ?",
                         (people["rejected"],))[0]
    assert row[0] == "failed" and row[1].startswith("550")
    assert any("échec : Zoé Rebond" in line for line in report.lines())
    # a second run sends nothing more (the failure is not retried unless asked)
    again = sending.send_campaign(keyed_db, campaign, _smtp(server), sender=SENDER)
    assert again.sent == 0 and again.already == 3 and len(server.recorder.received) == 3


def test_an_unknown_field_is_refused_before_anything_is_sent(
        keyed_db: Database, people: dict[str, int], smtp_server: Any) -> None:
    server = smtp_server("none")
    campaign = _campaign(keyed_db)
    bad = TemplateText.from_file_text("Subject: Bonjour\n\nBonjour {{ prenon }},\n")
    with pytest.raises(TemplateProblem, match=r"prenon.*prenom.*ligne 3"):
        sending.send_campaign(keyed_db, campaign, _smtp(server), sender=SENDER, template=bad)
    assert not server.recorder.received
    assert core.get_campaign(keyed_db, campaign.name).body == ""  # not kept either


def test_a_template_failing_for_one_recipient_stops_before_the_first_message(
        keyed_db: Database, people: dict[str, int], smtp_server: Any) -> None:
    server = smtp_server("none")
    failing = TemplateText.from_file_text(
        "Subject: x\n\n{{ 100 / (contact.company|length) }}\n")
    with pytest.raises(TemplateProblem, match="pour"):
        sending.send_campaign(keyed_db, _campaign(keyed_db), _smtp(server), sender=SENDER,
                              template=failing)
    assert not server.recorder.received


def test_rate_limit_spaces_the_messages(keyed_db: Database, people: dict[str, int],
                                        smtp_server: Any) -> None:
    server = smtp_server("none")
    started = time.monotonic()
    sending.send_campaign(keyed_db, _campaign(keyed_db), _smtp(server), sender=SENDER,
                          template=TEMPLATE, rate=300)  # one every 0.2 s
    assert time.monotonic() - started >= 3 * 0.2 - 0.05


def test_server_gone_mid_send_stops_cleanly_and_resumes_without_duplicates(
        keyed_db: Database, people: dict[str, int], smtp_server: Any) -> None:
    recorder = Recorder()
    server = smtp_server("none", recorder=recorder)
    gone: list[bool] = []

    def second_message(count: int) -> None:
        if count == 2 and not gone:
            gone.append(True)
            # stop the server from outside its loop once this reply is on its way
            import threading

            threading.Thread(target=server.stop).start()

    recorder.on_message = second_message
    campaign = _campaign(keyed_db)
    report = sending.send_campaign(keyed_db, campaign, _smtp(server), sender=SENDER,
                                   template=TEMPLATE)
    assert report.stopped and "ne répond plus" in report.stopped
    assert report.remaining >= 1 and len(recorder.received) == 2
    states = Counter(_states(keyed_db, campaign).values())
    assert states["sent"] + states["sending"] == 2 or states["sent"] == 2
    # the server is back: the same command resumes where it stopped
    again = smtp_server("none", recorder=recorder, port=server.port)
    resumed = sending.send_campaign(keyed_db, campaign, _smtp(again), sender=SENDER)
    assert resumed.complete
    counts = Counter(recorder.to())
    assert max(counts.values()) == 1 and len(counts) == 4


def test_send_to_yourself_records_nothing(keyed_db: Database, people: dict[str, int],
                                          smtp_server: Any) -> None:
    server = smtp_server("none")
    campaign = _campaign(keyed_db)
    sending.send_test(keyed_db, campaign, _smtp(server), sender=SENDER, to="moi@garage.fr",
                      template=TEMPLATE)
    [message] = server.recorder.received
    assert message.recipients == ["moi@garage.fr"]
    assert _subject(message.message["Subject"]).startswith("[TEST] Salon de l'auto")
    assert set(_states(keyed_db, campaign).values()) == {"queued"}


_SENDER_SCRIPT = """
import sys
from qualif_tui.storage import open_database
from qualif_tui.services.campaigns import core, sending
from qualif_tui.services.campaigns.transports import SmtpSettings, SmtpTransport
db = open_database(sys.argv[1])
campaign = core.get_campaign(db, "Gros envoi")
transport = SmtpTransport(SmtpSettings("127.0.0.1", int(sys.argv[2]), "none", timeout=10))
report = sending.send_campaign(db, campaign, transport, sender=sys.argv[3])
print(report.sent)
"""


def test_a_sender_killed_mid_way_resumes_and_never_sends_twice(
        db_path: Path, keyed_db: Database, smtp_server: Any, tmp_path: Path) -> None:
    from qualif_tui.domain.contacts import create_contact

    for n in range(60):
        create_contact(keyed_db, {"first_name": f"Client{n}", "last_name": "Dupré",
                                  "email": f"client{n}@exemple.fr",
                                  "legal_basis": "consentement"})
    campaign = core.create_campaign(keyed_db, "Gros envoi", "", channel="email").campaign
    core.save_template(keyed_db, campaign, "Bonjour {{ prenom }}", "Bonjour {{ prenom }} !")
    keyed_db.close()
    recorder = Recorder(delay=0.02)
    server = smtp_server("none", recorder=recorder)
    script = tmp_path / "sender.py"
    script.write_text(_SENDER_SCRIPT, encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    process = subprocess.Popen([sys.executable, str(script), str(db_path), str(server.port),
                                SENDER], env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while len(recorder.received) < 20:
        assert process.poll() is None, process.stderr.read() if process.stderr else ""
        assert time.monotonic() < deadline, "the sender never got going"
        time.sleep(0.01)
    os.kill(process.pid, signal.SIGKILL)
    process.wait(timeout=10)
    killed_at = len(recorder.received)
    assert killed_at < 60
    # resumed in another process, the way a user runs the command again
    again = subprocess.run([sys.executable, str(script), str(db_path), str(server.port),
                            SENDER], env=env, capture_output=True, text=True, timeout=120)
    assert again.returncode == 0, again.stderr
    counts = Counter(recorder.to())
    assert max(counts.values()) == 1, [a for a, n in counts.items() if n > 1]
    db = open_database(db_path)
    try:
        states = Counter(r[0] for r in db.query("SELECT state FROM campaign_recipients"))
        # at most one was being handed over at the kill: never resent on its own
        assert states["sent"] + states["sending"] == 60 and states["sending"] <= 1
        assert len(counts) == states["sent"] or len(counts) == 60
    finally:
        db.close()
