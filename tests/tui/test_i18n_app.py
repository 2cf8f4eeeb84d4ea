"""The app in each language: the main list, a card, the help and the palette show no
string of the other language (issue 16, item 9). The demo's own words (names, towns,
history subjects, key values) are the user's data and stay as they are."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from i18n_support import untranslated
from textual.command import CommandList, CommandPalette

from qualif_tui.base.i18n import set_language
from qualif_tui.storage import Database, open_database
from qualif_tui.tui.app import QualifApp
from qualif_tui.tui.help import HelpScreen

from .conftest import settle


@pytest.fixture
def data_text(demo_copy: Path) -> str:
    """Every text value of the demo file: what the user wrote is not to translate."""
    database = open_database(demo_copy)
    try:
        texts: list[str] = []
        tables = [row[0] for row in database.conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE '%fts%'")]
        for table in tables:
            columns = [row[1] for row in database.conn.execute(f'PRAGMA table_info("{table}")')
                       if (row[2] or "").upper() in ("TEXT", "")]
            for column in columns:
                texts += [str(value) for (value,) in database.conn.execute(
                    f'SELECT DISTINCT "{column}" FROM "{table}" WHERE "{column}" IS NOT NULL')]
        return " ".join(" ".join(texts).split())
    finally:
        database.close()


@pytest.fixture(params=["en", "fr"])
def lang(request: pytest.FixtureRequest) -> Iterator[str]:
    set_language(request.param)
    yield request.param
    set_language(None)


@pytest.fixture
def localised_app(lang: str, app_db: Database) -> QualifApp:
    return QualifApp(app_db, cursor_blink=False)  # made after the language is set


def screen_text(app: QualifApp) -> str:
    """What the terminal shows, line by line."""
    update: Any = app.screen._compositor.render_update(full=True)
    return "\n".join("".join(segment.text for segment in strip) for strip in update.strips)


EXPECTED = {  # one word of each screen in the language asked for
    "en": {"list": "Name", "card": "History", "help": "Help — keys", "palette": "Quit"},
    "fr": {"list": "Nom", "card": "Historique", "help": "Aide — touches", "palette": "Quitter"},
}


@pytest.mark.parametrize("size", [(120, 40), (80, 24)])
async def test_each_screen_speaks_one_language(localised_app: QualifApp, lang: str,
                                               data_text: str, size: tuple[int, int]) -> None:
    app = localised_app
    expected = EXPECTED[lang]
    seen: dict[str, str] = {}
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        seen["list"] = screen_text(app)
        await pilot.press("f3")  # the card of the first contact: its history
        await settle(pilot)
        seen["card"] = screen_text(app)
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("question_mark")
        await settle(pilot)
        assert isinstance(app.screen, HelpScreen)
        seen["help"] = screen_text(app) + "\n" + "\n".join(
            f"{line.group} {line.description}" for line in app.screen.lines + app.screen.others)
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("ctrl+p")
        await settle(pilot, lambda: bool(app.screen.query(CommandList))
                     and app.screen.query_one(CommandList).option_count > 0)
        assert isinstance(app.screen, CommandPalette)
        options = app.screen.query_one(CommandList)
        seen["palette"] = screen_text(app) + "\n" + "\n".join(
            str(options.get_option_at_index(i).prompt) for i in range(options.option_count))
        await pilot.press("escape")
    for name, shown in seen.items():
        assert expected[name] in shown, f"{name}:\n{shown}"
        wrong = untranslated(shown, lang, data_text)
        assert not wrong, f"{name} ({lang}) shows the other language: {wrong}\n{shown}"


SCREENS = {  # key from the main list → a word that screen shows in each language
    "a": {"en": "Overdue", "fr": "En retard"},  # agenda
    "p": {"en": "weighted", "fr": "pondéré"},  # pipeline (the stage names are the user's data)
    "r": {"en": "Contacts", "fr": "Contacts"},  # reports
    "C": {"en": "Campaigns", "fr": "Campagnes"},  # campaigns
    "D": {"en": "", "fr": ""},  # duplicates
    "K": {"en": "", "fr": ""},  # keys and values
}


@pytest.mark.parametrize("key", list(SCREENS))
async def test_the_other_screens_speak_one_language(localised_app: QualifApp, lang: str,
                                                    data_text: str, key: str) -> None:
    app = localised_app
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        main_screen = app.screen
        await pilot.press(key)
        await settle(pilot, lambda: app.screen is not main_screen)
        await settle(pilot)
        shown = screen_text(app)
    assert SCREENS[key][lang] in shown, shown
    wrong = untranslated(shown, lang, data_text)
    assert not wrong, f"{key} ({lang}) shows the other language: {wrong}\n{shown}"
