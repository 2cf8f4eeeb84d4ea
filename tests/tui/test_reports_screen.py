"""The reports screen: one key per choice, Enter opens a cell's contacts, ctrl+e exports."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from textual.command import CommandPalette
from textual.coordinate import Coordinate
from textual.pilot import Pilot
from textual.widgets import DataTable, Input, Static

from qualif_tui.storage import Database
from qualif_tui.tui.app import QualifApp
from qualif_tui.tui.reports import ReportExportScreen, ReportsScreen

from .conftest import settle
from .helpers import main, status
from .test_palette_and_help import palette_choices

SnapCompare = Callable[..., bool]


def report_screen(app: QualifApp) -> ReportsScreen:
    screen = app.screen
    assert isinstance(screen, ReportsScreen), screen
    return screen


def cell(app: QualifApp, row: int, column: str) -> str:
    grid: DataTable[Any] = report_screen(app).table
    return str(grid.get_cell(str(row), column))


def row_labels(app: QualifApp) -> list[str]:
    grid: DataTable[Any] = report_screen(app).table
    first = grid.ordered_columns[0].key
    return [str(grid.get_cell_at(Coordinate(i, 0))) for i in range(grid.row_count)] if first else []


def listed(app: QualifApp) -> int:
    text = status(app)
    return int("".join(ch for ch in text.split("contact")[0] if ch.isdigit()))


async def test_revenue_by_source_then_enter_lists_that_cell(app: QualifApp) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("r")
        await settle(pilot)
        screen = report_screen(app)
        assert "Source" in row_labels(app)[0] or screen.choice.by == "source"
        await pilot.press("6")  # Source is the sixth key of the demo
        await settle(pilot)
        labels = row_labels(app)
        assert labels[0] == "foire/salon" and labels[-2] == "(non renseigné)"
        assert labels[-1] == "Total"
        contacts = int(cell(app, 0, "contacts").replace("\u202f", ""))
        # the cursor starts on the contacts of the first row: Enter lists them
        await pilot.press("enter")
        await settle(pilot)
        assert main(app).query_text == "source:foire/salon"
        assert listed(app) == contacts
        # over every contact again, the same row's revenue: the contacts it comes from
        main(app).run_search("")
        await settle(pilot)
        await pilot.press("r", "6")
        await settle(pilot)
        grid = report_screen(app).table
        while grid.ordered_columns[grid.cursor_column].key.value != "revenue":
            await pilot.press("right")
        await pilot.press("enter")
        await settle(pilot)
        assert main(app).query_text == "source:foire/salon revenue>0"
        assert listed(app) > 0


async def test_keys_typed_in_one_burst_give_the_same_report(app: QualifApp) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("r", "8", "m", "x", "1")
        await settle(pilot)
        screen = report_screen(app)
        assert (screen.choice.by, screen.choice.second, screen.choice.measure) == (
            "region", "profil", "revenue")
        burst = row_labels(app)
        await pilot.press("escape", "r")
        await settle(pilot)
        for key in ("8", "m", "x", "1"):
            await pilot.press(key)
            await settle(pilot)
        assert row_labels(app) == burst


async def test_every_report_from_one_key(app: QualifApp) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("r")
        for key, first in (("f", "Piste"), ("c", "Profil"), ("t", ""), ("i", "")):
            await pilot.press(key)
            await settle(pilot)
            head = str(report_screen(app).query_one("#report-head", Static).render())
            assert head, key
            if first:
                assert row_labels(app)[0] == first, key
        await pilot.press("c", "m")  # completeness by month of creation
        await settle(pilot)
        assert "mois" in str(report_screen(app).query_one("#report-head", Static).render())
        await pilot.press("m", "m")  # the contacts to qualify, then back to the keys
        await settle(pilot)
        await pilot.press("enter")  # the contacts missing Profil
        await settle(pilot)
        assert main(app).query_text == "missing:profil"


async def test_palette_opens_revenue_by_source(app: QualifApp) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        for word in ("chiffre", "entonnoir", "inactifs", "complétude"):
            choices = await palette_choices(pilot, word)
            assert choices, word
            await pilot.press("escape")
            await settle(pilot)
        choices = await palette_choices(pilot, "chiffre d'affaires")
        assert choices[0].startswith("Chiffre d'affaires par source")
        await pilot.press("enter")
        await settle(pilot)
        if isinstance(app.screen, CommandPalette):
            await pilot.press("enter")
            await settle(pilot)
        screen = report_screen(app)
        assert (screen.choice.by, screen.choice.measure) == ("source", "revenue")


async def test_report_over_the_current_query(app: QualifApp) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        main(app).run_search("profil:client")
        await settle(pilot)
        clients = listed(app)
        await pilot.press("r")
        await settle(pilot)
        total = int(cell(app, report_screen(app).table.row_count - 1, "contacts")
                    .replace("\u202f", ""))
        assert total == clients


async def test_ctrl_e_exports_xlsx(app: QualifApp, tmp_path: Path) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("r")
        await settle(pilot)
        await pilot.press("ctrl+e")
        await settle(pilot)
        assert isinstance(app.screen, ReportExportScreen)
        target = tmp_path / "ca.xlsx"
        app.screen.query_one(Input).value = str(target)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, ReportsScreen)
        book = load_workbook(target)
        assert book.active is not None and book.active.cell(3, 1).value == "foire/salon"
        await pilot.press("ctrl+e")
        await settle(pilot)
        app.screen.query_one(Input).value = str(tmp_path / "nowhere" / "x.xlsx")
        await pilot.press("enter")
        await settle(pilot)
        assert "introuvable" in str(app.screen.query_one("#report-export-error",
                                                         Static).render())


def steps(*keys: str) -> Callable[[Pilot[None]], object]:
    async def run(pilot: Pilot[None]) -> None:
        await settle(pilot)
        for key in keys:
            await pilot.press(key)
            await settle(pilot)

    return run


@pytest.fixture
def snap_app(app_db: Database) -> QualifApp:
    return QualifApp(app_db, cursor_blink=False, theme="textual-dark")


def test_snapshot_revenue_by_source_small(snap_compare: SnapCompare, snap_app: QualifApp) -> None:
    assert snap_compare(snap_app, terminal_size=(80, 24), run_before=steps("r", "m"))


def test_snapshot_revenue_by_source_large(snap_compare: SnapCompare, snap_app: QualifApp) -> None:
    assert snap_compare(snap_app, terminal_size=(160, 48), run_before=steps("r", "m"))


def test_snapshot_funnel_small(snap_compare: SnapCompare, snap_app: QualifApp) -> None:
    assert snap_compare(snap_app, terminal_size=(80, 24), run_before=steps("r", "f"))


async def test_p_changes_the_period_of_the_deals(app: QualifApp) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("r", "m")
        await settle(pilot)
        everything = cell(app, report_screen(app).table.row_count - 1, "revenue")
        await pilot.press("p", "p")  # all → last 12 months → this year (2026)
        await settle(pilot)
        screen = report_screen(app)
        assert screen.choice.period == "2026"
        assert "affaires : 2026" in str(screen.query_one("#report-head", Static).render())
        assert screen.computed is not None
        assert screen.computed.result.period.start == "2026-01-01"
        this_year = cell(app, screen.table.row_count - 1, "revenue")
        assert this_year != everything
