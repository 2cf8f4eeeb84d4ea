"""SVG snapshots of the deals dialogs at 80×24 and 160×48: the deals import with
what it would do and with a refused line, the deals export.

Update after a deliberate change with ``pytest tests/tui/test_deal_dialog_snapshots.py
--snapshot-update`` and look at the report.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from qualif_tui.base import places
from qualif_tui.storage import Database
from qualif_tui.tui.app import QualifApp

from .conftest import settle
from .test_deal_transfer_app import write_deals_file
from .test_keyboard_snapshots import steps

SnapCompare = Callable[..., bool]
SIZES = [(80, 24), (160, 48)]


@pytest.fixture
def snap_app(app_db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> QualifApp:
    monkeypatch.chdir(tmp_path)  # the files are typed by their name alone: the same every run
    places.remember("export.folder", "/tmp")
    return QualifApp(app_db, cursor_blink=False, theme="textual-dark")


@pytest.mark.parametrize("size", SIZES)
def test_deal_import_preview(snap_compare: SnapCompare, snap_app: QualifApp, app_db: Database,
                             tmp_path: Path, size: tuple[int, int]) -> None:
    write_deals_file(app_db, tmp_path)
    assert snap_compare(snap_app, terminal_size=size,
                        run_before=steps("p", "i", *"affaires.csv", "enter"))


def test_deal_import_refused(snap_compare: SnapCompare, snap_app: QualifApp, app_db: Database,
                             tmp_path: Path) -> None:
    write_deals_file(app_db, tmp_path, bad=True)
    assert snap_compare(snap_app, terminal_size=(80, 24),
                        run_before=steps("p", "i", *"affaires.csv", "enter"))


@pytest.mark.parametrize("size", SIZES)
def test_deal_export(snap_compare: SnapCompare, snap_app: QualifApp,
                     size: tuple[int, int]) -> None:
    assert snap_compare(snap_app, terminal_size=size, run_before=steps("p", "ctrl+e"))


@pytest.mark.parametrize("size", SIZES)
def test_stage_table(snap_compare: SnapCompare, snap_app: QualifApp,
                     size: tuple[int, int]) -> None:
    assert snap_compare(snap_app, terminal_size=size, run_before=steps("p", "S"))


def test_stage_form(snap_compare: SnapCompare, snap_app: QualifApp) -> None:
    assert snap_compare(snap_app, terminal_size=(80, 24),
                        run_before=steps("p", "S", "down", "down", "enter"))


def test_lost_reasons(snap_compare: SnapCompare, snap_app: QualifApp) -> None:
    assert snap_compare(snap_app, terminal_size=(80, 24), run_before=steps("p", "S", "2"))


@pytest.mark.parametrize("size", SIZES)
def test_issuer_form(snap_compare: SnapCompare, snap_app: QualifApp,
                     size: tuple[int, int]) -> None:
    assert snap_compare(snap_app, terminal_size=size, run_before=steps("p", "I"))


@pytest.mark.parametrize("size", SIZES)
def test_quote_pdf_dialog(snap_compare: SnapCompare, snap_app: QualifApp, app_db: Database,
                          size: tuple[int, int]) -> None:
    from qualif_tui.tui.quote_editor import QuoteEditor

    places.remember("quotes.folder", "/tmp")  # the same path on every run
    quote_id = int(app_db.scalar("SELECT min(id) FROM quotes"))

    async def run(pilot: Any) -> None:
        await settle(pilot)
        pilot.app.push_screen(QuoteEditor(app_db, quote_id))
        await settle(pilot)
        await pilot.press("P")
        await settle(pilot)

    assert snap_compare(snap_app, terminal_size=size, run_before=run)


def test_deal_form_with_colleagues(snap_compare: SnapCompare, snap_app: QualifApp,
                                   app_db: Database) -> None:
    from .test_deal_colleagues_app import company

    boss, _b, _c = company(app_db)
    assert snap_compare(snap_app, terminal_size=(80, 24), run_before=steps(
        "slash", *f"id:{boss}", "enter", "f6", "ctrl+n", *"Flotte", *["tab"] * 9, "space"))
