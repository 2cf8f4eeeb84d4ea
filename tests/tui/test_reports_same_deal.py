"""Cells the query language once said only approximately, now exact: Enter on the
revenue of a deal category lists the contacts with a won deal *of that category* (one
deal: ``deal:( … )``), and on the funnel's "reached" under a period the contacts with
a deal created in it that got to the stage — no warning toast, as many as by hand."""

from __future__ import annotations

from typing import Any

from textual.coordinate import Coordinate
from textual.widgets import DataTable

from qualif_tui.domain import clock
from qualif_tui.storage import Database
from qualif_tui.tui.app import QualifApp

from .conftest import settle
from .test_reports_cells import at_cursor, number, open_cell, start
from .test_reports_screen import listed, report_screen


async def test_revenue_of_a_category_lists_the_buyers_of_that_category(
    app: QualifApp, app_db: Database
) -> None:
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        await start(app, pilot, "0", "0")  # the deals' category
        assert report_screen(app).choice.by == "deal_category"
        for _ in range(12):
            if at_cursor(app)[0] == "revenue":
                break
            await pilot.press("right")
        assert at_cursor(app)[0] == "revenue"
        grid: DataTable[Any] = report_screen(app).table
        while number(at_cursor(app)[1]) == 0:
            await pilot.press("down")
        label = str(grid.get_cell_at(Coordinate(grid.cursor_row, 0)))
        query, warned = await open_cell(app, pilot)
        assert query.startswith("deal:(deal_category:") and "has:won" in query, query
        assert not warned
        by_hand = app_db.scalar(
            "SELECT count(DISTINCT d.contact_id) FROM deals d"
            " JOIN deal_stages s ON s.id = d.stage JOIN deal_choices c ON c.id = d.category_id"
            " WHERE s.kind = 'won' AND c.label = ?",
            (label,),
        )
        assert listed(app) == by_hand > 0


async def test_funnel_reached_under_a_period_lists_exactly_its_people(
    app: QualifApp, app_db: Database
) -> None:
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        await start(app, pilot, "f", "p", "p")  # this year's deals
        while at_cursor(app)[0] != "reached":
            await pilot.press("left")
        year = str(clock.today().year)
        query, warned = await open_cell(app, pilot)
        assert query == f"deal:(deal_created:{year} reached:lead)" and not warned
        # the first stage: every deal created this year that is open or won now, or
        # that was ever at an open stage (a lost one went through the pipeline)
        by_hand = app_db.scalar(
            "SELECT count(DISTINCT d.contact_id) FROM deals d"
            " JOIN deal_stages s ON s.id = d.stage WHERE substr(d.created, 1, 4) = ?"
            " AND (s.kind != 'lost' OR EXISTS (SELECT 1 FROM deal_moves m"
            " JOIN deal_stages t ON t.id = m.to_stage WHERE m.deal_id = d.id"
            " AND t.kind = 'open'))",
            (year,),
        )
        assert listed(app) == by_hand > 0
