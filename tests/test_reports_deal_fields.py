"""The fields of the deals as report fields: category (product) and lost reason, and the
lost deals as measures — computed by hand on a small file, in SQL mode and on bitmaps.

A contact counts in every row it has a deal in; contacts with no such deal are in
no row (a note says how many; the total counts them). The query of a row says
``deal_category:"Véhicule neuf"``, and of a measure on it one and the same deal:
``deal:(deal_category:"Véhicule neuf" won:2026)``, ``deal:(lost_reason:Prix lost:2026)``.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from qualif_tui.cli import main as cli
from qualif_tui.domain.contacts import create_contact
from qualif_tui.domain.deals import add_deal
from qualif_tui.domain.keys import define_key
from qualif_tui.query import compile_query, count, use_bitmaps
from qualif_tui.services.reports import ReportError, breakdown, parse_period
from qualif_tui.storage import Database


@pytest.fixture
def shop(db: Database) -> Database:
    define_key(db, "Source", "choice", ["salon", "web"])
    arnaud = create_contact(db, {"last_name": "Arnaud"}, {"Source": "salon"})
    bernard = create_contact(db, {"last_name": "Bernard"}, {"Source": "salon"})
    chloe = create_contact(db, {"last_name": "Chloé"}, {"Source": "web"})
    create_contact(db, {"last_name": "Dupuis"}, {})  # no deal at all
    add_deal(db, arnaud, "A1", 10000, stage="won", category="Véhicule neuf",
             closed_at="2025-03-10")
    add_deal(db, arnaud, "A2", 800, stage="won", category="Entretien", closed_at="2026-02-01")
    add_deal(db, arnaud, "A3", 20000, stage="proposal", category="Véhicule neuf",
             expected_close="2026-12-15", probability=50)
    add_deal(db, bernard, "B1", 15000, stage="lost", category="Véhicule neuf",
             lost_reason="Prix", closed_at="2026-05-02")
    add_deal(db, bernard, "B2", 400, stage="lost", category="Entretien",
             lost_reason="Délai", closed_at="2025-09-09")
    add_deal(db, chloe, "C1", 9000, stage="lost", lost_reason="Prix", closed_at="2026-06-30")
    add_deal(db, chloe, "C2", 3000, stage="won", closed_at="2026-02-20")  # no category
    return db


@pytest.fixture(params=["sql", "bitmaps"])
def mode(request: pytest.FixtureRequest, shop: Database) -> Iterator[str]:
    use_bitmaps(shop, request.param == "bitmaps")
    yield str(request.param)
    use_bitmaps(shop, False)


def rows_of(report: dict) -> dict:  # type: ignore[type-arg]
    return {tuple(r["group"].values()): {k: v for k, v in r.items() if k != "group"}
            for r in report["rows"]}


def counted(db: Database, query: str) -> int:
    return count(db, compile_query(db, query))


def test_revenue_pipeline_and_losses_by_category(shop: Database, mode: str) -> None:
    result = breakdown(shop, "", ["deal_category"], ["contacts", "revenue", "deals", "pipeline",
                                                     "lost", "lost_amount", "conversion"])
    rows = rows_of(result.as_json())
    assert list(rows) == [("Véhicule neuf",), ("Entretien",), (None,)]  # the list's order
    assert rows[("Véhicule neuf",)] == {"contacts": 2, "revenue": 10000, "deals": 1,
                                        "pipeline": 20000, "lost": 1, "lost_amount": 15000,
                                        "conversion": 50.0}
    assert rows[("Entretien",)] == {"contacts": 2, "revenue": 800, "deals": 1, "pipeline": 0,
                                    "lost": 1, "lost_amount": 400, "conversion": 50.0}
    assert rows[(None,)] == {"contacts": 1, "revenue": 3000, "deals": 1, "pipeline": 0,
                             "lost": 1, "lost_amount": 9000, "conversion": 100.0}
    total = result.as_json()["total"]
    assert total["contacts"] == 4 and total["revenue"] == 13800 and total["lost"] == 3
    assert "1 contacts sans affaire ne sont dans aucune ligne (le total les compte)" in \
        result.notes


def test_lost_deals_by_reason(shop: Database, mode: str) -> None:
    result = breakdown(shop, "", ["lost_reason"], ["contacts", "lost", "lost_amount"])
    rows = rows_of(result.as_json())
    assert rows == {("Prix",): {"contacts": 2, "lost": 2, "lost_amount": 24000},
                    ("Délai",): {"contacts": 1, "lost": 1, "lost_amount": 400}}
    in_2026 = rows_of(breakdown(shop, "", ["lost_reason"], ["lost"],
                                parse_period("2026")).as_json())
    assert in_2026 == {("Prix",): {"lost": 2}}
    crossed = rows_of(breakdown(shop, "", ["source", "lost_reason"], ["lost_amount"]).as_json())
    assert crossed == {("salon", "Prix"): {"lost_amount": 15000},
                       ("salon", "Délai"): {"lost_amount": 400},
                       ("web", "Prix"): {"lost_amount": 9000}}


def test_lost_deals_by_any_field(shop: Database, mode: str) -> None:
    rows = rows_of(breakdown(shop, "", ["source"], ["lost", "lost_amount"]).as_json())
    assert rows[("salon",)] == {"lost": 2, "lost_amount": 15400}
    assert rows[("web",)] == {"lost": 1, "lost_amount": 9000}
    dated = rows_of(breakdown(shop, "", ["source"], ["lost"], parse_period("2025")).as_json())
    assert dated[("salon",)] == {"lost": 1} and dated[("web",)] == {"lost": 0}


def test_cells_open_exactly_their_people(shop: Database, mode: str) -> None:
    table = breakdown(shop, "", ["deal_category"], ["contacts", "revenue"]).table()
    new = table.rows[0]
    assert new.cell_queries["contacts"] == ('deal_category:"Véhicule neuf"', True)
    assert counted(shop, new.cell_queries["contacts"][0]) == 2
    query, exact = new.cell_queries["revenue"]  # a won deal *of this category*: one deal
    assert query == 'deal:(deal_category:"Véhicule neuf" has:won)' and exact
    assert counted(shop, query) == 1  # Arnaud; Bernard's deal of that category was lost
    in_2026 = breakdown(shop, "", ["deal_category"], ["revenue"], parse_period("2026"))
    query, exact = in_2026.table().rows[0].cell_queries["revenue"]
    assert query == 'deal:(deal_category:"Véhicule neuf" won:2026)' and exact
    assert counted(shop, query) == 0  # Arnaud's new-vehicle sale was in 2025
    assert counted(shop, 'deal_category:"Véhicule neuf" won:2026') == 1  # two of his deals
    missing = table.rows[-1]  # deals without a category: Chloé's two
    assert missing.cell_queries["contacts"] == ("deal:(-has:deal_category)", True)
    assert counted(shop, missing.cell_queries["contacts"][0]) == 1
    reasons = breakdown(shop, "", ["lost_reason"], ["contacts", "lost"]).table()
    price = reasons.rows[0]
    assert price.cell_queries["lost"] == ("deal:(lost_reason:Prix has:lost)", True)
    assert counted(shop, price.cell_queries["lost"][0]) == 2
    by_source = breakdown(shop, "", ["source"], ["lost"]).table().rows[0]
    assert by_source.cell_queries["lost"] == ("source:salon has:lost", True)
    assert counted(shop, "source:salon has:lost") == 1
    dated = breakdown(shop, "", ["source"], ["lost"], parse_period("2026")).table().rows[0]
    assert dated.cell_queries["lost"] == ("source:salon lost:2026", True)  # the day lost
    assert counted(shop, "source:salon lost:2026") == 1
    assert counted(shop, "source:salon lost:2025") == 1  # Bernard's other lost deal


def test_measures_that_make_no_sense_are_refused(shop: Database) -> None:
    with pytest.raises(ReportError, match="revenue n'y a pas de sens"):
        breakdown(shop, "", ["lost_reason"], ["revenue"])
    with pytest.raises(ReportError, match="lost n'y a pas de sens"):
        breakdown(shop, "", ["won:year"], ["lost"])
    with pytest.raises(ReportError, match="un seul champ d'affaire"):
        breakdown(shop, "", ["deal_category", "won:year"])
    with pytest.raises(ReportError, match="vouliez-vous dire « lost_reason »"):
        breakdown(shop, "", ["lost_reasn"])


def test_the_command_speaks_french_aliases(shop: Database, db_path: Path) -> None:
    shop.close()
    result = CliRunner().invoke(cli, ["report", str(db_path), "--by", "produit", "-m",
                                      "ca,perdues", "--format", "json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["by"] == ["deal_category"] and report["measures"] == ["revenue", "lost"]
    assert report["rows"][0] == {"group": {"deal_category": "Véhicule neuf"},
                                 "revenue": 10000, "lost": 1}
    refused = CliRunner().invoke(cli, ["report", str(db_path), "--by", "raison_perte", "-m",
                                       "revenue"])
    assert refused.exit_code == 2 and "mesures possibles" in refused.stderr


def test_a_matrix_by_a_deal_field_has_no_margin_that_would_not_add_up(
        shop: Database, mode: str) -> None:
    """Down a field of the deals, a contact is in each of its deals' rows and one
    without a deal in none: a total row would mix those with the whole query (4), so
    there is none; across the source, the row totals add up and open their people."""
    crossed = breakdown(shop, "", ["deal_category", "source"], ["contacts"])
    matrix = crossed.pivot()
    assert matrix.total is None
    assert [c.name for c in matrix.columns][-1] == "total"
    new = matrix.rows[0]
    assert new.cells["total"] == 2 and new.cell_queries["total"] == (
        'deal_category:"Véhicule neuf"', True)
    across = breakdown(shop, "", ["source", "deal_category"], ["contacts"]).pivot()
    assert "total" not in [c.name for c in across.columns]
    assert across.total is not None
    salon = across.rows[0]
    assert salon.cells["c0"] == 2 and counted(shop, salon.cell_queries["c0"][0]) == 2
