"""SVG snapshots of the duplicates screen (80×24 and 160×48) and the keys screen.

Update after a deliberate change: ``pytest tests/tui/test_clean_snapshots.py
--snapshot-update``, then look at the report.
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


def test_duplicates_large(snap_compare: SnapCompare, snap_app: QualifApp) -> None:
    assert snap_compare(snap_app, terminal_size=(160, 48), run_before=steps("D"))


def test_duplicates_small(snap_compare: SnapCompare, snap_app: QualifApp) -> None:
    assert snap_compare(snap_app, terminal_size=(80, 24), run_before=steps("D", "space"))


def test_keys_screen(snap_compare: SnapCompare, snap_app: QualifApp) -> None:
    assert snap_compare(snap_app, terminal_size=(120, 36), run_before=steps("K", "j"))
