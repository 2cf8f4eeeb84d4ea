"""SVG snapshots of the pipeline (80×24 and 160×48), the deals tab and the quote editor.

Update after a deliberate change with ``pytest tests/tui/test_deals_snapshots.py
--snapshot-update`` and look at the report.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from qualif_tui.storage import Database
from qualif_tui.tui.app import QualifApp

from .test_snapshots import steps

SnapCompare = Callable[..., bool]


@pytest.fixture
def snap_app(app_db: Database) -> QualifApp:
    return QualifApp(app_db, cursor_blink=False, theme="textual-dark")


def test_pipeline_small(snap_compare: SnapCompare, snap_app: QualifApp) -> None:
    assert snap_compare(snap_app, terminal_size=(80, 24), run_before=steps("p"))


def test_pipeline_large(snap_compare: SnapCompare, snap_app: QualifApp) -> None:
    assert snap_compare(snap_app, terminal_size=(160, 48), run_before=steps("p", "right"))


def test_pipeline_forecast_small(snap_compare: SnapCompare, snap_app: QualifApp) -> None:
    assert snap_compare(snap_app, terminal_size=(80, 24), run_before=steps("p", "3"))


def test_pipeline_funnel_large(snap_compare: SnapCompare, snap_app: QualifApp) -> None:
    assert snap_compare(snap_app, terminal_size=(160, 48), run_before=steps("p", "4"))


def test_deals_tab(snap_compare: SnapCompare, snap_app: QualifApp) -> None:
    assert snap_compare(snap_app, terminal_size=(120, 36), run_before=steps("j", "j", "f6"))
