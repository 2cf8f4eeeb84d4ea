"""The stage table, lost reasons and categories edited in the app (pipeline ``S``).

Typed slowly and in one burst alike; what the core refuses (a stage deals are in)
is said and nothing changes.
"""

from __future__ import annotations

import pytest

from qualif_tui.domain import stages as S
from qualif_tui.storage import Database
from qualif_tui.tui.app import QualifApp
from qualif_tui.tui.dialogs import ConfirmScreen
from qualif_tui.tui.pipeline_screen import PipelineScreen
from qualif_tui.tui.stage_table import StageTableScreen

from .burst import burst
from .conftest import settle


async def keys(pilot: object, fast: bool, *parts: str | list[str]) -> None:
    if fast:
        await burst(pilot, *parts)  # type: ignore[arg-type]
        return
    from .burst import keys_of

    for key in keys_of(*parts):
        await pilot.press(key)  # type: ignore[attr-defined]
        await settle(pilot)  # type: ignore[arg-type]


@pytest.mark.parametrize("fast", [False, True])
async def test_add_a_stage_and_the_pipeline_gets_its_column(app_db: Database,
                                                            fast: bool) -> None:
    app = QualifApp(app_db, cursor_blink=False)
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        await keys(pilot, fast, "p", "S", ["ctrl+n"], "Relance", "tab", ["ctrl+u"], "30",
                   ["ctrl+s"])
        assert isinstance(app.screen, StageTableScreen)
        added = S.get_stage(app_db, "Relance")
        assert (added.probability, added.kind) == (30, "open")
        order = [s.label for s in S.list_stages(app_db)]
        assert order.index("Relance") == order.index("Négociation") + 1
        await keys(pilot, fast, "escape")
        screen = app.screen
        assert isinstance(screen, PipelineScreen) and screen.data is not None
        assert [t.stage.label for t in screen.data.stages][-1] == "Relance"
        assert len(screen._columns()) == 5


@pytest.mark.parametrize("fast", [False, True])
async def test_rename_move_and_refused_delete_of_a_stage(app_db: Database, fast: bool) -> None:
    app = QualifApp(app_db, cursor_blink=False)
    in_proposal = int(app_db.scalar("SELECT count(*) FROM deals WHERE stage = 'proposal'"))
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        # the third stage: Proposition → Devis envoyé, probability 40, then one up
        await keys(pilot, fast, "p", "S", "down", "down", "enter", ["ctrl+u"], "Devis envoyé",
                   "tab", ["ctrl+u"], "40", ["ctrl+s"], ["ctrl+up"])
        stage = S.get_stage(app_db, "proposal")
        assert (stage.label, stage.probability, stage.position) == ("Devis envoyé", 40, 2)
        assert int(app_db.scalar("SELECT count(*) FROM deals WHERE stage = 'proposal'")) \
            == in_proposal
        # deleting it is refused before anything is asked: deals are in it
        await keys(pilot, fast, "delete")
        assert isinstance(app.screen, StageTableScreen)
        assert any("déplacez-les" in n.message for n in app._notifications)
        assert S.get_stage(app_db, "proposal").label == "Devis envoyé"


async def test_delete_an_empty_stage_after_asking(app_db: Database) -> None:
    S.add_stage(app_db, "Attente", probability=5)
    app = QualifApp(app_db, cursor_blink=False)
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        await burst(pilot, "p", "S", "down", "down", "down", "down", "delete")
        assert isinstance(app.screen, ConfirmScreen)
        await burst(pilot, "n")
        assert S.find_stage(S.list_stages(app_db), "Attente") is not None
        await burst(pilot, "delete", "o")
        assert S.find_stage(S.list_stages(app_db), "Attente") is None


@pytest.mark.parametrize("fast", [False, True])
async def test_lost_reasons_and_categories(app_db: Database, fast: bool) -> None:
    app = QualifApp(app_db, cursor_blink=False)
    price = S.find_choice(app_db, "lost_reason", "Prix")
    assert price is not None
    priced = int(app_db.scalar("SELECT count(*) FROM deals WHERE lost_reason_id = ?",
                               (price.id,)))
    assert priced > 0
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        await keys(pilot, fast, "p", "S", "2", ["ctrl+n"], "Trop cher", ["ctrl+s"])
        labels = [c.label for c in S.list_choices(app_db, "lost_reason")]
        assert labels[-1] == "Trop cher"
        # Prix (the first) goes down one, then is deleted: its deals keep no reason
        await keys(pilot, fast, "home", ["ctrl+down"])
        labels = [c.label for c in S.list_choices(app_db, "lost_reason")]
        assert labels[1] == "Prix"
        await keys(pilot, fast, "delete")
        assert isinstance(app.screen, ConfirmScreen)
        assert f"{priced} affaire(s) l'ont" in app.screen.detail
        await keys(pilot, fast, "o")
        assert S.find_choice(app_db, "lost_reason", "Prix") is None
        assert int(app_db.scalar("SELECT count(*) FROM deals WHERE lost_reason_id = ?",
                                 (price.id,))) == 0
        # categories: rename the first
        first = S.list_choices(app_db, "category")[0]
        await keys(pilot, fast, "3", "home", "enter", ["ctrl+u"], "Occasion", ["ctrl+s"])
        assert S.list_choices(app_db, "category")[0].label == "Occasion"
        assert S.list_choices(app_db, "category")[0].id == first.id
