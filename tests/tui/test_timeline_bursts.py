"""The timeline driven by keys in one burst, from the contact list: opening the history,
filtering it, walking it — the same place, the same entry shown as keys typed slowly,
on a long history and on the demo's imported mailbox (received / sent labels).

Snapshots (80×24, 160×48): update after a deliberate change with ``--snapshot-update``."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import pytest
from mail_helpers import paris
from textual.pilot import Pilot
from textual.widgets import Static

from qualif_tui.domain.contacts import create_contact
from qualif_tui.domain.history import HistoryEntry, count_entries, list_entries
from qualif_tui.services.demo import demo_mailbox
from qualif_tui.services.mailimport import MailOptions, apply_mail_plan, plan_mail_import
from qualif_tui.storage import Database
from qualif_tui.tui.app import QualifApp
from qualif_tui.tui.timeline import EntryList

from .burst import burst, keys_of
from .conftest import settle
from .helpers import main, text_of
from .test_timeline_virtual import MANY, _long_history

__all__ = ["paris"]

SnapCompare = Callable[..., bool]
DEMO_ME = "commercial@concession-exemple.fr"


async def _type(pilot: Pilot[None], how: str, *parts: str | Iterable[str]) -> None:
    if how == "burst":
        await burst(pilot, *parts)
        return
    for key in keys_of(*parts):
        await pilot.press(key)
        await settle(pilot)


def _state(app: QualifApp) -> tuple[int | None, str, list[str]]:
    timeline = main(app).card.query_one(EntryList)
    lines = [timeline.render_line(y).text.rstrip()
             for y in range(timeline.scrollable_content_region.height)]
    body = text_of(main(app).card.query_one("#entry-body", Static)).rstrip("\n")
    return timeline.highlighted, body, lines


def _import_demo_mailbox(db: Database) -> int:
    """The demo's mailbox imported; the contact with the most e-mails."""
    with plan_mail_import(db, [demo_mailbox()], MailOptions(own_addresses=[DEMO_ME])) as plan:
        apply_mail_plan(db, plan, plan.chosen("none"))
    return int(db.scalar("SELECT contact_id FROM history WHERE message_id IS NOT NULL"
                         " GROUP BY contact_id ORDER BY count(*) DESC, contact_id LIMIT 1"))


@pytest.mark.parametrize("how", ["slowly", "burst"])
async def test_open_filter_and_walk_from_the_list(app: QualifApp, app_db: Database,
                                                  how: str) -> None:
    cid = _long_history(app_db)
    hits = list_entries(app_db, cid, text="corps", limit=10_000)
    assert len(hits) == MANY
    async with app.run_test(size=(120, 40)) as pilot:
        main(app).go_to_contact(cid)
        await settle(pilot)
        await _type(pilot, how, ["f3", "f"], "corps", ["enter", "end", "k", "k", "pageup", "j"])
        timeline = main(app).card.query_one(EntryList)
        assert app.focused is timeline and timeline.option_count == MANY
        highlighted, body, lines = _state(app)
        rows = timeline.scrollable_content_region.height
        assert highlighted == MANY - 3 - rows + 1
        shown = hits[MANY - 3 - rows + 1]
        assert f"{shown.subject}\n" in f"{body}\n" or body.startswith(shown.subject)
        assert any(line.endswith(shown.subject) for line in lines)


@pytest.mark.usefixtures("paris")
async def test_imported_mail_walked_in_a_burst_as_slowly(app_db: Database) -> None:
    cid = _import_demo_mailbox(app_db)
    entries = list_entries(app_db, cid, limit=50)
    labels = {"in": "Mail reçu", "out": "Mail envoyé", "cc": "Mail copie"}
    keys = (["f3", "j", "j", "end", "k", "home", "j"],)
    shown = {}
    for how in ("slowly", "burst"):
        app = QualifApp(app_db, cursor_blink=False)
        async with app.run_test(size=(160, 48)) as pilot:
            main(app).go_to_contact(cid)
            await settle(pilot)
            await _type(pilot, how, *keys)
            shown[how] = _state(app)
    assert shown["burst"] == shown["slowly"]
    highlighted, body, lines = shown["burst"]
    assert highlighted == 1 and entries[1].subject in body
    for entry, line in zip(entries, lines, strict=False):
        if entry.kind == "email" and entry.direction:
            assert labels[entry.direction] in line and entry.subject[:20] in line


def _snapshot_steps(cid: int) -> Callable[[Pilot[None]], object]:
    async def run(pilot: Pilot[None]) -> None:
        app = pilot.app
        assert isinstance(app, QualifApp)
        main(app).go_to_contact(cid)
        await settle(pilot)
        await burst(pilot, ["f3", "j", "j"])
    return run


@pytest.mark.usefixtures("paris")
@pytest.mark.parametrize("size", [(80, 24), (160, 48)])
def test_imported_mail_timeline_snapshot(snap_compare: SnapCompare, app_db: Database,
                                         size: tuple[int, int], monkeypatch: pytest.MonkeyPatch
                                         ) -> None:
    monkeypatch.chdir(Path(__file__).resolve().parents[2])
    cid = _import_demo_mailbox(app_db)
    app = QualifApp(app_db, cursor_blink=False, theme="textual-dark")
    assert snap_compare(app, terminal_size=size, run_before=_snapshot_steps(cid))


@pytest.mark.parametrize("slow_part", ["count", "filter"])
async def test_keys_wait_for_a_slow_count_or_filter(app: QualifApp, app_db: Database,
                                                    monkeypatch: pytest.MonkeyPatch,
                                                    slow_part: str) -> None:
    """A slow disk: End typed in one burst with j F3 (or after the filter's ↵) goes to
    the last entry (the last matching one), not to the end of the first page read."""
    import time

    from qualif_tui.tui import timeline as timeline_module

    cid = _long_history(app_db)
    before = create_contact(app_db, {"last_name": "Abadie", "first_name": "Court"})
    def slow_count(*args: Any, **kwargs: Any) -> int:
        time.sleep(2.0)  # long enough for the keys to get there first, loaded machine or not
        return count_entries(*args, **kwargs)

    def slow_list(*args: Any, **kwargs: Any) -> list[HistoryEntry]:
        if kwargs.get("text"):
            time.sleep(0.3)
        return list_entries(*args, **kwargs)

    monkeypatch.setattr(timeline_module, "count_entries", slow_count)
    monkeypatch.setattr(timeline_module, "list_entries", slow_list)
    async with app.run_test(size=(120, 40)) as pilot:
        if slow_part == "count":
            # from the contact before, the long one is read and counted after j
            main(app).go_to_contact(before)
            await settle(pilot)
            await burst(pilot, ["j", "f3", "end"])
            assert main(app).current_contact_id == cid
            expected = MANY  # the "Fiche créée" entry is the oldest
        else:
            main(app).go_to_contact(cid)
            await settle(pilot)
            await burst(pilot, ["f3", "f"], "corps", ["enter", "end"])
            expected = MANY - 1
        timeline = main(app).card.query_one(EntryList)
        assert timeline.highlighted == expected
