"""The timeline of a contact with 5 000 e-mails, in the app: read + painted.

    python benchmarks/timeline_bench.py --keep /work/data/mail [--runs 9]

Makes (once, kept in the folder) the 100 000-contact file (``qualif init F --contacts
100000 --seed 1``) with a 6 000-message archive imported into it, 5 000 of them with
one contact (``mail_archive.py``). Then, in the real app on a null terminal (160×48,
``App.run_test()``), the card on the history part (F3), alternately on that contact
and on one with a short history, median of ``--runs``:

* read — what the timeline needs from the file: the first page of entries the card
  reads with the contact, and the count of all (the hand-written alternative: the
  same two SQL statements through sqlite3, no entry objects);
* timeline — from the start of that read (in a thread, as the card does it) to the
  first frame where the newest entry is drawn: read + ``Timeline.show`` + layout +
  the frame (Textual draws at most 60 times a second: up to 16 ms of it is waiting
  for the next frame);
* card — from ``show_contact`` to that frame: the whole card (its 40 ms pause that lets
  a held ``j`` pass contacts by, the contact, keys, activities, deals, every part drawn);
* End — the key to the oldest entry drawn (a page read by offset, deep in the list).

A "painted" moment is the first ``App._display`` (the end of a frame) after the
timeline drew a line with the entry looked for, observed by wrapping both.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import sqlite3
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from textual.worker import WorkerCancelled, WorkerFailed  # noqa: E402

from qualif_tui.domain.history import list_entries  # noqa: E402
from qualif_tui.storage import Database, open_database  # noqa: E402
from qualif_tui.tui import timeline as timeline_module  # noqa: E402
from qualif_tui.tui.app import QualifApp  # noqa: E402
from qualif_tui.tui.main_screen import MainScreen  # noqa: E402

ENTRY_LIMIT = timeline_module.ENTRY_LIMIT
DRAWN: dict[str, float] = {}   # text looked for → when a timeline line with it was drawn
SHOWN: dict[str, float] = {}   # text looked for → end of the first frame after that
LOOKED_FOR: list[str] = []


def _watch(app: QualifApp) -> None:
    entry_list = timeline_module.EntryList
    draw = entry_list.render_line

    def render_line(self: Any, y: int) -> Any:
        strip = draw(self, y)
        for text in LOOKED_FOR:
            if text not in DRAWN and text in strip.text:
                DRAWN[text] = time.perf_counter()
        return strip

    entry_list.render_line = render_line  # type: ignore[method-assign]
    display = app._display

    def shown(screen: Any, renderable: Any) -> None:
        display(screen, renderable)
        for text in DRAWN:
            SHOWN.setdefault(text, time.perf_counter())

    app._display = shown  # type: ignore[method-assign]


async def _until(condition: Callable[[], bool], timeout: float = 30.0) -> float:
    deadline = time.perf_counter() + timeout
    while not condition():
        if time.perf_counter() > deadline:
            raise TimeoutError("the timeline was not painted in time")
        await asyncio.sleep(0.001)
    return time.perf_counter()


def _look_for(text: str) -> None:
    LOOKED_FOR[:] = [text]
    DRAWN.pop(text, None)
    SHOWN.pop(text, None)


def prepare(folder: Path, contacts: int) -> tuple[Path, int]:
    """The file with the big timeline, and that contact's id."""
    folder.mkdir(parents=True, exist_ok=True)
    ready = folder / f"timeline-{contacts}.db"
    if not ready.exists():
        base = folder / f"{contacts}.db"
        if not base.exists():
            subprocess.run([sys.executable, "-m", "qualif_tui", "init", str(base),
                            "--contacts", str(contacts), "--seed", "1"], check=True, cwd=ROOT)
        sys.path.insert(0, str(ROOT / "benchmarks"))
        from mail_archive import ME, write_archive

        from qualif_tui.services.mailimport import MailOptions, apply_mail_plan, plan_mail_import

        archive = folder / "timeline-6000.mbox"
        write_archive(base, archive, 6000, heavy_contact_messages=5000)
        scratch = folder / "timeline.tmp.db"
        shutil.copy(base, scratch)
        db = open_database(scratch)
        plan = plan_mail_import(db, [archive], MailOptions(own_addresses=[ME]))
        apply_mail_plan(db, plan, plan.chosen("none"))
        plan.close()
        db.close()
        archive.unlink()
        scratch.rename(ready)
    conn = sqlite3.connect(f"file:{ready}?mode=ro", uri=True)
    heavy = conn.execute("SELECT contact_id FROM history WHERE kind = 'email' GROUP BY"
                         " contact_id ORDER BY count(*) DESC LIMIT 1").fetchone()[0]
    conn.close()
    return ready, int(heavy)


def _median_ms(samples: list[float]) -> str:
    return f"{statistics.median(samples) * 1000:.1f} ms"


def reads(path: Path, db: Database, heavy: int, runs: int) -> dict[str, list[float]]:
    from qualif_tui.domain import history
    from qualif_tui.tui.card import load_card

    # None in a tree from before the virtual timeline (a comparison run)
    count_entries: Callable[[Database, int], int] | None = getattr(history, "count_entries", None)

    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    times: dict[str, list[float]] = {"entries": [], "hand": [], "card": []}
    for _ in range(runs):
        started = time.perf_counter()
        list_entries(db, heavy, limit=ENTRY_LIMIT)
        if count_entries is not None:
            count_entries(db, heavy)
        times["entries"].append(time.perf_counter() - started)
        started = time.perf_counter()
        conn.execute("SELECT * FROM history WHERE contact_id = ? ORDER BY happened_at DESC,"
                     " id DESC LIMIT ?", (heavy, ENTRY_LIMIT)).fetchall()
        conn.execute("SELECT count(*) FROM history WHERE contact_id = ?", (heavy,)).fetchone()
        times["hand"].append(time.perf_counter() - started)
        started = time.perf_counter()
        load_card(db, heavy)
        times["card"].append(time.perf_counter() - started)
    conn.close()
    return times


async def in_app(db: Database, heavy: int, light: int, runs: int, with_end: bool = True
                 ) -> dict[str, list[float]]:
    def marker(entries: list[Any]) -> str:  # what the entry's line starts with
        return timeline_module.entry_line(entries[0]).plain[:30] if entries else ""

    newest = marker(list_entries(db, heavy, limit=1))
    total = int(db.scalar("SELECT count(*) FROM history WHERE contact_id = ?", (heavy,)))
    oldest = marker(list_entries(db, heavy, limit=1, offset=total - 1)) if with_end else ""
    light_newest = marker(list_entries(db, light, limit=1))
    app = QualifApp(db, cursor_blink=False)
    _watch(app)
    times: dict[str, list[float]] = {"timeline": [], "card": [], "end": []}
    async with app.run_test(size=(160, 48)) as pilot:
        await _until(lambda: isinstance(app.screen, MainScreen))
        screen = app.screen
        assert isinstance(screen, MainScreen)
        card = screen.card
        pane = card.query_one(timeline_module.Timeline)

        async def settle() -> None:
            while any(w.is_running for w in app.workers):
                try:
                    await app.workers.wait_for_complete()
                except (WorkerCancelled, WorkerFailed):
                    pass  # a newer request replaced it
            await pilot.pause()

        async def other_contact() -> None:
            _look_for(light_newest)
            card.show_contact(light)
            await _until(lambda: light_newest in SHOWN)
            await settle()

        screen.go_to_contact(light)
        await settle()
        await pilot.press("f3")
        await settle()
        for _ in range(runs):
            await other_contact()
            _look_for(newest)
            started = time.perf_counter()
            entries = await asyncio.to_thread(list_entries, db, heavy, limit=ENTRY_LIMIT)
            pane.show(heavy, entries)
            times["timeline"].append(await _until(lambda: newest in SHOWN) - started)
            await settle()

            await other_contact()
            _look_for(newest)
            started = time.perf_counter()
            card.show_contact(heavy)
            times["card"].append(await _until(lambda: newest in SHOWN) - started)
            await settle()

            if oldest:
                pane.focus_main()
                await pilot.pause()
                _look_for(oldest)
                started = time.perf_counter()
                app.simulate_key("end")
                times["end"].append(await _until(lambda: oldest in SHOWN) - started)
                await settle()
        await pilot.press("ctrl+q")
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keep", type=Path, required=True, help="folder for the files")
    parser.add_argument("--contacts", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--no-end", action="store_true",
                        help="skip End (a timeline that holds its newest entries only)")
    args = parser.parse_args()
    path, heavy = prepare(args.keep, args.contacts)
    db = open_database(path, readonly=True, quick_check=False)
    total = db.scalar("SELECT count(*) FROM history WHERE contact_id = ?", (heavy,))
    mails = db.scalar("SELECT count(*) FROM history WHERE contact_id = ? AND kind = 'email'",
                      (heavy,))
    light = int(db.scalar("SELECT contact_id FROM history GROUP BY contact_id"
                          " HAVING count(*) BETWEEN 3 AND 6 ORDER BY contact_id LIMIT 1"))
    read = reads(path, db, heavy, args.runs)
    shown = asyncio.run(in_app(db, heavy, light, args.runs, not args.no_end))
    db.close()
    load = os.getloadavg()[0]
    print(f"contact #{heavy}: {total} entries ({mails} e-mails); {args.contacts} contacts;"
          f" median of {args.runs}, 160×48, load average {load:.1f} on {os.cpu_count()} cores")
    print(f"read    first {ENTRY_LIMIT} entries + count: {_median_ms(read['entries'])}"
          f"  (hand SQL, sqlite3 rows: {_median_ms(read['hand'])});"
          f" the whole card's read: {_median_ms(read['card'])}")
    print(f"timeline  read + shown + painted: {_median_ms(shown['timeline'])}"
          f"  (max {max(shown['timeline']) * 1000:.0f} ms)")
    print(f"card      show_contact → timeline painted: {_median_ms(shown['card'])}"
          f"  (includes the card's 40 ms pause)")
    if shown["end"]:
        print(f"End       key → oldest entry painted: {_median_ms(shown['end'])}")


if __name__ == "__main__":
    main()
