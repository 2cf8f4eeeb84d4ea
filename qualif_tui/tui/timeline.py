"""The card's second part: the contact's history, newest first, with a full-text filter.

Automatic entries (field changes, imports) are dimmed. ``f`` focuses the filter;
the filter runs in a worker (stale searches cancelled) through the core's
full-text search of the timeline.
"""

from __future__ import annotations

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from qualif_tui.base.i18n import _
from qualif_tui.domain.history import HistoryEntry, list_entries
from qualif_tui.storage import Database
from qualif_tui.tui import keymap
from qualif_tui.tui.columns import fit
from qualif_tui.tui.workers import WorkerReports, deliver

ENTRY_LIMIT = 300
# Entries listed at once; the rest follow right after the first paint, so a card with
# thousands of e-mails opens as fast as one with ten (an option costs ~0.3 ms to lay out).
FIRST_PAINT = 40


def when(stamp: str) -> str:
    """``2026-11-20T10:30:00`` → ``20/11/26 10:30``."""
    day = f"{stamp[8:10]}/{stamp[5:7]}/{stamp[2:4]}"
    return f"{day} {stamp[11:16]}" if len(stamp) >= 16 else day


def entry_line(entry: HistoryEntry) -> Text:
    style = "dim" if entry.automatic else ""
    text = Text(when(entry.happened_at) + " ", "dim")
    text.append(fit(entry.kind_label, 12) + " ", style or "bold")
    text.append(entry.subject or entry.body.split("\n", 1)[0], style)
    return text


class FilterInput(Input):
    def on_mount(self) -> None:
        self.cursor_blink = getattr(self.app, "cursor_blink_enabled", True)


class EntryList(OptionList):
    BINDINGS = keymap.bindings(keymap.ENTRY_LIST_KEYS)


class Timeline(WorkerReports, Vertical):
    """Filter line, entries, and the text of the highlighted entry."""

    BINDINGS = keymap.bindings(keymap.TIMELINE_KEYS)

    def __init__(self, db: Database) -> None:
        super().__init__(id="timeline-pane")
        self.db = db
        self.contact_id: int | None = None
        self.entries: list[HistoryEntry] = []

    def compose(self) -> ComposeResult:
        yield FilterInput(placeholder=_("filtrer l'historique (f)"), id="history-filter")
        yield EntryList(id="timeline")
        yield Static("", id="entry-body")

    @property
    def filter_text(self) -> str:
        return self.query_one(FilterInput).value

    def show(self, contact_id: int, entries: list[HistoryEntry]) -> None:
        if contact_id != self.contact_id:
            self.query_one(FilterInput).value = ""
        self.contact_id = contact_id
        if self.filter_text.strip():
            self.search(self.filter_text)
        else:
            self._fill(entries)

    def clear_contact(self) -> None:
        self.contact_id = None
        self._fill([])

    def _fill(self, entries: list[HistoryEntry]) -> None:
        self.entries = entries
        options = self.query_one(EntryList)
        highlighted = options.highlighted
        options.set_options([Option(entry_line(e), id=str(e.id))
                             for e in entries[:FIRST_PAINT]])
        if entries:
            options.highlighted = min(highlighted or 0, min(len(entries), FIRST_PAINT) - 1)
            if len(entries) > FIRST_PAINT:
                self.call_after_refresh(self._fill_rest, entries, highlighted or 0)
        else:
            self.query_one("#entry-body", Static).update(
                Text(_("Aucune entrée.") if self.contact_id else "", "dim"))

    def _fill_rest(self, entries: list[HistoryEntry], highlighted: int) -> None:
        if entries is not self.entries:
            return  # another contact or another filter since
        options = self.query_one(EntryList)
        options.add_options([Option(entry_line(e), id=str(e.id))
                             for e in entries[FIRST_PAINT:]])
        if highlighted >= FIRST_PAINT:
            options.highlighted = min(highlighted, len(entries) - 1)

    @on(Input.Changed, "#history-filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        if self.contact_id is not None:
            self.search(event.value)

    @on(Input.Submitted, "#history-filter")
    def _filter_submitted(self) -> None:
        self.query_one(EntryList).focus()

    @work(thread=True, exclusive=True, group="timeline", exit_on_error=False,
          description="historique")
    def search(self, text: str) -> None:
        contact_id = self.contact_id
        if contact_id is None:
            return
        entries = list_entries(self.db, contact_id, text=text, limit=ENTRY_LIMIT)
        deliver(self, self._searched, contact_id, entries)

    def _searched(self, contact_id: int, entries: list[HistoryEntry]) -> None:
        if contact_id == self.contact_id:
            self._fill(entries)

    @on(OptionList.OptionHighlighted, "#timeline")
    def _highlighted(self, event: OptionList.OptionHighlighted) -> None:
        index = event.option_index
        if 0 <= index < len(self.entries):
            entry = self.entries[index]
            body = Text(f"{entry.kind_label} — {entry.happened_at.replace('T', ' ')[:16]}\n",
                        "dim")
            body.append(entry.subject, "bold")
            if entry.body:
                body.append("\n" + entry.body)
            self.query_one("#entry-body", Static).update(body)

    def action_filter(self) -> None:
        self.query_one(FilterInput).focus()

    def focus_main(self) -> None:
        self.query_one(EntryList).focus()
