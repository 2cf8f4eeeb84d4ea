"""Every figure one key from its people, and the user's stages in every report.

For each report kind, the query a cell opens (Enter in the app) is written
with the query language's own fields (``won:2026-03``, ``expected_close:2026``,
``deal_stage:proposal``, ``-last_purchase:12m``…) and, when the report says it
is exact, counting it gives the contacts behind the figure: the cell's contacts,
or for a deal figure the contacts it comes from. The stages are the user's
table: renamed, reordered, added, re-kinded, the funnel and the revenue follow.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from pathlib import Path

import pytest

from qualif_tui.domain.contacts import create_contact
from qualif_tui.domain.deals import add_deal, lose_deal, move_deal
from qualif_tui.domain.history import add_entry
from qualif_tui.domain.keys import define_key
from qualif_tui.domain.stages import add_stage, update_stage
from qualif_tui.query import compile_query, count, use_bitmaps
from qualif_tui.services.pipeline import funnel as pipeline_funnel
from qualif_tui.services.reports import (
    Table,
    breakdown,
    completeness,
    funnel,
    inactive_clients,
    parse_period,
    trend,
)
from qualif_tui.services.reports.model import Period, period_query
from qualif_tui.storage import Database

from built_files import build_once, private_copy


def _fill_shop(db: Database) -> None:
    """Six contacts with won, open and lost deals over 2025 and 2026 (today: 2026-11-20)."""
    define_key(db, "Source", "choice", ["salon", "web"])
    ids = {name: create_contact(db, {"last_name": name}, values) for name, values in (
        ("Arnaud", {"Source": "salon"}), ("Bernard", {"Source": "salon"}),
        ("Chloé", {"Source": "web"}), ("Dupuis", {}), ("Émile", {"Source": "web"}),
        ("Faure", {"Source": "salon"}))}

    def deal(who: str, amount: int, stage: str, day: str | None = None,
             expected: str | None = None, category: str | None = None,
             created: str = "2026-01-15") -> int:
        made = add_deal(db, ids[who], f"{who} {amount}", amount, stage=stage,
                        expected_close=expected, closed_at=day, category=category)
        db.execute("UPDATE deals SET created = ? WHERE id = ?", (f"{created}T10:00:00", made))
        return made

    # Arnaud: a won deal of Occasion and an open one of Entretien in 2026 (and a won
    # Entretien in 2025): "a won Entretien deal in 2026" is one deal, not two criteria
    deal("Arnaud", 10000, "won", "2025-03-10", category="Entretien", created="2025-01-05")
    deal("Arnaud", 5000, "won", "2026-02-01", category="Occasion")
    deal("Arnaud", 20000, "proposal", expected="2026-12-15", category="Entretien")
    deal("Bernard", 4000, "won", "2026-07-14", category="Entretien")
    deal("Bernard", 8000, "negotiation", expected="2027-01-20", category="Occasion",
         created="2025-11-02")
    deal("Chloé", 3000, "won", "2026-02-20")
    lost = deal("Chloé", 7000, "lead", category="Occasion")
    move_deal(db, lost, "proposal")
    lose_deal(db, lost, reason="Prix", closed_at="2026-05-02")
    deal("Émile", 1000, "lead")  # no expected close: counted only without a period
    back = deal("Faure", 2500, "proposal", expected="2026-11-30", created="2025-06-01")
    move_deal(db, back, "qualified")  # went back: it reached Proposition once
    add_entry(db, ids["Faure"], "call", "Relance")
    # Bernard was reached in March and again in October: March counts him
    add_entry(db, ids["Bernard"], "call", "Premier appel", happened_at="2026-03-05T10:00:00")
    add_entry(db, ids["Bernard"], "meeting", "Essai", happened_at="2026-10-02T15:00:00")


@pytest.fixture(scope="module")
def shop_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_once(tmp_path_factory.mktemp("shop") / "shop.db", _fill_shop)


@pytest.fixture
def shop(shop_file: Path, tmp_path: Path) -> Iterator[Database]:
    """A private copy of the shop (some tests change its stages)."""
    db = private_copy(shop_file, tmp_path)
    yield db
    db.close()


@pytest.fixture(params=["sql", "bitmaps"])
def mode(request: pytest.FixtureRequest, shop: Database) -> Iterator[str]:
    use_bitmaps(shop, request.param == "bitmaps")
    yield str(request.param)
    use_bitmaps(shop, False)


def counted(db: Database, query: str) -> int:
    return count(db, compile_query(db, query))


def people(db: Database, query: str) -> set[str]:
    return {str(r[0]) for r in db.query(
        f"SELECT c.last_name FROM contacts c JOIN contact_facts f ON f.contact_id = c.id"
        f" WHERE {compile_query(db, query).where}", compile_query(db, query).params)}


# -- the period as the query language writes it ------------------------------------------


def test_period_query_is_the_shortest_exact_form() -> None:
    assert period_query("won", parse_period("2026")) == "won:2026"
    assert period_query("won", parse_period("2026-03")) == "won:2026-03"
    assert period_query("won", parse_period("2026-T2")) == "won:2026-04..2026-06"
    assert period_query("won", parse_period(None, "15/03/2026", "2026-04-02")) == \
        "won:2026-03-15..2026-04-02"
    assert period_query("won", parse_period(None, "2026-03", None)) == "won>=2026-03-01"
    assert period_query("won", parse_period(None, None, "2026")) == "won<=2026-12-31"
    assert period_query("won", Period()) == "has:won"
    assert period_query("won", parse_period("2026"), ("2026-10-01", "2026-12-31")) == \
        "won:2026-10..2026-12"
    assert period_query("won", parse_period("12m")) == "won:2025-11-21..2026-11-20"


# -- breakdowns ---------------------------------------------------------------------------


def open_contacts(db: Database, names: set[str], period: Period) -> set[str]:
    """By hand: the contacts with an open deal expected to close in the period."""
    rows = db.query("SELECT c.last_name, d.expected_close FROM deals d JOIN contacts c"
                    " ON c.id = d.contact_id WHERE d.stage NOT IN ('won', 'lost')")
    return {str(r[0]) for r in rows if str(r[0]) in names and (
        period.everything or period.contains(r[1]))}


@pytest.mark.parametrize("period", [None, "2026", "2026-02", "12m", "2025"])
@pytest.mark.parametrize("by", [["source"], ["won:month"], ["won:quarter"], ["won:year"],
                                ["source", "won:year"], ["won:month", "source"]])
def test_every_breakdown_cell_opens_its_people(shop: Database, mode: str, by: list[str],
                                               period: str | None) -> None:
    chosen = parse_period(period)
    won_level = any(b.startswith("won") for b in by)
    measures = ["contacts", "revenue", "deals", "average"] + (
        [] if won_level else ["pipeline", "weighted", "conversion"])
    result = breakdown(shop, "", by, measures, chosen)
    table = result.table()
    for row, raw in zip([*table.rows, table.total], [*result.rows, None], strict=True):
        assert row is not None
        figures = raw.figures if raw is not None else result.total
        for measure in measures:
            query, exact = row.cell_queries[measure]
            assert exact, (by, period, measure, query)
            found = people(shop, query)
            if measure == "contacts":
                assert len(found) == figures[0], (by, period, query)
            elif measure in ("pipeline", "weighted"):
                group = people(shop, row.cell_queries["contacts"][0])
                assert found == open_contacts(shop, group, chosen), (by, period, query)
            else:
                assert len(found) == figures[1], (by, period, measure, query)


def deal_people(db: Database, period: Period, drill: str, field: str | None = None,
                value: object = ..., scope: str = "") -> set[str]:
    """By hand: the contacts with one deal that counts for ``drill`` in the period ("":
    any deal the period selects; ``scope`` "lost": lost deals) and, for a row of a deal
    field, has that value (None: no value)."""
    kinds = {str(r[0]): str(r[1]) for r in db.query("SELECT id, kind FROM deal_stages")}
    found = set()
    for name, stage, closed, expected, category, reason in db.query(
            "SELECT c.last_name, d.stage, d.closed_at, d.expected_close, cat.label, why.label"
            " FROM deals d JOIN contacts c ON c.id = d.contact_id"
            " LEFT JOIN deal_choices cat ON cat.id = d.category_id"
            " LEFT JOIN deal_choices why ON why.id = d.lost_reason_id"):
        kind = kinds[stage]
        counts = {"won": kind == "won" and period.contains(closed),
                  "open": kind == "open" and (period.everything or period.contains(expected)),
                  "lost": kind == "lost" and period.contains(closed)}
        if period.everything:
            counts["won"] = kind == "won"
            counts["lost"] = kind == "lost"
        wanted = drill or ("lost" if scope == "lost" else "")
        if not (counts[wanted] if wanted else any(counts.values())):
            continue
        if field is not None and {"deal_category": category,
                                  "lost_reason": reason}[field] != value:
            continue
        found.add(str(name))
    return found


@pytest.mark.parametrize("period", [None, "2026", "2025", "2026-02", "12m"])
@pytest.mark.parametrize("by", [["deal_category"], ["lost_reason"], ["source", "deal_category"],
                                ["deal_category", "source"], ["source"]])
def test_every_deal_field_cell_opens_its_people(shop: Database, mode: str, by: list[str],
                                                period: str | None) -> None:
    """A row of a deal field, and every measure of it: one and the same deal has the
    row's value and counts for the measure (a *won* deal *of* Entretien)."""
    chosen = parse_period(period)
    measures = (["contacts", "lost", "lost_amount"] if "lost_reason" in by else
                ["contacts", "revenue", "deals", "average", "conversion", "pipeline",
                 "weighted", "lost", "lost_amount"])
    result = breakdown(shop, "", by, measures, chosen)
    table = result.table()
    field = next((b for b in by if b in ("deal_category", "lost_reason")), None)
    at = by.index(field) if field else None
    for row, raw in zip([*table.rows, table.total], [*result.rows, None], strict=True):
        assert row is not None
        source = None
        within = people(shop, "")
        if raw is not None and "source" in by:
            source = raw.keys[by.index("source")]
            within = people(shop, "missing:source" if source is None else
                            f"source:{result.by[by.index('source')].display(source)}")
        for measure in measures:
            query, exact = row.cell_queries[measure]
            assert exact, (by, period, measure, query)
            drill = {"revenue": "won", "deals": "won", "average": "won", "conversion": "won",
                     "pipeline": "open", "weighted": "open", "lost": "lost",
                     "lost_amount": "lost"}.get(measure, "")
            if raw is None or at is None:  # the total, or by source alone
                if not drill:
                    continue  # the contacts of the group: checked by the other tests
                expected = deal_people(shop, chosen, drill) & within
            else:
                key = raw.keys[at]
                label = None if key is None else result.by[at].labels[key]
                expected = deal_people(shop, chosen, drill, field, label,
                                       "lost" if field == "lost_reason" else "") & within
            found = people(shop, query)
            assert found == expected, (by, period, measure, query)
            if raw is not None and measure == "contacts":
                assert len(found) == raw.figures[0], (by, period, query)
    if by == ["deal_category"] and chosen.everything:
        entretien = next(r for r in table.rows if r.cells["deal_category"] == "Entretien")
        assert entretien.cell_queries["revenue"] == ("deal:(deal_category:Entretien has:won)",
                                                     True)
        # Arnaud's won deal of Entretien was in 2025: in 2026 only Bernard's counts
        in_2026 = breakdown(shop, "", by, ["revenue"], parse_period("2026")).table()
        row_2026 = next(r for r in in_2026.rows if r.cells["deal_category"] == "Entretien")
        assert row_2026.cell_queries["revenue"][0] == "deal:(deal_category:Entretien won:2026)"
        assert people(shop, row_2026.cell_queries["revenue"][0]) == {"Bernard"}
        assert people(shop, "deal_category:Entretien won:2026") == {"Arnaud", "Bernard"}


def test_won_rows_say_their_months_in_the_query_language(shop: Database) -> None:
    result = breakdown(shop, "", ["won:quarter"], ["contacts", "revenue"], parse_period("2026"))
    queries = {r.cells["won:quarter"]: r.query for r in result.table().rows}
    assert queries == {"2026 T1": "won:2026-01..2026-03", "2026 T3": "won:2026-07..2026-09",
                       "(non renseigné)": "-won:2026"}
    revenue = result.table().rows[0].cell_queries["revenue"][0]
    assert revenue == "won:2026-01..2026-03"  # the row already selects the buyers
    by_source = breakdown(shop, "", ["source"], ["revenue", "pipeline"], parse_period("2026"))
    salon = by_source.table().rows[0]
    assert salon.cell_queries["revenue"] == ("source:salon won:2026", True)
    assert salon.cell_queries["pipeline"] == ("source:salon expected_close:2026", True)
    everything = breakdown(shop, "", ["source"], ["revenue", "pipeline"]).table().rows[0]
    assert everything.cell_queries["revenue"] == ("source:salon revenue>0", True)
    assert everything.cell_queries["pipeline"] == ("source:salon open_deals>0", True)


def test_open_deals_without_an_expected_close_count_only_without_a_period(
        shop: Database, mode: str) -> None:
    whole = breakdown(shop, "", ["source"], ["pipeline"]).as_json()["total"]["pipeline"]
    assert whole == 20000 + 8000 + 1000 + 2500
    in_2026 = breakdown(shop, "", ["source"], ["pipeline"], parse_period("2026"))
    assert in_2026.as_json()["total"]["pipeline"] == 20000 + 2500  # not Émile's, no date


# -- the funnel ----------------------------------------------------------------------------


def test_funnel_reads_the_moves_like_the_pipeline_screen(shop: Database) -> None:
    result = funnel(shop, "")
    reached = {s.ids[0]: s.reached for s in result.steps}
    # Chloé's lost deal went to proposal; Faure's went back from proposal to qualified
    assert reached == {"lead": 9, "qualified": 8, "proposal": 8, "negotiation": 5, "won": 4}
    same = {s.stage.id: s.reached for s in pipeline_funnel(
        shop, None, start="2000-01-01", end="2099-12-31")}
    assert reached == same
    assert result.lost.at == 1 and result.lost.contacts == 1


def reached_by_hand(db: Database, step: tuple[str, ...], period: Period) -> set[str]:
    """The contacts with a deal created in the period that got to ``step`` (its stages):
    at it or further now, or once there (an open step), from the raw rows."""
    kinds = {str(r[0]): str(r[1]) for r in db.query("SELECT id, kind FROM deal_stages")}
    order = [str(r[0]) for r in db.query(
        "SELECT id FROM deal_stages WHERE kind = 'open' ORDER BY position, id")]
    found = set()
    for name, deal_id, stage, created in db.query(
            "SELECT c.last_name, d.id, d.stage, d.created FROM deals d"
            " JOIN contacts c ON c.id = d.contact_id"):
        if not (period.everything or period.contains(created)):
            continue
        moves = {str(r[0]) for r in db.query(
            "SELECT to_stage FROM deal_moves WHERE deal_id = ?", (deal_id,))}
        if kinds[step[0]] != "open":
            hit = stage in step
        else:
            later = order[order.index(step[0]):]
            hit = stage in later or kinds[stage] == "won" or bool(moves & set(later))
        if hit:
            found.add(str(name))
    return found


@pytest.mark.parametrize("period", [None, "2026", "2025", "12m"])
def test_funnel_cells_open_their_people(shop: Database, mode: str, period: str | None) -> None:
    chosen = parse_period(period)
    result = funnel(shop, "", chosen)
    table = result.table()
    by_label = {r.cells["stage"]: r for r in table.rows}
    for row, step in zip(table.rows, [*result.steps, result.lost], strict=True):
        for column, (query, exact) in row.cell_queries.items():
            assert exact, (period, column, query)
        assert counted(shop, row.cell_queries["contacts"][0]) == row.cells["contacts"]
        reached = row.cell_queries["reached"][0]
        assert people(shop, reached) == reached_by_hand(shop, step.ids, chosen), (
            period, reached)
    if chosen.everything:
        assert by_label["Proposition"].cell_queries["contacts"][0] == "deal_stage:proposal"
        # Faure's deal went back to Qualifiée, Chloé's was lost after Proposition
        assert by_label["Proposition"].cell_queries["reached"][0] == "reached:proposal"
        assert people(shop, "reached:proposal") == {"Arnaud", "Bernard", "Chloé", "Faure"}
        assert people(shop, "deal_stage:proposal,negotiation,won") == {"Arnaud", "Bernard",
                                                                        "Chloé"}
    elif period == "2026":
        assert by_label["Proposition"].cell_queries["reached"][0] == \
            "deal:(deal_created:2026 reached:proposal)"
    assert not any("approch" in note for note in result.notes)


def test_the_funnel_follows_the_users_stages(shop: Database) -> None:
    update_stage(shop, "proposal", label="Devis envoyé")
    add_stage(shop, "Démo", probability=30, after="qualified")
    update_stage(shop, "negotiation", position=2)  # now right after Piste
    add_stage(shop, "Signée", kind="won")
    signed = add_deal(shop, int(shop.scalar("SELECT id FROM contacts WHERE last_name = 'Dupuis'")),
                      "Dupuis", 900, stage="signee", closed_at="2026-10-01")
    assert signed
    result = funnel(shop, "")
    assert [s.label for s in result.steps] == ["Piste", "Négociation", "Qualifiée", "Démo",
                                               "Devis envoyé", "Gagnée / Signée"]
    assert result.steps[-1].at == 5 and result.steps[-1].contacts == 4
    row = result.table().rows[-2]  # the lost deals come last
    assert row.cell_queries["contacts"] == ("deal_stage:won,signee", True)
    assert counted(shop, row.cell_queries["contacts"][0]) == 4
    revenue = breakdown(shop, "", ["source"], ["revenue"]).as_json()["total"]["revenue"]
    assert revenue == 10000 + 5000 + 4000 + 3000 + 900
    update_stage(shop, "signee", kind="lost")  # no longer a sale
    assert breakdown(shop, "", ["source"], ["revenue"]).as_json()["total"]["revenue"] == 22000
    assert funnel(shop, "").lost.label == "Signée / Perdue"  # in the table's order


# -- trend, inactive, completeness -------------------------------------------------------


def check_rows(db: Database, table: Table, column: str) -> None:
    for row in [*table.rows, *([table.total] if table.total else [])]:
        query, exact = row.cell_queries.get(column, (row.query, row.exact))
        assert exact, (table.title, query)
        assert counted(db, query) == row.cells[column], (table.title, query)


@pytest.mark.parametrize("measure", ["revenue", "deals", "contacts", "reached"])
def test_trend_months_open_their_people(shop: Database, measure: str) -> None:
    table = trend(shop, "", measure, 24).table()
    check_rows(shop, table, "reached" if measure == "reached" else "contacts")
    february = next(r for r in table.rows if r.cells["month"] == "2026-02")
    assert february.query == {"contacts": "created:2026-02",
                              "reached": "contacted:2026-02"}.get(measure, "won:2026-02")
    if measure == "reached":  # Bernard was reached in March, though last in October
        march = next(r for r in table.rows if r.cells["month"] == "2026-03")
        assert march.cells["reached"] == 1 and people(shop, march.query) == {"Bernard"}


def test_inactive_is_its_own_query(shop: Database) -> None:
    for without in ("both", "purchase", "contact", "any"):
        result = inactive_clients(shop, months=6, without=without)
        table = result.table()
        assert table.total is not None and table.total.exact
        assert counted(shop, table.total.query) == result.total
        assert {c.name for c in result.clients} == people(shop, table.total.query)
    late = inactive_clients(shop, months=6, without="purchase")
    assert late.list_query == "revenue>0 -last_purchase:6m"
    assert {c.name for c in late.clients} == {"Arnaud", "Chloé"}
    assert {c.name for c in inactive_clients(shop, months=6).clients} == {"Arnaud", "Chloé"}
    assert inactive_clients(shop, "source:salon", months=3, without="any").list_query == \
        "source:salon (-last_purchase:3m OR -last_contact:3m)"


def test_completeness_cells_open_their_people(shop: Database, mode: str) -> None:
    result = completeness(shop, "")
    table = result.table()
    for column in ("filled", "missing"):
        check_rows(shop, table, column)
    months = result.months_table()
    check_rows(shop, months, "contacts")


def test_many_distinct_revenues_are_summed_over_the_buyers(
        shop: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    """Real amounts give thousands of distinct revenues: a group's revenue is then the
    sum over its buyers, with the same figures as value by value."""
    module = importlib.import_module("qualif_tui.services.reports.breakdown")
    use_bitmaps(shop, True)
    try:
        by_value = breakdown(shop, "", ["source"], ["contacts", "revenue", "deals",
                                                   "conversion"]).as_json()
        monkeypatch.setattr(module, "FEW_AMOUNTS", 0)
        result = breakdown(shop, "", ["source"], ["contacts", "revenue", "deals", "conversion"])
        assert result.engine == "bitmaps" and result.as_json() == by_value
        assert by_value["total"]["revenue"] == 22000
    finally:
        use_bitmaps(shop, False)
