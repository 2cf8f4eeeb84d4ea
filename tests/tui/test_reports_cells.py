"""Every report kind: Enter on a figure lists exactly its people; the crosstab as a
matrix where it fits; the deals' period typed freely (P)."""

from __future__ import annotations

from typing import Any

from textual.widgets import DataTable, Input, Static

from qualif_tui.tui.app import QualifApp
from qualif_tui.tui.reports import ReportDatesScreen

from .conftest import settle
from .helpers import main
from .test_reports_screen import SnapCompare, listed, report_screen, snap_app, steps

__all__ = ["snap_app"]  # the fixture, for the snapshots below


def number(text: str) -> int:
    return int("".join(ch for ch in text if ch.isdigit()) or 0)


def at_cursor(app: QualifApp) -> tuple[str, str]:
    """(column name, text) of the report cell under the cursor."""
    grid: DataTable[Any] = report_screen(app).table
    column = str(grid.ordered_columns[grid.cursor_column].key.value)
    return column, str(grid.get_cell_at(grid.cursor_coordinate))


def figure(app: QualifApp, column: str) -> int:
    """The cursor row's figure in ``column``."""
    grid: DataTable[Any] = report_screen(app).table
    return number(str(grid.get_cell(grid.coordinate_to_cell_key(grid.cursor_coordinate)
                                    .row_key, column)))


async def open_cell(app: QualifApp, pilot: Any) -> tuple[str, bool]:
    """Enter on the cursor's cell: (the query the list runs, whether a toast warned)."""
    before = len(app._notifications)
    await pilot.press("enter")
    await settle(pilot)
    return main(app).query_text, len(app._notifications) > before


async def start(app: QualifApp, pilot: Any, *keys: str) -> None:
    main(app).run_search("")
    await settle(pilot)
    await pilot.press("r", *keys)
    await settle(pilot)


async def test_enter_lists_the_people_of_a_cell_in_every_report(app: QualifApp) -> None:
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        # revenue by source over 2026 (p p: this year): the buyers of 2026
        await start(app, pilot, "m", "p", "p")
        while at_cursor(app)[0] != "revenue":
            await pilot.press("right")
        buyers = figure(app, "contacts")  # not the figure: the cell's people, counted below
        assert buyers > 0
        query, warned = await open_cell(app, pilot)
        assert query == "source:foire/salon won:2026" and not warned
        assert 0 < listed(app) <= buyers
        # grouped by the month a deal was won (0): a month's buyers
        await start(app, pilot, "0")
        assert at_cursor(app)[0] == "contacts"
        wanted = figure(app, "contacts")
        query, warned = await open_cell(app, pilot)
        assert query.startswith("won:20") and not warned and listed(app) == wanted
        # the funnel: the cursor starts on who is at the first stage now
        await start(app, pilot, "f")
        assert at_cursor(app)[0] == "contacts"
        wanted = figure(app, "contacts")
        query, warned = await open_cell(app, pilot)
        assert query == "deal_stage:lead" and not warned and listed(app) == wanted
        # the trend of revenue: a month's buyers
        await start(app, pilot, "t")
        grid: DataTable[Any] = report_screen(app).table
        while number(str(grid.get_cell_at(grid.cursor_coordinate))) == 0:
            await pilot.press("down")
        wanted = figure(app, "contacts")
        query, warned = await open_cell(app, pilot)
        assert query.startswith("won:20") and not warned and listed(app) == wanted
        # inactive clients: the total row lists all of them
        await start(app, pilot, "i")
        screen = report_screen(app)
        assert screen.computed is not None
        wanted = screen.computed.result.total
        screen.table.move_cursor(row=screen.table.row_count - 1)
        await settle(pilot)
        query, warned = await open_cell(app, pilot)
        assert "-last_purchase:12m -last_contact:12m" in query and not warned
        assert listed(app) == wanted
        # completeness: the contacts a key misses
        await start(app, pilot, "c")
        assert at_cursor(app)[0] == "missing"
        wanted = figure(app, "missing")
        query, warned = await open_cell(app, pilot)
        assert query == "missing:profil" and not warned and listed(app) == wanted


async def test_a_crosstab_is_a_matrix_where_it_fits(app: QualifApp) -> None:
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        await pilot.press("r", "x", "1")  # source × profil
        await settle(pilot)
        grid: DataTable[Any] = report_screen(app).table
        names = [str(c.key.value) for c in grid.ordered_columns]
        assert names[0] == "group" and names[-1] == "total"
        assert str(grid.get_cell_at(grid.cursor_coordinate)).strip()
        grid.move_cursor(row=0, column=1)
        await settle(pilot)
        wanted = number(str(grid.get_cell_at(grid.cursor_coordinate)))
        query, warned = await open_cell(app, pilot)
        assert query == "source:foire/salon profil:client" and not warned
        assert listed(app) == wanted
        # the total column: the row's contacts, whatever their profile
        await start(app, pilot, "x", "1")
        grid = report_screen(app).table
        grid.move_cursor(row=0, column=len(grid.ordered_columns) - 1)
        await settle(pilot)
        wanted = number(str(grid.get_cell_at(grid.cursor_coordinate)))
        query, _warned = await open_cell(app, pilot)
        assert query == "source:foire/salon" and listed(app) == wanted


async def test_a_crosstab_too_wide_is_one_line_per_pair(app: QualifApp) -> None:
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("r", "x", "1")  # too wide at 80 columns: one line per pair
        await settle(pilot)
        grid = report_screen(app).table
        assert [str(c.key.value) for c in grid.ordered_columns][:2] == ["source", "profil"]
        notes = str(report_screen(app).query_one("#report-notes", Static).render())
        assert "trop large pour une matrice" in notes


async def test_capital_p_types_the_period_of_the_deals(app: QualifApp) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("r", "m", "P")
        await settle(pilot)
        assert isinstance(app.screen, ReportDatesScreen)
        await pilot.press(*"31/13/2026", "enter")  # not a date: said, nothing changes
        await settle(pilot)
        error = str(app.screen.query_one("#report-dates-error", Static).render())
        assert "31/13/2026" in error and isinstance(app.screen, ReportDatesScreen)
        app.screen.query_one("#report-from", Input).value = ""
        await pilot.press("tab", "tab")  # back to "du"
        app.screen.query_one("#report-from", Input).focus()
        await pilot.press(*"2026-T2", "tab", *"30/09/2026", "enter")
        await settle(pilot)
        screen = report_screen(app)
        assert screen.computed is not None
        period = screen.computed.result.period
        assert (period.start, period.end) == ("2026-04-01", "2026-09-30")
        head = str(screen.query_one("#report-head", Static).render())
        assert "2026-04-01 → 2026-09-30" in head
        while at_cursor(app)[0] != "revenue":
            await pilot.press("right")
        query, warned = await open_cell(app, pilot)
        assert query == "source:foire/salon won:2026-04..2026-09" and not warned
        # p goes back to the presets
        await pilot.press("r", "p")
        await settle(pilot)
        assert report_screen(app).choice.period == "12m"
        assert report_screen(app).choice.start == ""


async def test_free_period_typed_in_a_burst_is_the_same(app: QualifApp) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("r", "P", *"2026-03", "tab", *"2026-06", "enter")
        await settle(pilot)
        screen = report_screen(app)
        assert screen.computed is not None
        assert (screen.choice.start, screen.choice.end) == ("2026-03", "2026-06")
        assert screen.computed.result.period.end == "2026-06-30"


def test_snapshot_matrix_small(snap_compare: SnapCompare, snap_app: QualifApp) -> None:
    """Profil × Situation familiale: the matrix fits in 80 columns."""
    assert snap_compare(snap_app, terminal_size=(80, 24), run_before=steps("r", "1", "x", "3"))


def test_snapshot_matrix_large(snap_compare: SnapCompare, snap_app: QualifApp) -> None:
    assert snap_compare(snap_app, terminal_size=(160, 48), run_before=steps("r", "x", "1", "m"))


def test_snapshot_period_dialog_small(snap_compare: SnapCompare,
                                      snap_app: QualifApp) -> None:
    assert snap_compare(snap_app, terminal_size=(80, 24), run_before=steps("r", "P", *"2026"))



async def test_zero_goes_through_the_fields_of_the_deals(app: QualifApp) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("r", "0")
        await settle(pilot)
        assert report_screen(app).choice.by == "won:month"
        await pilot.press("0")
        await settle(pilot)
        assert report_screen(app).choice.by == "deal_category"
        await pilot.press("0", "m")  # lost reasons; m: the lost deals (not the revenue)
        await settle(pilot)
        screen = report_screen(app)
        assert (screen.choice.by, screen.choice.measure) == ("lost_reason", "lost")
        choices = str(screen.query_one("#report-choices", Static).render())
        assert "0 Raison de perte" in choices
        assert at_cursor(app)[0] == "contacts"
        wanted = figure(app, "contacts")
        query, warned = await open_cell(app, pilot)
        assert query.startswith("deal:(lost_reason:") and not warned and listed(app) == wanted
        # keys in one burst: the same place
        await pilot.press("r", "0", "0", "0", "m")
        await settle(pilot)
        screen = report_screen(app)
        assert (screen.choice.by, screen.choice.measure) == ("lost_reason", "lost")
