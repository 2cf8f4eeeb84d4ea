"""The Textual app: one open :class:`Database`, the main screen, help, themes, quitting.

``QualifApp(db).run()`` is all the CLI does. The app holds the database and the
ordered write queue every screen writes through (:attr:`QualifApp.writes`);
core calls run in thread workers, serialised by ``db.lock``.

Other screens plug in by pushing themselves (``app.push_screen(...)``) and
writing through ``app.writes``; a toast from a worker thread goes through
:meth:`QualifApp.alert` with ``app.call_from_thread``.
"""

from __future__ import annotations

import time

from textual import work
from textual.app import App

from ..core.integrity import quick_check
from ..storage import Database
from . import keymap
from .help import KEY_FIELD_NOTE, HelpScreen, context_lines, other_lines
from .main_screen import MainScreen
from .qualification import KeyField
from .workers import WorkerReports, WriteQueue

THEMES = ("textual-dark", "textual-light")


class QualifApp(WorkerReports, App[None]):
    CSS_PATH = ["app.tcss", "main.tcss", "card.tcss", "forms.tcss", "sprint.tcss"]
    TITLE = "qualif"
    BINDINGS = keymap.bindings(keymap.APP_KEYS)
    NOTIFICATION_TIMEOUT = 4

    def __init__(self, db: Database, *, cursor_blink: bool = True,
                 theme: str | None = None, verify: bool = False) -> None:
        """``verify``: the file was opened without its quick check (seconds on a big
        file); run it in the background, holding writes until it passes."""
        super().__init__()
        self.db = db
        self.writes = WriteQueue(self)
        self.cursor_blink_enabled = cursor_blink  # off for snapshot tests
        self.verify = verify
        if theme:
            self.theme = theme

    def on_mount(self) -> None:
        self.sub_title = str(self.db.path)
        self.push_screen(MainScreen(self.db))
        if self.verify:
            self.writes.hold()

    def on_main_screen_ready(self) -> None:
        # checked once the list is on screen, so the check does not slow the launch
        if self.verify:
            self.verify = False
            self._check_file()

    @work(thread=True, exclusive=True, group="verify", exit_on_error=False,
          description="vérification du fichier")
    def _check_file(self) -> None:
        try:
            # its own connection: db.lock would otherwise keep every read waiting
            checker = self.db.reopen()
            try:
                problems = quick_check(checker)
            finally:
                checker.close()
        except Exception as error:  # noqa: BLE001 - a check that cannot run is a failure
            problems = [str(error)]
        if not problems:
            self.writes.release()
            return
        reason = (f"{self.db.path} is damaged ({problems[0]}): nothing will be written;"
                  f" run `qualif check {self.db.path}` and restore a backup")
        self.writes.refuse(reason)  # before any held write can run
        self.call_from_thread(self.notify, reason, title="Fichier endommagé",
                              severity="error", timeout=3600)

    # -- app-wide actions -----------------------------------------------------
    def action_help(self) -> None:
        if isinstance(self.screen, HelpScreen):
            return
        lines = context_lines(self.screen)
        others = other_lines(lines) if isinstance(self.screen, MainScreen) else []
        note = KEY_FIELD_NOTE if isinstance(self.focused, KeyField) else ""
        self.push_screen(HelpScreen(lines, others, note))

    def action_toggle_theme(self) -> None:
        self.theme = THEMES[1] if self.theme == THEMES[0] else THEMES[0]

    async def action_quit(self) -> None:
        from .dialogs import ConfirmScreen

        asking = isinstance(self.screen, ConfirmScreen) and self.screen.id == "confirm-quit"
        dirty = [s for s in self.screen_stack if getattr(s, "dirty", False)]
        if dirty and not asking:  # ctrl+q again on the question quits

            def answered(yes: bool | None) -> None:
                if yes:
                    self.call_later(self._quit_now)

            self.push_screen(ConfirmScreen("Quitter sans enregistrer ?",
                                           "Un formulaire ouvert a des modifications.",
                                           id="confirm-quit"), answered)
            return
        await self._quit_now()

    async def _quit_now(self) -> None:
        # Let queued writes reach the file before leaving: nothing typed is lost.
        deadline = time.monotonic() + 10
        while self.writes.pending and time.monotonic() < deadline:
            await self.workers.wait_for_complete()
        self.exit()

    def alert(self, message: str, title: str = "Rappel") -> None:
        """A reminder toast (UI thread; from a worker use ``app.call_from_thread``)."""
        self.notify(message, title=title, severity="warning", timeout=15)

