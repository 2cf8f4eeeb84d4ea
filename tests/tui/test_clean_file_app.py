"""A clean file in the app: duplicates side by side, keys and values, custom fields,
warnings on the card, new values of an import — as a user presses the keys."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import DataTable, Static

from qualif_tui.domain.contacts import create_contact, get_contact
from qualif_tui.domain.keys import contact_values, get_key
from qualif_tui.domain.operations import list_operations
from qualif_tui.storage import Database
from qualif_tui.tui.app import QualifApp
from qualif_tui.tui.custom_fields import CustomFieldLine
from qualif_tui.tui.duplicates import DuplicatesScreen
from qualif_tui.tui.keys_screen import KeysScreen, PromoteScreen
from qualif_tui.tui.newvalues import NewValuesList
from qualif_tui.tui.transfer import ImportScreen

from .conftest import settle
from .helpers import main, text_of
from .test_palette_and_help import palette_choices


@pytest.fixture
def twins(app_db: Database) -> tuple[int, int]:
    older = create_contact(app_db, {"first_name": "Léo", "last_name": "Zabulon",
                                    "email": "leo.zabulon@orange.fr", "city": "Albi",
                                    "postal_code": "81000"}, {"Profil": "prospect"})
    newer = create_contact(app_db, {"first_name": "Leo", "last_name": "Zabulom",
                                    "email": "leo.zabulon@orange.fr", "mobile": "0612345678"},
                           {"Profil": "client"})
    return older, newer


async def open_duplicates(pilot) -> DuplicatesScreen:  # type: ignore[no-untyped-def]
    choices = await palette_choices(pilot, "doublons")
    assert choices[0].startswith("Doublons")
    await pilot.press("enter")
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, DuplicatesScreen)
    return screen


async def go_to_pair(pilot, screen: DuplicatesScreen, a: int, b: int) -> None:  # type: ignore[no-untyped-def]
    """Pass pairs (space) until the one of ``a`` and ``b`` is shown (the demo has its own)."""
    for _ in range(len(screen.pairs) + 1):
        if screen.shown is not None and (screen.shown.pair.a, screen.shown.pair.b) == (a, b):
            return
        await pilot.press("space")
        await settle(pilot)
    raise AssertionError(f"no pair {a} {b}")


def pair_line(screen: DuplicatesScreen) -> str:
    return text_of(screen.query_one("#dup-pair", Static))


def table_rows(screen: DuplicatesScreen | KeysScreen, table_id: str) -> list[list[str]]:
    table = screen.query_one(table_id, DataTable)
    return [[str(cell) for cell in table.get_row_at(i)] for i in range(table.row_count)]


async def test_duplicates_side_by_side_choose_merge_and_undo(app: QualifApp, app_db: Database,
                                                             twins: tuple[int, int]) -> None:
    older, newer = twins
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        screen = await open_duplicates(pilot)
        await go_to_pair(pilot, screen, older, newer)
        assert "score" in pair_line(screen) and "même e-mail" in pair_line(screen)
        rows = {r[0]: r[1:] for r in table_rows(screen, "#dup-table")}
        assert rows["Nom"] == ["Zabulon", "Zabulom", "←"]
        assert rows["Profil"] == ["prospect", "client", "←"]
        assert rows["Portable"] == ["", "06 12 34 56 78", "→"]  # French format shown
        table = screen.query_one("#dup-table", DataTable)
        table.move_cursor(row=[r[0] for r in table_rows(screen, "#dup-table")].index("Profil"))
        await pilot.press("right")  # keep the right card's Profil
        await settle(pilot)
        assert {r[0]: r[1:] for r in table_rows(screen, "#dup-table")}["Profil"][2] == "→"
        await pilot.press("f")
        await settle(pilot)
        assert contact_values(app_db, older)["Profil"] == "client"
        assert not app_db.scalar("SELECT 1 FROM contacts WHERE id = ?", (newer,))
        assert all(newer not in (p.a, p.b) for p in screen.pairs)
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("u")  # the main screen's undo takes the merge back
        await settle(pilot)
        assert get_contact(app_db, newer).last_name == "Zabulom"
        assert contact_values(app_db, older)["Profil"] == "prospect"
        assert main(app) is app.screen


async def test_not_a_duplicate_in_one_keystroke(app: QualifApp, app_db: Database,
                                                twins: tuple[int, int]) -> None:
    older, newer = twins
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        screen = await open_duplicates(pilot)
        pairs = len(screen.pairs)
        await go_to_pair(pilot, screen, older, newer)
        await pilot.press("n")
        await settle(pilot)
        assert app_db.scalar("SELECT count(*) FROM duplicate_dismissals"
                             " WHERE contact_a = ? AND contact_b = ?", (older, newer)) == 1
        assert len(screen.pairs) == pairs - 1
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("D")  # scanned again: the pair is not proposed any more
        await settle(pilot)
        assert isinstance(app.screen, DuplicatesScreen) and len(app.screen.pairs) == pairs - 1


async def test_keys_screen_rename_merge_delete_and_undo(app: QualifApp,
                                                        app_db: Database) -> None:
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        await pilot.press("K")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, KeysScreen)
        names = [r[0].strip() for r in table_rows(screen, "#keys-table")]
        table = screen.query_one("#keys-table", DataTable)
        table.move_cursor(row=names.index("suspect"))
        # one burst: r, a new name, enter — the same as typed slowly
        await pilot.press("r", *"à voir", "enter")
        await settle(pilot)
        assert get_key(app_db, "Profil").value_named("à voir") is not None
        names = [r[0].strip() for r in table_rows(screen, "#keys-table")]
        table.move_cursor(row=names.index("concurrent"))
        await pilot.press("m")
        await settle(pilot)
        await pilot.press("j", "j", "j", "enter")  # client, prospect, à voir, prescripteur
        await settle(pilot)
        assert get_key(app_db, "Profil").value_named("concurrent") is None
        names = [r[0].strip() for r in table_rows(screen, "#keys-table")]
        table.move_cursor(row=names.index("Métier"))
        await pilot.press("delete")
        await settle(pilot)
        assert "contact(s) ont une valeur" in str(app.screen.query_one(".dialog-detail",
                                                                      Static).render())
        await pilot.press("o")
        await settle(pilot)
        assert all(k.name != "Métier" for k in screen_keys(app_db))
        for _ in range(3):
            await pilot.press("u")
            await settle(pilot)
        assert get_key(app_db, "Profil").value_named("suspect") is not None
        assert get_key(app_db, "Métier") and get_key(app_db, "Profil").value_named("concurrent")
        assert all(op.undone for op in list_operations(app_db))


def screen_keys(db: Database) -> list:  # type: ignore[type-arg]
    from qualif_tui.domain.keys import list_keys

    return list_keys(db)


async def test_card_custom_fields_warnings_phone_and_promotion(app: QualifApp,
                                                               app_db: Database) -> None:
    cid = create_contact(app_db, {"first_name": "Hélène", "last_name": "Aaron",
                                  "phone": "+33562001122"}, custom={"Budget": "12 000"})
    app_db.execute("UPDATE contacts SET email = 'helene.lefevre@orange', postal_code = '310'"
                   " WHERE id = ?", (cid,))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        main(app).go_to_contact(cid)
        await settle(pilot)
        coords = text_of(main(app).card.query_one("#coords", Static))
        assert "05 62 00 11 22" in coords
        assert "⚠ E-mail « helene.lefevre@orange » n'est pas une adresse valide" in coords
        assert "⚠ Code postal « 310 »" in coords
        line = main(app).card.query_one(CustomFieldLine)
        assert "Budget" in text_of(line.query_one(".custom-line", Static))
        line.focus()
        await settle(pilot)
        await pilot.press("enter", *"15 000", "enter")
        await settle(pilot)
        assert get_contact(app_db, cid).custom == {"Budget": "15 000"}
        main(app).card.query_one(CustomFieldLine).focus()
        await settle(pilot)
        await pilot.press("P")
        await settle(pilot)
        assert isinstance(app.screen, PromoteScreen)
        assert "nombre" in text_of(app.screen.query_one("#promote-plan", Static))
        await pilot.press("o")
        await settle(pilot)
        assert contact_values(app_db, cid)["Budget"] == 15000
        await pilot.press("escape", "u")
        await settle(pilot)
        assert get_contact(app_db, cid).custom == {"Budget": "15 000"}


async def test_import_new_values_decided_one_keystroke_each(app: QualifApp, app_db: Database,
                                                            tmp_path: Path) -> None:
    sheet = tmp_path / "typos.csv"
    sheet.write_text("Nom;Prénom;Profil\nZorro;Jean;clientt\nZorra;Léa;ovni\nZorri;Luc;nada\n",
                     encoding="utf-8")
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        await pilot.press("i")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, ImportScreen)
        screen.query_one("#import-path").value = str(sheet)  # type: ignore[attr-defined]
        await pilot.press("enter")
        await settle(pilot)
        values = screen.query_one(NewValuesList)
        shown = [str(values.get_option_at_index(i).prompt) for i in range(values.option_count)]
        assert "→ Profil : « clientt » (1 contact(s)) → « client »" in shown[0]
        assert shown[1].startswith("?") and shown[2].startswith("?")
        await pilot.press("ctrl+s")  # undecided values: the focus goes to them
        await settle(pilot)
        assert app.focused is values
        await pilot.press("down", "a")  # ovni: added to the list
        await settle(pilot)
        await pilot.press("down", "v")  # nada: left empty, the text kept
        await settle(pilot)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is main(app)
    profil = get_key(app_db, "Profil")
    assert profil.value_named("ovni") is not None and profil.value_named("nada") is None
    zorri = app_db.scalar("SELECT id FROM contacts WHERE last_name = 'Zorri'")
    assert get_contact(app_db, zorri).custom == {"Profil (importé)": "nada"}
