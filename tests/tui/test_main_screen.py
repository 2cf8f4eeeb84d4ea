"""Launching the app: the count, the list, the card, the sidebar; layouts; themes; quitting."""

from __future__ import annotations

from textual.widgets import Footer

from qualif_tui.domain.keys import list_keys
from qualif_tui.query import compile_query, fetch_page
from qualif_tui.storage import Database
from qualif_tui.tui.app import QualifApp
from qualif_tui.tui.keymap import ALL_KEYS
from qualif_tui.tui.main_screen import MainScreen

from .conftest import settle
from .helpers import card_title, list_lines, main, status


async def test_launch_shows_count_list_card_and_segments(app: QualifApp, app_db: Database) -> None:
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        assert "300 contacts" in status(app)
        first = fetch_page(app_db, compile_query(app_db, ""), limit=3)
        lines = list_lines(app)
        assert lines[0].split()[:4] == ["Nom", "▲", "Société", "Ville"]
        for key in list_keys(app_db)[:2]:
            assert key.display_name[:4] in lines[0]
        assert lines[1].strip().startswith(first[0].name)
        assert lines[2].strip().startswith(first[1].name)
        screen = main(app)
        assert app.focused is screen.contact_list
        assert screen.card.contact_id == first[0].id
        assert card_title(app).startswith(first[0].name)
        assert "qualifié" in card_title(app)
        sidebar = screen.sidebar
        assert sidebar.display
        prompts = [str(sidebar.get_option_at_index(i).prompt)
                   for i in range(sidebar.option_count)]
        assert prompts[0].startswith("Tous les contacts") and prompts[0].rstrip().endswith("300")
        assert len(prompts) == 1 + len(screen.segments) == 6
        assert any(p.startswith("Prospects à relan") for p in prompts)


async def test_small_terminal_collapses_the_sidebar_and_ctrl_b_shows_it(app: QualifApp) -> None:
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = main(app)
        assert screen.has_class("-narrow")
        assert screen.card.region.y > screen.contact_list.region.y  # the card under the list
        assert not screen.sidebar.display or screen.sidebar.region.width == 0
        assert "300 contacts" in status(app)
        await pilot.press("ctrl+b")
        await settle(pilot)
        assert screen.sidebar.region.width > 0
        assert app.focused is screen.sidebar
        await pilot.press("escape")
        await settle(pilot)
        assert app.focused is screen.contact_list
        assert screen.sidebar.region.width == 0


async def test_wide_terminal_shows_everything_and_ctrl_b_hides_the_sidebar(app: QualifApp) -> None:
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        screen = main(app)
        assert screen.has_class("-wide")
        assert screen.sidebar.region.width > 0 and screen.card.region.width > 0
        await pilot.press("ctrl+b")
        await settle(pilot)
        assert screen.sidebar.region.width == 0


async def test_ctrl_t_toggles_light_and_dark(app: QualifApp) -> None:
    async with app.run_test() as pilot:
        await settle(pilot)
        before = app.theme
        await pilot.press("ctrl+t")
        assert app.theme != before
        assert {before, app.theme} == {"textual-dark", "textual-light"}
        await pilot.press("ctrl+t")
        assert app.theme == before


async def test_ctrl_q_quits_cleanly(app: QualifApp) -> None:
    async with app.run_test() as pilot:
        await settle(pilot)
        await pilot.press("ctrl+q")
        await pilot.pause()
    assert app.return_code in (0, None)
    assert app._exit_renderables == []


async def test_every_binding_has_an_id_and_a_description() -> None:
    ids = [key.id for key in ALL_KEYS]
    assert len(ids) == len(set(ids))
    for binding in MainScreen.BINDINGS:
        assert getattr(binding, "id", None), binding
    for key in ALL_KEYS:
        assert key.description and key.id.count(".") == 1


async def test_footer_shows_the_main_keys(app: QualifApp) -> None:
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        footer = app.screen.query_one(Footer)
        shown = {b.binding.description for b in app.screen.active_bindings.values()
                 if b.binding.show}
        assert {"Chercher", "Nouveau contact", "Sprint de qualification", "Quitter"} <= shown
        assert footer.display
