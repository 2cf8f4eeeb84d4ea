"""Keystrokes and wall time of the five everyday jobs, from launch (issue 11).

    python benchmarks/keystrokes.py [--size 80x24] [--runs 3] [--markdown]

Each job runs the real app headless (``App.run_test()``) on a fresh copy of the
demo (built with the tests' fixed "today", 20 November 2026), and sends all its
keys in one burst *at launch*, before the first screen is even painted — the
way a practiced user types ahead, or a paste. The app's type-ahead holds them
until each screen they are meant for is ready, so the measure is: keys counted,
and the time from the app's start to the job done in the file (or on the
clipboard). The median of ``--runs`` is printed.

1. target → addresses: a query typed with completion, Enter, ``y``;
   the same from a saved segment (the sidebar, its initial, Enter, ``y``);
2. a new contact with its coordinates and its six keys;
3. a call logged and its follow-up planned in ten days;
4. ten contacts qualified on one key (the sprint on that key);
5. a search saved as a segment, then reopened in a second launch.

"Typed text" counts the letters of names, e-mails and numbers the user must type
whatever the tool; the goal of job 2 is 40 keys *plus* those.
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import statistics
import sys
import tempfile
import time
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from textual import events
from textual.keys import REPLACED_KEYS, _character_to_key, _get_unicode_name_from_key

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from qualif_tui.domain import clock
from qualif_tui.domain.activities import contact_activities
from qualif_tui.domain.contacts import contact_count, get_contact
from qualif_tui.services.demo import build_demo
from qualif_tui.services.segments import list_segments
from qualif_tui.storage import Database, open_database
from qualif_tui.tui.app import QualifApp
from qualif_tui.tui.main_screen import MainScreen

TODAY = datetime(2026, 11, 20, 10, 30)
# To the segments list: ctrl+b shows it on a narrow terminal; from 140 columns it is
# always shown (ctrl+b would hide it) and shift+Tab from the list goes to it.
SIDEBAR = "SIDEBAR"
NAMED = {"enter", "tab", "escape", "f2", "ctrl+n", "ctrl+s", "ctrl+b", "ctrl+u", "delete",
         "shift+tab", SIDEBAR}


@dataclass(frozen=True)
class Step:
    """Keys of one launch: named keys, and text typed character by character."""

    parts: tuple[str, ...]
    text_parts: frozenset[int] = frozenset()  # indexes of parts that are typed text

    def keys(self) -> list[str]:
        out: list[str] = []
        for part in self.parts:
            out.extend([part] if part in NAMED or len(part) == 1 else list(part))
        return out

    def typed_text(self) -> int:
        return sum(len(self.parts[i]) for i in self.text_parts)


@dataclass(frozen=True)
class Job:
    name: str
    goal: str
    elsewhere: str  # the same job in Outlook/Excel, as the seed describes it
    launches: tuple[Step, ...]
    done: Callable[[QualifApp, Database], bool]
    # when the first of two launches is done (the second starts on its file)
    first_done: Callable[[QualifApp, Database], bool] | None = None


def _adam_followed_up(app: QualifApp, db: Database) -> bool:
    wanted = (clock.today() + timedelta(days=10)).isoformat()
    return any(a.title == "Relance : Appel" and (a.starts_at or "")[:10] == wanted
               for a in contact_activities(db, 15))


def _ten_qualified(app: QualifApp, db: Database) -> bool:
    screen = app.screen
    return getattr(screen, "answered", 0) == 10 and not app.writes.pending


def _new_contact(app: QualifApp, db: Database) -> bool:
    if contact_count(db) != 301:
        return False
    screen = next((s for s in app.screen_stack if isinstance(s, MainScreen)), None)
    if screen is None or screen.current_contact_id is None:
        return False
    keys = get_contact(db, screen.current_contact_id).keys
    return sum(value is not None for value in keys.values()) == 6


def _segment_reopened(app: QualifApp, db: Database) -> bool:
    screen = app.screen
    return isinstance(screen, MainScreen) and screen.query_text == "profil:client"


JOBS: tuple[Job, ...] = (
    Job("target → addresses on the clipboard", "≤ 25",
        "≈ 5 min (the seed: filter a sheet, copy a column, paste in Outlook)",
        (Step(("/", "p", "tab", "c", "tab", ",p", "tab", " r", "tab", "mi", "tab", " so",
               "tab", "f", "tab", "enter", "y")),),
        lambda app, db: app.clipboard.count("@") > 0),
    Job("saved segment → addresses on the clipboard", "≤ 10", "—",
        (Step((SIDEBAR, "s", "enter", "y")),),  # "Salon Midi-Pyrénées", the demo's
        lambda app, db: app.clipboard.count("@") > 0),
    Job("new contact, qualified on 6 keys", "≤ 40 + typed text", "—",
        (Step(("ctrl+n", "Zoé", "tab", "Zyzzyva", "tab", "tab", "zoe@exemple.fr", "tab",
               "0612345678", "tab", "tab", "31000", "tab", "tab", "1", "2", "2", "3",
               "2019-05", "enter", "f", "ctrl+s"),
              frozenset({1, 3, 6, 8, 11, 18})),),
        _new_contact),
    Job("call logged + follow-up in 10 days", "≤ 10", "—",
        (Step(("c", "ctrl+s", "t", "+10d", "ctrl+s")),),
        _adam_followed_up),
    Job("10 contacts qualified on one key", "≤ 12", "—",
        (Step(("Q", "2", "1", "2", "3", "4", "5", "6", "7", "8", "9", "1")),),
        _ten_qualified),
    Job("search saved as a segment, reopened", "≤ 12", "—",
        (Step(("/", "p", "tab", "c", "tab", "enter", "ctrl+s", "enter")),
         Step((SIDEBAR, "p", "enter"))),
        _segment_reopened,
        first_done=lambda app, db: "Profil client" in {s.name for s in list_segments(db)}),
)


async def _launch(path: Path, step: Step, done: Callable[[QualifApp, Database], bool] | None,
                  size: tuple[int, int], timeout: float = 60) -> float:
    """Seconds from the app's start to ``done`` (or to every key handled)."""
    db = open_database(path)
    app = QualifApp(db, cursor_blink=False)
    started = time.perf_counter()
    try:
        async with app.run_test(size=size) as pilot:
            sidebar = "ctrl+b" if size[0] < 140 else "shift+tab"
            for key in step.keys():  # typed ahead, before the first paint
                key = sidebar if key == SIDEBAR else key
                name = _character_to_key(key) if len(key) == 1 and not key.isalnum() else key
                try:
                    char: str | None = unicodedata.lookup(
                        _get_unicode_name_from_key(REPLACED_KEYS.get(name, name)))
                except KeyError:
                    char = name if len(name) == 1 else None
                app.post_message(events.Key(name, char))
            deadline = started + timeout
            while True:
                quiet = (app.typeahead.idle and app.typeahead.settled()
                         and not app.writes.pending
                         and not any(w.is_running for w in app.workers))
                if quiet and (done is None or done(app, db)):
                    return time.perf_counter() - started
                if time.perf_counter() > deadline:
                    screen = app.screen
                    raise TimeoutError(
                        f"job not done after {timeout} s: on {screen!r}, focus on "
                        f"{app.focused!r}, query {getattr(screen, 'query_text', None)!r}, "
                        f"waiting {[e.key for e in app.typeahead.waiting]}, "
                        f"{len(app.clipboard)} characters on the clipboard")
                await pilot.pause(0.005)
    finally:
        db.close()


def run_job(job: Job, demo: Path, size: tuple[int, int]) -> float:
    with tempfile.TemporaryDirectory(prefix="qualif-keys-") as folder:
        path = Path(folder) / "demo.db"
        shutil.copyfile(demo, path)
        total = 0.0
        for index, step in enumerate(job.launches):
            last = index == len(job.launches) - 1
            total += asyncio.run(_launch(path, step, job.done if last else job.first_done,
                                         size))
        return total


def table(rows: Sequence[tuple[Job, int, int, float]], size: str) -> str:
    lines = [f"| job ({size}, keys typed ahead at launch) | keys (typed text) | "
             "wall time from launch | goal | in Outlook / Excel |",
             "|---|---|---|---|---|"]
    for job, keys, text, seconds in rows:
        typed = f" ({text})" if text else ""
        lines.append(f"| {job.name} | {keys}{typed} | {seconds:.2f} s | {job.goal} |"
                     f" {job.elsewhere} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", default="80x24", help="terminal size, e.g. 160x48")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--only", type=int, help="run only row N (1–6)")
    args = parser.parse_args()
    width, height = (int(n) for n in args.size.split("x"))
    clock.freeze(TODAY)
    with tempfile.TemporaryDirectory(prefix="qualif-demo-") as folder:
        demo = build_demo(Path(folder) / "demo.db")
        rows = []
        for number, job in enumerate(JOBS, start=1):
            if args.only and number != args.only:
                continue
            times = [run_job(job, demo, (width, height)) for _ in range(args.runs)]
            keys = sum(len(step.keys()) for step in job.launches)
            text = sum(step.typed_text() for step in job.launches)
            rows.append((job, keys, text, statistics.median(times)))
            print(f"{job.name}: {keys} keys, {statistics.median(times):.2f} s", file=sys.stderr)
    print(table(rows, args.size))


if __name__ == "__main__":
    main()
