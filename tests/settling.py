"""The one wait of the app's pilot tests: :func:`settle`, which raises when time runs out.

A test that waited silently and went on would assert on a half-drawn screen and
fail somewhere else, or pass for the wrong reason; here a wait that times out is
the failure, with what was still going on.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import textual._wait
from textual.pilot import Pilot
from textual.worker import WorkerCancelled, WorkerFailed

IDLE_PROBE = 1 / 200  # seconds: see quicker_idle_probe


def quicker_idle_probe() -> None:
    """Make ``pilot.press`` and ``pilot.pause()`` notice an idle app in 5 ms, not 20.

    After each key, ``pilot.press`` waits twice for the process to go idle, probing
    in 20 ms sleeps (Textual's ``wait_for_idle``): at least 40 ms per key, in which
    the CPU does nothing. Over the suite's thousands of keys that was a third of
    the app tests' time on a 2-CPU machine. A 5 ms probe still waits until the
    process used (almost) no CPU for a whole probe, so the keys are handled as
    before; nothing asserts on that wait anyway (the tests call :func:`settle`).
    Textual reads both values when it probes; if a release renames them, this does
    nothing and the suite is merely slower.
    """
    if hasattr(textual._wait, "SLEEP_GRANULARITY") and hasattr(textual._wait, "SLEEP_IDLE"):
        textual._wait.SLEEP_GRANULARITY = IDLE_PROBE
        textual._wait.SLEEP_IDLE = IDLE_PROBE / 20  # Textual's own ratio


TIMEOUT = 20.0  # seconds: generous, for a loaded 2-CPU machine running tests in parallel


def _busy(app: Any) -> list[str]:
    running = [f"worker {w.name or w.description!r}" for w in app.workers if w.is_running]
    writes = getattr(app, "writes", None)  # the app's write queue (and the test hosts')
    if writes is not None and writes.pending:
        running.append(f"{writes.pending} queued write(s)")
    typeahead = getattr(app, "typeahead", None)  # keys held while a screen gets ready
    if typeahead is not None and not typeahead.idle:
        running.append("keys held for a screen still getting ready")
    return running


async def settle(pilot: Pilot[Any], until: Callable[[], bool] | None = None, *,
                 timeout: float = TIMEOUT) -> None:
    """Wait until every worker and queued write is done, their messages handled, and
    ``until()`` (if given) holds; :class:`AssertionError` after ``timeout`` seconds."""
    app = pilot.app
    deadline = time.monotonic() + timeout
    while True:
        try:
            await app.workers.wait_for_complete()
        except WorkerFailed:
            pass  # the app shows it (an error toast); tests assert on that
        except WorkerCancelled:
            pass  # a newer request replaced it (exclusive workers): wait on
        await pilot.pause()
        busy = _busy(app)
        if not busy and (until is None or until()):
            return
        if time.monotonic() > deadline:
            what = ", ".join(busy) if busy else "the awaited condition never held"
            raise AssertionError(f"the app did not settle in {timeout:.0f} s: {what}")
        if not busy:
            await pilot.pause(0.01)  # a message or a timer still to come: poll, not spin
