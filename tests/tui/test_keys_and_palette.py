"""The user's key map file and a palette in one language (issue 11, items 11 and 12)."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest
from textual.command import CommandInput, CommandList
from textual.widgets import Input

from qualif_tui.base import places
from qualif_tui.storage import Database
from qualif_tui.tui.app import QualifApp
from qualif_tui.tui.help import HelpScreen
from qualif_tui.tui.palette import Palette
from qualif_tui.tui.user_keys import known_binding_ids, read_keymap

from .burst import burst
from .conftest import settle
from .helpers import main


def test_read_keymap() -> None:
    known = {"main.search", "list.down", "list.up"}
    found = read_keymap('"main.search" = "slash, ctrl+f"\n"list.down" = ["down", "n"]\n',
                        known)
    assert found.keys == {"main.search": "slash,ctrl+f", "list.down": "down,n"}
    assert found.problems == []
    table = read_keymap('[keys]\n"list.up" = "up"\n', known)
    assert table.keys == {"list.up": "up"}
    wrong = read_keymap('"main.serch" = "ctrl+f"\n"list.up" = 3\n', known)
    assert wrong.keys == {}
    assert "main.serch" in wrong.problems[0] and "main.search" in wrong.problems[0]
    assert "list.up" in wrong.problems[1]
    assert "TOML" in read_keymap("this is = not toml =", known).problems[0]


def test_every_binding_id_is_known() -> None:
    ids = known_binding_ids()
    # the app's tables, the forms' own, the dialogs': every screen, even unopened
    assert {"main.search", "list.down", "form.save", "confirm.yes", "sprint.undo",
            "export.run", "calendar.week"} <= ids


@pytest.fixture
def keys_file() -> Path:
    folder = places.config_dir()
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "keys.toml"
    path.write_text('"main.search" = "ctrl+f"\n"list.down" = "down,n"\n"main.note" = "N"\n'
                    '"main.nope" = "x"\n', encoding="utf-8")
    return path


async def test_a_key_map_file_remaps_keys_help_and_palette(keys_file: Path,
                                                           app_db: Database) -> None:
    app = QualifApp(app_db, cursor_blink=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        screen = main(app)
        # the unknown id is told at launch, the rest applies
        assert any("main.nope" in n.message for n in app._notifications)
        await burst(pilot, "n")
        assert screen.contact_list.cursor == 1  # n: next contact, as the file says
        await burst(pilot, "/")
        assert app.focused is not screen.search_bar.input  # / does not search any more
        await burst(pilot, "ctrl+f")
        assert isinstance(app.focused, Input)
        await burst(pilot, "escape", "f1")
        help_screen = app.screen
        assert isinstance(help_screen, HelpScreen)
        keys = {line.description: line.keys for line in help_screen.lines}
        assert keys["Chercher"] == "^f" or "ctrl+f" in keys["Chercher"]
        assert "n" in keys["Contact suivant"] and "j" not in keys["Contact suivant"]
        await burst(pilot, "escape", "ctrl+p")
        palette = app.screen
        assert isinstance(palette, Palette)
        await burst(pilot, "Noter")
        labels = [str(option.prompt) for option in palette.query_one(CommandList).options]
        assert any("(N)" in label for label in labels)


async def test_the_palette_speaks_french(app: QualifApp) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await burst(pilot, "ctrl+p")
        palette = app.screen
        assert isinstance(palette, Palette)
        assert "Chercher" in str(palette.query_one(CommandInput).placeholder)
        labels = [str(option.prompt) for option in palette.query_one(CommandList).options]
        assert any("Quitter" in label for label in labels)
        shown = " ".join(labels)
        for english in ("Keys", "Maximize", "Screenshot", "Theme", "id :"):
            assert english not in shown
        await burst(pilot, "wxqzwxqz")
        deadline = time.monotonic() + 5
        while True:
            labels = [str(o.prompt) for o in palette.query_one(CommandList).options]
            if any("Aucune commande" in label for label in labels):
                break
            assert time.monotonic() < deadline, labels
            await asyncio.sleep(0.05)
            await pilot.pause()
