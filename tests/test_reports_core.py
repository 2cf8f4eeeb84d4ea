"""Reports on small files computed by hand: every case the issue names.

Multi-choice values counted once each (and said so), contacts without a value
in their own row, contacts with several won deals, top N plus "(autres)",
periods, the deal-level grouping by won date, crosstabs, and the query of each
row selecting exactly its contacts — in SQL mode and on bitmaps.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from qualif_tui.domain.contacts import create_contact
from qualif_tui.domain.deals import add_deal
from qualif_tui.domain.history import add_entry
from qualif_tui.domain.keys import define_key
from qualif_tui.query import compile_query, count, use_bitmaps
from qualif_tui.services.reports import (
    ReportError,
    breakdown,
    completeness,
    funnel,
    inactive_clients,
    parse_period,
    trend,
)
from qualif_tui.storage import Database


@pytest.fixture
def shop(db: Database) -> Database:
    """Five contacts: sources, channels (multi), deals."""
    define_key(db, "Source", "choice", ["salon", "web", "bouche à oreille"])
    define_key(db, "Canaux", "multi", ["e-mail", "téléphone", "courrier"])
    define_key(db, "Remarque", "text")
    a = create_contact(db, {"last_name": "Arnaud", "postal_code": "31000", "city": "Toulouse"},
                       {"Source": "salon", "Canaux": ["e-mail", "téléphone"]})
    b = create_contact(db, {"last_name": "Bernard", "postal_code": "81000", "city": "Albi"},
                       {"Source": "salon", "Canaux": ["e-mail"], "Remarque": "VIP"})
    c = create_contact(db, {"last_name": "Chloé", "postal_code": "75001", "city": "Paris"},
                       {"Source": "web", "Remarque": "vip"})
    d = create_contact(db, {"last_name": "Dupuis", "postal_code": "", "city": ""}, {})
    e = create_contact(db, {"last_name": "Émile", "postal_code": "31500", "city": "toulouse"},
                       {"Canaux": ["courrier"]})
    # Arnaud: two won deals (one in 2025, one in 2026) and an open one
    first = add_deal(db, a, "A1", 10000, stage="won")
    second = add_deal(db, a, "A2", 5000, stage="won")
    add_deal(db, a, "A3", 20000, stage="proposal", probability=50)
    # Chloé: one won, one lost; Émile: one open
    won_c = add_deal(db, c, "C1", 3000, stage="won")
    add_deal(db, c, "C2", 7000, stage="lost")
    add_deal(db, e, "E1", 1000, stage="lead", probability=10)
    db.execute("UPDATE deals SET closed_at = '2025-03-10' WHERE id = ?", (first,))
    db.execute("UPDATE deals SET closed_at = '2026-02-01' WHERE id IN (?, ?)", (second, won_c))
    for contact in (a, b, c, d, e):
        assert contact
    return db


@pytest.fixture(params=["sql", "bitmaps"])
def mode(request: pytest.FixtureRequest, shop: Database) -> Iterator[str]:
    use_bitmaps(shop, request.param == "bitmaps")
    yield str(request.param)
    use_bitmaps(shop, False)


def rows_of(report: dict) -> dict:  # type: ignore[type-arg]
    return {tuple(r["group"].values()): {k: v for k, v in r.items() if k != "group"}
            for r in report["rows"]}


def test_revenue_by_source(shop: Database, mode: str) -> None:
    result = breakdown(shop, "", ["source"], ["contacts", "revenue", "deals", "average",
                                             "conversion", "pipeline", "weighted", "share"])
    assert result.engine == mode
    rows = rows_of(result.as_json())
    assert list(rows) == [("salon",), ("web",), (None,)]  # the key's order, no value last
    assert rows[("salon",)] == {"contacts": 2, "revenue": 15000, "deals": 2, "average": 7500,
                                "conversion": 50.0, "pipeline": 20000, "weighted": 10000,
                                "share": 40.0}
    assert rows[("web",)]["revenue"] == 3000 and rows[("web",)]["conversion"] == 100.0
    assert rows[(None,)] == {"contacts": 2, "revenue": 0, "deals": 0, "average": 0,
                             "conversion": 0.0, "pipeline": 1000, "weighted": 100,
                             "share": 40.0}
    total = result.as_json()["total"]
    assert total["contacts"] == 5 and total["revenue"] == 18000 and total["deals"] == 3
    assert total["conversion"] == 40.0 and total["pipeline"] == 21000


def test_multi_choice_counts_a_contact_once_per_value_and_says_so(shop: Database,
                                                                  mode: str) -> None:
    result = breakdown(shop, "", ["canaux"], ["contacts", "revenue"])
    rows = rows_of(result.as_json())
    assert rows[("e-mail",)]["contacts"] == 2
    assert rows[("téléphone",)]["contacts"] == 1
    assert rows[("courrier",)]["contacts"] == 1
    assert rows[(None,)]["contacts"] == 2  # Chloé and Dupuis
    assert rows[("e-mail",)]["revenue"] == 15000 and rows[("téléphone",)]["revenue"] == 15000
    assert sum(r["contacts"] for r in rows.values()) == 6 > result.as_json()["total"]["contacts"]
    assert any("choix multiple" in note for note in result.notes)


def test_every_row_query_selects_the_row(shop: Database, mode: str) -> None:
    for by in (["source"], ["canaux"], ["dept"], ["region"], ["city"], ["remarque"],
               ["created:year"], ["source", "canaux"], ["postal_code:2"]):
        result = breakdown(shop, "", by, ["contacts", "revenue", "conversion"])  # buyers too
        table = result.table()
        for row, raw in zip(table.rows, result.rows, strict=True):
            assert row.exact, (by, row.query)
            assert count(shop, compile_query(shop, row.query)) == raw.figures[0], (by, row.query)
            query, exact = row.cell_queries["revenue"]
            assert exact
            buyers = count(shop, compile_query(shop, query))
            assert buyers == raw.figures[1], (by, query)


def test_text_values_group_like_the_query_language(shop: Database, mode: str) -> None:
    rows = rows_of(breakdown(shop, "", ["remarque"]).as_json())
    assert rows == {("VIP",): {"contacts": 2}, (None,): {"contacts": 3}}
    cities = rows_of(breakdown(shop, "", ["city"]).as_json())
    assert cities[("Toulouse",)] == {"contacts": 2}  # Toulouse and toulouse


def test_top_n_and_others(shop: Database, mode: str) -> None:
    result = breakdown(shop, "", ["city"], ["contacts"], top=1)
    rows = rows_of(result.as_json())
    assert list(rows) == [("Toulouse",), ("(autres)",), (None,)]
    assert rows[("(autres)",)] == {"contacts": 2, "other": True}
    assert any("autres" in note for note in result.notes)
    other = result.table().rows[1]
    assert count(shop, compile_query(shop, other.query)) == 2


def test_places(shop: Database, mode: str) -> None:
    depts = rows_of(breakdown(shop, "", ["dept"]).as_json())
    assert depts == {("31",): {"contacts": 2}, ("75",): {"contacts": 1},
                     ("81",): {"contacts": 1}, (None,): {"contacts": 1}}
    regions = rows_of(breakdown(shop, "", ["region"]).as_json())
    assert regions == {("Île-de-France",): {"contacts": 1}, ("Occitanie",): {"contacts": 3},
                       (None,): {"contacts": 1}}


def test_by_won_date_is_deal_level(shop: Database) -> None:
    rows = rows_of(breakdown(shop, "", ["won:year"], ["contacts", "revenue", "deals"]).as_json())
    assert rows == {("2025",): {"contacts": 1, "revenue": 10000, "deals": 1},
                    ("2026",): {"contacts": 2, "revenue": 8000, "deals": 2},
                    (None,): {"contacts": 3, "revenue": 0, "deals": 0}}
    crossed = rows_of(breakdown(shop, "", ["source", "won:year"], ["contacts"]).as_json())
    assert crossed[("salon", "2026")] == {"contacts": 1}
    assert crossed[("salon", None)] == {"contacts": 1}
    assert crossed[(None, None)] == {"contacts": 2}
    with pytest.raises(ReportError, match="pipeline"):
        breakdown(shop, "", ["won"], ["pipeline"])


def test_period_counts_only_its_deals(shop: Database, mode: str) -> None:
    result = breakdown(shop, "", ["source"], ["revenue", "deals", "conversion"],
                       parse_period("2026"))
    rows = rows_of(result.as_json())
    assert rows[("salon",)] == {"revenue": 5000, "deals": 1, "conversion": 50.0}
    empty = breakdown(shop, "", ["source"], ["revenue"], parse_period("2019"))
    assert empty.as_json()["total"]["revenue"] == 0
    assert "aucune affaire sur la période" in empty.notes


def test_crosstab(shop: Database, mode: str) -> None:
    rows = rows_of(breakdown(shop, "", ["source", "dept"]).as_json())
    assert rows == {("salon", "31"): {"contacts": 1}, ("salon", "81"): {"contacts": 1},
                    ("web", "75"): {"contacts": 1}, (None, "31"): {"contacts": 1},
                    (None, None): {"contacts": 1}}


def test_empty_result_and_query(shop: Database, mode: str) -> None:
    result = breakdown(shop, "source:web", ["source"], ["contacts", "revenue"])
    assert rows_of(result.as_json()) == {("web",): {"contacts": 1, "revenue": 3000}}
    assert result.table().rows[0].query == "source:web"
    nothing = breakdown(shop, "zzzzz", ["source"])
    assert nothing.rows == [] and "aucun contact ne correspond à la recherche" in nothing.notes


def test_bad_usage(shop: Database) -> None:
    with pytest.raises(ReportError, match="vouliez-vous dire « source »"):
        breakdown(shop, "", ["sourc"])
    with pytest.raises(ReportError, match="mesure inconnue"):
        breakdown(shop, "", ["source"], ["revenu"])
    with pytest.raises(ReportError, match="découpage"):
        breakdown(shop, "", ["created:week"])
    with pytest.raises(ReportError):
        breakdown(shop, "", ["source:year"])
    with pytest.raises(ReportError):
        breakdown(shop, "", ["source", "source"])
    with pytest.raises(ReportError):
        parse_period("l'an dernier")


def test_funnel(shop: Database) -> None:
    result = funnel(shop, "").as_json()
    stages = {s["stage"]: s for s in result["stages"]}
    # Chloé's lost deal was made lost: it never was in an open stage
    assert stages["lead"]["reached"] == 5 and stages["lead"]["deals"] == 1
    assert stages["proposal"]["reached"] == 4 and stages["won"]["reached"] == 3
    assert stages["negotiation"]["conversion"] == 100.0
    assert stages["lead"]["contacts"] == 1  # Émile's deal is there now
    assert stages["won"]["contacts"] == 2
    assert result["lost"]["deals"] == 1


def test_inactive_clients(shop: Database) -> None:
    # today is 2026-11-20: Arnaud and Chloé bought in 2026-02, less than 12 months ago
    assert inactive_clients(shop, months=12).total == 0
    late = inactive_clients(shop, months=6)
    assert [c.name for c in late.clients] == ["Arnaud", "Chloé"]  # by revenue
    contacted = shop.scalar("SELECT id FROM contacts WHERE last_name = 'Arnaud'")
    add_entry(shop, int(contacted), "call", "Relance")
    assert [c.name for c in inactive_clients(shop, months=6).clients] == ["Chloé"]
    assert [c.name for c in inactive_clients(shop, months=6, without="purchase").clients] == \
        ["Arnaud", "Chloé"]


def test_completeness(shop: Database, mode: str) -> None:
    result = completeness(shop, "", contacts=10)
    filled = {k.key: k.filled for k in result.keys}
    assert filled == {"source": 3, "canaux": 3, "remarque": 2}
    assert result.complete == 1 and result.empty == 1 and result.incomplete == 4
    assert {c.name: c.missing for c in result.contacts}["Dupuis"] == ["Source", "Canaux",
                                                                      "Remarque"]
    assert result.months[-1].contacts == 5 and result.months[-1].filled["source"] == 3


def test_trend(shop: Database) -> None:
    points = dict(trend(shop, "", "revenue", 12).points)
    assert points["2026-02"] == 8000 and points["2025-12"] == 0 and len(points) == 12
    assert dict(trend(shop, "", "contacts", 3).points)["2026-11"] == 5
    with pytest.raises(ReportError):
        trend(shop, "", "chiffre")


def test_contacts_summed_one_by_one_when_amounts_vary_a_lot(
        shop: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    from qualif_tui.services.reports import dealfacts

    use_bitmaps(shop, True)
    try:
        measures = ["contacts", "revenue", "pipeline", "weighted", "conversion"]
        shaped = breakdown(shop, "", ["canaux"], measures).as_json()
        dealfacts._CACHE.clear()
        monkeypatch.setattr(dealfacts, "MAX_SHAPES", 0)
        assert breakdown(shop, "", ["canaux"], measures).as_json() == shaped
    finally:
        use_bitmaps(shop, False)
