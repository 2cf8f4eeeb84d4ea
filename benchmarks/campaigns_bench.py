"""Campaign figures on a generated file, each beside the best hand-written alternative.

    python benchmarks/campaigns_bench.py                   # generates 250 000 contacts once
    python benchmarks/campaigns_bench.py --keep /tmp/bench # keep (and reuse) the file

Four jobs, the targets of issue 14:

1. making a campaign over a segment of about 100 000 contacts (≤ 2 s) — against one
   hand-written ``INSERT … SELECT`` applying the same e-mail rules in SQL;
2. merging 10 000 e-mails into ``.eml`` files (≤ 10 s) — against ``str.format`` and
   ``email.message`` writing the same files, with no checks and no state recorded;
3. sending 1 000 messages to a local SMTP server, no rate limit (≤ 20 s) — against a
   bare ``smtplib`` loop that records nothing;
4. a labels PDF for 10 000 addresses (≤ 15 s) — against a bare fpdf2 loop printing
   the lines as stored (no La Poste formatting, no fitting).

Prints a table; asserts nothing. Wall-clock seconds, median of 3 (1 for the send).
"""

from __future__ import annotations

import argparse
import shutil
import smtplib
import socket
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import machine

from qualif_tui.query import compile_query, count
from qualif_tui.services.campaigns import core, labels, sending
from qualif_tui.services.campaigns.merge import TemplateText
from qualif_tui.services.campaigns.pdf import Pdf
from qualif_tui.services.campaigns.transports import (
    EmlFolder,
    SmtpSettings,
    SmtpTransport,
)
from qualif_tui.services.generator import generate_database
from qualif_tui.services.segments import save_segment
from qualif_tui.storage import Database, open_database

console = Console(width=None if sys.stdout.isatty() else 200)
SENDER = "Garage Martin <contact@garage-martin.fr>"
TEMPLATE = TemplateText.from_file_text(
    "Subject: {{ prenom|defaut('Madame, Monsieur') }}, le Salon de l'auto vous attend\n\n"
    "Bonjour {{ prenom|defaut('Madame, Monsieur') }},\n\nVotre {{ vehicule_actuel|defaut("
    "'véhicule') }} mérite un œil neuf : rendez-vous le {{ '2026-12-12'|date_fr('jour') }}"
    " à {{ ville }}.\nRemise : {{ 1500|euros }}.\n")
SEGMENT = "profil:client,prospect"


def median(func: Callable[[], object], repeat: int = 3,
           reset: Callable[[], object] | None = None) -> float:
    times = []
    for _ in range(repeat):
        if reset is not None:
            reset()
        started = time.perf_counter()
        func()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def _drop(db: Database, name: str) -> None:
    if core.find_campaign(db, name) is not None:
        core.delete_campaign(db, name)


# -- 1. a campaign over ~100 000 contacts ----------------------------------------------

HAND_SQL = """
INSERT INTO campaign_recipients(campaign_id, contact_id, address)
SELECT ?, min(c.id), lower(c.email) FROM contacts c JOIN contact_facts f ON f.contact_id = c.id
 WHERE {where} AND c.email != '' AND c.email_optout = 0
   AND (c.company != '' OR c.legal_basis IN ('consentement', 'contrat'))
 GROUP BY lower(c.email)
"""


def bench_create(db: Database) -> list[tuple[str, ...]]:
    save_segment(db, "Bench", SEGMENT, replace=True)
    size = count(db, compile_query(db, 'segment:"Bench"'))

    def ours() -> None:
        core.create_campaign(db, "Bench create", 'segment:"Bench"', channel="email")

    ours_s = median(ours, reset=lambda: _drop(db, "Bench create"))
    made = core.get_campaign(db, "Bench create")
    recipients = db.scalar("SELECT count(*) FROM campaign_recipients WHERE campaign_id = ?",
                           (made.id,))

    def hand() -> None:
        compiled = compile_query(db, 'segment:"Bench"')
        with db.transaction():
            cursor = db.execute("INSERT INTO campaigns(name, norm_name, channel, day, created,"
                                " updated) VALUES ('Bench hand', 'bench hand', 'email',"
                                " '2026-01-01', '', '')")
            db.execute(HAND_SQL.format(where=compiled.where),
                       (cursor.lastrowid, *compiled.params))

    hand_s = median(hand, reset=lambda: db.execute("DELETE FROM campaigns WHERE name ="
                                                     " 'Bench hand'"))
    return [(f"make a campaign of a {size:,}-contact segment (target ≤ 2 s)".replace(",", " "),
             f"{ours_s:.2f} s", f"{hand_s:.2f} s",
             f"{recipients:,} recipients; the rest left out with their reason".replace(",", " "))]


# -- 2. 10 000 e-mails to .eml ------------------------------------------------------------

def bench_eml(db: Database, folder: Path) -> list[tuple[str, ...]]:
    compiled = compile_query(db, SEGMENT)
    ids = [r[0] for r in db.query(
        "SELECT c.id FROM contacts c JOIN contact_facts f ON f.contact_id = c.id"
        f" WHERE {compiled.where} AND c.email != '' AND c.email_optout = 0"
        " AND (c.company != '' OR c.legal_basis IN ('consentement', 'contrat'))"
        " ORDER BY c.id LIMIT 10000", compiled.params)]
    query = f"id:{ids[0]}..{ids[-1]} {SEGMENT}"

    def reset() -> None:
        _drop(db, "Bench eml")
        shutil.rmtree(folder, ignore_errors=True)
        core.create_campaign(db, "Bench eml", query, channel="email")

    sent: list[int] = []

    def ours() -> None:
        report = sending.send_campaign(db, core.get_campaign(db, "Bench eml"), EmlFolder(folder),
                                       sender=SENDER, template=TEMPLATE)
        sent.append(report.sent)

    ours_s = median(ours, reset=reset)
    rows = db.query(f"SELECT first_name, last_name, email, city FROM contacts WHERE id IN"
                    f" ({','.join(map(str, ids))})")
    plain = folder.with_name("plain")

    def hand() -> None:
        shutil.rmtree(plain, ignore_errors=True)
        plain.mkdir()
        for n, row in enumerate(rows):
            message = EmailMessage()
            message["From"] = SENDER
            message["To"] = f"{row[0]} {row[1]} <{row[2]}>"
            message["Subject"] = f"{row[0] or 'Madame, Monsieur'}, le Salon de l'auto vous attend"
            message.set_content(f"Bonjour {row[0]},\n\nrendez-vous à {row[3]}.\n")
            (plain / f"{n}.eml").write_bytes(bytes(message))

    hand_s = median(hand)
    return [(f"merge {sent[-1]:,} e-mails into .eml files (target ≤ 10 s)".replace(",", " "),
             f"{ours_s:.2f} s", f"{hand_s:.2f} s",
             "checked, rendered, states and timeline entries recorded; hand: format + write")]


# -- 3. 1 000 messages through SMTP ------------------------------------------------------

def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class _Sink:
    def __init__(self) -> None:
        self.count = 0

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.count += 1
        return "250 OK"


def bench_smtp(db: Database) -> list[tuple[str, ...]]:
    from aiosmtpd.controller import Controller

    sink = _Sink()
    port = _free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        ids = [r[0] for r in db.query(
            "SELECT id FROM contacts WHERE email != '' AND email_optout = 0 AND"
            " (company != '' OR legal_basis IN ('consentement', 'contrat')) ORDER BY id"
            " LIMIT 1000")]
        _drop(db, "Bench smtp")
        core.create_campaign(db, "Bench smtp", f"id:{ids[0]}..{ids[-1]}", channel="email")
        campaign = core.get_campaign(db, "Bench smtp")
        transport = SmtpTransport(SmtpSettings("127.0.0.1", port, "none"))
        started = time.perf_counter()
        report = sending.send_campaign(db, campaign, transport, sender=SENDER,
                                       template=TEMPLATE)
        ours_s = time.perf_counter() - started
        started = time.perf_counter()
        with smtplib.SMTP("127.0.0.1", port) as smtp:
            for n in range(report.sent):
                message = EmailMessage()
                message["From"] = SENDER
                message["To"] = f"client{n}@exemple.fr"
                message["Subject"] = "Le Salon de l'auto vous attend"
                message.set_content("Bonjour,\n\nrendez-vous au salon.\n")
                smtp.send_message(message)
        hand_s = time.perf_counter() - started
    finally:
        controller.stop()
    return [(f"send {report.sent:,} messages to a local SMTP server, no rate limit"
             " (target ≤ 20 s)".replace(",", " "), f"{ours_s:.2f} s", f"{hand_s:.2f} s",
             "one commit per message (state + timeline); hand: smtplib, nothing recorded")]


# -- 4. labels for 10 000 addresses ------------------------------------------------------

def bench_labels(db: Database, out: Path) -> list[tuple[str, ...]]:
    rows = db.query("SELECT id FROM contacts WHERE address != '' ORDER BY id LIMIT 10000")
    _drop(db, "Bench labels")
    core.create_campaign(db, "Bench labels", f"id:{rows[0][0]}..{rows[-1][0]}",
                         channel="letter")
    campaign = core.get_campaign(db, "Bench labels")
    pages: list[int] = []

    def ours() -> None:
        pages.append(labels.write_labels(db, campaign, out, sheet="L7160").pages)

    ours_s = median(ours)
    lines = db.query("SELECT first_name || ' ' || last_name, address, postal_code || ' ' || city"
                     " FROM contacts WHERE id IN (SELECT contact_id FROM campaign_recipients"
                     " WHERE campaign_id = ?)", (campaign.id,))
    sheet = labels.SHEETS["L7160"]

    def hand() -> None:
        pdf = Pdf()
        pdf.use(8)
        for index, row in enumerate(lines):
            if index % sheet.per_page == 0:
                pdf.add_page()
            x, y = sheet.cell(index)
            for number, text in enumerate(row):
                pdf.set_xy(x + 2.5, y + 8 + number * 3.5)
                pdf.cell(58, 3.5, text)
        pdf.output(str(out.with_name("plain.pdf")))

    hand_s = median(hand)
    return [(f"labels PDF for {len(lines):,} addresses, L7160, {pages[-1]} pages"
             " (target ≤ 15 s)".replace(",", " "), f"{ours_s:.2f} s", f"{hand_s:.2f} s",
             "La Poste format, lines fitted and checked; hand: three raw lines per label")]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--contacts", type=int, default=250_000)
    parser.add_argument("--keep", type=Path, default=None,
                        help="folder for the generated file (reused when present)")
    args = parser.parse_args()
    folder = args.keep or Path(tempfile.mkdtemp(prefix="qualif-campaigns-"))
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"campaigns-{args.contacts}.db"
    if not path.exists():
        console.print(f"generating {args.contacts} contacts…")
        generate_database(path, args.contacts, seed=1)
    console.print(machine())
    table = Table(title=f"Campaigns on {args.contacts:,} generated contacts".replace(",", " "))
    for column in ("job", "qualif", "hand-written", "what each does"):
        table.add_column(column)
    db = open_database(path)
    try:
        for rows in (bench_create(db), bench_eml(db, folder / "eml"), bench_smtp(db),
                     bench_labels(db, folder / "labels.pdf")):
            for row in rows:
                table.add_row(*row)
                console.print(" | ".join(row))
    finally:
        for name in ("Bench create", "Bench eml", "Bench smtp", "Bench labels"):
            _drop(db, name)
        db.close()
    console.print(table)
    if args.keep is None:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
