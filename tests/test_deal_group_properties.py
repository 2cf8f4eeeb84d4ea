"""``deal:( … )`` (criteria on one and the same deal), the deal dates ``lost:`` and
``deal_created:``, ``reached:`` (a stage a deal got to) and ``contacted:`` (any
non-automatic history entry in a period) against a plain-Python reference.

Extends ``test_deal_query_properties``: the same worlds, plus a creation day for
each deal, stages it went through before (``deal_moves``) and history entries,
some automatic. The reference decides from those raw rows and from the stage
order of the world it built (the defaults plus Démonstration after Proposition),
never through the product's stage helpers: a deal has *reached* an open stage
when it is at that stage or a later open one, at a won stage, or once entered
that stage or a later open one; a won or lost stage is reached by the deals at it.
Queries mix groups, the new fields, the older deal fields and words with AND, OR
and NOT, and run in SQL mode and on bitmaps; both must give the reference's set.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_deal_query_properties import (
    CATEGORIES,
    DATES,
    NUMBERS,
    OFFSETS,
    OPS,
    REASONS,
    STAGES,
    Ref,
    build,
    deal_leaf,
    load_reference,
    words_leaf,
    worlds,
)
from test_query_properties import TODAY, spelled, value_text
from test_query_properties import date_pred as _date_pred
from test_query_properties import number_pred as _number_pred

from qualif_tui.domain import clock
from qualif_tui.domain.history import add_entry
from qualif_tui.query import compile_query, count, iter_rows, use_bitmaps
from qualif_tui.query.errors import QueryError
from qualif_tui.storage import Database

date_pred: Any = _date_pred
number_pred: Any = _number_pred

# the open stages in the order the template world has them
OPEN_ORDER = ("lead", "qualified", "proposal", "demonstration", "negotiation")
Deal = dict[str, Any]
DealPred = Callable[[Deal], bool]
Pred = Callable[[Ref], bool]


@st.composite
def extras(draw: st.DrawFn, deals: int, contacts: int) -> dict[str, Any]:
    """What the deals' world lacks: creation days, earlier stages, history."""
    return {
        "created": [draw(st.sampled_from(OFFSETS)) for _ in range(deals)],
        "moves": [
            draw(st.lists(st.sampled_from(sorted(STAGES)), max_size=2)) for _ in range(deals)
        ],
        "history": [
            draw(st.lists(st.tuples(st.sampled_from(OFFSETS[:6]), st.booleans()), max_size=3))
            for _ in range(contacts)
        ],
    }


def enrich(db: Database, more: dict[str, Any]) -> None:
    deal_ids = [int(r[0]) for r in db.query("SELECT id FROM deals ORDER BY id")]
    contact_ids = [int(r[0]) for r in db.query("SELECT id FROM contacts ORDER BY id")]
    with db.transaction():
        for deal_id, offset, moves in zip(deal_ids, more["created"], more["moves"], strict=True):
            day = (TODAY + timedelta(days=offset)).isoformat()
            db.execute("UPDATE deals SET created = ? WHERE id = ?", (f"{day}T09:15:00", deal_id))
            for stage in moves:
                db.execute(
                    "INSERT INTO deal_moves(deal_id, from_stage, to_stage, moved_at)"
                    " VALUES (?, NULL, ?, ?)",
                    (deal_id, stage, day),
                )
        for contact_id, entries in zip(contact_ids, more["history"], strict=True):
            for offset, automatic in entries:
                when = datetime.combine(TODAY + timedelta(days=offset), datetime.min.time())
                add_entry(
                    db,
                    contact_id,
                    "note" if automatic else "call",
                    "Suivi",
                    happened_at=when.replace(hour=18),
                    automatic=automatic,
                )


def reference_extras(db: Database) -> tuple[dict[int, list[str]], dict[int, list[str]]]:
    """(deal id → stages entered, contact id → days of its non-automatic entries)."""
    moves: dict[int, list[str]] = {}
    for deal_id, stage in db.query("SELECT deal_id, to_stage FROM deal_moves"):
        moves.setdefault(int(deal_id), []).append(str(stage))
    contacted: dict[int, list[str]] = {}
    for contact_id, when, automatic in db.query(
        "SELECT contact_id, happened_at, automatic FROM history"
    ):
        if not automatic:
            contacted.setdefault(int(contact_id), []).append(str(when)[:10])
    return moves, contacted


def kind(deal: Deal) -> str:
    return STAGES[deal["stage"]][1]


def reached(stage: str, moves: dict[int, list[str]]) -> DealPred:
    if stage not in OPEN_ORDER:
        return lambda d: d["stage"] == stage
    at = OPEN_ORDER.index(stage)

    def test(d: Deal) -> bool:
        now = d["stage"]
        if kind(d) == "won" or (now in OPEN_ORDER and OPEN_ORDER.index(now) >= at):
            return True
        return any(s in OPEN_ORDER and OPEN_ORDER.index(s) >= at for s in moves.get(d["id"], []))

    return test


def date_suffix(draw: st.DrawFn) -> tuple[str, str, list[str]]:
    op = draw(st.sampled_from(OPS))
    if op == "..":
        low = draw(st.sampled_from(("",) + DATES))
        high = draw(st.sampled_from(DATES if not low else ("",) + DATES))
        return f":{low}..{high}", op, [low, high]
    literal = draw(st.sampled_from(DATES))
    return f"{op}{literal}", op, [literal]


@st.composite
def on_one_deal(
    draw: st.DrawFn, moves: dict[int, list[str]], presence: bool = True
) -> tuple[str, DealPred]:
    """A criterion a deal meets or not, with the reference's test of one deal
    (``presence``: also has:/missing:, which outside a group speak of all the deals)."""
    which = draw(
        st.sampled_from(
            [
                "stage",
                "amount",
                "won",
                "lost",
                "expected",
                "created",
                "reached",
                "reason",
                "category",
            ]
            + (["presence"] if presence else [])
        )
    )
    if which in ("stage", "reached"):
        chosen = draw(
            st.lists(st.sampled_from([*STAGES, "inconnue"]), min_size=1, max_size=2, unique=True)
        )
        shown = [
            draw(spelled(STAGES[s][0])) if s in STAGES and draw(st.booleans()) else s
            for s in chosen
        ]
        names = (
            ["deal_stage", "etape"]
            if which == "stage"
            else ["reached", "atteint", "etape_atteinte"]
        )
        text = f"{draw(st.sampled_from(names))}:" + ",".join(value_text(s) for s in shown)
        if which == "stage":
            return text, lambda d: d["stage"] in chosen
        tests = [reached(s, moves) for s in chosen if s in STAGES]
        return text, lambda d: any(t(d) for t in tests)
    if which in ("reason", "category"):
        pool = REASONS if which == "reason" else [c for c in CATEGORIES if c]
        label = draw(st.sampled_from([*pool, "Autre"]))
        key = "raison" if which == "reason" else draw(st.sampled_from(["deal_category", "produit"]))
        field = "reason" if which == "reason" else "category"
        return f"{key}:{value_text(draw(spelled(label)))}", lambda d: d[field] == label
    if which == "amount":
        op = draw(st.sampled_from(OPS))
        if op == "..":
            low, high = draw(st.sampled_from(NUMBERS)), draw(st.sampled_from(NUMBERS))
            text, numbers = f"deal_amount:{low}..{high}", [low, high]
        else:
            n = draw(st.sampled_from(NUMBERS))
            text, numbers = f"montant_affaire{op}{n}", [n]
        return text, number_pred(lambda d: d["amount"], op, numbers)
    if which == "presence":
        name = draw(
            st.sampled_from(["won", "lost", "lost_reason", "expected_close", "deal_category"])
        )
        presence_tests: dict[str, DealPred] = {
            "won": lambda d: kind(d) == "won",
            "lost": lambda d: kind(d) == "lost",
            "lost_reason": lambda d: d["reason"] is not None,
            "deal_category": lambda d: d["category"] is not None,
            "expected_close": lambda d: kind(d) == "open" and d["expected_close"] is not None,
        }
        has = presence_tests[name]
        if draw(st.booleans()):
            return f"has:{name}", has
        return f"missing:{name}", lambda d: not has(d)
    suffix, op, literals = date_suffix(draw)
    keys = {
        "won": ["won", "gagne"],
        "lost": ["lost", "perdu"],
        "expected": ["expected_close"],
        "created": ["deal_created", "affaire_creee"],
    }
    key = draw(st.sampled_from(keys[which]))
    column = {
        "won": "closed_at",
        "lost": "closed_at",
        "expected": "expected_close",
        "created": "created",
    }[which]
    wanted = {"won": "won", "lost": "lost", "expected": "open", "created": None}[which]
    compare = date_pred(
        lambda d: None if d[column] is None else d[column][:10], op, literals, False
    )
    return key + suffix, lambda d: (wanted is None or kind(d) == wanted) and compare(d)


@st.composite
def deal_condition(
    draw: st.DrawFn, moves: dict[int, list[str]], depth: int = 2
) -> tuple[str, DealPred]:
    """Criteria combined inside a group: AND, OR and NOT on the same deal."""
    if depth == 0 or draw(st.integers(0, 2)) == 0:
        return draw(on_one_deal(moves))
    how = draw(st.sampled_from(["and", "or", "not"]))
    if how == "not":
        text, pred = draw(deal_condition(moves, depth - 1))
        return draw(st.sampled_from([f"-({text})", f"NOT ({text})"])), lambda d: not pred(d)
    parts = [draw(deal_condition(moves, depth - 1)) for _ in range(2)]
    preds = [p for _t, p in parts]
    if how == "and":
        return " ".join(f"({t})" for t, _p in parts), lambda d: all(p(d) for p in preds)
    return " OR ".join(f"({t})" for t, _p in parts), lambda d: any(p(d) for p in preds)


@st.composite
def contact_leaf(
    draw: st.DrawFn, refs: list[Ref], moves: dict[int, list[str]], contacted: dict[int, list[str]]
) -> tuple[str, Pred]:
    which = draw(st.sampled_from(["group", "group", "alone", "contacted", "older", "words"]))
    if which == "older":
        return draw(deal_leaf())
    if which == "words":
        return draw(words_leaf(refs))
    if which == "contacted":
        suffix, op, literals = date_suffix(draw)
        key = draw(st.sampled_from(["contacted", "joint", "contacte_en"]))
        day = date_pred(lambda day: day, op, literals, False)
        return key + suffix, lambda r: any(day(d) for d in contacted.get(r.id, []))
    if which == "alone":  # the new deal fields outside a group: any of the deals
        text, pred = draw(on_one_deal(moves, presence=False))
        return text, lambda r: any(pred(d) for d in r.deals)
    text, pred = draw(deal_condition(moves))
    name = draw(st.sampled_from(["deal", "affaire", "Deal"]))
    return f"{name}:({text})", lambda r: any(pred(d) for d in r.deals)


@st.composite
def queries(
    draw: st.DrawFn,
    refs: list[Ref],
    moves: dict[int, list[str]],
    contacted: dict[int, list[str]],
    depth: int = 2,
) -> tuple[str, Pred]:
    if depth == 0 or draw(st.integers(0, 2)) == 0:
        return draw(contact_leaf(refs, moves, contacted))
    how = draw(st.sampled_from(["and", "or", "not"]))
    if how == "not":
        text, pred = draw(queries(refs, moves, contacted, depth - 1))
        return f"-({text})", lambda r: not pred(r)
    parts = [draw(queries(refs, moves, contacted, depth - 1)) for _ in range(2)]
    preds = [p for _t, p in parts]
    if how == "and":
        return " ".join(f"({t})" for t, _p in parts), lambda r: all(p(r) for p in preds)
    return " OR ".join(f"({t})" for t, _p in parts), lambda r: any(p(r) for p in preds)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.function_scoped_fixture,
        HealthCheck.data_too_large,
    ],
)
@given(data=st.data())
def test_same_deal_groups_and_new_fields_agree_with_the_reference(
    tmp_path: Path, data: st.DataObject
) -> None:
    clock.freeze(datetime(2026, 11, 20, 10, 30))
    world = data.draw(worlds(), label="world")
    deals = sum(len(c["deals"]) for c in world)
    more = data.draw(extras(deals, len(world)), label="extras")
    db = build(world, Path(tempfile.mkdtemp(dir=tmp_path)))
    try:
        enrich(db, more)
        refs = load_reference(db)
        moves, contacted = reference_extras(db)
        ordered = sorted(refs, key=lambda r: r.order)
        for _ in range(10):
            text, pred = data.draw(queries(refs, moves, contacted), label="query")
            expected = [r.id for r in ordered if pred(r)]
            for bitmaps in (False, True):
                use_bitmaps(db, bitmaps)
                compiled = compile_query(db, text)
                assert count(db, compiled) == len(expected), (text, bitmaps)
                assert [row.id for row in iter_rows(db, compiled, batch=3)] == expected, (
                    text,
                    bitmaps,
                )
    finally:
        db.close()


def test_a_group_is_one_deal_where_criteria_alone_are_any_deals(tmp_path: Path) -> None:
    """The case the group exists for: a won deal of one category, an open one of another."""
    clock.freeze(datetime(2026, 11, 20, 10, 30))
    db = build(
        [
            {
                "name": ("Zoé", "Martin"),
                "deals": [
                    {
                        "title": "A",
                        "notes": "",
                        "stage": "won",
                        "amount": 100,
                        "expected": None,
                        "closed": -3,
                        "reason": None,
                        "category": "Entretien",
                    },
                    {
                        "title": "B",
                        "notes": "",
                        "stage": "lead",
                        "amount": 100,
                        "expected": None,
                        "closed": -3,
                        "reason": None,
                        "category": "Occasion",
                    },
                ],
            }
        ],
        tmp_path,
    )
    try:
        assert count(db, compile_query(db, "won:2026 deal_category:Occasion")) == 1
        assert count(db, compile_query(db, "deal:(won:2026 deal_category:Occasion)")) == 0
        assert count(db, compile_query(db, "affaire:(gagne:2026 produit:entretien)")) == 1
        assert count(db, compile_query(db, "deal:(deal_category:Occasion -has:won)")) == 1
    finally:
        db.close()


@pytest.mark.english  # reads the messages in English
def test_what_a_group_refuses_says_where_and_why(tmp_path: Path) -> None:
    db = build([], tmp_path)
    cases = [
        ("deal:(won:2026 email:x@y.fr)", 15, "not a criterion on deals", "only fields of deals"),
        ("deal:(won:2026 dupont)", 15, "a word to search for", "outside the brackets"),
        ("deal:(deal:(won:2026))", 6, "inside deal:( … )", "side by side"),
        ("deal:won", 0, "takes a group in brackets", "deal:(won:2026"),
        ("x deal:()", 7, "empty brackets", "put criteria inside"),
        ("deal:(won:2026", 5, "missing ')'", "close the group"),
        ("deal:(has:email)", 6, "not a criterion on deals", "has:/missing:"),
        ("lost:2026-13", 5, "", ""),
    ]
    try:
        for text, position, message, hint in cases:
            try:
                compile_query(db, text)
            except QueryError as error:
                assert error.position == position, (text, error)
                assert message in error.message and hint in error.hint, (text, error)
            else:
                raise AssertionError(f"{text} compiled")
    finally:
        db.close()
