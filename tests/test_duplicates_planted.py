"""Duplicate detection on a planted set: precision and recall printed (issue 16).

A base of distinct contacts (unique names, addresses and numbers), then planted
pairs: true duplicates of every kind the scan must find (typos, inverted names,
accents and hyphens, the same phone written another way, the same address with
a different spelling, a card imported twice with another address) and traps it
must not take for duplicates (a couple sharing a mailbox, colleagues sharing a
switchboard, namesakes at the two ends of France).
"""

from __future__ import annotations

import random
from itertools import islice

from qualif_tui.base.text import fold
from qualif_tui.domain.contacts import create_contact
from qualif_tui.services.duplicates import scan
from qualif_tui.services.frenchdata import FIRST_NAMES_F, FIRST_NAMES_M, LAST_NAMES, TOWNS
from qualif_tui.storage import Database

Card = dict[str, str]


def _base(rng: random.Random, count: int) -> list[Card]:
    names = [(f, la) for la in LAST_NAMES for f in FIRST_NAMES_F + FIRST_NAMES_M]
    rng.shuffle(names)
    cards = []
    for index, (first, last) in enumerate(islice(names, count)):
        _dept, city, postal, _weight = rng.choice(TOWNS)
        cards.append({"first_name": first, "last_name": last, "city": city,
                      "postal_code": postal,
                      "email": f"{fold(first)[:3]}{index}.{fold(last).replace(' ', '')}@free.fr",
                      "mobile": f"06 {index // 10000:02d} {index // 100 % 100:02d}"
                                f" {index % 100:02d} 11"})
    return cards


def _typo(word: str, rng: random.Random) -> str:
    position = rng.randrange(1, len(word) - 1)
    return word[:position] + word[position + 1:]


def planted(rng: random.Random, base: list[Card]) -> tuple[list[Card], list[tuple[int, int]],
                                                           list[tuple[int, int]]]:
    """Cards to add after ``base`` (indexes continue), true pairs, trap pairs."""
    extra: list[Card] = []
    true_pairs: list[tuple[int, int]] = []
    traps: list[tuple[int, int]] = []
    sources = rng.sample(range(len(base)), 60)

    def add(card: Card, twin: int, duplicate: bool) -> None:
        extra.append(card)
        (true_pairs if duplicate else traps).append((twin, len(base) + len(extra) - 1))

    kinds = ["typo_town", "inverted", "accents_email", "phone_format", "two_addresses",
             "hyphen_company", "typo_first_domain"]
    for number, source in enumerate(sources[:42]):
        card = dict(base[source])
        kind = kinds[number % len(kinds)]
        if kind == "typo_town":  # a typo in the last name, same postal code
            card["last_name"] = _typo(card["last_name"], rng)
            card["email"], card["mobile"] = "", ""
        elif kind == "inverted":  # first and last names swapped, same address
            card["first_name"], card["last_name"] = card["last_name"], card["first_name"]
            card["mobile"] = ""
        elif kind == "accents_email":  # no accents, same e-mail, another town
            card["first_name"], card["last_name"] = fold(card["first_name"]).title(), \
                fold(card["last_name"]).upper()
            card["postal_code"], card["city"], card["mobile"] = "", "", ""
        elif kind == "phone_format":  # the same mobile written +33, no e-mail
            card["mobile"] = "+33 " + card["mobile"][1:]
            card["email"], card["postal_code"], card["city"] = "", "", ""
        elif kind == "two_addresses":  # imported twice, another address, nothing else
            card["email"] = "autre." + card["email"]
            card["mobile"], card["postal_code"], card["city"] = "", "", ""
        elif kind == "hyphen_company":  # Jean-Pierre / Jean Pierre, same company
            card["first_name"] = card["first_name"] + "-Marie"
            base[source]["first_name"] += " Marie"
            base[source]["company"] = card["company"] = f"Garage {card['last_name']}"
            card["email"], card["mobile"] = "", ""
        else:  # a typo in the first name, the same company domain
            domain = f"{fold(card['last_name']).replace(' ', '')}-conseil.fr"
            base[source]["email"] = f"{fold(card['first_name'])[:1]}.x{source}@{domain}"
            card["first_name"] = _typo(card["first_name"], rng) if len(
                card["first_name"]) > 3 else card["first_name"] + "e"
            card["email"] = f"contact{source}@{domain}"
            card["mobile"], card["postal_code"], card["city"] = "", "", ""
        add(card, source, True)
    for source in sources[42:50]:  # a couple sharing a mailbox and a town
        card = dict(base[source])
        firsts = [f for f in FIRST_NAMES_F + FIRST_NAMES_M
                  if fold(f)[:2] != fold(card["first_name"])[:2]]
        card["first_name"] = rng.choice(firsts)
        card["mobile"] = ""
        add(card, source, False)
    for source in sources[50:55]:  # colleagues sharing the company's switchboard
        card = dict(base[source])
        other = rng.choice([c for c in base if c["last_name"][:2] != card["last_name"][:2]])
        card["first_name"], card["last_name"] = other["first_name"], other["last_name"] + "s"
        card["email"] = ""
        add(card, source, False)
    for source in sources[55:60]:  # namesakes at the two ends of France
        card = dict(base[source])
        card["email"] = "x" + card["email"]
        card["mobile"] = ""
        card["postal_code"], card["city"] = ("06000", "Nice") if not card[
            "postal_code"].startswith("06") else ("59000", "Lille")
        add(card, source, False)
    return extra, true_pairs, traps


def test_precision_and_recall_on_a_planted_set(db: Database) -> None:
    rng = random.Random(16)
    base = _base(rng, 1500)
    extra, true_pairs, traps = planted(rng, base)
    ids = [create_contact(db, card) for card in base + extra]
    expected = {tuple(sorted((ids[a], ids[b]))) for a, b in true_pairs}
    trapped = {tuple(sorted((ids[a], ids[b]))) for a, b in traps}
    report = scan(db)
    found = {(p.a, p.b) for p in report.pairs}
    hits = found & expected
    precision = len(hits) / len(found) if found else 1.0
    recall = len(hits) / len(expected)
    print(f"\nplanted: {len(expected)} duplicate pairs, {len(trapped)} traps, among"
          f" {len(ids)} contacts; found {len(found)} pairs:"
          f" precision {precision:.2f}, recall {recall:.2f}, traps taken {len(found & trapped)}")
    missed = expected - found
    for a, b in sorted(missed):
        print("  missed:", a, b)
    for pair in report.pairs:
        if (pair.a, pair.b) not in expected:
            print("  wrong:", pair)
    assert recall >= 0.95 and precision >= 0.95
    assert not found & trapped
