"""Keys pressed in one burst, as a fast typist, a paste or ``tmux send-keys`` sends them.

``pilot.press`` waits for the app to go idle after every key, so it never shows
what happens when keys come faster than the app gets ready. :func:`burst` puts
every key of the burst in the app's queue at once, before the first one is
handled (the worst case a terminal can produce), then waits until the app has
replayed them all and finished the work they started.
"""

from __future__ import annotations

import asyncio
import re
import time
import unicodedata
from collections.abc import Iterable

from textual import events
from textual.keys import REPLACED_KEYS, _character_to_key, _get_unicode_name_from_key
from textual.pilot import Pilot

from qualif_tui.tui.app import QualifApp

from .conftest import settle


def key_event(key: str) -> events.Key:
    """The event a terminal produces for ``key`` (a key name or one character)."""
    if len(key) == 1 and not key.isalnum():
        key = _character_to_key(key)
    original = REPLACED_KEYS.get(key, key)
    try:
        char: str | None = unicodedata.lookup(_get_unicode_name_from_key(original))
    except KeyError:
        char = key if len(key) == 1 else None
    return events.Key(key, char)


def keys_of(*parts: str | Iterable[str]) -> list[str]:
    """``keys_of("f2", "jjjj", ["ctrl+s"])``: a named key as is, a longer plain
    string typed character by character, a list taken as it is."""
    keys: list[str] = []
    for part in parts:
        if isinstance(part, str):
            named = len(part) > 1 and (part in REPLACED_KEYS or part in NAMED_KEYS
                                       or re.fullmatch(r"(ctrl|shift|alt)\+\S+", part))
            keys.extend([part] if named or len(part) == 1 else list(part))
        else:
            keys.extend(part)
    return keys


NAMED_KEYS = {"enter", "tab", "escape", "backspace", "delete", "up", "down", "left", "right",
              "home", "end", "pageup", "pagedown", "space", "f1", "f2", "f3", "f4", "f5"}


async def burst(pilot: Pilot[None], *parts: str | Iterable[str], timeout: float = 20) -> None:
    """Send every key at once, then wait until all are replayed and the app settled."""
    app = pilot.app
    assert isinstance(app, QualifApp)
    for key in keys_of(*parts):
        app.post_message(key_event(key))
    deadline = time.monotonic() + timeout
    while True:
        await settle(pilot)
        if app.typeahead.idle and not app.writes.pending:
            await pilot.pause()
            if app.typeahead.idle and not any(w.is_running for w in app.workers):
                return
        if time.monotonic() > deadline:
            raise AssertionError(f"keys still waiting after {timeout} s: "
                                 f"{[e.key for e in app.typeahead.waiting]}")
        await asyncio.sleep(0.01)
