"""The small pieces of the mail import: charsets with their fallbacks, HTML made text,
quoted replies cut, names and companies guessed from addresses, mbox "From " lines."""

from __future__ import annotations

from datetime import datetime

import pytest

from qualif_tui.services.mailimport.correspondents import company_of_domain, guess_name
from qualif_tui.services.mailimport.headers import decode_bytes, header_text, mail_date
from qualif_tui.services.mailimport.sources import envelope_date
from qualif_tui.services.mailimport.text import excerpt, html_to_text, without_quoted_reply
from qualif_tui.services.mailimport.write import human_size


@pytest.mark.parametrize(("data", "charset", "text"), [
    ("Été".encode(), "utf-8", "Été"),
    ("Été".encode(), "us-ascii", "Été"),                 # mislabelled: UTF-8 in fact
    ("Été €".encode("cp1252"), "utf-8", "Été €"),        # mislabelled: Windows in fact
    ("Été €".encode("cp1252"), "iso-8859-1", "Été €"),   # latin-1 label, cp1252 bytes
    ("Été".encode(), "x-inconnu", "Été"),                # unknown label
    ("Été".encode("iso-8859-15"), "iso-8859-15", "Été"),
    ("Привет".encode("koi8-r"), "koi8-r", "Привет"),
    (b"\xff\xfe\xfa", None, "ÿþú"),
])
def test_charsets_and_fallbacks(data: bytes, charset: str | None, text: str) -> None:
    assert decode_bytes(data, charset) == text


def test_header_text() -> None:
    assert header_text("=?utf-8?q?R=C3=A9union?= =?iso-8859-1?q?=E0_Paris?=") == "Réunionà Paris"
    assert header_text("Re: =?UTF-8?B?w6l0w6k=?=\r\n suite") == "Re: été suite"
    assert header_text("=?x-unknown?q?caf=C3=A9?=") == "café"
    assert header_text("=?utf-8?q?broken") == "=?utf-8?q?broken"
    assert header_text("caf\udcc3\udca9") == "café"      # 8-bit bytes in a header


def test_dates(monkeypatch: pytest.MonkeyPatch) -> None:
    assert mail_date("Tue, 07 Apr 2026 14:00:00 -0000") == datetime(2026, 4, 7, 14, 0)
    assert mail_date("not a date") is None
    assert mail_date("Tue, 07 Apr 2099 14:00:00 +0000") is None   # a broken clock
    assert mail_date("Mon, 01 Jan 1970 00:00:00 +0000") is None
    assert envelope_date(b"From - Tue Apr  7 14:00:05 2026\n") == datetime(2026, 4, 7, 14, 0, 5)
    assert envelope_date(b"From 12345@xxx Tue Apr 07 12:00:00 +0000 2026\n") == datetime(
        2026, 4, 7, 12, 0)
    assert envelope_date(b"From nobody\n") is None


def test_html_to_text() -> None:
    html = ("<html><head><title>t</title><style>p{}</style></head><body><p>Un&nbsp;&amp;"
            " deux</p><ul><li>a</li><li>b</li></ul><table><tr><td>x</td><td>y</td></tr>"
            "</table><script>alert(1)</script><blockquote>cité</blockquote>fin<br>ligne")
    assert html_to_text(html) == "Un & deux\n\n- a\n- b\n\nx y\n\nfin\nligne"
    assert html_to_text("<p>non fermé") == "non fermé"


def test_quoted_replies_are_cut() -> None:
    reply = "Oui, d'accord.\n\nOn Tue, Apr 7, 2026 at 2:00 PM Jeanne <j@x.fr> wrote:\n> avant"
    assert without_quoted_reply(reply) == "Oui, d'accord."
    outlook = ("Merci.\n\n-----Original Message-----\nFrom: x\nSent: y\n\nancien")
    assert without_quoted_reply(outlook) == "Merci."
    assert without_quoted_reply("> tout est cité\n> ici") == "> tout est cité\n> ici"
    assert without_quoted_reply("Le devis est prêt.\nLe client a écrit : rien") == \
        "Le devis est prêt.\nLe client a écrit : rien"


def test_excerpt_and_sizes() -> None:
    assert excerpt("un deux trois quatre", 0) == "un deux trois quatre"
    assert excerpt("un deux trois quatre", 11) == "un deux …"
    assert (human_size(512), human_size(120_400), human_size(2_345_678)) == (
        "512 o", "120 Ko", "2,3 Mo")


@pytest.mark.parametrize(("display", "email", "first", "last", "company"), [
    ("Jean Dupont", "jean@garage-dupont.fr", "Jean", "Dupont", "Garage Dupont"),
    ("DUPONT Jean", "jdupont@free.fr", "Jean", "Dupont", ""),
    ("Dupont, Jean", "jean.dupont@wanadoo.fr", "Jean", "Dupont", ""),
    ("", "marie-claire.durand@orange.fr", "Marie-Claire", "Durand", ""),
    ("", "contact@mail.menuiserie-martin.co.uk", "", "", "Menuiserie Martin"),
    ("Jean Dupont (via Doodle)", "jean@sarl-dupont.com", "Jean", "Dupont", "SARL Dupont"),
    ("jean@x.fr", "jean@x.fr", "", "", "X"),
])
def test_names_and_companies(display: str, email: str, first: str, last: str,
                             company: str) -> None:
    guess = guess_name(display, email)
    assert (guess.first_name, guess.last_name, guess.company) == (first, last, company)


def test_webmail_domains_give_no_company() -> None:
    for domain in ("gmail.com", "orange.fr", "wanadoo.fr", "free.fr", "laposte.net"):
        assert company_of_domain(domain) == ""
