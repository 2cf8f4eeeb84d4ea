"""Generated deals, their stage moves, quotes and quote lines (for :mod:`.generator`).

About one contact in six has a deal, a few two: ≈ 200 000 deals at 1 000 000
contacts, at every stage (a third won, a fifth lost), with amounts that fit
their category, expected closes spread over the next nine months (some
overdue), probabilities around their stage's default, costs, sources (the
contact's Source key), notes, lost reasons, the moves that took each deal to
its stage, and a quote (with its lines and totals) for every deal that got to
the proposal — about one in eight in two versions, the first dearer and
replaced by ``-V2`` a few days later (the version the client decided on). Ids
are computed from the contact's (deal = 2 × contact + k, quote = 2 × deal + v),
so chunks made in parallel never collide; quote numbers are given by the
loader, which sees the chunks in order. Whether a quote has a second version
is drawn from the deal's id, not from the random stream, so contacts, deals
and first versions are what they were before versions were made.
"""

from __future__ import annotations

import bisect
import itertools
import random
from dataclasses import dataclass, field
from datetime import date, timedelta

from qualif_tui.services.frenchdata import (
    DEAL_CATEGORIES,
    DEAL_CATEGORY_OF,
    DEAL_NOTES,
    DEAL_TITLES,
    LOST_REASONS,
    QUOTE_EXTRAS,
)

STAGES = ("lead", "qualified", "proposal", "negotiation", "won", "lost")
STAGE_WEIGHTS = (12, 12, 14, 8, 34, 20)
OPEN = STAGES[:4]
PROBABILITY = {"lead": (10, 10, 20), "qualified": (25, 25, 30), "proposal": (50, 50, 40),
               "negotiation": (75, 75, 80), "won": (100,), "lost": (0,)}
# amount ranges (euros HT, in steps of 50) by category
AMOUNTS = {"Véhicule neuf": (15000, 55000), "Véhicule d'occasion": (6000, 25000),
           "Utilitaire": (18000, 45000), "Entretien": (300, 3000),
           "Financement": (1000, 8000)}
# deal_choices ids: the six default lost reasons (schema.TABLES) then the categories
LOST_REASON_IDS = tuple(range(1, len(LOST_REASONS) + 1))
LOST_REASON_WEIGHTS = tuple(w for _r, w in LOST_REASONS)
CATEGORY_IDS = {label: len(LOST_REASONS) + i for i, label in enumerate(DEAL_CATEGORIES, 1)}
_TITLES = (*DEAL_TITLES, "Financement LOA", "Crédit auto")
# cumulative weights: one bisect per draw (random.choices costs ten times more)
_STAGE_CUMULATIVE = tuple(itertools.accumulate(STAGE_WEIGHTS))
_REASON_CUMULATIVE = tuple(itertools.accumulate(LOST_REASON_WEIGHTS))


def _draw(values: tuple[object, ...], cumulative: tuple[int, ...], r: float) -> object:
    return values[bisect.bisect(cumulative, r * cumulative[-1])]
_CATEGORY = {**DEAL_CATEGORY_OF, "Financement LOA": "Financement", "Crédit auto": "Financement"}


@dataclass
class DealRows:
    deals: list[tuple[object, ...]] = field(default_factory=list)
    moves: list[tuple[object, ...]] = field(default_factory=list)
    quotes: list[tuple[object, ...]] = field(default_factory=list)
    lines: list[tuple[object, ...]] = field(default_factory=list)


DEAL_TARGET = ("deals(id, contact_id, title, stage, amount, probability, expected_close,"
               " closed_at, created, updated, cost, category_id, source, notes, lost_reason_id)")
MOVE_TARGET = "deal_moves(deal_id, from_stage, to_stage, moved_at)"
# quotes get their number from the loader (column 1 is a placeholder until then)
QUOTE_TARGET = ("quotes(id, number, contact_id, deal_id, title, issued, valid_days, status,"
                " total_ht, total_vat, total_ttc, sent_at, decided_at, created, updated,"
                " version, previous_id)")
VERSIONED_PERCENT = 12  # of the quotes, in two versions
LINE_TARGET = ("quote_lines(quote_id, position, designation, quantity, unit, unit_price,"
               " vat_rate, discount)")


def deal_rows(rng: random.Random, today: date, start: int, m: int,
              sources: dict[int, str]) -> DealRows:
    """The deals of contacts ``start`` … ``start + m − 1`` (``sources``: their Source key)."""
    out = DealRows()
    random_ = rng.random
    for j in range(m):
        if random_() >= 0.17:
            continue
        cid = start + j
        for k in range(2 if random_() < 0.15 else 1):
            _one_deal(rng, today, cid, 2 * cid + k, sources.get(cid, ""), out)
    return out


def _one_deal(rng: random.Random, today: date, cid: int, deal_id: int, source: str,
              out: DealRows) -> None:
    random_ = rng.random
    stage = str(_draw(STAGES, _STAGE_CUMULATIVE, random_()))
    title = _TITLES[int(random_() * len(_TITLES))]
    category = _CATEGORY[title]
    low, high = AMOUNTS[category]
    amount = low + 50 * int(random_() * ((high - low) // 50))
    chances = PROBABILITY[stage]
    probability = chances[int(random_() * len(chances))]
    expected = closed = None
    if stage in OPEN:
        created = today - timedelta(days=int(random_() * 180))
        if random_() < 0.85:
            expected = (today + timedelta(days=int(random_() * 300) - 30)).isoformat()
        end = today
    else:
        end = today - timedelta(days=1 + int(random_() * 1000))
        created = end - timedelta(days=10 + int(random_() * 110))
        closed = end.isoformat()
    lost_from = OPEN[int(random_() * 4)] if stage == "lost" else None
    cost = round(amount * (0.75 + random_() * 0.17), -1) if random_() < 0.8 else None
    notes = DEAL_NOTES[int(random_() * len(DEAL_NOTES))] if random_() < 0.3 else ""
    reason = _draw(LOST_REASON_IDS, _REASON_CUMULATIVE, random_()) if stage == "lost" else None
    day = created.isoformat()
    out.deals.append((deal_id, cid, title, stage, float(amount), probability, expected, closed,
                      f"{day}T10:00:00", f"{end.isoformat()}T10:00:00", cost,
                      CATEGORY_IDS[category], source, notes, reason))
    # the moves: from the first stage (now and then straight to the second) up to it
    last = lost_from if stage == "lost" else stage
    path = list(OPEN[:OPEN.index(last) + 1]) if last in OPEN else list(OPEN)
    if len(path) > 1 and random_() < 0.2:
        path = path[1:]
    if stage in ("won", "lost"):
        path.append(stage)
    span = (end - created).days
    previous = None
    for step, to in enumerate(path):
        moved = created + timedelta(days=span * step // max(1, len(path) - 1))
        out.moves.append((deal_id, previous, to, moved.isoformat()))
        previous = to
    if last in ("proposal", "negotiation", "won"):
        _quote(rng, today, cid, deal_id, title, stage, amount, created, end, out)


def _quote(rng: random.Random, today: date, cid: int, deal_id: int, title: str, stage: str,
           amount: int, created: date, end: date, out: DealRows) -> None:
    """One quote whose lines sum to the deal's amount; totals in integer cents
    (every price is whole euros: each line is exact, VAT rounded half up per rate)."""
    random_ = rng.random
    if stage in ("won", "lost"):
        issued = min(end - timedelta(days=2), created + timedelta(days=2 + int(random_() * 10)))
    else:
        issued = today - timedelta(days=int(random_() * 60))
    extras = [QUOTE_EXTRAS[i] for i in sorted(rng.sample(range(len(QUOTE_EXTRAS)),
                                                         int(random_() * 3)))]
    extra_total = sum(price for _d, _u, price, _v in extras)
    if extra_total >= amount:
        extras, extra_total = [], 0
    status = {"won": "accepted", "lost": "refused"}.get(stage, "sent")
    decided = end.isoformat() if stage in ("won", "lost") else None
    mix = (deal_id * 2654435761) % 1000  # the deal's own draw (not the random stream)
    if mix % 100 < VERSIONED_PERCENT and amount > 1000:
        # V1 dearer and sent earlier, replaced (still "sent") by V2, the one decided on
        earlier = issued - timedelta(days=3 + mix % 10)
        dearer = amount + 50 * (1 + mix % 20)
        _quote_rows(2 * deal_id, deal_id, cid, title, earlier, dearer, extras, extra_total,
                    "sent", None, 1, None, out)
        _quote_rows(2 * deal_id + 1, deal_id, cid, title, issued, amount, extras, extra_total,
                    status, decided, 2, 2 * deal_id, out)
        return
    _quote_rows(2 * deal_id, deal_id, cid, title, issued, amount, extras, extra_total, status,
                decided, 1, None, out)


def _quote_rows(quote_id: int, deal_id: int, cid: int, title: str, issued: date, amount: int,
                extras: list[tuple[str, str, int, int]], extra_total: int, status: str,
                decided: str | None, version: int, previous: int | None,
                out: DealRows) -> None:
    lines = [(title, "véhicule" if amount > 5000 else "forfait", amount - extra_total, 20),
             *extras]
    bases: dict[int, int] = {}
    for position, (designation, unit, price, vat) in enumerate(lines, start=1):
        out.lines.append((quote_id, position, designation, 1.0, unit, float(price), float(vat),
                          0.0))
        bases[vat] = bases.get(vat, 0) + price * 100
    vat_cents = sum((base * rate * 10 + 500) // 1000 for rate, base in bases.items())
    day = issued.isoformat()
    out.quotes.append((quote_id, f"#{quote_id}", cid, deal_id, title, day, 30, status,
                       float(amount), vat_cents / 100, amount + vat_cents / 100, day, decided,
                       f"{day}T10:00:00", f"{(decided or day)}T10:00:00", version, previous))
