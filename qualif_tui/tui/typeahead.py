"""Type-ahead: keys typed faster than the app gets ready for them wait, then go in order.

Textual hands a key to the widget that has the focus *when the key leaves the app's
queue*. Keys that arrive in a burst (a practiced typist, a paste, ``tmux send-keys``)
all leave it before the first one has done its work: ``F2 j j`` moved the list
instead of the form F2 opens (and the values typed next landed on another contact),
``/`` then ``ctrl+u`` edited the old focus, ``2019-05`` typed into a month field kept
only ``2``. Focus changes, screens being mounted and callbacks "after the next
refresh" all go through message queues, and a worker loading what a screen shows
goes through a thread.

:class:`TypeAhead` lets one key in at a time. A key is passed on at once when the
app is *settled*; otherwise it waits, in order, behind the ones already waiting.
Settled means:

- every message queue of the app and its widgets is drained and no message is
  being handled (the focus moved, the new screen is mounted, its callbacks ran);
- no key passed on is still on its way up the widget tree;
- the screen on top is ready: its ``typeahead_ready()`` (when it has one) is true
  and none of its workers in ``TYPEAHEAD_GROUPS`` is running — a search whose result
  the next keys act on, the agenda being loaded, the first contacts of a sprint.

Waiting keys are then handed back to the app one by one, each to whatever has the
focus by then, exactly as if they had been typed slowly. A screen that never gets
ready does not keep keys for ever (:data:`PATIENCE`).

One shortcut keeps typing fast (a paste into a field, 5 ms a character rather than
the 20–60 ms a full settle costs): a printable character for the text field that
took the previous key goes straight in behind it, since it cannot move the focus.
A field where some character does (``?`` in the search bar opens the language)
says so with ``typeahead_passes(event)``.

The queues are read through Textual's private attributes (``_message_queue``…):
``tests/tui/test_typeahead.py`` presses whole bursts with no pause and fails if a
Textual upgrade changes them.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from typing import TYPE_CHECKING, Any

from textual import events
from textual.widgets import Input, TextArea
from textual.worker import WorkerState

if TYPE_CHECKING:
    from textual.app import App
    from textual.message_pump import MessagePump

POLL = 0.002  # seconds between two looks while keys wait
# A queue that never drains (a handler awaiting something long) holds keys this long…
BUSY_PATIENCE = 2.0
# …and a screen that says it is not ready (a slow search, a slow disk) this long.
PATIENCE = 15.0
_RUNNING = (WorkerState.PENDING, WorkerState.RUNNING)


def pump_idle(pump: MessagePump) -> bool:
    """Is this node waiting for a message, with none queued and nothing scheduled?"""
    if getattr(pump, "_closed", False):
        return True
    queue: Any = pump.__dict__.get("_message_queue")  # made on first use
    if queue is None:
        return True
    if not queue.empty() or getattr(pump, "_pending_message", None) is not None:
        return False
    if getattr(pump, "_next_callbacks", None):
        return False
    if getattr(pump, "_callbacks", None):  # a screen's "after the next refresh"
        return False
    if not getattr(pump, "_running", False):
        return True  # not started yet, or stopped: its queue (above) is all there is
    # A running node's loop is parked in ``queue.get()`` — on an unfinished future of
    # the queue's event (Textual's Queue) or of the queue itself (asyncio's) — when it
    # has nothing to do; anywhere else it is in the middle of a handler (the app's own
    # loop has no ``_task`` of its own to look at: the waiters are what tells).
    event = getattr(queue, "ready_event", None)
    waiters: Any = getattr(event, "_waiters", None) if event is not None else None
    if waiters is None:
        waiters = getattr(queue, "_getters", ())
    return any(not waiter.done() for waiter in waiters or ())


def typing_passes(widget: object, event: events.Key) -> bool:
    """Can ``event`` go straight into ``widget`` behind the previous key (a character
    typed into a text field, which never moves the focus)?"""
    hook = getattr(widget, "typeahead_passes", None)
    if hook is not None:
        return bool(hook(event))
    return isinstance(widget, (Input, TextArea)) and event.is_printable


def screen_ready(app: App[Any]) -> bool:
    """Does the screen on top say it is ready for keys (see the module's docstring)?"""
    try:
        screen = app.screen
    except Exception:  # noqa: BLE001 - no screen yet (starting) or any more (closing)
        return False
    if screen.id == "_default":
        return False  # the app's blank first screen: its own is still to come
    ready = getattr(screen, "typeahead_ready", None)
    if ready is not None and not ready():
        return False
    groups = getattr(screen, "TYPEAHEAD_GROUPS", ())
    if groups:
        for worker in app.workers:
            if worker.group in groups and worker.state in _RUNNING:
                node = worker.node
                if node is screen or getattr(node, "screen", None) is screen:
                    return False
    return True


class TypeAhead:
    """The app's gate for keys (see the module's docstring)."""

    def __init__(self, app: App[Any]) -> None:
        self.app = app
        self.waiting: deque[events.Key] = deque()
        self._released: deque[events.Key] = deque()  # handed back, not yet seen again
        self._handle: asyncio.TimerHandle | None = None
        self._waiting_since = 0.0
        self._busy_since: float | None = None
        self._typing_into: object | None = None  # the text field the last key went to
        self.replayed = 0  # keys that had to wait (for tests and the benchmark)

    @property
    def idle(self) -> bool:
        """No key waiting or on its way (tests and the benchmark wait on this)."""
        return not self.waiting and not self._released

    def intercept(self, event: events.Key) -> bool:
        """Called by the app for each key from the terminal: True when the key is
        kept to be replayed later, False when the app must route it now."""
        if self._released and event is self._released[0]:
            self._released.popleft()
            if self.waiting:
                self._schedule()
            return self._route(event)
        focused = self.app.focused
        if (not self.waiting and not self._released and self._typing_into is not None
                and focused is self._typing_into and typing_passes(focused, event)
                and screen_ready(self.app)):
            return False  # one more character for the same field, right behind
        if self.waiting or not self.settled(inside_app=True):
            if not self.waiting:
                self._waiting_since = time.monotonic()
            self.waiting.append(event)
            self._schedule()
            return True
        return self._route(event)

    def _route(self, event: events.Key) -> bool:
        """The app routes ``event`` now; remember whether it went into a text field."""
        focused = self.app.focused
        self._typing_into = focused if typing_passes(focused, event) else None
        return False

    def settled(self, *, inside_app: bool = False) -> bool:
        """Is the app ready for the next key? ``inside_app``: asked while the app
        is handling a message (its own queue then only holds what came after)."""
        if self._released:
            return False
        app = self.app
        for node in list(getattr(app, "_registry", ())):
            if node is app:
                continue
            if not pump_idle(node):
                return False
        if inside_app:
            queue: Any = app.__dict__.get("_message_queue")
            pending = list(getattr(queue, "values", getattr(queue, "_queue", ()))
                           if queue is not None else ())
            # keys typed after this one may wait there; anything else (a key on its
            # way back up the widget tree to run its binding, a callback) is work
            if any(not isinstance(message, events.Key) or message.is_forwarded
                   for message in pending):
                return False
        elif not pump_idle(app):
            return False
        return screen_ready(app)

    def _schedule(self) -> None:
        if self._handle is None:
            self._handle = asyncio.get_running_loop().call_later(POLL, self._poll)

    def _poll(self) -> None:
        self._handle = None
        app = self.app
        if not app.is_running:
            self.waiting.clear()
            return
        now = time.monotonic()
        if self._released:
            # handed back but not seen again by the app (it was closing): let go
            if now - self._waiting_since > BUSY_PATIENCE:
                self._released.clear()
            else:
                self._schedule()
                return
        if not self.waiting:
            return
        if self._typing_on():
            # characters for the field the last key went into: all of them at once
            while self.waiting and self._typing_on():
                self._release()
            return
        if self._queues_drained():
            self._busy_since = None
            ready = screen_ready(app)
        else:
            # a queue that never drains (a handler awaiting something long) does not
            # hold keys for ever — but a screen still loading what they act on does
            self._busy_since = self._busy_since or now
            ready = now - self._busy_since > BUSY_PATIENCE and screen_ready(app)
        if ready or now - self._waiting_since > PATIENCE:
            self._release()
        else:
            self._schedule()

    def _queues_drained(self) -> bool:
        # the app is not in its own registry of nodes: its queue is looked at too
        nodes = [self.app, *list(getattr(self.app, "_registry", ()))]
        return all(pump_idle(node) for node in nodes)

    def _typing_on(self) -> bool:
        """Does the next waiting key go into the text field the last one went to?"""
        focused = self.app.focused
        return (self._typing_into is not None and focused is self._typing_into
                and typing_passes(focused, self.waiting[0]) and screen_ready(self.app))

    def _release(self) -> None:
        event = self.waiting.popleft()
        self._released.append(event)
        self._waiting_since = time.monotonic()
        self._busy_since = None
        self.replayed += 1
        self.app.post_message(event)
