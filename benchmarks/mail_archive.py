"""A mail archive for the benchmark: an mbox of N messages about the contacts of a
generated file (``qualif init F --contacts N --seed 1``), deterministic from the seed.

    python benchmarks/mail_archive.py F.db archive.mbox --messages 100000 --seed 1

The mix is a freelancer's mailbox: 60 % with contacts of the file (a third sent by
the user, ``moi@atelier-exemple.fr``; one contact alone has 5 000 messages, for the
timeline figure), 25 % with 3 000 people who have no contact yet, 15 % newsletters
and robots. Messages are 70 % multipart/alternative (text and HTML), 20 % plain
text, 10 % with a PDF attached; about 5.5 KB each, 550 MB for 100 000.
"""

from __future__ import annotations

import argparse
import base64
import random
import sqlite3
import sys
from datetime import datetime, timedelta
from pathlib import Path

ME = "moi@atelier-exemple.fr"
WORDS = ("devis chantier facture rendez-vous livraison commande relance acompte planning "
         "réunion visite métré peinture carrelage cuisine salle de bain toiture façade "
         "isolation menuiserie électricité plomberie garantie assurance échéance virement "
         "mardi jeudi semaine prochaine matin après-midi merci bonjour cordialement").split()
FIRST = "Jean Marie Pierre Sophie Luc Anne Paul Claire Louis Julie Hugo Emma Léa Noé".split()
LAST = "Martin Bernard Dubois Thomas Robert Richard Petit Durand Leroy Moreau Simon".split()
DOMAINS = ("gmail.com", "orange.fr", "free.fr", "wanadoo.fr", "laposte.net")


def _sentence(rng: random.Random, words: int) -> str:
    text = " ".join(rng.choice(WORDS) for _ in range(words))
    return text[:1].upper() + text[1:] + "."


def _body(rng: random.Random, paragraphs: int) -> str:
    return "\n\n".join(" ".join(_sentence(rng, rng.randint(8, 16)) for _ in range(3))
                       for _ in range(paragraphs))


def _contacts(db: Path) -> list[tuple[str, str]]:
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        return [(f"{first} {last}".strip(), email) for first, last, email in conn.execute(
            "SELECT first_name, last_name, email FROM contacts WHERE email != '' ORDER BY id")]
    finally:
        conn.close()


def write_archive(db: Path, out: Path, messages: int, seed: int = 1,
                  heavy_contact_messages: int = 5000) -> str:
    """Write the archive; returns the address of the contact with the most messages."""
    rng = random.Random(f"mail:{seed}")
    contacts = _contacts(db)
    heavy = contacts[0]
    strangers = [(f"{rng.choice(FIRST)} {rng.choice(LAST)}",
                  f"{rng.choice(FIRST).lower()}.{rng.choice(LAST).lower()}{i}@"
                  + (rng.choice(DOMAINS) if i % 2 else f"entreprise-{i % 700}.fr"))
                 for i in range(3000)]
    robots = [(f"Lettre {i}", f"newsletter@promo-{i}.example") for i in range(40)] + [
        ("Ne pas répondre", f"no-reply@service-{i}.example") for i in range(20)]
    pdf = base64.encodebytes(bytes(rng.getrandbits(8) for _ in range(15000))).decode()
    start = datetime(2019, 1, 1, 8, 0)
    span = (datetime(2026, 11, 1) - start).total_seconds()
    heavy_slots = set(rng.sample(range(messages), min(heavy_contact_messages, messages)))
    with out.open("w", encoding="utf-8", newline="\n") as handle:
        for n in range(messages):
            when = start + timedelta(seconds=int(span * n / messages))
            roll = rng.random()
            bulk = False
            if n in heavy_slots:
                other = heavy
            elif roll < 0.60:
                other = rng.choice(contacts)
            elif roll < 0.85:
                other = rng.choice(strangers)
            else:
                other, bulk = rng.choice(robots), True
            sent = not bulk and rng.random() < 0.33
            sender, recipient = (("Moi Atelier", ME), other) if sent else (other, ("Moi Atelier", ME))
            cc = rng.choice(contacts) if rng.random() < 0.15 else None
            subject = _sentence(rng, rng.randint(3, 7))[:-1]
            if rng.random() < 0.3:
                subject = "Re: " + subject
            text = _body(rng, rng.randint(2, 5))
            handle.write(f"From - {when:%a %b %d %H:%M:%S %Y}\n")
            for hop in range(3):
                handle.write(f"Received: from mx{hop}.relais.example (mx{hop}.relais.example"
                             f" [192.0.2.{hop + 1}]) by mx.atelier-exemple.fr with ESMTPS id"
                             f" {rng.getrandbits(40):x}; {when:%a, %d %b %Y %H:%M:%S} +0100\n")
            handle.write(f'From: "{sender[0]}" <{sender[1]}>\nTo: "{recipient[0]}" <{recipient[1]}>\n')
            if cc:
                handle.write(f'Cc: "{cc[0]}" <{cc[1]}>\n')
            encoded = base64.b64encode(subject.encode()).decode()
            handle.write(f"Subject: =?UTF-8?B?{encoded}?=\nDate: {when:%a, %d %b %Y %H:%M:%S} +0100\n"
                         f"Message-ID: <{seed}.{n}.{rng.getrandbits(32):x}@bench.example>\n"
                         "MIME-Version: 1.0\n")
            if bulk:
                handle.write(f"List-Id: <offres.{sender[1].split('@')[1]}>\nPrecedence: bulk\n")
            kind = rng.random()
            boundary = f"=_b{n}_{rng.getrandbits(48):x}"
            if kind < 0.2:
                handle.write("Content-Type: text/plain; charset=utf-8\n"
                             "Content-Transfer-Encoding: 8bit\n\n" + text + "\n\n")
                continue
            html = "<html><body>" + "".join(f"<p>{p}</p>" for p in text.split("\n\n")) \
                + "</body></html>"
            if kind < 0.9:
                handle.write(f'Content-Type: multipart/alternative; boundary="{boundary}"\n\n'
                             f"--{boundary}\nContent-Type: text/plain; charset=utf-8\n"
                             f"Content-Transfer-Encoding: 8bit\n\n{text}\n--{boundary}\n"
                             "Content-Type: text/html; charset=utf-8\n"
                             f"Content-Transfer-Encoding: 8bit\n\n{html}\n--{boundary}--\n\n")
                continue
            handle.write(f'Content-Type: multipart/mixed; boundary="{boundary}"\n\n'
                         f"--{boundary}\nContent-Type: text/plain; charset=utf-8\n"
                         f"Content-Transfer-Encoding: 8bit\n\n{text}\n--{boundary}\n"
                         'Content-Type: application/pdf; name="devis.pdf"\n'
                         'Content-Disposition: attachment; filename="devis.pdf"\n'
                         f"Content-Transfer-Encoding: base64\n\n{pdf}\n--{boundary}--\n\n")
    return heavy[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("db", type=Path)
    parser.add_argument("out", type=Path)
    parser.add_argument("--messages", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    heavy = write_archive(args.db, args.out, args.messages, args.seed)
    print(f"{args.out}: {args.messages} messages, {args.out.stat().st_size / 1e6:.0f} MB;"
          f" {heavy} has the most", file=sys.stderr)


if __name__ == "__main__":
    main()
