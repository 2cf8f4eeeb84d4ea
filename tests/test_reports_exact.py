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


@pytest.fixture
def shop(db: Database) -> Database:
    """Six contacts with won, open and lost deals over 2025 and 2026 (today: 2026-11-20)."""
    define_key(db, "Source", "choice", ["salon", "web"])
    ids = {name: create_contact(db, {"last_name": name}, values) for name, values in (
        ("Arnaud", {"Source": "salon"}), ("Bernard", {"Source": "salon"}),
        ("Chloé", {"Source": "web"}), ("Dupuis", {}), ("Émile", {"Source": "web"}),
        ("Faure", {"Source": "salon"}))}

    def deal(who: str, amount: int, stage: str, day: str | None = None,
             expected: str | None = None) -> int:
        made = add_deal(db, ids[who], f"{who} {amount}", amount, stage=stage,
                        expected_close=expected, closed_at=day)
        return made

    deal("Arnaud", 10000, "won", "2025-03-10")
    deal("Arnaud", 5000, "won", "2026-02-01")
    deal("Arnaud", 20000, "proposal", expected="2026-12-15")
    deal("Bernard", 4000, "won", "2026-07-14")
    deal("Bernard", 8000, "negotiation", expected="2027-01-20")
    deal("Chloé", 3000, "won", "2026-02-20")
    lost = deal("Chloé", 7000, "lead")
    move_deal(db, lost, "proposal")
    lose_deal(db, lost, reason="Prix", closed_at="2026-05-02")
    deal("Émile", 1000, "lead")  # no expected close: counted only without a period
    back = deal("Faure", 2500, "proposal", expected="2026-11-30")
    move_deal(db, back, "qualified")  # went back: it reached Proposition once
    add_entry(db, ids["Faure"], "call", "Relance")
    return db


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


def test_funnel_cells_open_their_people(shop: Database) -> None:
    result = funnel(shop, "")
    table = result.table()
    by_label = {r.cells["stage"]: r for r in table.rows}
    for row in table.rows:
        query, exact = row.cell_queries["contacts"]
        assert exact and counted(shop, query) == row.cells["contacts"], query
    assert by_label["Proposition"].cell_queries["contacts"][0] == "deal_stage:proposal"
    # reached: exact only when no deal that got there went back or was lost since
    assert by_label["Négociation"].cell_queries["reached"] == ("deal_stage:negotiation,won",
                                                               True)
    assert by_label["Proposition"].cell_queries["reached"][1] is False
    assert by_label["Gagnée"].cell_queries["reached"] == ("deal_stage:won", True)
    dated = funnel(shop, "", parse_period("2026")).table()
    assert not any(exact for r in dated.rows for _q, exact in r.cell_queries.values())


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


@pytest.mark.parametrize("measure", ["revenue", "deals", "contacts"])
def test_trend_months_open_their_people(shop: Database, measure: str) -> None:
    table = trend(shop, "", measure, 24).table()
    check_rows(shop, table, "contacts" if measure != "contacts" else "contacts")
    february = next(r for r in table.rows if r.cells["month"] == "2026-02")
    assert february.query == ("won:2026-02" if measure != "contacts" else "created:2026-02")


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
