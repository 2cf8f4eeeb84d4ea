"""``qualif campaign``: the contract of DESIGN.md, exit codes, and bad input."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from pypdf import PdfReader

from campaigns.conftest import PASSWORD, SENDER, USER, template_file
from qualif_tui.cli import main


def run(*args: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args), env=env)
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def demo(tmp_path: Path) -> str:
    path = str(tmp_path / "demo.db")
    assert run("init", path, "--demo")[0] == 0
    return path


def test_create_list_show_delete(demo: str) -> None:
    code, out, err = run("campaign", demo, "create", "Salon 2026", "profil:client,prospect",
                         "--channel", "email", "--cost", "350")
    assert code == 0, err
    assert "destinataire(s) sur" in out and "laissé(s) de côté" in out
    code, out, _ = run("campaign", demo, "list")
    assert code == 0 and "Salon 2026" in out
    code, out, _ = run("campaign", demo, "list", "--format", "json")
    [listed] = [c for c in json.loads(out) if c["name"] == "Salon 2026"]
    assert listed["channel"] == "email" and listed["cost"] == 350
    code, out, _ = run("campaign", demo, "show", "salon 2026", "--format", "json")
    shown = json.loads(out)
    assert shown["name"] == "Salon 2026" and shown["recipients"]
    assert {"contact_id", "state", "response"} <= set(shown["recipients"][0])
    assert {e["reason"] for e in shown["excluded"]} <= {"no_address", "optout", "legal_basis",
                                                         "duplicate"}
    assert run("campaign", demo, "show", "Salon 2026")[0] == 0
    assert run("campaign", demo, "delete", "Salon 2026")[0] == 0
    code, _, err = run("campaign", demo, "show", "Salon 2026")
    assert code == 1 and "pas de campagne" in err and "Traceback" not in err


def test_bad_usage_exits_2_with_one_line(demo: str, tmp_path: Path) -> None:
    code, _, err = run("campaign", demo, "create", "X", "profl:client", "--channel", "email")
    assert code == 2 and "profil" in err
    code, _, err = run("campaign", demo, "create", "X", "--channel", "pigeon")
    assert code == 1 and "canal inconnu" in err
    run("campaign", demo, "create", "X", "--channel", "email")
    bad = template_file(tmp_path, "Subject: Bonjour\n\nBonjour {{ prenon }}\n")
    code, _, err = run("campaign", demo, "send", "X", "--template", str(bad), "--eml-dir",
                       str(tmp_path / "eml"), "--from", SENDER)
    assert code == 2 and "prenon" in err and "ligne 3" in err and "Traceback" not in err
    assert not (tmp_path / "eml").exists() or not list((tmp_path / "eml").iterdir())
    code, out, _ = run("campaign", demo, "show", "X", "--format", "json")
    assert {r["state"] for r in json.loads(out)["recipients"]} == {"queued"}
    code, _, err = run("campaign", demo, "send", "X", "--template", str(bad))
    assert code == 2 and "expéditeur" in err
    code, _, err = run("campaign", demo, "send", "X", "--from", SENDER)
    assert code == 2 and "--smtp" in err
    code, _, err = run("campaign", demo, "labels", "X", "-o", str(tmp_path / "x.pdf"),
                       "--sheet", "3x8:70x10")
    assert code == 2 and "trop basses" in err


def test_send_by_smtp_then_respond_and_roi(demo: str, tmp_path: Path, smtp_server: Any) -> None:
    server = smtp_server("starttls", auth=True)
    run("campaign", demo, "create", "Clients", "profil:client", "--channel", "email",
        "--cost", "100")
    template = template_file(tmp_path, "Subject: Offre {{ prenom }}\n\nBonjour {{ prenom }}\n")
    env = {"QUALIF_SMTP_PASSWORD": PASSWORD}
    code, out, err = run("campaign", demo, "send", "Clients", "--template", str(template),
                         "--smtp", server.address, "--starttls", "--user", USER, "--from",
                         SENDER, env=env)
    assert code == 0, err
    shown = json.loads(run("campaign", demo, "show", "Clients", "--format", "json")[1])
    sent = [r for r in shown["recipients"] if r["state"] == "sent"]
    assert len(sent) == len(server.recorder.received) == len(shown["recipients"]) > 0
    # resumed: nothing more to send, nothing sent twice (the template is kept)
    code, out, _ = run("campaign", demo, "send", "Clients", "--smtp", server.address,
                       "--starttls", "--user", USER, "--from", SENDER, env=env)
    assert code == 0 and "0 message(s)" in out and len(server.recorder.received) == len(sent)
    first = sent[0]["contact_id"]
    code, out, _ = run("campaign", demo, "respond", "Clients", str(first), "devis")
    assert code == 0 and "devis" in out
    code, _, err = run("campaign", demo, "respond", "Clients", str(first), "peut-être")
    assert code == 2 and "réponse inconnue" in err
    code, out, _ = run("campaign", demo, "roi", "--format", "json")
    data = json.loads(out)
    [line] = [c for c in data["campaigns"] if c["name"] == "Clients"]
    assert line["responses"]["quote"] == 1 and line["cost"] == 100 and data["days"] == 90
    assert data["by_source"] and "source" in data["by_source"][0]


def test_wrong_password_is_one_line_and_exit_1(demo: str, tmp_path: Path,
                                               smtp_server: Any) -> None:
    server = smtp_server("starttls", auth=True)
    run("campaign", demo, "create", "Clients", "profil:client", "--channel", "email")
    template = template_file(tmp_path, "Subject: Offre\n\nBonjour\n")
    code, _, err = run("campaign", demo, "send", "Clients", "--template", str(template),
                       "--smtp", server.address, "--starttls", "--user", USER, "--from",
                       SENDER, env={"QUALIF_SMTP_PASSWORD": "faux"})
    assert code == 1 and "mot de passe" in err and len(err.strip().splitlines()) == 1


def test_labels_letters_and_mbox(demo: str, tmp_path: Path) -> None:
    code, out, _ = run("campaign", demo, "create", "Courrier", "region:occitanie",
                       "--channel", "letter")
    recipients = int(out.split("destinataire(s)")[0].split(":")[-1])
    code, out, err = run("campaign", demo, "labels", "Courrier", "-o", str(tmp_path / "l.pdf"),
                         "--sheet", "L7163", "--start", "3")
    assert code == 0, err
    assert len(PdfReader(str(tmp_path / "l.pdf")).pages) == math.ceil((recipients + 2) / 14)
    template = template_file(tmp_path, "Objet : Nos offres\n\nBonjour {{ prenom }},\n")
    code, out, err = run("campaign", demo, "letters", "Courrier", "--template", str(template),
                         "-o", str(tmp_path / "lettres.pdf"))
    assert code == 0, err
    assert len(PdfReader(str(tmp_path / "lettres.pdf")).pages) == recipients
    code, _, err = run("campaign", demo, "letters", "Courrier", "--template", str(template),
                       "-o", str(tmp_path / "lettres.docx"))
    assert code == 2 and "modèle Word" in err
    run("campaign", demo, "create", "Mail", "profil:client", "--channel", "email")
    code, out, err = run("campaign", demo, "send", "Mail", "--template", str(template),
                         "--mbox", str(tmp_path / "m.mbox"), "--from", SENDER)
    assert code == 0, err


def test_respond_from_csv_and_legal_basis(demo: str, tmp_path: Path) -> None:
    code, out, err = run("campaign", demo, "legal-basis", "consentement", "profil:prospect")
    assert code == 0, err
    changed = int(out.split(":")[1].split("contact")[0])
    code, out, _ = run("query", demo, "legal_basis:consentement", "--count")
    assert int(out) >= changed > 0
    code, _, err = run("campaign", demo, "legal-basis", "peut-être", "id:1")
    assert code == 2 and "inconnue" in err
    run("campaign", demo, "create", "Prospects", "profil:prospect", "--channel", "email")
    shown = json.loads(run("campaign", demo, "show", "Prospects", "--format", "json")[1])
    address = shown["recipients"][0]["address"]
    csv_file = tmp_path / "r.csv"
    csv_file.write_text(f"email,etat\n{address},désinscrit\n", encoding="utf-8")
    code, out, err = run("campaign", demo, "respond", "Prospects", "--csv", str(csv_file))
    assert code == 0 and "1 réponse(s)" in out, err
    code, out, _ = run("query", demo, f"email:{address} email_optout:oui", "--count")
    assert out.strip() == "1"
    code, out, _ = run("campaign", demo, "chain", "Prospects", "J+10 appel", "J+30 courrier")
    assert code == 0 and "activité(s)" in out


def test_smtp_settings_keep_no_password(demo: str) -> None:
    code, out, err = run("campaign", demo, "smtp", "--smtp", "smtp.exemple.fr", "--ssl",
                         "--user", "moi", "--from", SENDER, "--rate", "30")
    assert code == 0, err
    assert "smtp.exemple.fr:465 (ssl)" in out and "30 message(s) par minute" in out
    raw = Path(demo).read_bytes()
    assert b"smtp.exemple.fr" in raw and PASSWORD.encode() not in raw


class _MemoryKeyring:
    """A keyring backend in memory (the tests' stand-in for the system keychain)."""

    def __new__(cls) -> Any:
        from keyring.backend import KeyringBackend

        class Memory(KeyringBackend):
            priority = 1

            def __init__(self) -> None:
                super().__init__()  # type: ignore[no-untyped-call]
                self.secrets: dict[tuple[str, str], str] = {}

            def get_password(self, service: str, username: str) -> str | None:
                return self.secrets.get((service, username))

            def set_password(self, service: str, username: str, password: str) -> None:
                self.secrets[(service, username)] = password

            def delete_password(self, service: str, username: str) -> None:
                self.secrets.pop((service, username), None)

        return Memory()


def test_the_password_from_the_keyring_and_never_in_the_file(
        demo: str, tmp_path: Path, smtp_server: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    import keyring

    server = smtp_server("starttls", auth=True)
    memory = _MemoryKeyring()
    previous = keyring.get_keyring()
    keyring.set_keyring(memory)
    try:
        monkeypatch.delenv("QUALIF_SMTP_PASSWORD", raising=False)
        run("campaign", demo, "smtp", "--smtp", server.address, "--starttls", "--user", USER,
            "--from", SENDER)
        code, out, err = run("campaign", demo, "password", env={"QUALIF_SMTP_PASSWORD": PASSWORD})
        assert code == 0, err
        assert memory.get_password("qualif-smtp", f"{USER}@127.0.0.1") == PASSWORD
        run("campaign", demo, "create", "Clients", "profil:client", "--channel", "email")
        template = template_file(tmp_path, "Subject: Offre\n\nBonjour\n")
        code, out, err = run("campaign", demo, "send", "Clients", "--template", str(template))
        assert code == 0, err
        assert server.recorder.received
        assert PASSWORD.encode() not in Path(demo).read_bytes()
    finally:
        keyring.set_keyring(previous)


def test_a_machine_without_keyring_is_told_to_use_the_variable(
        demo: str, monkeypatch: pytest.MonkeyPatch) -> None:
    import keyring
    from keyring.backends import fail

    from qualif_tui.services.campaigns.transports import SmtpSettings, smtp_password

    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())  # type: ignore[no-untyped-call]
    try:
        monkeypatch.delenv("QUALIF_SMTP_PASSWORD", raising=False)
        settings = SmtpSettings("smtp.exemple.fr", 587, "starttls", "moi")
        assert smtp_password(settings) is None
        monkeypatch.setenv("QUALIF_SMTP_PASSWORD", "depuis-la-variable")
        assert smtp_password(settings) == "depuis-la-variable"
        run("campaign", demo, "smtp", "--smtp", "smtp.exemple.fr", "--user", "moi")
        code, _, err = run("campaign", demo, "password",
                           env={"QUALIF_SMTP_PASSWORD": "x"})
        assert code == 1 and "QUALIF_SMTP_PASSWORD" in err and "Traceback" not in err
    finally:
        keyring.set_keyring(previous)
