"""The qualification sprint: only missing keys, one keystroke each, progress, undo, leave."""

from __future__ import annotations

from textual.widgets import Static

from qualif_tui.domain.contacts import create_contact
from qualif_tui.domain.history import list_entries
from qualif_tui.domain.keys import contact_values, list_keys
from qualif_tui.query import compile_query, count
from qualif_tui.query.derived import missing_any
from qualif_tui.storage import Database
from qualif_tui.tui.app import QualifApp
from qualif_tui.tui.sprint import SprintScreen

from .conftest import settle
from .helpers import main, text_of

FULL = {"profil": "client", "métier": "cadre", "situation familiale": "couple",
        "véhicule actuel": "break", "mise en service": "2020-01", "source": "web"}


def progress(screen: SprintScreen) -> str:
    return text_of(screen.query_one("#sprint-progress", Static))


def keys_shown(screen: SprintScreen) -> str:
    return text_of(screen.query_one("#sprint-keys", Static))


async def test_sprint_walks_incomplete_contacts_one_keystroke_per_value(
        app: QualifApp, app_db: Database) -> None:
    # two contacts that sort first: one missing Profil and Source, one complete
    partial = create_contact(app_db, {"last_name": "Aaaa"},
                             {k: v for k, v in FULL.items() if k not in ("profil", "source")})
    create_contact(app_db, {"last_name": "Aaab"}, FULL)
    incomplete = count(app_db, missing_any(compile_query(app_db, ""), list_keys(app_db)))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("Q", "0")
        await settle(pilot)
        sprint = app.screen
        assert isinstance(sprint, SprintScreen)
        assert progress(sprint).startswith(f"1/{incomplete}")
        assert "Aaaa" in text_of(sprint.query_one("#sprint-contact", Static))
        shown = keys_shown(sprint)
        assert "Profil" in shown and "Source" in shown and "Métier" not in shown
        assert "1 client" in shown
        await pilot.press("2")  # Profil: prospect, then on to Source
        await settle(pilot)
        assert contact_values(app_db, partial)["Profil"] == "prospect"
        assert "▶ Source" in keys_shown(sprint)
        await pilot.press("w")  # Source: web — the contact is done, next one
        await settle(pilot)
        assert contact_values(app_db, partial)["Source"] == "web"
        assert progress(sprint).startswith(f"2/{incomplete}")
        assert "Aaab" not in text_of(sprint.query_one("#sprint-contact", Static))  # complete
        # u undoes the last answer and goes back to it
        await pilot.press("u")
        await settle(pilot)
        assert contact_values(app_db, partial)["Source"] is None
        assert progress(sprint).startswith(f"1/{incomplete}")
        assert "▶ Source" in keys_shown(sprint)
        assert not any(e.subject.startswith("Source") for e in list_entries(app_db, partial))
        # space skips a key; Esc leaves and the main screen is refreshed
        await pilot.press("space")
        await settle(pilot)
        assert progress(sprint).startswith(f"2/{incomplete}")
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is main(app)


async def test_sprint_typed_key_and_skip_contact(app: QualifApp, app_db: Database) -> None:
    cid = create_contact(app_db, {"last_name": "Aaaa"},
                         {k: v for k, v in FULL.items() if k != "mise en service"})
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("Q", "0")
        await settle(pilot)
        sprint = app.screen
        assert isinstance(sprint, SprintScreen)
        assert "▶ Mise en service" in keys_shown(sprint)
        await pilot.press(*"2019-0", "enter")
        await settle(pilot)
        assert "pas un mois" in text_of(sprint.query_one("#sprint-message", Static))
        await pilot.press("3", "enter")
        await settle(pilot)
        assert contact_values(app_db, cid)["Mise en service"] == "2019-03"
        assert progress(sprint).startswith("2/")
        await pilot.press("down")  # skip this whole contact
        await settle(pilot)
        assert progress(sprint).startswith("3/")


async def test_sprint_on_a_complete_result_says_it_is_done(app: QualifApp,
                                                           app_db: Database) -> None:
    for key in list_keys(app_db):
        app_db.execute(f"UPDATE contact_facts SET {key.column} = coalesce({key.column}, ?)",
                       ("2020-01" if key.type == "month" else 0,))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("Q", "0")
        await settle(pilot)
        sprint = app.screen
        assert isinstance(sprint, SprintScreen)
        assert progress(sprint).startswith("0/0")
        assert "Sprint terminé" in text_of(sprint.query_one("#sprint-contact", Static))
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is main(app)
