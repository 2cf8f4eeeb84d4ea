"""A child process for the kill -9 loop: the real app, headless, editing one contact.

``python tui_edits.py FILE``: opens the app on FILE, goes to the first contact's
qualification form (F2) and types a Profil value (1, 2, 3…) again and again, each
keystroke a write through the app's queue; after each write has reached the file
it prints ``committed N`` (N: the value typed). The parent kills it at a random
moment and checks the file holds the last value printed, or the one typed after.
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

from qualif_tui.storage import open_database
from qualif_tui.tui.app import QualifApp

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests/, as pytest has it
from settling import settle


async def main(path: str) -> None:
    db = open_database(path)
    app = QualifApp(db, cursor_blink=False, verify=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("f2")
        await settle(pilot)
        print("ready", flush=True)
        for turn in range(10_000):
            value = turn % 4 + 1
            print(f"typing {value}", flush=True)
            await pilot.press(str(value))
            await settle(pilot)
            print(f"committed {value}", flush=True)


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1]))
