"""Database work off the UI thread: handing results back, and the ordered write queue.

Reads run in ``@work(thread=True)`` methods of the widget that shows them and
hand their result back with :func:`deliver`. Writes go through one
:class:`WriteQueue`: a thread worker that runs them one after the other in the
order the user asked (two quick keystrokes on the same key must not land in
the wrong order), then calls back on the UI thread — ``done`` with the core
function's result, or ``failed`` with the error, after an error toast.
"""

from __future__ import annotations

import sqlite3
import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from textual.worker import NoActiveWorker, Worker, WorkerState, get_current_worker

from qualif_tui.base.i18n import N_, _
from qualif_tui.domain.errors import QualifError
from qualif_tui.storage import Database, StorageError, erasure

if TYPE_CHECKING:
    from textual.app import App
    from textual.dom import DOMNode

# Errors a write can meet that a user should read about (anything else is a bug
# and goes through Textual's error handling).
USER_ERRORS = (QualifError, StorageError, sqlite3.Error, OSError)


def deliver(node: DOMNode, callback: Callable[..., object], *args: Any) -> None:
    """From a worker thread: run ``callback(*args)`` on the UI thread, unless the
    worker was cancelled (stale work) or the app is closing."""
    try:
        if get_current_worker().is_cancelled:
            return
    except NoActiveWorker:
        pass
    try:
        node.app.call_from_thread(callback, *args)
    except RuntimeError:
        pass  # the app is shutting down: nobody left to tell


def describe_error(error: BaseException) -> str:
    if isinstance(error, sqlite3.Error):
        return _("erreur de la base : {error}").format(error=error)
    if isinstance(error, USER_ERRORS):
        return str(error)
    return _("erreur inattendue : {kind} : {error}").format(kind=type(error).__name__, error=error)



_ERASURE = N_("Effacement définitif")


@dataclass
class WriteJob:
    label: str
    run: Callable[[], Any]
    done: Callable[[Any], object] | None = None
    failed: Callable[[BaseException], object] | None = None


class WriteQueue:
    """Writes run one at a time, in order, in a thread worker of ``app``."""

    def __init__(self, app: App[Any]) -> None:
        self.app = app
        self._jobs: deque[WriteJob] = deque()
        self._lock = threading.Lock()
        self._running = False
        self.idle = threading.Event()
        self.idle.set()
        # Writes wait here while the file is being checked; a failed check
        # refuses them all with its reason.
        self._gate = threading.Event()
        self._gate.set()
        self._refused: str | None = None

    def hold(self) -> None:
        """Queue writes without running them (until :meth:`release` or :meth:`refuse`)."""
        self._gate.clear()

    def release(self) -> None:
        self._gate.set()

    def refuse(self, reason: str) -> None:
        """Fail every write, queued or to come, with ``reason`` (a damaged file)."""
        self._refused = reason
        self._gate.set()

    @property
    def pending(self) -> int:
        with self._lock:
            return len(self._jobs) + int(self._running)

    def submit(self, job: WriteJob) -> None:
        with self._lock:
            self._jobs.append(job)
            start = not self._running
            self._running = True
            self.idle.clear()
        if start:
            self.app.run_worker(self._drain, thread=True, group="write", exit_on_error=False,
                                description=N_("écritures"))

    def _drain(self) -> None:
        while True:
            with self._lock:
                if not self._jobs:
                    self._running = False
                    self.idle.set()
                    return
                job = self._jobs.popleft()
            self._gate.wait()
            try:
                if self._refused:
                    raise StorageError(self._refused)
                result = job.run()
            except Exception as error:  # noqa: BLE001 - one failed write must not stop the queue
                self._call(self._report, job, error)
            else:
                if job.done is not None:
                    self._call(job.done, result)
            self._erase_after(job)

    def _erase_after(self, job: WriteJob) -> None:
        """After a write that deleted contacts or history (any write: the marks are
        set by triggers), queue the merge that takes their words out of the
        full-text index (storage/erasure.py) — once the user's writes are done."""
        db = getattr(self.app, "db", None)
        if not isinstance(db, Database) or job.label == _ERASURE:
            return
        try:
            if not erasure.pending(db):
                return
        except sqlite3.Error:
            return
        with self._lock:
            if any(j.label == _ERASURE for j in self._jobs):
                return
            self._jobs.append(WriteJob(_ERASURE, lambda: erasure.complete_erasure(db)))

    def _call(self, callback: Callable[..., object], *args: Any) -> None:
        try:
            self.app.call_from_thread(callback, *args)
        except RuntimeError:
            pass

    def _report(self, job: WriteJob, error: BaseException) -> None:
        self.app.notify(f"{_(job.label)} : {describe_error(error)}", title=_("Échec"),
                        severity="error", timeout=8)
        if job.failed is not None:
            job.failed(error)


class WorkerReports:
    """Mixin for nodes that run workers: a failed worker becomes an error toast (the
    screen stays as it was), and the screen's busy indicator follows every change."""

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        node: Any = self
        if event.state == WorkerState.ERROR and event.worker.error is not None:
            node.app.notify(describe_error(event.worker.error), title=_("Erreur"),
                            severity="error", timeout=8)
        try:
            screen = node.screen
        except Exception:  # noqa: BLE001 - not mounted any more
            return
        hook = getattr(screen, "workers_changed", None)
        if hook is not None:
            hook()
