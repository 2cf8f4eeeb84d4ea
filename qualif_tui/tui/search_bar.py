"""The search bar: the query line, the count of the result, and query errors inline.

Enter applies the query; ↑/↓ recall earlier ones. The number of matching
contacts is always on screen as a plain number ("1 234 contacts"). A bad query
shows the query again with a caret under the fault, the message and the hint,
while the list keeps the previous result.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import Input, Label, Static

from qualif_tui.base.i18n import _
from qualif_tui.query import QueryError
from qualif_tui.query.completion import Completion, Vocabulary, complete
from qualif_tui.tui import keymap

HISTORY_SIZE = 100
HINTS_SHOWN = 8


def format_count(total: int) -> str:
    """``1234`` → ``1 234 contacts`` (a plain space between thousands)."""
    number = f"{total:,}".replace(",", " ")
    return f"{number} contact{'s' if total > 1 else ''}"


@dataclass
class _Cycle:
    """The last Tab: pressed again, it puts the next candidate in place."""

    before: str
    completion: Completion
    index: int
    after: str


class QueryInput(Input):
    """The query line, with a history of applied queries on ↑/↓, completion on Tab
    (again: the next candidate) and the language reference on F1 or ``?``."""

    BINDINGS = keymap.bindings(keymap.SEARCH_KEYS)

    class Reference(Message):
        """F1 or ? in the query line: show the language."""

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.history: list[str] = []
        self._position: int | None = None
        self._draft = ""
        self._cycle: _Cycle | None = None

    def vocabulary(self) -> Vocabulary:
        source = getattr(self.screen, "query_vocabulary", None)
        return source() if source is not None else Vocabulary()

    def completion(self) -> Completion | None:
        """What the word under the cursor can become."""
        return complete(self.value, self.cursor_position, self.vocabulary())

    def action_complete(self) -> None:
        cycle = self._cycle
        if cycle is not None and self.value == cycle.after:
            found: Completion = cycle.completion
            index, before = cycle.index + 1, cycle.before
        else:
            fresh = self.completion()
            if fresh is None:
                self._cycle = None
                next_pane = getattr(self.screen, "action_next_pane", None)
                if next_pane is not None:
                    next_pane()  # nothing to complete: Tab moves on, as elsewhere
                return
            found, index, before = fresh, 0, self.value
        text, cursor = found.apply(before, index)
        self.value = text
        self.cursor_position = cursor
        self._cycle = _Cycle(before, found, index, text)

    def typeahead_passes(self, event: events.Key) -> bool:
        # "?" opens the language (typeahead.py): the keys after it are not for this line
        return event.is_printable and event.character != "?"

    def action_reference(self) -> None:
        self.post_message(self.Reference())

    async def _on_key(self, event: events.Key) -> None:
        if event.character == "?" and self.value[:self.cursor_position].count('"') % 2 == 0:
            event.stop()
            event.prevent_default()
            self.action_reference()  # "?" means nothing in a query: the reference
            return
        await super()._on_key(event)

    def on_mount(self) -> None:
        self.cursor_blink = getattr(self.app, "cursor_blink_enabled", True)

    def remember(self, text: str) -> None:
        if text in self.history:
            self.history.remove(text)
        self.history.append(text)
        del self.history[:-HISTORY_SIZE]
        self._position = None

    def action_history(self, step: int) -> None:
        if not self.history:
            return
        if self._position is None:
            if step > 0:
                return
            self._draft = self.value
            position = len(self.history) - 1
        else:
            position = self._position + step
        if position >= len(self.history):
            self._position = None
            self.value = self._draft
        else:
            self._position = max(0, position)
            self.value = self.history[self._position]
        self.cursor_position = len(self.value)


class SearchBar(Vertical):
    """The query line and, under it when needed, the error of the last query."""

    @dataclass
    class Submitted(Message):
        text: str

    def compose(self) -> ComposeResult:
        with Horizontal(id="search-line"):
            yield Label("/", id="search-prompt")
            yield QueryInput(id="query", placeholder=_("requête (ex. profil:client dept:31) ↵"
                                                       "   Tab complète   ? aide"),
                             select_on_focus=False)
            yield Static("", id="status")
        yield Static("", id="query-error")
        yield Static("", id="query-hint")

    def on_mount(self) -> None:
        self.query_one("#query-error").display = False
        self.query_one("#query-hint").display = False

    def on_input_changed(self, event: Input.Changed) -> None:
        self.show_candidates()

    def show_candidates(self) -> None:
        """Under the line, while typing: what Tab would complete the word into."""
        field = self.input
        hint = self.query_one("#query-hint", Static)
        found = field.completion() if field.has_focus and field.value else None
        if found is None or len(found.candidates) < 1:
            hint.display = False
            return
        shown = list(found.candidates[:HINTS_SHOWN])
        text = Text("  Tab ", "bold")
        text.append(" · ".join(shown), "dim")
        if len(found.candidates) > HINTS_SHOWN:
            text.append(f" … (+{len(found.candidates) - HINTS_SHOWN})", "dim")
        hint.update(text)
        hint.display = True

    def on_descendant_blur(self) -> None:
        self.query_one("#query-hint").display = False

    @property
    def input(self) -> QueryInput:
        return self.query_one(QueryInput)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.post_message(self.Submitted(event.value))

    def show_status(self, total: int | None, sort_label: str, busy: str = "",
                    note: str = "") -> None:
        text = Text()
        if note:  # the demo: nothing is kept
            text.append(f"{note}  ", "bold reverse")
        text.append(format_count(total) if total is not None else "… contacts", "bold")
        text.append(f"  tri : {sort_label}", "dim")
        if busy:
            text.append(f"  ⧗ {busy}", "italic")
        self.query_one("#status", Static).update(text)

    def show_error(self, error: QueryError) -> None:
        lines = Text()
        caret = error.caret_lines()
        if caret:
            lines.append(f"  {caret[0]}\n")
            lines.append(f"  {caret[1]}\n", "bold red")
        lines.append(f"  ✗ {error.message}", "red")
        if error.position is not None:
            lines.append(f" (colonne {error.position + 1})", "red")
        if error.hint:
            lines.append(f"\n  ↳ {error.hint}", "italic")
        widget = self.query_one("#query-error", Static)
        widget.update(lines)
        widget.display = True

    def show_warnings(self, warnings: tuple[str, ...] | list[str]) -> None:
        """What the query means but probably not what was meant (an unknown value of a
        choice key matches nobody): said under the line, the result still shown."""
        lines = Text()
        for index, warning in enumerate(warnings):
            if index:
                lines.append("\n")
            lines.append(f"  ⚠ {warning}", "yellow")
        widget = self.query_one("#query-error", Static)
        widget.update(lines)
        widget.display = True

    def clear_error(self) -> None:
        widget = self.query_one("#query-error", Static)
        widget.update("")
        widget.display = False

    @property
    def error_shown(self) -> bool:
        return bool(self.query_one("#query-error").display)
