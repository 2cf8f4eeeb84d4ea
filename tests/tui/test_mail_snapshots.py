"""SVG snapshots of the mail import dialog on the demo's mailbox, small and large.

Update after a deliberate change: ``pytest tests/tui/test_mail_snapshots.py
--snapshot-update``."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import Input

from qualif_tui.storage import Database
from qualif_tui.tui.app import QualifApp

from .conftest import settle

SnapCompare = Callable[..., bool]
ROOT = Path(__file__).resolve().parents[2]


async def open_demo_mailbox(pilot: Pilot[None]) -> None:
    await settle(pilot)
    await pilot.press("i")
    await settle(pilot)
    # relative, so the picture is the same wherever the repository is
    pilot.app.screen.query_one("#import-path", Input).value = "sample_data/mail/concession.mbox"
    await pilot.press("enter")
    await settle(pilot)


@pytest.fixture
def snap_app(app_db: Database, monkeypatch: pytest.MonkeyPatch) -> QualifApp:
    monkeypatch.chdir(ROOT)
    return QualifApp(app_db, cursor_blink=False, theme="textual-dark")


def test_mail_import_large(snap_compare: SnapCompare, snap_app: QualifApp) -> None:
    assert snap_compare(snap_app, terminal_size=(160, 48), run_before=open_demo_mailbox)


def test_mail_import_small(snap_compare: SnapCompare, snap_app: QualifApp) -> None:
    assert snap_compare(snap_app, terminal_size=(80, 24), run_before=open_demo_mailbox)
