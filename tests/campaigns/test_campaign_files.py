"""What campaigns write to files, read back: .eml, mbox, Word letters, PDF letters and labels."""

from __future__ import annotations

import mailbox
import math
from email import message_from_bytes, policy
from pathlib import Path

import pytest
from docx import Document
from pypdf import PdfReader

from campaigns.conftest import SENDER
from qualif_tui.domain.contacts import create_contact
from qualif_tui.domain.errors import ValidationError
from qualif_tui.domain.settings import set_setting
from qualif_tui.services.campaigns import core, labels, letters, sending
from qualif_tui.services.campaigns.merge import TemplateProblem, TemplateText
from qualif_tui.services.campaigns.postal import format_address
from qualif_tui.services.campaigns.transports import EmlFolder, MboxFile
from qualif_tui.storage import Database

TEMPLATE = TemplateText.from_file_text("Subject: Invitation — {{ prenom }}\n\n"
                                       "Bonjour {{ prenom }}, à bientôt à {{ ville }} !\n")


def _pdf_text(path: Path) -> str:
    return "\n".join(page.extract_text() or "" for page in PdfReader(str(path)).pages)


def test_eml_files_one_per_recipient_and_a_rerun_duplicates_nothing(
        keyed_db: Database, people: dict[str, int], tmp_path: Path) -> None:
    campaign = core.create_campaign(keyed_db, "Salon", "", channel="email").campaign
    folder = tmp_path / "envoi"
    report = sending.send_campaign(keyed_db, campaign, EmlFolder(folder), sender=SENDER,
                                   template=TEMPLATE)
    files = sorted(folder.glob("*.eml"))
    assert report.sent == 4 and len(files) == 4
    parsed = [message_from_bytes(f.read_bytes(), policy=policy.default) for f in files]
    subjects = sorted(str(m["Subject"]) for m in parsed)
    assert "Invitation — Hélène" in subjects
    helene = next(m for m in parsed if str(m["To"]).startswith("Hélène"))
    body = helene.get_body(("plain",))
    assert body is not None
    assert "Bonjour Hélène, à bientôt à Toulouse !" in body.get_content()
    assert helene["Message-ID"] and helene["List-Unsubscribe"]
    again = sending.send_campaign(keyed_db, campaign, EmlFolder(folder), sender=SENDER)
    assert again.sent == 0 and len(list(folder.glob("*.eml"))) == 4
    assert keyed_db.scalar("SELECT count(*) FROM history WHERE kind = 'campaign'") == 4


def test_mbox_is_read_by_a_mail_library_and_resuming_skips_what_it_holds(
        keyed_db: Database, people: dict[str, int], tmp_path: Path) -> None:
    campaign = core.create_campaign(keyed_db, "Salon", "", channel="email").campaign
    box = tmp_path / "salon.mbox"
    sending.send_campaign(keyed_db, campaign, MboxFile(box), sender=SENDER, template=TEMPLATE)
    messages = list(mailbox.mbox(str(box)))
    assert len(messages) == 4
    assert {m["Message-ID"] for m in messages} == {r[0] for r in keyed_db.query(
        "SELECT message_id FROM campaign_recipients WHERE state = 'sent'")}
    # as if the run had been killed after writing but before recording: states put back
    keyed_db.execute("UPDATE campaign_recipients SET state = 'queued'")
    sending.send_campaign(keyed_db, campaign, MboxFile(box), sender=SENDER)
    assert len(list(mailbox.mbox(str(box)))) == 4


def test_a_folder_that_cannot_be_written_is_a_clear_error(
        keyed_db: Database, people: dict[str, int], tmp_path: Path) -> None:
    from qualif_tui.services.campaigns.transports import SendAborted

    blocker = tmp_path / "fichier"
    blocker.write_text("x")
    campaign = core.create_campaign(keyed_db, "Salon", "", channel="email").campaign
    with pytest.raises(SendAborted, match="impossible à créer"):
        sending.send_campaign(keyed_db, campaign, EmlFolder(blocker / "dossier"), sender=SENDER,
                              template=TEMPLATE)
    with pytest.raises(SendAborted, match="n'existe pas"):
        sending.send_campaign(keyed_db, campaign, MboxFile(tmp_path / "non" / "x.mbox"),
                              sender=SENDER, template=TEMPLATE)


def _word_template(path: Path) -> Path:
    document = Document()
    document.add_heading("Garage Martin", level=1)
    document.add_paragraph("{{ adresse_postale }}")
    greeting = document.add_paragraph("Bonjour ")
    greeting.add_run("{{ prenom|defaut('Madame, Monsieur') }}").bold = True
    greeting.add_run(",")
    document.add_paragraph("Votre {{ keys['Véhicule actuel']|defaut('véhicule') }} & vous.")
    document.save(str(path))
    return path


def test_word_letters_one_per_page_read_back(keyed_db: Database, people: dict[str, int],
                                             tmp_path: Path) -> None:
    campaign = core.create_campaign(keyed_db, "Courrier", "", channel="letter").campaign
    report = letters.write_word_letters(keyed_db, campaign, _word_template(tmp_path / "m.docx"),
                                        tmp_path / "lettres.docx")
    assert report.letters == 7  # everyone with a postal address
    document = Document(str(tmp_path / "lettres.docx"))
    texts = [p.text for p in document.paragraphs]
    assert texts.count("Garage Martin") == 7
    assert "Bonjour Hélène," in texts and "Votre berline & vous." in texts
    assert "Garage Œillet & Fils\nNoël Œillet\nZA du Ritouret\n31700 BLAGNAC" in texts
    breaks = document.element.body.xpath('.//w:br[@w:type="page"]')
    assert len(breaks) == 6  # between the letters
    assert keyed_db.scalar("SELECT count(*) FROM campaign_recipients WHERE state = 'sent'") == 7
    letters.write_word_letters(keyed_db, campaign, tmp_path / "m.docx", tmp_path / "b.docx")
    assert keyed_db.scalar("SELECT count(*) FROM history WHERE kind = 'campaign'") == 7  # once


def test_word_letters_as_pdf_and_a_bad_word_template(keyed_db: Database,
                                                     people: dict[str, int],
                                                     tmp_path: Path) -> None:
    campaign = core.create_campaign(keyed_db, "Courrier", "", channel="letter").campaign
    letters.write_word_letters(keyed_db, campaign, _word_template(tmp_path / "m.docx"),
                               tmp_path / "lettres.pdf")
    reader = PdfReader(str(tmp_path / "lettres.pdf"))
    assert len(reader.pages) == 7
    assert "Bonjour Hélène," in (reader.pages[0].extract_text() or "") or \
        "Hélène" in _pdf_text(tmp_path / "lettres.pdf")
    bad = Document()
    bad.add_paragraph("Cher {{ prenon }},")
    bad.save(str(tmp_path / "bad.docx"))
    with pytest.raises(TemplateProblem, match=r"prenon.*prenom.*Cher"):
        letters.write_word_letters(keyed_db, campaign, tmp_path / "bad.docx", tmp_path / "x.docx")
    assert not (tmp_path / "x.docx").exists()
    (tmp_path / "pas-word.docx").write_text("ceci n'est pas un document Word")
    with pytest.raises(ValidationError, match="pas un document Word"):
        letters.write_word_letters(keyed_db, campaign, tmp_path / "pas-word.docx",
                                   tmp_path / "x.docx")


def test_built_in_pdf_letter_with_the_freelancers_header(keyed_db: Database,
                                                         people: dict[str, int],
                                                         tmp_path: Path) -> None:
    with keyed_db.transaction():
        set_setting(keyed_db, "company.name", "Garage Martin")
        set_setting(keyed_db, "company.city", "Blagnac")
        set_setting(keyed_db, "company.siret", "123 456 789 00012")
    campaign = core.create_campaign(keyed_db, "Courrier", "profil:prospect",
                                    channel="letter").campaign
    template = TemplateText.from_file_text("Subject: Nos offres d'hiver\n\n"
                                           "Bonjour {{ prenom }},\n\nÀ bientôt, cœur sur la main.")
    report = letters.write_pdf_letters(keyed_db, campaign, template, tmp_path / "l.pdf")
    reader = PdfReader(str(tmp_path / "l.pdf"))
    assert report.letters == len(reader.pages) == 4
    first = reader.pages[0].extract_text() or ""
    assert "Garage Martin" in first and "SIRET 123 456 789 00012" in first
    assert "Objet : Nos offres d'hiver" in first and "Blagnac, le 20 novembre 2026" in first
    assert "cœur" in _pdf_text(tmp_path / "l.pdf") or "coeur" in _pdf_text(tmp_path / "l.pdf")


@pytest.mark.parametrize(("sheet", "per_page"), [("L7160", 21), ("L7163", 14), ("L7173", 10),
                                                 ("3x10:70x29.7", 30)])
def test_label_pages_follow_the_sheet(keyed_db: Database, tmp_path: Path, sheet: str,
                                      per_page: int) -> None:
    for n in range(45):
        create_contact(keyed_db, {"first_name": f"Anaïs{n}", "last_name": "Lefèvre",
                                  "address": f"{n + 1} rue de la République",
                                  "postal_code": "31000", "city": "Toulouse"})
    campaign = core.create_campaign(keyed_db, "Étiquettes", "", channel="letter").campaign
    out = tmp_path / "e.pdf"
    report = labels.write_labels(keyed_db, campaign, out, sheet=sheet,
                                 font_size=None)
    assert len(PdfReader(str(out)).pages) == report.pages == math.ceil(45 / per_page)
    text = _pdf_text(out)
    assert text.count("31000 TOULOUSE") == 45 and "Anaïs0 Lefèvre" in text
    started = labels.write_labels(keyed_db, campaign, out, sheet=sheet, start=per_page,
                                  font_size=None)
    assert started.pages == math.ceil((per_page - 1 + 45) / per_page)


def test_labels_cut_long_lines_visibly_and_say_so(keyed_db: Database, tmp_path: Path) -> None:
    create_contact(keyed_db, {"first_name": "Marie-Amélie", "last_name": "de La Rochefoucauld",
                              "address": "Résidence des Grands Chênes, bâtiment B, escalier 4",
                              "postal_code": "64200", "city": "Biarritz"})
    create_contact(keyed_db, {"first_name": "Hans", "last_name": "Müller",
                              "address": "Hauptstraße 5", "postal_code": "10115",
                              "city": "Berlin", "country": "Allemagne"})
    campaign = core.create_campaign(keyed_db, "Long", "", channel="letter").campaign
    report = labels.write_labels(keyed_db, campaign, tmp_path / "l.pdf")
    assert any("ligne 2 coupée à 38 caractères" in p and "Rochefoucauld" in p
               for p in report.problems)
    text = _pdf_text(tmp_path / "l.pdf")
    assert "Résidence des Grands Chênes, bâtiment…" in text
    assert "10115 BERLIN" in text and "ALLEMAGNE" in text


def test_la_poste_format() -> None:
    address = format_address(first_name="Jean", last_name="Dupont", company="SARL Dupont & Fils",
                             title="Gérant", address="12, rue de l'Église",
                             address2="Bâtiment C", postal_code="31250",
                             city="Revel-Saint-Ferréol")
    assert address.lines == ["SARL Dupont & Fils", "Jean Dupont, Gérant", "Bâtiment C",
                             "12, rue de l'Église", "31250 REVEL SAINT FERREOL"]
    assert all(len(line) <= 38 for line in address.lines) and not address.problems
    long = format_address(last_name="X" * 50, postal_code="75001", city="Paris")
    assert long.lines[0] == "X" * 37 + "…" and long.cut == [(1, "X" * 50)]


def test_a_sheet_too_small_for_the_font_is_refused(keyed_db: Database,
                                                   people: dict[str, int],
                                                   tmp_path: Path) -> None:
    campaign = core.create_campaign(keyed_db, "Courrier", "", channel="letter").campaign
    with pytest.raises(ValidationError, match=r"trop basses pour 6 lignes en 14 pt"):
        labels.write_labels(keyed_db, campaign, tmp_path / "x.pdf", sheet="L7160", font_size=14)
    with pytest.raises(ValidationError, match="planche « L9999 » inconnue"):
        labels.write_labels(keyed_db, campaign, tmp_path / "x.pdf", sheet="L9999")
    with pytest.raises(ValidationError, match="dépasse"):
        labels.write_labels(keyed_db, campaign, tmp_path / "x.pdf", sheet="3x8:80x40")
    assert not (tmp_path / "x.pdf").exists()


def test_envelopes_one_per_page_with_the_sender(keyed_db: Database, people: dict[str, int],
                                                tmp_path: Path) -> None:
    with keyed_db.transaction():
        set_setting(keyed_db, "company.name", "Garage Martin")
    campaign = core.create_campaign(keyed_db, "Courrier", "", channel="letter").campaign
    report = labels.write_envelopes(keyed_db, campaign, tmp_path / "env.pdf", envelope="C5")
    reader = PdfReader(str(tmp_path / "env.pdf"))
    assert len(reader.pages) == report.printed == 7
    box = reader.pages[0].mediabox
    assert round(float(box.width) * 25.4 / 72) == 229 and round(float(box.height) * 25.4 / 72) == 162
    assert "Garage Martin" in (reader.pages[0].extract_text() or "")
