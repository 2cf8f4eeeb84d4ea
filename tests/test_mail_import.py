"""Mail archives into the timeline: the fixture archive read field by field, written,
re-imported, undone; the correspondents; bad input."""

from __future__ import annotations

import shutil
import sqlite3
import tracemalloc
from datetime import datetime
from pathlib import Path

import pytest
from mail_helpers import FIXTURES, ME, add_people, paris

from qualif_tui.domain.history import list_entries
from qualif_tui.domain.settings import get_setting
from qualif_tui.query import compile_query, count
from qualif_tui.services.importing import ImportRefused, get_batch, list_batches, undo_batch
from qualif_tui.services.mailimport import (
    ArchiveChanged,
    MailOptions,
    apply_mail_plan,
    parse_create,
    plan_mail_import,
)
from qualif_tui.services.mailimport.sources import RawMail, read_mbox
from qualif_tui.storage import Database, open_database
from qualif_tui.storage.migrations import LATEST_VERSION

__all__ = ["paris"]

GOOD = [FIXTURES / "thunderbird", FIXTURES / "maildir", FIXTURES / "eml", FIXTURES / "outlook"]


def entries(db: Database, contact: int) -> dict[str, dict[str, str]]:
    """A contact's e-mail entries by subject: date, body, direction, message id."""
    found = {}
    for row in db.query("SELECT * FROM history WHERE contact_id = ? AND kind = 'email'",
                        (contact,)):
        found[row["subject"]] = {"at": row["happened_at"], "body": row["body"],
                                 "direction": row["direction"], "id": row["message_id"]}
    return found


def facts(db: Database, contact: int) -> tuple[str | None, str | None]:
    row = db.query("SELECT last_contact, last_inbound FROM contact_facts WHERE contact_id = ?",
                   (contact,))[0]
    return row[0], row[1]


@pytest.fixture
def imported(db: Database, paris: None) -> tuple[Database, dict[str, int], int]:
    people = add_people(db)
    with plan_mail_import(db, GOOD) as plan:
        result = apply_mail_plan(db, plan, plan.chosen("all"))
    assert result.batch_id is not None
    return db, people, result.batch_id


def test_a_thunderbird_profile_is_walked_and_its_indexes_skipped(db: Database) -> None:
    with plan_mail_import(db, [FIXTURES / "thunderbird"]) as plan:
        kinds = {Path(f.label).name: f.kind for f in plan.files}
        assert kinds == {"Inbox": "mbox", "Sent": "mbox", "2025": "mbox"}
        assert sorted(Path(n).name for n in plan.skipped_files) == [
            "Inbox.msf", "Sent.msf", "msgFilterRules.dat"]
        assert plan.messages == 9 and plan.repeated == 1  # Inbox 1 archived again
        assert not plan.bad


def test_fields_of_an_mbox_message(imported: tuple[Database, dict[str, int], int]) -> None:
    db, people, _batch = imported
    jeanne = entries(db, people["jeanne"])
    devis = jeanne["Devis rénovation façade"]
    assert devis["at"] == "2026-04-07T14:00:00"  # +0200, in Paris: the same wall time
    assert devis["direction"] == "in" and devis["id"] == "devis-1@garage-durand.fr"
    assert "12 400 € HT." in devis["body"]
    assert "\nFrom the start we agreed" in devis["body"]  # ">From " unquoted
    assert devis["body"].startswith("De : Jeanne Exemple <jeanne.exemple@garage-durand.fr>\n"
                                    "À : Sophie Martin <sophie@atelier-martin.fr>")


def test_second_email_timezone_and_copies(imported: tuple[Database, dict[str, int], int]
                                          ) -> None:
    db, people, _batch = imported
    meeting = entries(db, people["paul"])["Réunion de chantier"]
    assert meeting["at"] == "2026-04-13T09:30:00"  # 07:30 UTC is 09:30 in Paris (summer)
    assert meeting["direction"] == "in"
    assert "Réunion lundi 20 avril à 9 h sur le chantier de Balma." in meeting["body"]
    assert "<b>" not in meeting["body"]  # text/plain preferred to the HTML part
    assert entries(db, people["jeanne"])["Réunion de chantier"]["direction"] == "cc"


def test_outbound_reply_is_cut_at_the_quoted_history(
        imported: tuple[Database, dict[str, int], int]) -> None:
    db, people, _batch = imported
    reply = entries(db, people["jeanne"])["Re: Devis rénovation façade"]
    assert reply["direction"] == "out" and reply["at"] == "2026-04-08T08:15:00"
    assert "Je le signe cette semaine." in reply["body"]
    assert "a écrit" not in reply["body"] and "Voici le devis pour" not in reply["body"]


def test_html_only_message_becomes_text(imported: tuple[Database, dict[str, int], int]
                                        ) -> None:
    db, people, _batch = imported
    photos = entries(db, people["helene"])["Photos du chantier"]
    assert photos["direction"] == "out"
    assert "Voici les photos : le mur est terminé.\nÀ bientôt" in photos["body"]
    assert "color" not in photos["body"] and "ancien message" not in photos["body"]


def test_outlook_cp1252_and_gmail_base64(imported: tuple[Database, dict[str, int], int]
                                         ) -> None:
    db, people, _batch = imported
    relance = entries(db, people["paul"])["Facture n° 2026-014 – relance"]
    assert "facture n° 2026-014 de 850 €, échue depuis le 15 avril." in relance["body"]
    assert "Voici la facture" not in relance["body"]  # Outlook's "De : … Envoyé :" history
    gmail = entries(db, people["helene"])["Rendez-vous à l'atelier ✔"]
    assert gmail["at"] == "2026-04-16T18:45:12"
    assert "Je passerai à l'atelier jeudi vers 17 h." in gmail["body"]


def test_outlook_msg(imported: tuple[Database, dict[str, int], int]) -> None:
    db, people, _batch = imported
    subject = "Réponse : devis cuisine — version 2"
    msg = entries(db, people["jeanne"])[subject]
    assert msg["direction"] == "in" and msg["at"] == "2026-04-23T10:30:00"
    assert msg["id"] == "devis-cuisine-v2@garage-durand.fr"
    assert "avec l'électricité" in msg["body"]
    assert "Pièces jointes : devis-cuisine-v2.pdf (1 Ko)" in msg["body"]
    assert entries(db, people["paul"])[subject]["direction"] == "cc"


def test_date_fallbacks_are_said(imported: tuple[Database, dict[str, int], int]) -> None:
    db, people, _batch = imported
    question = entries(db, people["paul"])["Petite question"]  # Maildir, no Date, no id
    assert question["at"] == "2026-04-19T21:10:00"
    assert "celle de la réception (Received)" in question["body"]
    assert question["id"].startswith("sha1:")
    marc = db.scalar("SELECT id FROM contacts WHERE email = 'marc.dubois@menuiserie-dubois.fr'")
    offer = entries(db, marc)["Proposition de partenariat"]  # mbox, no Date
    assert offer["at"] == "2026-04-15T10:20:30"
    assert "celle de la ligne « From » de l'archive" in offer["body"]


def test_attachments_listed_not_stored(imported: tuple[Database, dict[str, int], int]) -> None:
    db, _people, _batch = imported
    marc = db.scalar("SELECT id FROM contacts WHERE email = 'marc.dubois@menuiserie-dubois.fr'")
    quote = entries(db, marc)["Devis menuiseries"]
    assert "Pièces jointes : devis-menuiseries.pdf (1 Ko)" in quote["body"]
    assert "JVBERi" not in quote["body"]


def test_mboxrd_quoting_loses_one_level() -> None:
    inbox = FIXTURES / "thunderbird" / "Mail" / "Local Folders" / "Inbox"
    messages = [m for m in read_mbox(inbox, 0) if isinstance(m, RawMail)]
    assert len(messages) == 6
    assert b"\nFrom the start we agreed" in messages[0].data
    assert b"\n>From our catalogue, page 12." in messages[5].data
    assert messages[5].envelope_date == datetime(2026, 4, 20, 16, 45)


def test_last_inbound_and_last_contact(imported: tuple[Database, dict[str, int], int]) -> None:
    db, people, _batch = imported
    assert facts(db, people["jeanne"]) == ("2026-04-23", "2026-04-23")
    assert facts(db, people["helene"]) == ("2026-04-16", "2026-04-16")
    # Paul wrote last on 21 April; the .msg of the 23rd had him in copy only
    assert facts(db, people["paul"]) == ("2026-04-23", "2026-04-21")


def test_outbound_updates_last_contact_only(db: Database, paris: None, tmp_path: Path) -> None:
    people = add_people(db)
    sent = tmp_path / "Sent"
    shutil.copy(FIXTURES / "thunderbird" / "Mail" / "Local Folders" / "Sent", sent)
    with plan_mail_import(db, [sent], MailOptions(own_addresses=[ME])) as plan:
        apply_mail_plan(db, plan)
    assert facts(db, people["helene"]) == ("2026-04-09", None)


def test_full_text_finds_mail(imported: tuple[Database, dict[str, int], int]) -> None:
    db, people, _batch = imported
    hits = list_entries(db, people["jeanne"], text="façade")
    assert {e.subject for e in hits} >= {"Devis rénovation façade"}
    assert count(db, compile_query(db, "plombier")) == 1


def test_reimport_adds_nothing(imported: tuple[Database, dict[str, int], int]) -> None:
    db, _people, _batch = imported
    before = db.scalar("SELECT count(*) FROM history")
    with plan_mail_import(db, GOOD) as plan:
        summary = plan.summary(plan.chosen("all"))
        assert summary.entries == 0 and summary.already > 0 and summary.created == 0
        result = apply_mail_plan(db, plan, plan.chosen("all"))
    assert result.batch_id is None
    assert db.scalar("SELECT count(*) FROM history") == before


def test_correspondents_proposed(db: Database, paris: None) -> None:
    add_people(db)
    with plan_mail_import(db, GOOD) as plan:
        assert plan.own == [ME] and plan.own_source == "inferred"
        proposed = {c.email: c for c in plan.candidates()}
        assert set(proposed) == {"marc.dubois@menuiserie-dubois.fr", "jdupont@free.fr"}
        marc = proposed["marc.dubois@menuiserie-dubois.fr"]
        assert (marc.first_name, marc.last_name, marc.company) == (
            "Marc", "Dubois", "Menuiserie Dubois")
        assert (marc.messages, marc.first, marc.last) == (3, "2026-04-08", "2026-04-20")
        dupont = proposed["jdupont@free.fr"]  # "DUPONT Jean" at a webmail domain
        assert (dupont.first_name, dupont.last_name, dupont.company) == ("Jean", "Dupont", "")
        assert {c.email for c in plan.candidates(bulk=True)} == {
            "newsletter@promo-bricolage.example", "no-reply@impots.example"}
        assert [c.email for c in plan.chosen("min:2")] == ["marc.dubois@menuiserie-dubois.fr"]
        assert plan.chosen("none") == []
        result = apply_mail_plan(db, plan, plan.chosen("min:2"))
    assert result.created == 1
    row = db.query("SELECT * FROM contacts WHERE email = 'marc.dubois@menuiserie-dubois.fr'")[0]
    assert (row["first_name"], row["last_name"], row["company"]) == (
        "Marc", "Dubois", "Menuiserie Dubois")
    assert len(entries(db, row["id"])) == 3
    assert db.scalar("SELECT count(*) FROM contacts WHERE email LIKE '%promo-bricolage%'") == 0


def test_create_choices_are_checked() -> None:
    assert parse_create("ALL") == "all" and parse_create("min:3") == "min:3"
    for bad in ("some", "min:0", "min:x", ""):
        with pytest.raises(ValueError):
            parse_create(bad)


def test_own_addresses_are_kept_in_the_file(imported: tuple[Database, dict[str, int], int]
                                            ) -> None:
    db, _people, _batch = imported
    assert get_setting(db, "mail.own_addresses") == [ME]
    with plan_mail_import(db, [FIXTURES / "eml"]) as plan:
        assert plan.own_source == "setting" and plan.own == [ME]


def test_undo_takes_the_batch_back(imported: tuple[Database, dict[str, int], int]) -> None:
    db, people, batch = imported
    mails = db.scalar("SELECT count(*) FROM history WHERE kind = 'email'")
    on_created = db.scalar("SELECT count(*) FROM history h JOIN contacts c ON c.id = h.contact_id"
                           " WHERE h.kind = 'email' AND c.import_batch = ?", (batch,))
    assert mails > on_created > 0
    # the batch list says how many entries the import added…
    listed = next(b for b in list_batches(db) if b.id == batch)
    assert listed.entries == mails and get_batch(db, batch).entries == mails
    # …and undo how many it removed, those of the created contacts included
    assert undo_batch(db, batch).entries == mails
    assert db.scalar("SELECT count(*) FROM history WHERE kind = 'email'") == 0
    assert db.scalar("SELECT count(*) FROM contacts") == 3  # created correspondents gone
    assert facts(db, people["jeanne"])[1] is None
    assert count(db, compile_query(db, "plombier")) == 0
    with plan_mail_import(db, GOOD) as plan:  # and it can be imported again
        assert plan.summary().entries > 0


def test_excerpt_length_is_a_setting(db: Database, paris: None) -> None:
    people = add_people(db)
    with plan_mail_import(db, [FIXTURES / "eml"], MailOptions(excerpt_chars=20)) as plan:
        apply_mail_plan(db, plan)
    body = entries(db, people["paul"])["Facture n° 2026-014 – relance"]["body"]
    text = body.split("\n\n", 1)[1]
    assert text.endswith(" …") and len(text) <= 22


# -- bad input ----------------------------------------------------------------------------

def test_bad_messages_are_reported_by_file_and_position(db: Database, tmp_path: Path) -> None:
    add_people(db)
    bad = tmp_path / "bad"
    shutil.copytree(FIXTURES / "bad", bad)
    (bad / "maildir-broken" / "cur" / "1776700001.M4P4.portable:2,S").mkdir(exist_ok=True)
    (bad / "maildir-broken" / "new").mkdir(exist_ok=True)
    with plan_mail_import(db, [bad], names=["bad"]) as plan:
        described = sorted(p.describe() for p in plan.bad)
        assert described == [
            "bad/maildir-broken/cur/1776700001.M4P4.portable:2,S: un dossier à la place"
            " d'un message",
            "bad/no-headers.mbox, message 2 (octet 228): aucun en-tête de message",
            "bad/not-a-message.msg: pas un message Outlook lisible (not an OLE2 structured"
            " storage file)",
            "bad/truncated.mbox, message 2 (octet 231): message tronqué : le fichier s'arrête"
            " au milieu",
        ]
        before = db.scalar("SELECT count(*) FROM history")
        with pytest.raises(ImportRefused):
            apply_mail_plan(db, plan)
        assert db.scalar("SELECT count(*) FROM history") == before
    with plan_mail_import(db, [bad], MailOptions(skip_bad=True)) as plan:
        result = apply_mail_plan(db, plan)
    assert result.bad_skipped == 4 and result.entries == 4


def test_eight_bit_headers_are_decoded(db: Database, paris: None) -> None:
    people = add_people(db)
    bad = FIXTURES / "bad"
    with plan_mail_import(db, [bad / "8bit-headers.eml", bad / "8bit-latin.eml"]) as plan:
        assert not plan.bad
        apply_mail_plan(db, plan)
    assert "Réunion à Nîmes — café" in entries(db, people["jeanne"])
    paul = entries(db, people["paul"])
    assert "Été à Sète" in paul
    assert "De : Paul Lefèvre <paul.lefevre@orange.fr>" in paul["Été à Sète"]["body"]


def test_a_huge_attachment_is_listed_with_flat_memory(db: Database, tmp_path: Path) -> None:
    people = add_people(db)
    archive = tmp_path / "big.mbox"
    with archive.open("wb") as out:
        out.write(b"From - Mon Apr 06 10:00:00 2026\nFrom: jeanne.exemple@garage-durand.fr\n"
                  b"To: sophie@atelier-martin.fr\nSubject: Plans\nMessage-ID: <big@x.fr>\n"
                  b"Date: Mon, 06 Apr 2026 10:00:00 +0200\n"
                  b"Content-Type: multipart/mixed; boundary=zz\n\n--zz\n"
                  b"Content-Type: text/plain\n\nLes plans en piece jointe.\n--zz\n"
                  b"Content-Type: application/octet-stream; name=plans.dwg\n"
                  b"Content-Disposition: attachment; filename=plans.dwg\n"
                  b"Content-Transfer-Encoding: base64\n\n")
        line = b"QUJD" * 19 + b"\n"
        for _ in range(50_000_000 // 57):
            out.write(line)
        out.write(b"--zz--\n\n")
    tracemalloc.start()
    try:
        with plan_mail_import(db, [archive]) as plan:
            apply_mail_plan(db, plan)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 80_000_000
    body = entries(db, people["jeanne"])["Plans"]["body"]
    assert "Les plans en piece jointe." in body
    assert "plans.dwg (50,0 Mo)" in body


def test_an_archive_changed_since_the_preview_is_refused(db: Database, tmp_path: Path) -> None:
    add_people(db)
    archive = tmp_path / "Inbox"
    shutil.copy(FIXTURES / "thunderbird" / "Mail" / "Local Folders" / "Inbox", archive)
    with plan_mail_import(db, [archive]) as plan:
        with archive.open("ab") as more:
            more.write(b"From - Mon Apr 27 10:00:00 2026\nFrom: x@y.fr\n\nNouveau.\n\n")
        with pytest.raises(ArchiveChanged):
            apply_mail_plan(db, plan)
    assert db.scalar("SELECT count(*) FROM history WHERE kind = 'email'") == 0


def test_a_schema_2_file_gets_the_mail_columns(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    open_database(path, create=True).close()
    conn = sqlite3.connect(path)
    for name in ("history_ai_inbound", "history_ad_inbound", "history_au_inbound"):
        conn.execute(f"DROP TRIGGER {name}")
    for name in ("history_message", "contacts_email2", "facts_last_inbound"):
        conn.execute(f"DROP INDEX {name}")
    conn.execute("ALTER TABLE history DROP COLUMN message_id")
    conn.execute("ALTER TABLE history DROP COLUMN direction")
    conn.execute("ALTER TABLE contact_facts DROP COLUMN last_inbound")
    conn.execute("PRAGMA user_version = 2")
    conn.commit()
    conn.close()
    with open_database(path) as db:
        assert db.schema_version == LATEST_VERSION
        columns = {row[1] for row in db.query("PRAGMA table_info(history)")}
        assert {"message_id", "direction"} <= columns
        add_people(db)
        with plan_mail_import(db, [FIXTURES / "eml"]) as plan:
            assert apply_mail_plan(db, plan).entries == 2


def test_last_inbound_is_a_query_field(imported: tuple[Database, dict[str, int], int]) -> None:
    db, _people, _batch = imported
    # the fixed clock says 20 November 2026: April is more than six months ago
    assert count(db, compile_query(db, "last_inbound<6m")) == 5  # Marc and Dupont created
    assert count(db, compile_query(db, "dernier_message_recu:2026-04")) == 5
    assert count(db, compile_query(db, "missing:last_inbound")) == 0
