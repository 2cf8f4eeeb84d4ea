"""Random files: every report measure agrees with a plain-Python computation.

The reference below knows nothing of the reports module: it works from the
*spec* the random file was built from (each contact's values, place, creation
day and deals), computes the groups each contact belongs to and its deal
figures itself, and adds them up. Each breakdown is run in SQL mode and on
bitmaps, and both must give exactly the reference's rows and total.

Every cell also carries the query of its people (what Enter opens in the app):
counted by the query engine, it must give the reference's contacts of the cell —
the group's contacts, those with a deal won in the period (revenue, deals,
average, conversion), or those with an open deal expected to close in it
(pipeline, weighted). The other reports' cells are checked the same way.
"""

from __future__ import annotations

import importlib
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any, NamedTuple

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from qualif_tui.base import geography
from qualif_tui.base.text import fold
from qualif_tui.domain.contacts import create_contact
from qualif_tui.domain.deals import add_deal
from qualif_tui.domain.keys import define_key
from qualif_tui.query import compile_query, count, use_bitmaps
from qualif_tui.services.reports import (
    Breakdown,
    Period,
    Table,
    breakdown,
    completeness,
    dealfacts,
    funnel,
    inactive_clients,
    parse_period,
    trend,
)
from qualif_tui.storage import Database, open_database

# the module, not the function the package exports under its name
breakdown_module: Any = importlib.import_module("qualif_tui.services.reports.breakdown")

KEYS = (
    ("Profil", "choice", ("client", "prospect", "suspect")),
    ("Canaux", "multi", ("e-mail", "téléphone", "salon")),
    ("Mise en service", "month", ()),
    ("Newsletter", "yesno", ()),
    ("Remarque", "text", ()),
)
PLACES = (("Toulouse", "31000"), ("Albi", "81000"), ("Ajaccio", "20000"), ("Paris", "75001"),
          ("Pointe-à-Pitre", "97110"), ("", ""), ("Lyon", "69001"))
STAGES = ("lead", "qualified", "proposal", "negotiation", "won", "lost")
CATEGORIES = (None, "Neuf", "Entretien et réparation")
REASONS = (None, "Prix", "Pas de budget")


class Deal(NamedTuple):
    stage: str
    amount: float
    chance: int
    day: str  # closed (won, lost) or expected to close (an open deal, when ``dated``)
    dated: bool
    category: str | None
    reason: str | None
DAYS = ("2024-02-29", "2025-06-15", "2025-12-31", "2026-01-01", "2026-07-14")
QUERIES: dict[str, Callable[[dict[str, Any]], bool]] = {
    "": lambda c: True,
    "profil:client": lambda c: c["keys"].get("Profil") == "client",
    "-profil:client": lambda c: c["keys"].get("Profil") != "client",
    "canaux:salon OR dept:31": lambda c: "salon" in (c["keys"].get("Canaux") or [])
    or c["postal"].startswith("31"),
    "has:remarque": lambda c: bool(c["keys"].get("Remarque")),
}
MEASURES = ("contacts", "share", "revenue", "deals", "average", "pipeline", "weighted", "lost",
            "lost_amount",
            "conversion")
BYS = (["profil"], ["canaux"], ["newsletter"], ["remarque"], ["dept"], ["region"],
       ["mise_en_service:year"], ["created:quarter"], ["city"], ["won:year"],
       ["profil", "canaux"], ["dept", "newsletter"], ["canaux", "won:month"],
       ["deal_category"], ["lost_reason"], ["canaux", "deal_category"],
       ["lost_reason", "profil"])
DRILL = {"contacts": "", "share": "", "revenue": "won", "deals": "won", "average": "won",
         "conversion": "won", "pipeline": "open", "weighted": "open", "lost": "lost",
         "lost_amount": "lost"}


@st.composite
def contact_specs(draw: st.DrawFn) -> dict[str, Any]:
    city, postal = draw(st.sampled_from(PLACES))
    keys: dict[str, Any] = {
        "Profil": draw(st.sampled_from([None, "client", "prospect", "suspect"])),
        "Canaux": draw(st.one_of(st.none(), st.lists(st.sampled_from(KEYS[1][2]), min_size=1,
                                                     max_size=3, unique=True))),
        "Mise en service": draw(st.sampled_from([None, "2010-01", "2012-12", "2015-06"])),
        "Newsletter": draw(st.sampled_from([None, True, False])),
        "Remarque": draw(st.sampled_from([None, "VIP", "vip", "à rappeler", "Très fidèle"])),
    }
    drawn = draw(st.lists(st.tuples(st.sampled_from(STAGES), st.sampled_from((0, 5000, 12000.5)),
                                    st.sampled_from((0, 10, 50, 100)), st.sampled_from(DAYS),
                                    st.booleans(), st.sampled_from(CATEGORIES),
                                    st.sampled_from(REASONS)),
                          max_size=3))
    # a won deal has an amount; an open one an expected close (the day) or none; only a
    # lost deal has a lost reason
    deals = [Deal(stage, amount or 2500 if stage == "won" else amount, chance, day, dated,
                  category, reason if stage == "lost" else None)
             for stage, amount, chance, day, dated, category, reason in drawn]
    return {"city": city, "postal": postal, "keys": {k: v for k, v in keys.items() if v is not None},
            "deals": deals, "created": draw(st.sampled_from(DAYS))}


_TEMPLATE: dict[str, Path] = {}


def _template() -> Path:
    if "path" not in _TEMPLATE:
        path = Path(tempfile.mkdtemp(prefix="qualif-reports-")) / "template.db"
        db = open_database(path, create=True)
        for name, key_type, values in KEYS:
            define_key(db, name, key_type, list(values))
        db.close()
        _TEMPLATE["path"] = path
    return _TEMPLATE["path"]


def build(contacts: list[dict[str, Any]], folder: Path) -> Database:
    path = folder / "world.db"
    shutil.copyfile(_template(), path)
    db = open_database(path, quick_check=False)
    with db.transaction():
        for n, spec in enumerate(contacts):
            cid = create_contact(db, {"last_name": f"Contact {n}", "city": spec["city"],
                                      "postal_code": spec["postal"]}, spec["keys"])
            spec["id"] = cid
            for deal in spec["deals"]:
                made = add_deal(db, cid, "Affaire", deal.amount, stage=deal.stage,
                                probability=deal.chance, category=deal.category,
                                lost_reason=deal.reason)
                closed = deal.day if deal.stage in ("won", "lost") else None
                expected = deal.day if deal.stage not in ("won", "lost") and deal.dated \
                    else None
                db.execute("UPDATE deals SET closed_at = ?, created = ?, expected_close = ?"
                           " WHERE id = ?", (closed, deal.day + "T09:00:00", expected, made))
            db.execute("UPDATE contacts SET created = ? WHERE id = ?",
                       (spec["created"] + "T10:00:00", cid))
    return db


# -- the reference ------------------------------------------------------------------------


def dept_of(postal: str) -> str | None:
    if len(postal) != 5:
        return None
    if postal.startswith("20"):
        return "2A" if postal < "20200" else "2B"
    if postal.startswith("97"):
        return postal[:3]
    return postal[:2]


REGIONS = {"31": "Occitanie", "81": "Occitanie", "2A": "Corse", "75": "Île-de-France",
           "971": "Guadeloupe", "69": "Auvergne-Rhône-Alpes"}


def groups(spec: dict[str, Any], by: str) -> list[Any]:
    """The group values (JSON form) a contact belongs to for one --by; [] for none."""
    keys = spec["keys"]
    if by == "profil":
        return [keys["Profil"]] if "Profil" in keys else []
    if by == "canaux":
        order = KEYS[1][2]
        return sorted(keys.get("Canaux") or [], key=order.index)
    if by == "newsletter":
        return [keys["Newsletter"]] if "Newsletter" in keys else []
    if by == "remarque":
        return [fold(keys["Remarque"])] if "Remarque" in keys else []
    if by == "dept":
        dept = dept_of(spec["postal"])
        return [dept] if dept else []
    if by == "region":
        dept = dept_of(spec["postal"])
        return [REGIONS[dept]] if dept else []
    if by == "mise_en_service:year":
        month = keys.get("Mise en service")
        return [month[:4]] if month else []
    if by == "created:quarter":
        day = spec["created"]
        return [f"{day[:4]}-T{(int(day[5:7]) - 1) // 3 + 1}"]
    if by == "city":
        return [fold(spec["city"])] if spec["city"] else []
    raise AssertionError(by)


def counts(deal: Deal, start: str | None, end: str | None) -> str:
    """How a deal counts in the period: "won", "open", "lost", or "" (not at all). An
    open deal counts when its expected close falls in the period; one without only
    when there is no period."""
    def within(day: str) -> bool:
        return (start is None or day >= start) and (end is None or day <= end)

    if deal.stage == "won":
        return "won" if within(deal.day) else ""
    if deal.stage == "lost":
        return "lost" if within(deal.day) else ""
    everything = start is None and end is None
    return "open" if everything or (deal.dated and within(deal.day)) else ""


def deal_figures(deals: list[Deal], start: str | None, end: str | None) -> list[float]:
    """[buyer, revenue, won, pipeline, weighted, lost, lost amount, opener, loser] of
    one contact's deals."""
    kinds = [(counts(d, start, end), d) for d in deals]
    won = [d for k, d in kinds if k == "won"]
    opened = [d for k, d in kinds if k == "open"]
    lost = [d for k, d in kinds if k == "lost"]
    return [1.0 if won else 0.0, sum(d.amount for d in won), float(len(won)),
            sum(d.amount for d in opened), sum(d.amount * d.chance / 100 for d in opened),
            float(len(lost)), sum(d.amount for d in lost), 1.0 if opened else 0.0,
            1.0 if lost else 0.0]


def measures_of(figures: list[float], population: int) -> dict[str, float]:
    contacts, buyers, revenue, won, pipeline, weighted, lost, lost_amount = figures[:8]
    return {
        "contacts": contacts, "share": round(100 * contacts / population, 2) if population else 0,
        "revenue": round(revenue, 2), "deals": won,
        "average": round(revenue / won, 2) if won else 0, "pipeline": round(pipeline, 2),
        "weighted": round(weighted, 2),
        "conversion": round(100 * buyers / contacts, 2) if contacts else 0,
        "lost": lost, "lost_amount": round(lost_amount, 2),
    }


def people_of(figures: list[float]) -> dict[str, float]:
    """How many contacts each measure's cell query must select."""
    contacts, buyers, openers, losers = figures[0], figures[1], figures[8], figures[9]
    who = {"": contacts, "won": buyers, "open": openers, "lost": losers}
    return {m: who[d] for m, d in DRILL.items()}


def add_to(rows: dict[tuple[Any, ...], list[float]], combo: tuple[Any, ...],
           figures: list[float]) -> None:
    target = rows.setdefault(combo, [0.0] * 10)
    target[0] += 1
    for i, v in enumerate(figures):
        target[i + 1] += v


def reference(contacts: list[dict[str, Any]], query: str, by: list[str],
              start: str | None, end: str | None
              ) -> tuple[dict[Any, Any], dict[str, float], dict[Any, Any], dict[str, float]]:
    """(measures per row, total measures, people per cell, people of the total)."""
    chosen = [c for c in contacts if QUERIES[query](c)]
    rows: dict[tuple[Any, ...], list[float]] = {}
    won_dim = next((i for i, b in enumerate(by) if b.startswith("won:")), None)
    deal_dim = next((i for i, b in enumerate(by) if b in ("deal_category", "lost_reason")),
                    None)
    total = [float(len(chosen))] + [0.0] * 9
    for spec in chosen:
        deals: list[Deal] = spec["deals"]
        if deal_dim is not None:  # deal-level: a row per value the contact has deals of
            field = by[deal_dim]
            counted = [d for d in deals if counts(d, start, end)
                       and (field == "deal_category" or counts(d, start, end) == "lost")]
            other = [groups(spec, b) or [None] for i, b in enumerate(by) if i != deal_dim]
            values = {d.category if field == "deal_category" else d.reason for d in counted}
            for value in sorted(values, key=str):
                mine = [d for d in counted
                        if (d.category if field == "deal_category" else d.reason) == value]
                for other_value in (other[0] if other else [None]):
                    combo = (value,) if not other else (
                        (value, other_value) if deal_dim == 0 else (other_value, value))
                    add_to(rows, combo, deal_figures(mine, start, end))
            for i, v in enumerate(deal_figures(counted, start, end)):
                total[i + 1] += v
            continue
        for i, v in enumerate(deal_figures(deals, start, end)):
            total[i + 1] += v
        if won_dim is None:
            options = [groups(spec, b) or [None] for b in by]
            combos = [(a,) for a in options[0]] if len(by) == 1 else \
                [(a, b) for a in options[0] for b in options[1]]
            for combo in combos:
                add_to(rows, combo, deal_figures(deals, start, end))
            continue
        part = by[won_dim].split(":")[1]

        def bucket(day: str, part: str = part) -> str:
            return day[:4] if part == "year" else day[:7]

        won_days = {bucket(d.day) for d in deals if counts(d, start, end) == "won"}
        other = [groups(spec, b) or [None] for i, b in enumerate(by) if i != won_dim]
        days: list[str | None] = [*sorted(won_days)] or [None]
        for day in days:
            mine = [d for d in deals if d.stage == "won" and bucket(d.day) == day]
            figures = deal_figures(mine, start, end) if day else [0.0] * 9
            for other_value in (other[0] if other else [None]):
                combo = (day,) if not other else (
                    (day, other_value) if won_dim == 0 else (other_value, day))
                add_to(rows, combo, figures)
    return ({k: measures_of(v, len(chosen)) for k, v in rows.items()},
            measures_of(total, len(chosen)), {k: people_of(v) for k, v in rows.items()},
            people_of(total))


def allowed(by: list[str]) -> list[str]:
    """The measures a breakdown by ``by`` takes."""
    if any(b.startswith("won") for b in by):
        return ["contacts", "share", "revenue", "deals", "average"]
    if "lost_reason" in by:
        return ["contacts", "share", "lost", "lost_amount"]
    return list(MEASURES)


def normal(value: Any) -> Any:
    """JSON group values as the reference writes them (text folded, as the language)."""
    return fold(value) if isinstance(value, str) else value


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(contacts=st.lists(contact_specs(), max_size=8), query=st.sampled_from(list(QUERIES)),
       by=st.sampled_from(BYS), period=st.sampled_from([None, "2026", "2025-06", "2024"]))
def test_breakdown_matches_the_reference(contacts: list[dict[str, Any]], query: str,
                                         by: list[str], period: str | None) -> None:
    check_breakdown(contacts, query, by, period)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(contacts=st.lists(contact_specs(), min_size=2, max_size=8),
       query=st.sampled_from(list(QUERIES)),
       by=st.sampled_from([b for b in BYS if {"deal_category", "lost_reason"} & set(b)]),
       period=st.sampled_from([None, "2026", "2025-06", "2024"]))
def test_deal_fields_match_the_reference(contacts: list[dict[str, Any]], query: str,
                                         by: list[str], period: str | None) -> None:
    """The fields of the deals (category, lost reason), more often than among all fields."""
    check_breakdown(contacts, query, by, period)


def summed_one_by_one(db: Database, query: str, by: list[str], measures: list[str],
                      chosen: Period) -> Breakdown:
    """The breakdown on bitmaps as if every amount were different (real amounts)."""
    shapes, few = dealfacts.MAX_SHAPES, breakdown_module.FEW_AMOUNTS
    dealfacts.MAX_SHAPES, breakdown_module.FEW_AMOUNTS = 0, 0
    dealfacts._CACHE.clear()
    try:
        return breakdown(db, query, by, measures, chosen, top=None)
    finally:
        dealfacts.MAX_SHAPES, breakdown_module.FEW_AMOUNTS = shapes, few
        dealfacts._CACHE.clear()


def check_breakdown(contacts: list[dict[str, Any]], query: str, by: list[str],
                    period: str | None) -> None:
    folder = Path(tempfile.mkdtemp(prefix="qualif-reports-"))
    db = build(contacts, folder)
    try:
        chosen = parse_period(period)
        measures = allowed(by)
        want_rows, want_total, want_people, people_total = reference(
            contacts, query, by, chosen.start, chosen.end)
        want_rows = {k: {m: v[m] for m in measures} for k, v in want_rows.items()}
        if any(b in ("region", "remarque", "city") for b in by):
            want_rows = {tuple(normal(x) for x in k): v for k, v in want_rows.items()}
            want_people = {tuple(normal(x) for x in k): v for k, v in want_people.items()}
        for bitmaps in (False, True, "one by one"):
            use_bitmaps(db, bool(bitmaps))
            if bitmaps == "one by one":
                # the forms real amounts take: each contact's deal figures kept per
                # figure, a group's revenue summed over its buyers
                result = summed_one_by_one(db, query, by, measures, chosen)
            else:
                result = breakdown(db, query, by, measures, chosen, top=None)
            got = result.as_json()
            keys = [tuple(normal(v) if b in ("region", "remarque", "city") else v
                          for b, v in zip(by, r["group"].values(), strict=True))
                    for r in got["rows"]]
            rows = {k: {m: r[m] for m in measures} for k, r in zip(keys, got["rows"],
                                                                    strict=True)}
            assert rows == want_rows, (bitmaps, query, by, period)
            assert got["total"] == {m: want_total[m] for m in measures}, (bitmaps, by)
            # every cell's query selects exactly the cell's people (deal fields with a
            # deal measure: one and the same deal, deal:( … ); lost deals: lost:P)
            table = result.table()
            assert table.total is not None
            cells = [*zip(table.rows, keys, [want_people[k] for k in keys], strict=True),
                     (table.total, None, people_total)]
            for row, key, wanted in cells:
                for m in measures:
                    text, exact = row.cell_queries[m]
                    assert exact, (by, key, m, text)
                    assert count(db, compile_query(db, text)) == wanted[m], \
                        (bitmaps, query, by, period, m, text)
    finally:
        db.close()
        shutil.rmtree(folder, ignore_errors=True)


def test_the_reference_knows_every_region() -> None:
    for _city, postal in PLACES:
        dept = dept_of(postal)
        if dept:
            assert geography.DEPARTEMENTS[dept].region == REGIONS[dept]


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(contacts=st.lists(contact_specs(), max_size=8), query=st.sampled_from(list(QUERIES)),
       months=st.sampled_from([1, 6, 12, 40]))
def test_other_reports_cells_open_their_people(contacts: list[dict[str, Any]], query: str,
                                               months: int) -> None:
    """Funnel, trend, inactive clients, completeness: each exact cell's query counts
    the contacts the cell shows (the funnel's stages now, a month's buyers or new
    contacts, the inactive list, the filled and missing keys)."""
    folder = Path(tempfile.mkdtemp(prefix="qualif-reports-"))
    db = build(contacts, folder)
    try:
        for bitmaps in (False, True):
            use_bitmaps(db, bitmaps)
            checks: list[tuple[Table, str]] = [
                (funnel(db, query).table(), "contacts"),
                (trend(db, query, "revenue", months).table(), "contacts"),
                (trend(db, query, "contacts", months).table(), "contacts"),
                (completeness(db, query).table(), "filled"),
                (completeness(db, query).table(), "missing"),
                (completeness(db, query, months=months).months_table(), "contacts"),
            ]
            for without in ("both", "purchase", "contact", "any"):
                result = inactive_clients(db, query, months=months, without=without)
                assert result.table().total is not None
                checks.append((result.table(), "\x00total"))
                assert count(db, compile_query(db, result.list_query)) == result.total
            for table, column in checks:
                rows = [table.total] if column == "\x00total" else \
                    [*table.rows, *([table.total] if table.total else [])]
                for row in rows:
                    assert row is not None
                    text, exact = row.cell_queries.get(column, (row.query, row.exact))
                    assert exact, (table.title, text)
                    if column != "\x00total":
                        assert count(db, compile_query(db, text)) == row.cells[column], \
                            (bitmaps, table.title, text)
    finally:
        db.close()
        shutil.rmtree(folder, ignore_errors=True)
