"""Timings of the Textual app, headless, in a fresh process (bench.py runs it per file).

    python benchmarks/tui_bench.py FILE.db [--query 'profil:client dept:31'] [--json]

Measured with ``App.run_test()`` (a real app on a null terminal, 160×48):

* launch — from the start of this process (imports included, the file opened
  read-only without the quick check, which ``qualif check`` covers) to the
  first contact row painted;
* query — a query typed in the search bar, then from Enter to the list
  painted with the new result and its count shown;
* PageDown — from the key to the new rows painted (scrolling is never
  animated in the list), median over 30 presses;
* memory — resident set size at the end, and its peak.

A "painted" moment is the first ``render_line`` of a row of the new result,
observed by wrapping the list's row drawing. Nothing is written to the file.
"""

from __future__ import annotations

import time

STARTED = time.perf_counter()

import argparse  # noqa: E402
import asyncio  # noqa: E402
import json  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
from collections.abc import Callable  # noqa: E402
from functools import partial  # noqa: E402
from pathlib import Path  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from qualif_tui.query import QueryError, compile_query  # noqa: E402
from qualif_tui.storage import open_database  # noqa: E402
from qualif_tui.tui.app import QualifApp  # noqa: E402
from qualif_tui.tui.contact_list import ContactList  # noqa: E402
from qualif_tui.tui.main_screen import MainScreen  # noqa: E402

PAINTED: dict[str, float] = {}
SEEN: list[object] = []  # keeps every result alive, so no two share an id()


def _watch_painting() -> None:
    """Record when a row of a given result (PageSource) is first drawn."""
    original = ContactList._line

    def line(self: ContactList, row, width, is_cursor):  # type: ignore[no-untyped-def]
        if not any(seen is self.source for seen in SEEN[-3:]):
            SEEN.append(self.source)
        key = f"{id(self.source)}:{round(self.scroll_y)}"
        PAINTED.setdefault(key, time.perf_counter())
        PAINTED.setdefault(str(id(self.source)), time.perf_counter())
        return original(self, row, width, is_cursor)

    ContactList._line = line  # type: ignore[method-assign]


def _memory() -> tuple[float, float]:
    rss = peak = 0.0
    with open("/proc/self/status") as status:
        for entry in status:
            if entry.startswith("VmRSS:"):
                rss = int(entry.split()[1]) / 1024
            elif entry.startswith("VmHWM:"):
                peak = int(entry.split()[1]) / 1024
    return rss, peak


async def _wait_for(condition: Callable[[], bool], timeout: float = 30.0) -> float:
    deadline = time.perf_counter() + timeout
    while not condition():
        if time.perf_counter() > deadline:
            raise TimeoutError("the app did not get there in time")
        await asyncio.sleep(0.001)
    return time.perf_counter()


async def measure(path: Path, query: str) -> dict[str, object]:
    _watch_painting()
    db = open_database(path, readonly=True, quick_check=False)
    try:
        compile_query(db, query)
        used_query = query
    except QueryError:
        used_query = ""  # this branch's engine does not know the language yet
    app = QualifApp(db, cursor_blink=False)
    result: dict[str, object] = {"query": used_query}
    async with app.run_test(size=(160, 48)) as pilot:

        def first_row_painted() -> bool:
            contacts = app.screen.query(ContactList)
            return bool(contacts) and str(id(contacts.first().source)) in PAINTED

        painted = await _wait_for(first_row_painted)
        result["launch_s"] = painted - STARTED
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(app.screen, MainScreen)
        screen = app.screen
        contacts = screen.contact_list
        result["contacts"] = contacts.total

        def searched(before: object) -> bool:
            return (contacts.source is not before and str(id(contacts.source)) in PAINTED
                    and screen.total == contacts.total)

        timings = []
        for _ in range(5):
            await pilot.press("slash")
            screen.search_bar.input.value = used_query
            before = contacts.source
            start = time.perf_counter()
            app.simulate_key("enter")
            done = await _wait_for(partial(searched, before))
            timings.append(done - start)
            await app.workers.wait_for_complete()
            await pilot.pause()
        result["query_s"] = statistics.median(timings[1:])

        await pilot.press("home")
        await app.workers.wait_for_complete()
        await pilot.pause()
        pages = []
        for _ in range(30):
            target = round(contacts.scroll_y) + contacts.scrollable_content_region.height - 1
            key = f"{id(contacts.source)}:{target}"
            start = time.perf_counter()
            app.simulate_key("pagedown")
            done = await _wait_for(partial(PAINTED.__contains__, key))
            pages.append(done - start)
        result["pagedown_s"] = statistics.median(pages)
        result["pagedown_max_s"] = max(pages)
        result["pagedown_all_ms"] = [round(p * 1000, 1) for p in pages]
        await app.workers.wait_for_complete()
        rss, peak = _memory()
        result["rss_mb"] = rss
        result["peak_mb"] = peak
        result["rows_held"] = contacts.source.rows_held if contacts.source else 0
        await pilot.press("ctrl+q")
    db.close()
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("db", type=Path)
    parser.add_argument("--query", default="profil:client,prospect dept:31")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    result = asyncio.run(measure(args.db, args.query))
    if args.json:
        print(json.dumps(result))
    else:
        for name, value in result.items():
            print(f"{name:16} {value}")


if __name__ == "__main__":
    main()
