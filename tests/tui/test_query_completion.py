"""Query help where it is typed (issue 11, item 7): Tab completes, candidates shown,
F1 / ? the language; and the headline job, target → addresses, in 23 keys."""

from __future__ import annotations

from textual.widgets import Static

from qualif_tui.tui.app import QualifApp
from qualif_tui.tui.query_reference import QueryReference

from .burst import burst, keys_of
from .conftest import settle
from .helpers import main, text_of

TARGET = ["/", "p", "tab", "c", "tab", ",p", "tab", " r", "tab", "mi", "tab", " so", "tab",
          "f", "tab", "enter", "y"]


async def test_target_to_clipboard_in_22_keys(app: QualifApp) -> None:
    assert len(keys_of(*TARGET)) == 22  # the goal: at most 25
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await burst(pilot, *TARGET)
        screen = main(app)
        assert screen.query_text == ('profil:client,prospect region:midi-pyrenees '
                                     'source:"foire/salon"')
        assert screen.total and screen.total > 0
        assert app.clipboard.count("@") >= 1


async def test_candidates_cycling_and_tab_elsewhere(app: QualifApp) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        screen = main(app)
        await burst(pilot, "/", "profil:")
        hint = text_of(screen.search_bar.query_one("#query-hint", Static))
        assert "client" in hint and "prospect" in hint
        await burst(pilot, "tab", "tab")  # again: the next candidate
        assert screen.search_bar.input.value == "profil:prospect"
        await burst(pilot, " ", "tab")  # nothing to complete: Tab moves to the next pane
        assert app.focused is not screen.search_bar.input


async def test_f1_and_question_mark_open_the_language(app: QualifApp) -> None:
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = main(app)
        await burst(pilot, "/", "profil:client ", "?")
        assert isinstance(app.screen, QueryReference)
        assert screen.search_bar.input.value == "profil:client "  # no "?" typed
        await burst(pilot, "escape", "f1")
        assert isinstance(app.screen, QueryReference)
        await burst(pilot, "escape")
        assert app.screen is main(app)
