"""The qualification sprint (``Q``): the current result, one contact at a time,
showing only the keys it lacks — one keystroke per value, then on to the next.

Contacts come from the core in small keyset batches of the result restricted
to incomplete contacts (never the whole result). Answers go through the app's
ordered write queue while the screen moves on at once; ``u`` undoes the last
answer (value back, history entry gone) and returns to it.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

from rich.text import Text
from textual import events, on, work
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import ModalScreen, Screen
from textual.widgets import Input, Label, OptionList, ProgressBar, Static
from textual.widgets.option_list import Option

from qualif_tui.base.i18n import _
from qualif_tui.domain.keys import QualKey
from qualif_tui.domain.qualify import Answer, answer, missing_keys, undo_answer
from qualif_tui.domain.qualify import toggle as toggle_value
from qualif_tui.query import CompiledQuery, ContactRow, Cursor, count, fetch_page
from qualif_tui.query.derived import missing_any
from qualif_tui.storage import Database
from qualif_tui.tui import keymap
from qualif_tui.tui.dialogs import BlinkInput
from qualif_tui.tui.footer import KeyFooter
from qualif_tui.tui.keystrokes import TYPED, choices_hint, starts_typing, value_for
from qualif_tui.tui.workers import WorkerReports, WriteJob, deliver

BATCH = 25


class SprintKeyChoice(ModalScreen[list[QualKey] | None]):
    """``Q``: which key to sprint on — one keystroke: its number, or 0 / ↵ for every
    missing key. On one key, each contact is one keystroke: ten in twelve."""

    BINDINGS = [keymap.described("escape", "cancel", "Annuler", id="sprint_choice.cancel")]

    def __init__(self, keys: list[QualKey]) -> None:
        super().__init__(classes="dialog-screen")
        self.keys = keys

    def compose(self) -> ComposeResult:
        options = [Option(Text.assemble(("0 ", "bold"), _("toutes les clés manquantes")),
                          id="all")]
        for number, key in enumerate(self.keys, start=1):
            label = str(number) if number <= 9 else " "
            options.append(Option(Text.assemble((f"{label} ", "bold"), key.display_name),
                                  id=str(number - 1)))
        with Vertical(classes="dialog"):
            yield Label(_("Sprint de qualification : sur quelle clé ?"), classes="dialog-title")
            yield OptionList(*options, id="sprint-choice")
            yield Static(Text(_("1–9 une clé   0 / ↵ toutes   échap annuler"), "dim"),
                         classes="dialog-keys")

    def on_mount(self) -> None:
        self.query_one("#sprint-choice", OptionList).focus()

    def on_key(self, event: events.Key) -> None:
        character = event.character or ""
        if character.isdigit():
            event.stop()
            event.prevent_default()
            number = int(character)
            if number == 0:
                self.dismiss(self.keys)
            elif number <= len(self.keys):
                self.dismiss([self.keys[number - 1]])
            else:
                self.app.bell()

    @on(OptionList.OptionSelected, "#sprint-choice")
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        ident = event.option.id or "all"
        self.dismiss(self.keys if ident == "all" else [self.keys[int(ident)]])

    def action_cancel(self) -> None:
        self.dismiss(None)


@dataclass
class Step:
    """Where the sprint stood when an answer was given (to come back on undo)."""

    row: ContactRow
    missing: list[QualKey]
    key_index: int
    position: int
    key: QualKey
    previous: object = None
    answer: Answer | None = None


@dataclass
class SprintState:
    total: int | None = None
    position: int = 0
    row: ContactRow | None = None
    missing: list[QualKey] = field(default_factory=list)
    key_index: int = 0
    finished: bool = False


class SprintScreen(WorkerReports, Screen[int]):
    """Walk the incomplete contacts of a result and fill their missing keys."""

    BINDINGS = keymap.bindings(keymap.SPRINT_KEYS)
    AUTO_FOCUS = ""
    PALETTE_KEYS = keymap.APP_KEYS + keymap.SPRINT_KEYS

    def __init__(self, db: Database, query: CompiledQuery, sort: str, keys: list[QualKey],
                 label: str) -> None:
        super().__init__()
        self.db = db
        self.keys = keys
        self.sort = sort
        self.label = label
        self.incomplete = missing_any(query, keys)
        self.state = SprintState()
        self.buffer: deque[ContactRow] = deque()
        self.last_fetched: Cursor | None = None
        self.exhausted = False
        self.fetching = False
        self.waiting = False
        self.steps: list[Step] = []
        self.answered = 0

    def typeahead_ready(self) -> bool:
        """Digits typed before the next contact is here wait for it (typeahead.py)."""
        return self.state.finished or (self.state.row is not None and not self.waiting)

    def compose(self) -> ComposeResult:
        with Vertical(id="sprint"):
            yield Static(Text.assemble((_("Sprint de qualification"), "bold"), "  ",
                                       (self.label or _("tous les contacts"), "italic")),
                         id="sprint-title")
            yield Static("", id="sprint-progress")
            yield ProgressBar(show_eta=False, show_percentage=False, id="sprint-bar")
            yield Static("", id="sprint-contact")
            yield Static("", id="sprint-keys")
            yield BlinkInput(id="sprint-input", select_on_focus=False)
            yield Static("", id="sprint-message")
        yield KeyFooter()

    def on_mount(self) -> None:
        self.query_one("#sprint-input").display = False
        self.query_one("#sprint-contact", Static).update(Text(_("Recherche des contacts à qualifier…"), "dim"))
        self._start()

    # -- loading ---------------------------------------------------------------
    @work(thread=True, exclusive=True, group="sprint", exit_on_error=False,
          description="sprint : contacts à qualifier")
    def _start(self) -> None:
        # the first contacts come before the count: on a big file counting the
        # incomplete ones takes seconds, and the user can start answering meanwhile
        rows = fetch_page(self.db, self.incomplete, sort=self.sort, limit=BATCH, keys=self.keys)
        deliver(self, self._started, rows)
        deliver(self, self._counted, count(self.db, self.incomplete))

    def _started(self, rows: list[ContactRow]) -> None:
        self._add_rows(rows)
        self._next_contact()

    def _counted(self, total: int) -> None:
        self.state.total = total
        self.query_one("#sprint-bar", ProgressBar).update(total=max(1, total))
        self._redraw()

    def _add_rows(self, rows: list[ContactRow]) -> None:
        self.fetching = False
        self.buffer.extend(rows)
        if rows:
            self.last_fetched = rows[-1].cursor
        if len(rows) < BATCH:
            self.exhausted = True

    def _refill(self) -> None:
        if self.fetching or self.exhausted or len(self.buffer) > 5:
            return
        self.fetching = True
        self._fetch_more(self.last_fetched)

    @work(thread=True, group="sprint-more", exit_on_error=False,
          description="sprint : contacts suivants")
    def _fetch_more(self, after: Cursor | None) -> None:
        rows = fetch_page(self.db, self.incomplete, sort=self.sort, after=after, limit=BATCH,
                          keys=self.keys)
        deliver(self, self._more, rows)

    def _more(self, rows: list[ContactRow]) -> None:
        self._add_rows(rows)
        if self.waiting:
            self.waiting = False
            self._next_contact()

    # -- walking -----------------------------------------------------------------
    def _next_contact(self) -> None:
        state = self.state
        while True:
            if not self.buffer:
                if self.exhausted:
                    state.row, state.finished = None, True
                    self._redraw()
                    return
                self.waiting = True
                self._refill()
                self._redraw()
                return
            row = self.buffer.popleft()
            missing = missing_keys(row.keys, self.keys)
            if missing:
                break
        state.row, state.missing, state.key_index = row, missing, 0
        state.position += 1
        self._refill()
        self._redraw()

    def _advance_key(self) -> None:
        self.state.key_index += 1
        if self.state.key_index >= len(self.state.missing):
            self._next_contact()
        else:
            self._redraw()

    @property
    def current_key(self) -> QualKey | None:
        state = self.state
        if state.row is None or state.finished or not state.missing:
            return None
        return state.missing[state.key_index]

    # -- answering ---------------------------------------------------------------
    def on_key(self, event: events.Key) -> None:
        key = self.current_key
        if key is None or self.query_one("#sprint-input").display:
            return
        character = event.character or ""
        if character == "u" or event.key in ("space", "enter", "escape"):
            return  # undo / skip / confirm / leave are bindings
        value = value_for(key, character)
        if value is not None:
            event.stop()
            event.prevent_default()
            self._answer(key, value, toggle=key.type == "multi")
        elif starts_typing(key, character):
            event.stop()
            event.prevent_default()
            self._start_typing(character)

    def action_edit(self) -> None:
        key = self.current_key
        if key is None:
            return
        if key.type in TYPED:
            self._start_typing("")
        elif key.type == "multi":
            self._advance_key()

    def _start_typing(self, initial: str) -> None:
        field = self.query_one("#sprint-input", Input)
        field.value = initial
        field.display = True
        field.focus()
        field.cursor_position = len(initial)

    def _stop_typing(self) -> None:
        field = self.query_one("#sprint-input", Input)
        field.value = ""
        field.display = False
        self.set_focus(None)

    @on(Input.Submitted, "#sprint-input")
    def _typed(self, event: Input.Submitted) -> None:
        event.stop()
        key = self.current_key
        text = event.value.strip()
        if key is None:
            return
        if not text:
            self._stop_typing()
            self._advance_key()
            return
        try:
            key.encode(text)
        except Exception as error:  # noqa: BLE001 - shown to the user, who retypes
            self._message(str(error), "red")
            return
        self._stop_typing()
        self._answer(key, text)

    def _answer(self, key: QualKey, value: object, *, toggle: bool = False) -> None:
        state = self.state
        row = state.row
        assert row is not None
        step = Step(row, list(state.missing), state.key_index, state.position, key,
                    row.keys.get(key.name))
        self.steps.append(step)
        self.answered += 1
        contact_id = row.id
        if toggle:
            current = row.keys.get(key.name)
            chosen = list(current) if isinstance(current, list) else []
            name = str(value)
            chosen = [v for v in chosen if v != name] if name in chosen else [*chosen, name]
            row.keys[key.name] = chosen or None
            self._submit(step, lambda: toggle_value(self.db, contact_id, key, name))
            self._redraw()
            return
        row.keys[key.name] = value  # type: ignore[assignment]
        self._submit(step, lambda: answer(self.db, contact_id, key, value))
        self._message(f"{key.display_name} : {value if value is not True else 'oui'}"
                      if value is not False else _("{display_name} : non").format(display_name=key.display_name), "green")
        self._advance_key()

    def _submit(self, step: Step, run: Callable[[], Answer | None]) -> None:
        self.app.writes.submit(WriteJob(  # type: ignore[attr-defined]
            "Sprint", run, done=lambda done: self._written(step, done),
            failed=lambda error: self._failed(step)))

    def _written(self, step: Step, done: Answer | None) -> None:
        step.answer = done

    def _failed(self, step: Step) -> None:
        step.row.keys[step.key.name] = step.previous  # type: ignore[assignment]
        if step in self.steps:
            self.answered = max(0, self.answered - 1)
            self._go_back_to(step)
            self.steps.remove(step)

    def _go_back_to(self, step: Step) -> None:
        state = self.state
        if state.row is not None and state.row is not step.row:
            self.buffer.appendleft(state.row)
        state.row, state.missing = step.row, step.missing
        state.key_index, state.position, state.finished = step.key_index, step.position, False
        self._redraw()

    def action_undo(self) -> None:
        if not self.steps:
            self._message(_("Rien à annuler."), "yellow")
            return
        step = self.steps.pop()

        def undo() -> None:
            if step.answer is not None:
                undo_answer(self.db, step.answer)

        self.app.writes.submit(WriteJob(  # type: ignore[attr-defined]
            "Annulation", undo, done=lambda _: None))
        step.row.keys[step.key.name] = step.previous  # type: ignore[assignment]
        self.answered = max(0, self.answered - 1)
        self._go_back_to(step)
        self._message(_("Réponse annulée."), "yellow")

    def action_skip_key(self) -> None:
        if self.current_key is not None:
            self._advance_key()

    def action_skip_contact(self) -> None:
        if self.state.row is not None:
            self._next_contact()

    def action_leave(self) -> None:
        if self.query_one("#sprint-input").display:
            self._stop_typing()
            return
        self.dismiss(self.answered)

    # -- drawing -------------------------------------------------------------------
    def _message(self, text: str, style: str = "") -> None:
        self.query_one("#sprint-message", Static).update(Text(text, style))

    def _redraw(self) -> None:
        state = self.state
        total = "…" if state.total is None else str(state.total)
        progress = self.query_one("#sprint-progress", Static)
        progress.update(Text.assemble((f"{state.position}/{total}", "bold"),
                                      _("  contacts à qualifier"), (_("   {answered} réponse(s)").format(answered=self.answered),
                                                                 "dim")))
        self.query_one("#sprint-bar", ProgressBar).update(progress=max(0, state.position - 1))
        contact = self.query_one("#sprint-contact", Static)
        keys = self.query_one("#sprint-keys", Static)
        if state.finished:
            contact.update(Text.assemble((_("Sprint terminé"), "bold green"),
                                         _(" : {answered} réponse(s). Échap pour revenir.").format(answered=self.answered)))
            keys.update("")
            return
        if state.row is None:
            contact.update(Text(_("Chargement…"), "dim"))
            keys.update("")
            return
        row = state.row
        text = Text(row.name, "bold")
        details = [p for p in (row.company if row.company != row.name else "",
                               " ".join(x for x in (row.postal_code, row.city) if x),
                               row.mobile or row.phone, row.email) if p]
        if details:
            text.append("\n" + "  ·  ".join(details), "dim")
        contact.update(text)
        lines = Text()
        for index, key in enumerate(state.missing):
            current = row.keys.get(key.name)
            if index == state.key_index:
                lines.append(f"▶ {key.display_name}\n", "bold reverse")
                lines.append("   ")
                lines.append_text(choices_hint(key, current))
                lines.append("\n")
            elif index < state.key_index:
                shown = current if current not in (None, []) else _("passé")
                lines.append(f"  {key.display_name} : {shown}\n", "dim")
            else:
                lines.append(f"  {key.display_name}\n")
        keys.update(lines)
