"""Writes sample_data/mail/concession.mbox: the demo dealership's mailbox (Thunderbird
style), for trying the mail import on the demo.

    python scripts/make_demo_mail.py

About forty messages with contacts of sample_data/contacts.csv (quotes, test drives,
deliveries; received and sent by ``commercial@concession-exemple.fr``), a few from
people not in the demo yet (proposed as new contacts) and two newsletters (left
out). Deterministic: the same file every run.
"""

from __future__ import annotations

import base64
import csv
import random
from datetime import datetime, timedelta
from email.header import Header
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "sample_data" / "mail" / "concession.mbox"
ME = ("Service commercial", "commercial@concession-exemple.fr")
TOPICS = [
    ("Demande d'essai", "Bonjour,\n\nJe souhaiterais essayer le {car} samedi matin si possible."
     "\n\nCordialement,\n{name}"),
    ("Devis pour un {car}", "Bonjour,\n\nPourriez-vous m'envoyer un devis pour un {car},"
     " avec reprise de mon véhicule actuel ?\n\nMerci,\n{name}"),
    ("Re: Votre devis", "Bonjour,\n\nMerci pour le devis. Le financement sur 48 mois"
     " m'intéresse ; pouvons-nous en parler jeudi ?\n\n{name}"),
    ("Livraison", "Bonjour,\n\nQuand la livraison du {car} est-elle prévue ? Je suis"
     " disponible en fin de semaine.\n\nBien à vous,\n{name}"),
]
ANSWERS = [
    ("Votre essai du {car}", "Bonjour {first},\n\nVotre essai est confirmé samedi à 10 h."
     " Pensez à votre permis.\n\nLe service commercial"),
    ("Votre devis", "Bonjour {first},\n\nVous trouverez ci-joint notre proposition pour le {car}."
     "\n\nLe service commercial"),
]
CARS = ["Clio hybride", "Mégane E-Tech", "Kangoo Van", "Captur", "Austral"]
NEW_PEOPLE = [("Bastien", "Morel", "bastien.morel@transports-morel.fr"),
              ("Inès", "Garnier", "ines.garnier@gmail.com"),
              ("Olivier", "Roux", "o.roux@cabinet-roux-avocats.fr")]


def _address(name: str, email: str) -> str:
    encoded = Header(name, "utf-8").encode() if not name.isascii() else f'"{name}"'
    return f"{encoded} <{email}>"


def _message(when: datetime, sender: tuple[str, str], to: tuple[str, str], subject: str,
             body: str, number: int, extra: str = "", attachment: bool = False) -> str:
    head = (f"From - {when:%a %b %d %H:%M:%S %Y}\n"
            f"From: {_address(*sender)}\nTo: {_address(*to)}\n"
            f"Subject: {Header(subject, 'utf-8').encode()}\n"
            f"Date: {when:%a, %d %b %Y %H:%M:%S} +0100\n"
            f"Message-ID: <demo-{number}@concession-exemple.fr>\nMIME-Version: 1.0\n{extra}")
    text = base64.encodebytes(body.encode()).decode()
    if not attachment:
        return (head + "Content-Type: text/plain; charset=utf-8\n"
                "Content-Transfer-Encoding: base64\n\n" + text + "\n")
    pdf = base64.encodebytes(b"%PDF-1.4\n% proposition commerciale\n%%EOF\n" * 40).decode()
    return (head + 'Content-Type: multipart/mixed; boundary="demo-mix"\n\n--demo-mix\n'
            "Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: base64\n\n"
            + text + '\n--demo-mix\nContent-Type: application/pdf; name="proposition.pdf"\n'
            'Content-Disposition: attachment; filename="proposition.pdf"\n'
            "Content-Transfer-Encoding: base64\n\n" + pdf + "\n--demo-mix--\n\n")


def main() -> None:
    rng = random.Random("demo-mail")
    with (ROOT / "sample_data" / "contacts.csv").open(encoding="utf-8") as handle:
        people = [(f"{r['first_name']} {r['last_name']}".strip(), r["email"], r["first_name"])
                  for r in csv.DictReader(handle) if r["email"]]
    chosen = rng.sample(people, 14)
    when = datetime(2026, 9, 1, 9, 0)
    parts = []
    number = 0
    for name, email, first in chosen:
        car = rng.choice(CARS)
        for _exchange in range(rng.randint(1, 2)):
            when += timedelta(hours=rng.randint(5, 60))
            subject, body = rng.choice(TOPICS)
            number += 1
            parts.append(_message(when, (name, email), ME, subject.format(car=car),
                                  body.format(car=car, name=name), number))
            when += timedelta(hours=rng.randint(1, 20))
            subject, body = rng.choice(ANSWERS)
            number += 1
            parts.append(_message(when, ME, (name, email), subject.format(car=car),
                                  body.format(car=car, first=first), number,
                                  attachment=subject.startswith("Votre devis")))
    for first, last, email in NEW_PEOPLE:
        for _count in range(2 if first != "Olivier" else 1):
            when += timedelta(hours=rng.randint(10, 50))
            number += 1
            parts.append(_message(when, (f"{first} {last}", email), ME,
                                  "Demande d'informations", f"Bonjour,\n\nJe cherche un"
                                  f" utilitaire pour mon activité. Pouvez-vous me rappeler ?"
                                  f"\n\n{first} {last}", number))
    for _newsletter in range(2):
        when += timedelta(days=3)
        number += 1
        parts.append(_message(when, ("Actualités constructeur", "newsletter@constructeur.example"),
                              ME, "Les nouveautés du mois", "Découvrez nos offres.", number,
                              extra="List-Id: <actus.constructeur.example>\nPrecedence: bulk\n"))
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text("".join(parts), encoding="utf-8", newline="\n")
    print(f"{OUT}: {len(parts)} messages")


if __name__ == "__main__":
    main()
