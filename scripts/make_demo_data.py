"""Write sample_data/: the demo of a car dealership near Toulouse.

Run once by a developer (``python scripts/make_demo_data.py``); the CSV/JSON it
writes are committed and are what ``qualif init --demo`` loads. Dates are
written around ANCHOR; the loader shifts them so the demo's agenda is always
"today" (overdue items yesterday, meetings this week).
"""

from __future__ import annotations

import csv
import json
import random
from datetime import date, timedelta
from pathlib import Path

from qualif_tui.base.geography import DEPARTEMENTS
from qualif_tui.base.text import fold
from qualif_tui.services.frenchdata import (
    ACTIVITY_TITLES,
    COMPANY_PATTERNS,
    DEAL_CATEGORIES,
    DEAL_CATEGORY_OF,
    DEAL_NOTES,
    DEAL_TITLES,
    DEMO_ISSUER,
    DEMO_KEYS,
    FIRST_NAMES_F,
    FIRST_NAMES_M,
    HISTORY_BODIES,
    HISTORY_SUBJECTS,
    LAST_NAMES,
    LOST_REASONS,
    QUOTE_EXTRAS,
    STREET_NAMES,
    STREET_TYPES,
    TITLES,
    TOWNS,
)

ANCHOR = date(2026, 11, 20)
OUT = Path(__file__).resolve().parent.parent / "sample_data"
N = 300


def ascii_word(text: str) -> str:
    return "".join(c for c in fold(text) if c.isalnum())


def main() -> None:
    rng = random.Random(2026)
    occitanie = [t for t in TOWNS if DEPARTEMENTS[t[0]].region == "Occitanie"]
    elsewhere = [t for t in TOWNS if DEPARTEMENTS[t[0]].region != "Occitanie"]
    contacts: list[dict[str, object]] = []
    history: list[dict[str, object]] = []
    activities: list[dict[str, object]] = []
    deals: list[dict[str, object]] = []
    quotes: list[dict[str, object]] = []
    lines: list[dict[str, object]] = []
    used_emails: set[str] = set()
    for ref in range(1, N + 1):
        female = rng.random() < 0.5
        first = rng.choice(FIRST_NAMES_F if female else FIRST_NAMES_M)
        last = rng.choice(LAST_NAMES)
        town = rng.choice(occitanie) if rng.random() < 0.7 else rng.choice(elsewhere)
        dept, city, postal, _weight = town
        company = title = ""
        if rng.random() < 0.3:
            company = rng.choice(COMPANY_PATTERNS).format(n=rng.choice(LAST_NAMES))
            title = rng.choice(TITLES)
        local = f"{ascii_word(first)}.{ascii_word(last)}"
        domain = ascii_word(company)[:18] + ".fr" if company else rng.choice(
            ["orange.fr", "gmail.com", "free.fr", "wanadoo.fr", "laposte.net", "sfr.fr"])
        email = f"{local}@{domain}"
        n = 2
        while email in used_emails:
            email = f"{local}{n}@{domain}"
            n += 1
        used_emails.add(email)
        if rng.random() < 0.06:
            email = ""
        row = {
            "ref": ref,
            "first_name": first,
            "last_name": last,
            "company": company,
            "title": title,
            "email": email,
            "mobile": "0{} {:02d} {:02d} {:02d} {:02d}".format(
                rng.choice((6, 7)), *(rng.randrange(100) for _ in range(4))),
            "phone": "" if rng.random() < 0.5 else "05 {:02d} {:02d} {:02d} {:02d}".format(
                *(rng.randrange(100) for _ in range(4))),
            "address": f"{rng.randrange(1, 90)} {rng.choice(STREET_TYPES)} {rng.choice(STREET_NAMES)}",
            "postal_code": postal,
            "city": city,
            "country": "France",
            "birthday": "" if rng.random() < 0.5 else
            f"{rng.randrange(1945, 2004)}-{rng.randrange(1, 13):02d}-{rng.randrange(1, 29):02d}",
            "email_optout": int(rng.random() < 0.05),
            "created": (ANCHOR - timedelta(days=rng.randrange(30, 1500))).isoformat() + "T10:00:00",
        }
        for name, key_type, values in DEMO_KEYS:
            if rng.random() < 0.2:
                row[name] = ""
            elif key_type == "month":
                row[name] = f"{rng.randrange(2008, 2026)}-{rng.randrange(1, 13):02d}"
            else:
                row[name] = rng.choices([v for v, _ in values], [w for _, w in values])[0]
        contacts.append(row)
        for _ in range(rng.choice((0, 1, 2, 3, 3, 4, 5, 6))):
            kind = rng.choices(("call", "email", "meeting", "note", "letter"), (40, 25, 15, 15, 5))[0]
            when = ANCHOR - timedelta(days=rng.randrange(1, 700))
            history.append({
                "contact_ref": ref,
                "kind": kind,
                "happened_at": f"{when.isoformat()}T{rng.randrange(8, 19):02d}:{rng.choice((0, 15, 30, 45)):02d}:00",
                "subject": rng.choice(HISTORY_SUBJECTS[kind]),
                "body": rng.choice(HISTORY_BODIES) if rng.random() < 0.5 else "",
            })
        if rng.random() < 0.45:
            kind = rng.choice(("call", "meeting", "todo"))
            offset = rng.randrange(-6, 21)
            day = ANCHOR + timedelta(days=offset)
            done = offset < -2 and rng.random() < 0.5
            activities.append({
                "ref": len(activities) + 1,
                "kind": kind,
                "title": rng.choice(ACTIVITY_TITLES[kind]),
                "starts_at": "" if kind == "todo" else
                f"{day.isoformat()}T{rng.randrange(8, 18):02d}:{rng.choice((0, 30)):02d}",
                "due": day.isoformat() if kind == "todo" else "",
                "duration_min": 60 if kind == "meeting" else "",
                "priority": rng.choice((1, 2, 2, 2, 3)),
                "alarm_min": 15 if kind == "meeting" else "",
                "rrule": "",
                "location": "Concession, Blagnac" if kind == "meeting" else "",
                "status": "done" if done else "open",
                "contact_refs": str(ref),
            })
        if rng.random() < 0.2:
            stage = rng.choices(("lead", "qualified", "proposal", "negotiation", "won", "lost"),
                                (15, 15, 20, 10, 30, 10))[0]
            deals.append({
                "contact_ref": ref,
                "title": rng.choice(DEAL_TITLES),
                "stage": stage,
                "amount": 1000 * rng.randrange(9, 55),
                "probability": {"won": 100, "lost": 0}.get(stage, rng.choice((10, 30, 50, 70))),
                "expected_close": (ANCHOR + timedelta(days=rng.randrange(5, 90))).isoformat()
                if stage not in ("won", "lost") else "",
                "closed_at": (ANCHOR - timedelta(days=rng.randrange(5, 400))).isoformat()
                if stage in ("won", "lost") else "",
            })
            # the deal's other fields from a generator of their own, so the contacts,
            # history and agenda above stay what they were before deals had them
            enrich_deal(deals[-1], len(deals), random.Random(f"demo-deal-{ref}"), quotes, lines)
    # Former buyers gone quiet (no contact, no purchase for over a year): what the
    # "clients inactifs" report lists. Appended without drawing from the generator,
    # so every other row stays as it was.
    for ref, title, amount, months_ago in ((121, "Berline d'occasion", 21000, 16),
                                           (77, "Break familial", 27000, 19),
                                           (110, "Utilitaire", 18000, 23),
                                           (201, "Citadine neuve", 15000, 14),
                                           (193, "SUV hybride", 36000, 28)):
        deals.append({
            "contact_ref": ref, "title": title, "stage": "won", "amount": amount,
            "probability": 100, "expected_close": "",
            "closed_at": (ANCHOR - timedelta(days=30 * months_ago)).isoformat(),
        })
        enrich_deal(deals[-1], len(deals), random.Random(f"demo-deal-{ref}-late"), quotes, lines)
    activities.append({
        "ref": len(activities) + 1, "kind": "meeting", "title": "Réunion commerciale hebdomadaire",
        "starts_at": f"{(ANCHOR - timedelta(days=ANCHOR.weekday())).isoformat()}T08:30",
        "due": "", "duration_min": 45, "priority": 2, "alarm_min": 10,
        "rrule": "FREQ=WEEKLY;BYDAY=MO", "location": "Concession, Blagnac", "status": "open",
        "contact_refs": "",
    })
    activities.append({
        "ref": len(activities) + 1, "kind": "todo", "title": "Préparer le salon de l'auto de Toulouse",
        "starts_at": "", "due": (ANCHOR + timedelta(days=10)).isoformat(), "duration_min": "",
        "priority": 1, "alarm_min": "", "rrule": "", "location": "", "status": "open",
        "contact_refs": "",
    })

    # cards with deals or activities stay as they are: the other screens' pictures too
    busy = {int(str(d["contact_ref"])) for d in deals} | {
        int(ref) for a in activities for ref in str(a["contact_refs"]).split() if ref}
    plant_duplicates(contacts, busy)
    OUT.mkdir(exist_ok=True)
    write_csv(OUT / "contacts.csv", contacts)
    write_csv(OUT / "history.csv", history)
    write_csv(OUT / "activities.csv", activities)
    write_csv(OUT / "deals.csv", deals)
    write_csv(OUT / "quotes.csv", quotes)
    write_csv(OUT / "quote_lines.csv", lines)
    keys = [
        {
            "name": name,
            "type": key_type,
            "values": [v for v, _ in values],
            **({"remind": True, "remind_after_months": 48, "remind_lead_days": 30}
               if key_type == "month" else {}),
        }
        for name, key_type, values in DEMO_KEYS
    ]
    segments = [
        {"name": "Clients Occitanie", "query": "profil:client region:occitanie"},
        {"name": "Salon Midi-Pyrénées",
         "query": 'profil:client,prospect region:"midi-pyrenees" source:"foire/salon"'},
        {"name": "Prospects à relancer", "query": "profil:prospect last_contact<6m"},
        {"name": "Contrôle des 4 ans", "query": "mise_en_service:2021..2022"},
        {"name": "À qualifier", "query": "missing:profil OR missing:source"},
    ]
    # issue 16: custom fields an import kept (Budget véhicule, Parrain) and values kept though
    # invalid, so that the demo shows them on the card and in the query language
    rng_custom = random.Random(16)
    custom = {}
    for row in rng_custom.sample(contacts[:250], 40):
        fields = {"Budget véhicule": f"{rng_custom.randrange(8, 60)} 000"}
        if rng_custom.random() < 0.3:
            fields["Parrain"] = rng_custom.choice(("M. Castel", "Mme Rivière", "Garage Vidal"))
        custom[str(row["ref"])] = fields
    invalid: list[dict[str, object]] = []
    for row in contacts[200:250]:  # not among the planted duplicates, nor mailed to
        if row["email"] and str(row["email_optout"]) == "1" and len(invalid) < 2:
            invalid.append({"ref": row["ref"], "email": str(row["email"]).rsplit(".", 1)[0]})
    meta = {
        "anchor": ANCHOR.isoformat(),
        "description": "Concession automobile près de Toulouse : 300 contacts, clients,"
                       " prospects et prescripteurs, avec leur historique, agenda et affaires.",
        "keys": keys,
        "segments": segments,
        "deal_categories": list(DEAL_CATEGORIES),
        "issuer": DEMO_ISSUER,
        "custom_fields": custom,
        "kept_invalid": invalid,
    }
    (OUT / "demo.json").write_text(json.dumps(meta, ensure_ascii=False, indent=2) + "\n",
                                   encoding="utf-8")
    write_campaigns(contacts)


def write_campaigns(contacts: list[dict[str, object]]) -> None:
    """sample_data/campaigns.json: legal bases and campaigns. A random stream of its
    own, so the other files stay as they were."""
    rng = random.Random(2027)
    bases: dict[str, list[int]] = {"consentement": [], "contrat": [], "intérêt légitime": []}
    for row in contacts:
        ref = int(str(row["ref"]))
        if row["company"]:
            if rng.random() < 0.4:
                bases["intérêt légitime"].append(ref)
        elif row.get("Profil") == "client" and rng.random() < 0.85:
            bases["contrat"].append(ref)
        elif row.get("Source") in ("foire/salon", "web", "facebook") and rng.random() < 0.75:
            bases["consentement"].append(ref)
        elif rng.random() < 0.3:
            bases["consentement"].append(ref)
    mailing = {
        "name": "Mailing Salon de l'auto 2026",
        "channel": "email",
        "query": "profil:client,prospect region:occitanie",
        "day": (ANCHOR - timedelta(days=45)).isoformat(),
        "cost": 450,
        "sent": True,
        "sender": "Garage Martin <contact@garage-martin.fr>",
        "subject": "{{ prenom|defaut('Madame, Monsieur') }}, le Salon de l'auto vous attend",
        "body": "Bonjour {{ prenom|defaut('Madame, Monsieur') }},\n\n"
                "Le Garage Martin vous invite au Salon de l'auto de Toulouse, du 12 au 15"
                " octobre, hall 3.\n{% if vehicule_actuel %}Votre {{ vehicule_actuel }}"
                " mérite qu'on en parle : estimation de reprise offerte sur le stand.\n"
                "{% endif %}\nÀ très bientôt,\nL'équipe du Garage Martin\n",
        "responses": {"replied": 7, "meeting": 4, "quote": 3, "order": 2, "unsubscribed": 1,
                      "bounced": 2},
        "deals": [{"title": "Berline hybride (salon)", "amount": 31900, "after_days": 16},
                  {"title": "SUV compact (salon)", "amount": 27400, "after_days": 38},
                  {"title": "Citadine d'occasion (salon)", "amount": 11800, "after_days": 52}],
        "chain": ["J+60 appel: Relance après le salon"],
    }
    events = {
        "name": "Portes ouvertes de printemps",
        "channel": "event",
        "query": "profil:client,prospect,prescripteur",
        "day": (ANCHOR - timedelta(days=220)).isoformat(),
        "cost": 900,
        "sent": True,
        "responses": {"replied": 12, "meeting": 6, "quote": 2, "order": 1, "bounced": 3},
        "deals": [{"title": "Utilitaire (portes ouvertes)", "amount": 22500, "after_days": 30}],
    }
    letters = {
        "name": "Courrier contrôle des 4 ans",
        "channel": "letter",
        "query": 'segment:"Contrôle des 4 ans"',
        "day": (ANCHOR + timedelta(days=3)).isoformat(),
        "cost": 140,
        "sent": False,
    }
    spec = {"legal_basis": {k: sorted(v) for k, v in bases.items()},
            "campaigns": [mailing, events, letters]}
    (OUT / "campaigns.json").write_text(json.dumps(spec, ensure_ascii=False, indent=1) + "\n",
                                        encoding="utf-8")


OPEN_PATH = ("lead", "qualified", "proposal", "negotiation")


def enrich_deal(deal: dict[str, object], ref: int, rng: random.Random,
                quotes: list[dict[str, object]], lines: list[dict[str, object]]) -> None:
    """Created day, category, cost, notes, lost reason, the stage a lost deal was lost
    at, and the quotes a deal at its stage has (lines summing to its amount)."""
    stage = str(deal["stage"])
    amount = int(str(deal["amount"]))
    closed = str(deal["closed_at"])
    created = (date.fromisoformat(closed) - timedelta(days=rng.randrange(15, 100))
               if closed else ANCHOR - timedelta(days=rng.randrange(5, 150)))
    deal["ref"] = ref
    deal["created"] = created.isoformat()
    deal["category"] = DEAL_CATEGORY_OF.get(str(deal["title"]), "")
    deal["cost"] = round(amount * rng.uniform(0.78, 0.9), -2)
    deal["notes"] = rng.choice(DEAL_NOTES)
    deal["lost_reason"] = ""
    deal["lost_from"] = ""
    if stage == "lost":
        deal["lost_reason"] = rng.choices([r for r, _ in LOST_REASONS],
                                          [w for _, w in LOST_REASONS])[0]
        deal["lost_from"] = rng.choice(OPEN_PATH)
    reached = deal["lost_from"] if stage == "lost" else stage
    if reached not in ("proposal", "negotiation", "won"):
        return
    issued = (created + timedelta(days=rng.randrange(2, 12)))
    if stage in ("won", "lost"):
        issued = min(issued, date.fromisoformat(closed) - timedelta(days=2))
    status = {"won": "accepted", "lost": "refused"}.get(stage, "sent")
    extras = rng.sample(QUOTE_EXTRAS, rng.randrange(1, 4))
    vehicle = amount - sum(price for _d, _u, price, _v in extras)
    versions = 2 if stage == "negotiation" and rng.random() < 0.5 else 1
    for version in range(1, versions + 1):
        quote_ref = len(quotes) + 1
        day = issued + timedelta(days=7 * (version - 1))
        quotes.append({"ref": quote_ref, "deal_ref": ref, "contact_ref": deal["contact_ref"],
                       "title": deal["title"], "issued": day.isoformat(),
                       "valid_days": 30, "version": version,
                       "status": status if version == versions else "sent",
                       "decided_at": closed if stage in ("won", "lost") else ""})
        discount = 5 if version == 2 else 0
        lines.append({"quote_ref": quote_ref, "designation": str(deal["title"]),
                      "quantity": 1, "unit": "véhicule" if deal["category"] != "Entretien"
                      else "contrat", "unit_price": vehicle, "vat_rate": 20,
                      "discount": discount})
        for designation, unit, price, vat in extras:
            lines.append({"quote_ref": quote_ref, "designation": designation, "quantity": 1,
                          "unit": unit, "unit_price": price, "vat_rate": vat, "discount": 0})
def plant_duplicates(contacts: list[dict[str, object]], busy: set[int]) -> None:
    """Make four late cards near-duplicates of earlier ones (issue 16): the demo's
    duplicates screen then has work — a typo in the same company and town,
    inverted names, a card imported twice with another address, a name typed
    without its accents. None shares an e-mail address or a phone with its
    twin, so an export imported again still gives every card back (the import
    takes those for the same person). Late names only, so the first page of
    the list stays as it was; each planted card keeps its own keys, history,
    agenda and the département of its town."""
    rng = random.Random(16)
    late = [r for r in contacts[250:] if str(r["last_name"]) >= "P"
            and int(str(r["ref"])) not in busy]
    used: set[object] = set()
    index = 0
    for row in late:
        if index == 4:
            break
        candidates = [s for s in contacts[:240] if str(s["last_name"]) >= "P"
                      and str(s["postal_code"])[:2] == str(row["postal_code"])[:2]
                      and s["ref"] not in used and s["email"] and s["company"]]
        if not candidates:  # one without a company would do (late names only), else skip
            candidates = [s for s in contacts[:240] if s["ref"] not in used and s["email"]
                          and str(s["last_name"]) >= "P"
                          and str(s["postal_code"])[:2] == str(row["postal_code"])[:2]]
        if not candidates:
            continue  # the next late card may have a twin to be
        source = rng.choice(candidates)
        used.add(source["ref"])
        for name in ("first_name", "last_name", "postal_code", "city"):
            row[name] = source[name]
        first, last = str(source["first_name"]), str(source["last_name"])
        if index == 0:  # a typo in the last name, the same company
            row["last_name"] = last[:-2] + last[-1] if len(last) > 3 else last + "e"
            row["company"], row["title"] = source["company"], source["title"]
            row["email"] = f"{ascii_word(first)}.{ascii_word(str(row['last_name']))}@gmail.com"
        elif index == 1:  # first and last names inverted
            row["first_name"], row["last_name"] = last, first
            row["email"] = f"{ascii_word(last)}.{ascii_word(first)}@orange.fr"
        elif index == 2:  # imported twice with another address
            row["email"] = f"{ascii_word(first)[0]}{ascii_word(last)}@gmail.com"
        else:  # typed without its accents
            row["first_name"], row["last_name"] = fold(first).title(), fold(last).title()
            row["email"] = f"{ascii_word(first)}{ascii_word(last)}@free.fr"
        index += 1


def write_csv(path: Path, rows: list[dict[str, object]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


if __name__ == "__main__":
    main()
