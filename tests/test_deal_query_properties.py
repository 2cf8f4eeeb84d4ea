"""The query fields on deals against a plain-Python reference (extends
``test_query_properties``: same date and number semantics, same spelling variants).

The reference reads the raw ``deals`` rows and knows the stage kinds from the
world it built — not from the product's stage table helpers — and decides
``deal_stage:``, ``deal_amount``, ``expected_close`` (open deals), ``won:``
(closing day of won deals), ``lost_reason:``, ``deal_category:``,
``last_purchase``, ``revenue``, ``open_deals``, ``has:``/``missing:`` on them,
and bare words found in deal titles and notes. Queries combine them with AND,
OR and NOT and run in SQL mode and on bitmaps; both must give the reference's
set, in name order.
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_query_properties import TODAY, spelled, tokens, value_text
from test_query_properties import date_pred as _date_pred
from test_query_properties import number_pred as _number_pred

from qualif_tui.base.text import fold, sort_key
from qualif_tui.domain import clock
from qualif_tui.domain.contacts import create_contact
from qualif_tui.domain.deals import add_deal
from qualif_tui.domain.stages import add_stage
from qualif_tui.query import compile_query, count, iter_rows, use_bitmaps
from qualif_tui.storage import Database, open_database

# the reference's comparisons, written for its own Ref: applied here to this one's
date_pred: Any = _date_pred
number_pred: Any = _number_pred

# stage id → (label, kind): the defaults plus one the user added
STAGES = {
    "lead": ("Piste", "open"), "qualified": ("Qualifiée", "open"),
    "proposal": ("Proposition", "open"), "demonstration": ("Démonstration", "open"),
    "negotiation": ("Négociation", "open"), "won": ("Gagnée", "won"), "lost": ("Perdue", "lost"),
}
REASONS = ("Prix", "Concurrent", "Délai", "Pas de budget")
CATEGORIES = (None, "Véhicule neuf", "Entretien", "Occasion")
TITLES = ("Flotte utilitaires", "Citroën C5", "Révision annuelle", "Reprise véhicule",
          "Contrat d'entretien")
NOTES = ("", "Très pressé", "Relancer en janvier", "Budget serré")
AMOUNTS = (0, 500, 4999.5, 5000, 12000, 30000)
OFFSETS = (-400, -200, -40, -3, 0, 10, 45, 120)  # days from TODAY
NAMES = (("Hélène", "Lefèvre"), ("Noël", "Garçon"), ("Zoé", "Martin"), ("Jean", "Dupont"))


@st.composite
def deal_specs(draw: st.DrawFn) -> dict[str, Any]:
    stage = draw(st.sampled_from(sorted(STAGES)))
    amount = draw(st.sampled_from(AMOUNTS))
    if STAGES[stage][1] == "won" and amount == 0:
        amount = 1500
    return {
        "title": draw(st.sampled_from(TITLES)), "notes": draw(st.sampled_from(NOTES)),
        "stage": stage, "amount": amount,
        "expected": draw(st.one_of(st.none(), st.sampled_from(OFFSETS))),
        "closed": draw(st.sampled_from(OFFSETS[:5])),
        "reason": draw(st.one_of(st.none(), st.sampled_from(REASONS))),
        "category": draw(st.sampled_from(CATEGORIES)),
    }


@st.composite
def worlds(draw: st.DrawFn) -> list[dict[str, Any]]:
    return draw(st.lists(st.fixed_dictionaries({
        "name": st.sampled_from(NAMES),
        "deals": st.lists(deal_specs(), max_size=3),
    }), max_size=8))


_TEMPLATE: dict[str, Path] = {}


def _template() -> Path:
    if "path" not in _TEMPLATE:
        path = Path(tempfile.mkdtemp(prefix="qualif-deal-props-")) / "template.db"
        db = open_database(path, create=True)
        add_stage(db, "Démonstration", probability=60, after="proposal")
        db.close()
        _TEMPLATE["path"] = path
    return _TEMPLATE["path"]


def build(world: list[dict[str, Any]], folder: Path) -> Database:
    path = folder / "world.db"
    path.write_bytes(_template().read_bytes())
    db = open_database(path, quick_check=False)
    db.execute("PRAGMA synchronous = OFF")
    with db.transaction():
        for contact in world:
            first, last = contact["name"]
            cid = create_contact(db, {"first_name": first, "last_name": last})
            for deal in contact["deals"]:
                closed = (TODAY + timedelta(days=deal["closed"])).isoformat()
                expected = None if deal["expected"] is None else (
                    TODAY + timedelta(days=deal["expected"])).isoformat()
                add_deal(db, cid, deal["title"], deal["amount"], stage=deal["stage"],
                         expected_close=expected, closed_at=closed, notes=deal["notes"],
                         category=deal["category"], lost_reason=deal["reason"])
    return db


@dataclass
class Ref:
    id: int
    order: tuple[str, int]
    deals: list[dict[str, Any]]
    records: list[list[list[str]]]

    def kind(self, deal: dict[str, Any]) -> str:
        return STAGES[deal["stage"]][1]

    @property
    def won(self) -> list[dict[str, Any]]:
        return [d for d in self.deals if self.kind(d) == "won"]

    @property
    def revenue(self) -> float:
        return float(sum(d["amount"] for d in self.won))

    @property
    def open_deals(self) -> int:
        return sum(1 for d in self.deals if self.kind(d) == "open")

    @property
    def last_purchase(self) -> str | None:
        days = [d["closed_at"] for d in self.won]
        return max(days) if days else None


def load_reference(db: Database) -> list[Ref]:
    reasons = {r[0]: r[1] for r in db.query("SELECT id, label FROM deal_choices")}
    refs = []
    for row in db.query("SELECT * FROM contacts ORDER BY id"):
        deals = []
        for d in db.query("SELECT * FROM deals WHERE contact_id = ?", (row["id"],)):
            deal = dict(d)
            deal["reason"] = reasons.get(deal["lost_reason_id"])
            deal["category"] = reasons.get(deal["category_id"])
            deals.append(deal)
        card = [tokens(row[f]) for f in ("first_name", "last_name", "company", "email", "city")]
        history = [[tokens(h[0]), tokens(h[1])] for h in db.query(
            "SELECT subject, body FROM history WHERE contact_id = ?", (row["id"],))]
        records = [card, *history, *[[tokens(d["title"]), tokens(d["notes"])] for d in deals]]
        refs.append(Ref(row["id"], (sort_key(row["last_name"], row["first_name"],
                                             row["company"]), row["id"]), deals, records))
    return refs


Pred = Callable[[Ref], bool]
DATES = ("2025", "2026", "2026-11", "2026-12", "2026-11-20", "2027-01", "30d", "6m", "1y")
NUMBERS = (0, 500, 4999.5, 5000, 12000, 30000, 40000)
OPS = (":", ">", ">=", "<", "<=", "..")


def any_deal(test: Callable[[dict[str, Any]], bool]) -> Callable[[Ref], bool]:
    return lambda ref: any(test(d) for d in ref.deals)


@st.composite
def deal_leaf(draw: st.DrawFn) -> tuple[str, Pred]:
    which = draw(st.sampled_from(["stage", "amount", "expected", "won", "reason", "category",
                                  "last_purchase", "revenue", "open_deals", "presence"]))
    if which == "stage":
        chosen = draw(st.lists(st.sampled_from([*STAGES, "inconnue"]), min_size=1, max_size=2,
                               unique=True))
        shown = [draw(spelled(STAGES[s][0])) if s in STAGES and draw(st.booleans()) else s
                 for s in chosen]
        key = draw(st.sampled_from(["deal_stage", "etape", "DEAL_STAGE"]))
        text = f"{key}:" + ",".join(value_text(s) for s in shown)
        return text, any_deal(lambda d: d["stage"] in chosen)
    if which in ("reason", "category"):
        pool = REASONS if which == "reason" else [c for c in CATEGORIES if c]
        chosen_label = draw(st.sampled_from([*pool, "Autre"]))
        key = "lost_reason" if which == "reason" else draw(st.sampled_from(
            ["deal_category", "categorie"]))
        text = f"{key}:{value_text(draw(spelled(chosen_label)))}"
        field = "reason" if which == "reason" else "category"
        return text, any_deal(lambda d: d[field] == chosen_label)
    if which in ("amount", "revenue", "open_deals"):
        op = draw(st.sampled_from(OPS))
        key = {"amount": "deal_amount", "revenue": "revenue", "open_deals": "open_deals"}[which]
        getters: dict[str, Callable[[Ref], float | None]] = {
            "revenue": lambda r: r.revenue, "open_deals": lambda r: r.open_deals}
        if op == "..":
            low, high = draw(st.sampled_from(NUMBERS)), draw(st.sampled_from(NUMBERS))
            text = f"{key}:{low}..{high}"
            numbers: list[float | None] = [low, high]
        else:
            n = draw(st.sampled_from(NUMBERS))
            text, numbers = f"{key}{op}{n}", [n]
        if which == "amount":
            return text, lambda r: any(
                number_pred(lambda _r, a=d["amount"]: a, op, numbers)(r) for d in r.deals)
        pred = number_pred(getters[which], op, numbers)
        return text, pred
    if which == "presence":
        field_name = draw(st.sampled_from(["won", "lost_reason", "deal_stage", "expected_close"]))
        tests: dict[str, Callable[[dict[str, Any]], bool]] = {
            "won": lambda d: STAGES[d["stage"]][1] == "won",
            "lost_reason": lambda d: d["reason"] is not None,
            "deal_stage": lambda d: True,
            "expected_close": lambda d: STAGES[d["stage"]][1] == "open"
            and d["expected_close"] is not None,
        }
        has = any_deal(tests[field_name])
        if draw(st.booleans()):
            return f"has:{field_name}", has
        return f"missing:{field_name}", lambda r: not has(r)
    op = draw(st.sampled_from(OPS))
    if op == "..":
        low = draw(st.sampled_from(("",) + DATES))
        high = draw(st.sampled_from(DATES if not low else ("",) + DATES))
        literals = [low, high]
        suffix = f":{low}..{high}"
    else:
        literals = [draw(st.sampled_from(DATES))]
        suffix = f"{op}{literals[0]}"
    if which == "last_purchase":
        key = draw(st.sampled_from(["last_purchase", "dernier_achat"]))
        return key + suffix, date_pred(lambda r: r.last_purchase, op, literals, False)
    kind, column, key = (("open", "expected_close", "expected_close") if which == "expected"
                         else ("won", "closed_at", "won"))

    def in_deals(ref: Ref) -> bool:
        for d in ref.deals:
            if STAGES[d["stage"]][1] != kind:
                continue
            if date_pred(lambda _r, v=d[column]: v, op, literals, False)(ref):
                return True
        return False
    return key + suffix, in_deals


@st.composite
def words_leaf(draw: st.DrawFn, refs: list[Ref]) -> tuple[str, Pred]:
    pool = sorted({t for r in refs for rec in r.records[1:] for f in rec for t in f}) or ["x"]
    word = draw(st.sampled_from(pool + ["relanc", "zzz"]))
    prefix = word[:draw(st.integers(2, max(2, len(word))))]
    if prefix.upper() in ("OR", "AND", "NOT"):
        prefix = word

    def matches(ref: Ref) -> bool:
        # the card holds every word; history entries and deals the words of 3 letters
        # or more (shorter ones are in nearly every note: issue 9)
        card, *entries = ref.records
        wanted = tokens(prefix)
        long = [w for w in wanted if len(w) >= 3]
        return (all(any(t.startswith(w) for f in card for t in f) for w in wanted)
                or bool(long) and any(all(any(t.startswith(w) for f in rec for t in f)
                                          for w in long) for rec in entries))
    return prefix, matches


@st.composite
def queries(draw: st.DrawFn, refs: list[Ref], depth: int = 2) -> tuple[str, Pred]:
    if depth == 0 or draw(st.integers(0, 2)) == 0:
        return draw(st.one_of(deal_leaf(), words_leaf(refs)))
    kind = draw(st.sampled_from(["and", "or", "not"]))
    if kind == "not":
        text, pred = draw(queries(refs, depth - 1))
        return f"-({text})", lambda r: not pred(r)
    parts = [draw(queries(refs, depth - 1)) for _ in range(2)]
    joiner = " " if kind == "and" else " OR "
    text = joiner.join(f"({t})" for t, _p in parts)
    preds = [p for _t, p in parts]
    if kind == "and":
        return text, lambda r: all(p(r) for p in preds)
    return text, lambda r: any(p(r) for p in preds)


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture,
                                 HealthCheck.data_too_large])
@given(data=st.data())
def test_deal_fields_agree_with_the_reference(tmp_path: Path, data: st.DataObject) -> None:
    clock.freeze(datetime(2026, 11, 20, 10, 30))
    world = data.draw(worlds(), label="world")
    db = build(world, Path(tempfile.mkdtemp(dir=tmp_path)))
    try:
        refs = load_reference(db)
        ordered = sorted(refs, key=lambda r: r.order)
        for _ in range(10):
            text, pred = data.draw(queries(refs), label="query")
            expected = [r.id for r in ordered if pred(r)]
            for bitmaps in (False, True):
                use_bitmaps(db, bitmaps)
                compiled = compile_query(db, text)
                assert count(db, compiled) == len(expected), (text, bitmaps)
                assert [row.id for row in iter_rows(db, compiled, batch=3)] == expected, (
                    text, bitmaps)
    finally:
        db.close()


def test_unknown_values_warn_and_match_nobody(tmp_path: Path) -> None:
    db = build([{"name": NAMES[0], "deals": [
        {"title": "Flotte", "notes": "", "stage": "lost", "amount": 100, "expected": None,
         "closed": -3, "reason": "Prix", "category": None}]}], tmp_path)
    try:
        for text, word in (("deal_stage:propositon", "proposition"),
                           ("lost_reason:pri", "prix")):
            compiled = compile_query(db, text)
            assert count(db, compiled) == 0
            assert compiled.warnings and re.search(f"did you mean '{word}'", compiled.warnings[0])
        assert fold("Prix") == "prix"
    finally:
        db.close()
