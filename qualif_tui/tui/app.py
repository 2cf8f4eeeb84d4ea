"""The Textual app: one open :class:`Database`, the main screen, help, themes, quitting.

``QualifApp(db).run()`` is all the CLI does. The app holds the database and the
ordered write queue every screen writes through (:attr:`QualifApp.writes`);
core calls run in thread workers, serialised by ``db.lock``.

Other screens plug in by pushing themselves (``app.push_screen(...)``) and
writing through ``app.writes``; a toast from a worker thread goes through
:meth:`QualifApp.alert` with ``app.call_from_thread``.
"""

from __future__ import annotations

import gc
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from textual import events, work
from textual.app import App, SystemCommand
from textual.command import CommandPalette
from textual.screen import Screen

from qualif_tui.base.i18n import _
from qualif_tui.query import QueryEngine
from qualif_tui.storage import (
    Database,
    StorageError,
    backup_database,
    erasure,
    interrupt_all,
    quick_check_file,
)
from qualif_tui.tui import keymap
from qualif_tui.tui.agenda import AgendaScreen, AlarmWatcher
from qualif_tui.tui.commands import ActionsProvider
from qualif_tui.tui.dialogs import DemoQuitScreen
from qualif_tui.tui.help import KEY_FIELD_NOTE, HelpScreen, context_lines, other_lines
from qualif_tui.tui.main_screen import MainScreen
from qualif_tui.tui.palette import Palette
from qualif_tui.tui.qualification import KeyField
from qualif_tui.tui.typeahead import TypeAhead
from qualif_tui.tui.user_keys import load_user_keymap
from qualif_tui.tui.workers import WorkerReports, WriteJob, WriteQueue

THEMES = ("textual-dark", "textual-light")


class QualifApp(WorkerReports, App[None]):
    CSS_PATH = ["app.tcss", "main.tcss", "card.tcss", "forms.tcss", "sprint.tcss",
                "transfer.tcss", "mail_import.tcss", "pipeline.tcss", "clean.tcss"]
    TITLE = "qualif"
    BINDINGS = keymap.bindings(keymap.APP_KEYS)
    # every screen's palette: its own actions (PALETTE_KEYS), in French (palette.py)
    COMMANDS = {ActionsProvider}
    NOTIFICATION_TIMEOUT = 4

    def __init__(self, db: Database, *, cursor_blink: bool = True,
                 theme: str | None = None, verify: bool | None = None,
                 demo: bool = False) -> None:
        """``verify``: run the file's quick check in the background, holding writes
        until it passes; by default when ``open_database`` deferred it (a big file,
        where it takes seconds). ``demo``: the file is a throwaway copy (``--demo``):
        the title says so and quitting offers to keep a copy."""
        super().__init__()
        self.db = db
        self.demo = demo
        self._demo_answered = False
        # the file's query engine (its caches and bitmaps) lives as long as the app
        self.engine = QueryEngine.of(db)
        self.writes = WriteQueue(self)
        self.cursor_blink_enabled = cursor_blink  # off for snapshot tests
        self.verify = db.quick_check_pending if verify is None else verify
        self.alarms: AlarmWatcher | None = None
        self.typeahead = TypeAhead(self)
        self.user_keymap = load_user_keymap()
        if theme:
            self.theme = theme

    async def on_event(self, event: events.Event) -> None:
        # keys typed faster than the screens get ready wait their turn (typeahead.py)
        if (isinstance(event, events.Key) and not event.is_forwarded
                and not self._quits(event) and self.typeahead.intercept(event)):
            return
        await super().on_event(event)

    def _quits(self, event: events.Key) -> bool:
        """The quit key never waits: a search that runs on (or never ends) is what
        quitting stops, so it cannot hold that key back."""
        return any(binding.action == "quit"
                   for binding in self._bindings.key_to_bindings.get(event.key, ()))

    def on_mount(self) -> None:
        self.sub_title = _("démo — rien n'est gardé") if self.demo else str(self.db.path)
        if self.user_keymap.keys:
            self.set_keymap(self.user_keymap.keys)
        self.push_screen(MainScreen(self.db))
        if self.verify:
            self.writes.hold()

    def on_main_screen_ready(self) -> None:
        # Everything built so far (widgets, styles, modules) lives as long as the
        # app: out of the collector's sight, a full collection no longer walks it
        # (~40 ms pauses every twenty PageDowns at 1M contacts, tui_bench.py).
        # Garbage first (what is frozen is never collected), once the list is painted.
        self.call_after_refresh(self._freeze_launch_objects)
        for problem in self.user_keymap.problems:
            self.notify(problem, title=_("Fichier des touches"), severity="warning",
                        timeout=12, markup=False)
        # background work starts once the list is on screen, so the launch is not slower
        if self.verify:
            self.verify = False
            self._check_file()  # the alarms start once it passes (they write the file)
        else:
            self._start_alarms()
        if erasure.pending(self.db):  # a deletion a crash left half-erased: finish it
            self.writes.submit(WriteJob("Effacement définitif",
                                        lambda: erasure.complete_erasure(self.db)))

    @staticmethod
    def _freeze_launch_objects() -> None:
        gc.collect()
        gc.freeze()

    def _start_alarms(self) -> None:
        if self.alarms is None:
            self.alarms = AlarmWatcher.start(self, self.db)

    @work(thread=True, exclusive=True, group="verify", exit_on_error=False,
          description="vérification du fichier")
    def _check_file(self) -> None:
        try:
            # its own connection: db.lock would otherwise keep every read waiting
            quick_check_file(self.db.path)
        except StorageError as error:  # damaged (CorruptDatabase) or unreadable
            reason = f"{error}: nothing will be written"
        else:
            self.db.quick_check_pending = False
            self.writes.release()
            self.call_from_thread(self._start_alarms)
            return
        self.writes.refuse(reason)  # before any held write can run
        self.call_from_thread(self.notify, reason, title="Fichier endommagé",
                              severity="error", timeout=3600)

    # -- the palette, in the app's language --------------------------------------
    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        return ()  # Textual's (Keys, Maximize, Screenshot, Theme): ours cover them

    def action_command_palette(self) -> None:
        if self.use_command_palette and not CommandPalette.is_open(self):  # type: ignore[arg-type]
            self.push_screen(Palette())

    # -- app-wide actions -----------------------------------------------------
    def action_help(self) -> None:
        if isinstance(self.screen, HelpScreen):
            return
        lines = context_lines(self.screen)
        others = (other_lines(lines, self.user_keymap.keys)
                  if isinstance(self.screen, MainScreen) else [])
        note = KEY_FIELD_NOTE if isinstance(self.focused, KeyField) else ""
        self.push_screen(HelpScreen(lines, others, note))

    def action_agenda(self) -> None:
        if not isinstance(self.screen, (AgendaScreen, HelpScreen)):
            self.push_screen(AgendaScreen(self.db))

    def action_pipeline(self) -> None:
        """The pipeline of the main screen's current result (``p``, from anywhere)."""
        from qualif_tui.tui.pipeline_screen import PipelineScreen

        if isinstance(self.screen, (PipelineScreen, HelpScreen)):
            return
        main = self._main_screen()
        query = main.compiled if main is not None else None
        label = main.query_text if main is not None else ""

        def closed(_result: object) -> None:
            if main is not None:
                main.refresh_after_write(main.current_contact_id)

        self.push_screen(PipelineScreen(self.db, query, label), closed)

    def on_pipeline_screen_open_contact(self, message: object) -> None:
        """↵ on a deal of the pipeline: its contact's card."""
        contact_id = getattr(message, "contact_id", None)
        main = self._main_screen()
        if main is None or contact_id is None:
            return
        while self.screen is not main and len(self.screen_stack) > 1:
            self.pop_screen()
        main.go_to_contact(contact_id)
        main.card.focus_pane("deals")

    def action_open_alarm(self) -> None:
        if self.alarms is None or not self.alarms.open_last():
            self.bell()

    def on_agenda_screen_open_contact(self, message: AgendaScreen.OpenContact) -> None:
        """Enter on an agenda item, or ctrl+o after an alarm: that contact's card."""
        main = self._main_screen()
        if main is None:
            return
        while self.screen is not main and len(self.screen_stack) > 1:
            self.pop_screen()
        main.go_to_contact(message.contact_id)

    def on_agenda_screen_changed(self, _message: AgendaScreen.Changed) -> None:
        # done / moved activities show on the card's agenda pane and last contact
        main = self._main_screen()
        if main is not None:
            main.refresh_after_write(main.current_contact_id)

    def _main_screen(self) -> MainScreen | None:
        return next((s for s in self.screen_stack if isinstance(s, MainScreen)), None)

    def action_toggle_theme(self) -> None:
        self.theme = THEMES[1] if self.theme == THEMES[0] else THEMES[0]

    async def action_quit(self) -> None:
        from qualif_tui.tui.dialogs import ConfirmScreen

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
        if self.demo and not self._demo_answered and not isinstance(self.screen,
                                                                     DemoQuitScreen):
            self.push_screen(DemoQuitScreen(), self._demo_quit_answered)
            return
        await self._quit_now()

    def _demo_quit_answered(self, keep: Path | bool | None) -> None:
        """The demo's question on quitting: a path (keep a copy there), False (quit
        without keeping), None (back to the app)."""
        if keep is None:
            return
        message = None
        if isinstance(keep, Path):
            try:
                target = backup_database(self.db, keep)
            except StorageError as error:
                self.notify(str(error), title=_("Copie impossible"), severity="error")
                return
            message = _("Copie de la démo enregistrée : {path}").format(path=target)
        self._demo_answered = True
        self.call_later(self._quit_now, message)

    async def _quit_now(self, message: str | None = None) -> None:
        # Let queued writes reach the file before leaving: nothing typed is lost.
        deadline = time.monotonic() + 10
        while self.writes.pending and time.monotonic() < deadline:
            await self.workers.wait_for_complete()
        # a statement still running (a search at 1M contacts, a write a hostile file
        # made endless) must not keep the process alive after the screen is gone
        interrupt_all()
        self.exit(message=message)

    def alert(self, message: str, title: str = "Rappel") -> None:
        """A reminder toast (UI thread; from a worker use ``app.call_from_thread``)."""
        self.notify(message, title=title, severity="warning", timeout=15)

