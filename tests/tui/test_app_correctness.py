"""What the app says and shows when it matters (issue 11, items 2, 3 and 5)."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import Static

from qualif_tui.storage import Database, open_database
from qualif_tui.tui.app import QualifApp
from qualif_tui.tui.dialogs import DemoQuitScreen
from qualif_tui.tui.qualification import CoordsView, KeyField

from .burst import burst
from .conftest import settle
from .helpers import card_title, main, status, text_of


async def test_an_unknown_choice_value_is_a_warning_inline(app: QualifApp) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await burst(pilot, "/", "profil:clien", "enter")
        shown = text_of(main(app).search_bar.query_one("#query-error", Static))
        assert "clien" in shown and "client" in shown  # did you mean 'client'?
        assert "0 contact" in status(app)
        await burst(pilot, "/", "ctrl+u", "profil:client", "enter")
        assert not main(app).search_bar.error_shown


async def test_no_result_clears_the_card(app: QualifApp) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        card = main(app).card
        assert card.query(KeyField)
        await burst(pilot, "/", "nobody_at_all_xyz", "enter")
        assert "Aucun contact" in card_title(app)
        assert not card.query(KeyField)  # no other contact's form left behind
        assert str(card.query_one(CoordsView).render()) == ""
        await burst(pilot, "/", "ctrl+u", "enter")
        assert card.query(KeyField)


async def test_demo_says_nothing_is_kept_and_offers_a_copy(demo_copy: Path,
                                                           tmp_path: Path) -> None:
    db = open_database(demo_copy)
    app = QualifApp(db, cursor_blink=False, demo=True)
    target = tmp_path / "kept.db"
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            assert "rien n'est gardé" in app.sub_title
            assert "démo — rien n'est gardé" in status(app)  # on screen, not only the title
            await burst(pilot, "ctrl+q")
            screen = app.screen
            assert isinstance(screen, DemoQuitScreen)
            await burst(pilot, "escape")
            assert app.screen is main(app)  # back to the demo
            await burst(pilot, "ctrl+q", "ctrl+u", str(target), "enter")
        assert app.return_code == 0
    finally:
        db.close()
    copy = open_database(target)
    try:
        assert copy.query("SELECT COUNT(*) FROM contacts")[0][0] == 300
    finally:
        copy.close()


async def test_demo_quits_without_a_copy_on_ctrl_q_twice(demo_copy: Path) -> None:
    db = open_database(demo_copy)
    app = QualifApp(db, cursor_blink=False, demo=True)
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            await pilot.press("ctrl+q")
            await settle(pilot)
            await pilot.press("ctrl+q")
        assert app.return_code == 0
    finally:
        db.close()


async def test_a_real_file_quits_at_once(app: QualifApp, app_db: Database) -> None:
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert app.sub_title == str(app_db.path)
        await pilot.press("ctrl+q")
    assert app.return_code == 0
