"""The search bar: focus, apply, count always shown, errors inline, history, save as segment."""

from __future__ import annotations

from textual.widgets import Static

from qualif_tui.services.segments import get_segment, list_segments, save_segment
from qualif_tui.storage import Database
from qualif_tui.tui.app import QualifApp
from qualif_tui.tui.dialogs import SegmentNameScreen
from qualif_tui.tui.search_bar import format_count

from .conftest import settle
from .helpers import list_lines, main, status, text_of


def test_count_is_a_plain_number() -> None:
    assert format_count(0) == "0 contact"
    assert format_count(1) == "1 contact"
    assert format_count(1234) == "1 234 contacts"
    assert format_count(1_000_000) == "1 000 000 contacts"


async def test_slash_focuses_the_search_and_enter_applies(app: QualifApp) -> None:
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        screen = main(app)
        await pilot.press("j", "j")
        await pilot.press("slash")
        assert app.focused is screen.search_bar.input
        await pilot.press("enter")
        await settle(pilot)
        assert app.focused is screen.contact_list
        assert screen.contact_list.cursor == 0
        assert "300 contacts" in status(app)


async def test_bad_query_shows_caret_and_hint_and_keeps_the_result(app: QualifApp) -> None:
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        screen = main(app)
        await pilot.press("j", "j", "j")
        await settle(pilot)
        before_lines = list_lines(app)
        before_contact = screen.card.contact_id
        await pilot.press("slash", *"profl:client", "enter")
        await settle(pilot)
        error = screen.search_bar.query_one("#query-error", Static)
        assert error.display
        shown = text_of(error).splitlines()
        assert shown[0].strip() == "profl:client"
        caret = shown[1]
        assert caret.strip().startswith("^")
        assert caret.index("^") == shown[0].index("p")  # under the faulty position
        assert any(line.strip().startswith("✗") for line in shown)
        assert any(line.strip().startswith("↳") for line in shown)  # the hint
        # the previous result stays, count included
        assert "300 contacts" in status(app)
        after_lines = list_lines(app)  # fewer lines: the error takes room above
        assert after_lines == before_lines[: len(after_lines)]
        assert screen.card.contact_id == before_contact
        assert app.focused is screen.search_bar.input
        # Esc gives the applied query back and returns to the list
        await pilot.press("escape")
        await settle(pilot)
        assert not error.display
        assert screen.search_bar.input.value == ""
        assert app.focused is screen.contact_list


async def test_up_and_down_recall_earlier_queries(app: QualifApp) -> None:
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        screen = main(app)
        field = screen.search_bar.input
        for query in ("dept:31", "profil:client"):
            await pilot.press("slash")
            field.value = query
            await pilot.press("enter")
            await settle(pilot)
        await pilot.press("slash")
        field.value = "brouillon"
        await pilot.press("up")
        assert field.value == "profil:client"
        await pilot.press("up")
        assert field.value == "dept:31"
        await pilot.press("up")
        assert field.value == "dept:31"
        await pilot.press("down")
        assert field.value == "profil:client"
        await pilot.press("down")
        assert field.value == "brouillon"


async def test_ctrl_s_saves_the_query_as_a_segment(app: QualifApp, app_db: Database) -> None:
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        screen = main(app)
        before = len(list_segments(app_db))
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, SegmentNameScreen)
        await pilot.press(*"Tout le fichier", "enter")
        await settle(pilot)
        assert app.screen is screen
        assert get_segment(app_db, "tout le fichier").query == ""
        assert len(list_segments(app_db)) == before + 1
        names = [s.name for s in screen.sidebar.segments]
        assert "Tout le fichier" in names


async def test_segment_name_taken_stays_in_the_dialog(app: QualifApp, app_db: Database) -> None:
    save_segment(app_db, "Déjà là", "")
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+s")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, SegmentNameScreen)
        await pilot.press(*"deja la", "enter")
        await settle(pilot)
        assert app.screen is dialog
        assert "existe déjà" in text_of(dialog.query_one("#segment-error", Static))
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is main(app)


async def test_opening_a_segment_from_the_sidebar(app: QualifApp, app_db: Database) -> None:
    save_segment(app_db, "Aaa tous", "")
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        screen = main(app)
        await pilot.press("shift+tab")  # from the list back to the sidebar
        assert app.focused is screen.sidebar
        mine = next(i for i, s in enumerate(screen.sidebar.segments) if s.name == "Aaa tous")
        for _ in range(mine + 1):  # below "all contacts"
            await pilot.press("j")
        await pilot.press("enter")
        await settle(pilot)
        assert screen.query_text == ""
        assert app.focused is screen.contact_list
        # a saved segment opens with its query in the bar and its count
        await pilot.press("shift+tab")
        index = next(i for i, s in enumerate(screen.sidebar.segments)
                     if s.name == "Prospects à relancer")
        screen.sidebar.highlighted = index + 1
        await pilot.press("enter")
        await settle(pilot)
        assert screen.search_bar.input.value == "profil:prospect last_contact<6m"
        shown = status(app)
        assert "contacts" in shown and "300 contacts" not in shown
        error = screen.search_bar.query_one("#query-error", Static)
        assert not error.display


async def test_a_segment_that_no_longer_compiles_shows_the_error(
        app: QualifApp, app_db: Database) -> None:
    # a query saved before a key was renamed: the file holds it, the engine refuses it
    with app_db.transaction():
        app_db.execute("INSERT INTO segments(name, norm_name, query, kind, created, updated)"
                       " VALUES ('Aaa cassé', 'aaa casse', 'couleur:rouge', 'dynamic', '', '')")
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        screen = main(app)
        await pilot.press("shift+tab")
        mine = next(i for i, s in enumerate(screen.sidebar.segments) if s.name == "Aaa cassé")
        screen.sidebar.highlighted = mine + 1
        await pilot.press("enter")
        await settle(pilot)
        assert screen.search_bar.input.value == "couleur:rouge"
        assert "300 contacts" in status(app)  # the previous result stays
        error = screen.search_bar.query_one("#query-error", Static)
        assert error.display
