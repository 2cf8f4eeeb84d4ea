"""The card's second part: the contact's history, newest first, with a full-text filter.

The list of entries is virtual, like the contact list: a Line-API ``ScrollView``
whose height is the number of entries and whose :meth:`EntryList.render_line`
draws only the lines on screen, from a few pages of entries held in
:class:`EntryPages`. The card hands over the first page; a worker counts the rest
and reads a page when the view reaches it. A contact with 5 000 e-mails opens as
fast as one with ten, and every entry can be scrolled to.

Automatic entries (field changes, imports) are dimmed. ``f`` focuses the filter;
the filter runs in a worker (stale searches cancelled) through the core's
full-text search of the timeline.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.cache import LRUCache
from textual.containers import Vertical
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.widgets import Input, Static
from textual.widgets.option_list import Option

from qualif_tui.domain.history import HistoryEntry, count_entries, list_entries
from qualif_tui.storage import Database
from qualif_tui.tui import keymap
from qualif_tui.tui.columns import fit
from qualif_tui.tui.workers import WorkerReports, deliver

# Entries per page: the card reads the first page with the contact (so this is also
# what it asks for), the others are read when the view reaches them.
ENTRY_LIMIT = 100
MAX_PAGES = 8  # pages held per timeline (the first one always)


def when(stamp: str) -> str:
    """``2026-11-20T10:30:00`` → ``20/11/26 10:30``."""
    day = f"{stamp[8:10]}/{stamp[5:7]}/{stamp[2:4]}"
    return f"{day} {stamp[11:16]}" if len(stamp) >= 16 else day


def entry_parts(entry: HistoryEntry) -> tuple[tuple[str, str], ...]:
    """What an entry's line says, as (text, style) pieces: when, what, the subject.
    Automatic entries (field changes, imports) are dimmed."""
    muted = entry.automatic
    return ((when(entry.happened_at) + " ", "dim"),
            (fit(entry.kind_label, 12) + " ", "dim" if muted else "bold"),
            (entry.subject or entry.body.split("\n", 1)[0], "dim" if muted else ""))


def entry_line(entry: HistoryEntry) -> Text:
    text = Text()
    for part, style in entry_parts(entry):
        text.append(part, style)
    return text


_PART_STYLES = {"dim": Style(dim=True), "bold": Style(bold=True), "": Style()}


class EntryPages:
    """The entries of one timeline (a contact and a filter), a few pages at a time.

    ``total`` is None until counted: only the first page is known then. The object's
    identity names the timeline: a page read for an older one is dropped."""

    def __init__(self, contact_id: int, text: str, first: list[HistoryEntry],
                 total: int | None = None) -> None:
        self.contact_id = contact_id
        self.text = text
        if total is None and len(first) < ENTRY_LIMIT:
            total = len(first)  # the first page is all there is
        self.total = total
        self._pages: OrderedDict[int, list[HistoryEntry]] = OrderedDict({0: first})

    @property
    def length(self) -> int:
        """The entries the view can show now (the first page until counted)."""
        return len(self._pages[0]) if self.total is None else self.total

    def entry(self, index: int) -> HistoryEntry | None:
        page = self._pages.get(index // ENTRY_LIMIT)
        if page is None:
            return None
        offset = index % ENTRY_LIMIT
        return page[offset] if offset < len(page) else None

    def has_page(self, page: int) -> bool:
        return page in self._pages

    def store(self, page: int, entries: list[HistoryEntry]) -> None:
        self._pages[page] = entries
        self._pages.move_to_end(page)
        while len(self._pages) > MAX_PAGES:
            oldest = next(p for p in self._pages if p != 0)
            del self._pages[oldest]


class FilterInput(Input):
    def on_mount(self) -> None:
        self.cursor_blink = getattr(self.app, "cursor_blink_enabled", True)


class EntryList(WorkerReports, ScrollView, can_focus=True):
    """The entries, one line each, newest first, with a cursor (``highlighted``)."""

    BINDINGS = [
        *keymap.bindings(keymap.ENTRY_LIST_KEYS),
        # the moves every list has (the OptionList this replaces had them): not listed
        Binding("down", "cursor_down", show=False),
        Binding("up", "cursor_up", show=False),
        Binding("pagedown", "page_down", show=False),
        Binding("pageup", "page_up", show=False),
        Binding("home", "first", show=False),
        Binding("end", "last", show=False),
    ]
    COMPONENT_CLASSES = {"entry-list--cursor", "entry-list--cursor-blurred",
                         "entry-list--placeholder"}
    # the look of the OptionList this replaces (#timeline in card.tcss sets the rest)
    DEFAULT_CSS = """
    EntryList {
        overflow-x: hidden;
        overflow-y: scroll;  /* always there: a long timeline after a short one moves nothing */
        padding: 0 1;
        color: $foreground;
        background: $surface;
        & > .entry-list--cursor-blurred {
            color: $foreground;
            background: $block-cursor-blurred-background;
        }
        & > .entry-list--placeholder {
            color: $text-muted;
        }
        &:focus {
            background-tint: $foreground 5%;
            & > .entry-list--cursor {
                color: $block-cursor-foreground;
                background: $block-cursor-background;
                text-style: $block-cursor-text-style;
            }
        }
    }
    """

    cursor: reactive[int] = reactive(0, always_update=True, repaint=False)

    @dataclass
    class Highlighted(Message):
        """The cursor moved, or the entry under it arrived (``entry`` None: not yet)."""

        entry_list: EntryList
        index: int
        entry: HistoryEntry | None

        @property
        def control(self) -> EntryList:
            return self.entry_list

    def __init__(self, db: Database, *, id: str | None = None) -> None:  # noqa: A002
        super().__init__(id=id)
        self.db = db
        self.pages: EntryPages | None = None
        self._pending: set[tuple[int, int]] = set()
        self._strips: LRUCache[tuple[object, ...], Strip] = LRUCache(256)
        self._announced: tuple[int, int, bool] | None = None
        self._looks: dict[str, Style] = {}

    # -- what is shown ------------------------------------------------------
    @property
    def total(self) -> int:
        return self.pages.length if self.pages else 0

    @property
    def highlighted(self) -> int | None:
        """The index of the entry under the cursor; None when the list is empty."""
        return self.cursor if self.total else None

    @highlighted.setter
    def highlighted(self, index: int | None) -> None:
        self.move_to(index or 0)

    def entry_at(self, index: int) -> HistoryEntry | None:
        """The entry at ``index`` if its page is held."""
        return self.pages.entry(index) if self.pages and 0 <= index < self.total else None

    # The reading half of the OptionList API, which tests of the card use.
    @property
    def option_count(self) -> int:
        return self.total

    def get_option_at_index(self, index: int) -> Option:
        entry = self.entry_at(index)
        if entry is None:
            raise IndexError(f"entry {index} is not loaded")
        return Option(entry_line(entry), id=str(entry.id))

    def load(self, pages: EntryPages) -> None:
        """Show a timeline: the cursor and the view stay where they were when it is the
        same contact and filter (a refresh after a write), else go to the newest."""
        old = self.pages
        same = old is not None and (old.contact_id, old.text) == (pages.contact_id, pages.text)
        cursor = self.cursor if same else 0
        self.pages = pages
        self._strips.clear()
        self._announced = None
        self._set_height()
        if not same:
            self.scroll_to(y=0, animate=False, immediate=True)
        if pages.total is None:
            self._count(pages)
        self.cursor = max(0, min(cursor, pages.length - 1))
        self._scroll_to_cursor()
        self.refresh()

    def _set_height(self) -> None:
        self.virtual_size = Size(self.scrollable_content_region.width, self.total)

    # -- reading (worker threads) --------------------------------------------
    # its own group: keys typed meanwhile wait for the count (MainScreen.TYPEAHEAD_GROUPS),
    # so that End goes to the last entry, not to the end of the first page
    @work(thread=True, group="timeline-count", exit_on_error=False,
          description="historique (compte)")
    def _count(self, pages: EntryPages) -> None:
        total = count_entries(self.db, pages.contact_id, text=pages.text)
        deliver(self, self._counted, pages, total)

    def _counted(self, pages: EntryPages, total: int) -> None:
        if pages is not self.pages:
            return
        pages.total = total
        self._set_height()
        self._ensure_pages()
        self.refresh()

    def _request(self, page: int) -> None:
        pages = self.pages
        if pages is None or pages.has_page(page) or (id(pages), page) in self._pending:
            return
        if not 0 <= page * ENTRY_LIMIT < pages.length:
            return
        self._pending.add((id(pages), page))
        self._fetch(pages, page)

    @work(thread=True, group="timeline-pages", exit_on_error=False,
          description="historique (page)")
    def _fetch(self, pages: EntryPages, page: int) -> None:
        try:
            entries = list_entries(self.db, pages.contact_id, text=pages.text,
                                   limit=ENTRY_LIMIT, offset=page * ENTRY_LIMIT)
        finally:
            deliver(self, self._done_loading, pages, page)
        deliver(self, self._page_arrived, pages, page, entries)

    def _done_loading(self, pages: EntryPages, page: int) -> None:
        self._pending.discard((id(pages), page))

    def _page_arrived(self, pages: EntryPages, page: int, entries: list[HistoryEntry]) -> None:
        if pages is not self.pages:
            return
        pages.store(page, entries)
        self.refresh()
        self._announce()

    def _ensure_pages(self) -> None:
        top = round(self.scroll_y)
        bottom = top + self._visible_rows()
        for index in (self.cursor, top, bottom):
            self._request(index // ENTRY_LIMIT)

    # -- geometry --------------------------------------------------------------
    def _visible_rows(self) -> int:
        return max(1, self.scrollable_content_region.height)

    def _scroll_to_cursor(self) -> None:
        top = round(self.scroll_y)
        rows = self._visible_rows()
        if self.cursor < top:
            self.scroll_to(y=self.cursor, animate=False, immediate=True)
        elif self.cursor >= top + rows:
            self.scroll_to(y=self.cursor - rows + 1, animate=False, immediate=True)

    def on_resize(self) -> None:
        self._set_height()
        self._strips.clear()
        self._scroll_to_cursor()

    def watch_scroll_y(self, old_value: float, new_value: float) -> None:
        super().watch_scroll_y(old_value, new_value)
        self._ensure_pages()

    # -- cursor ------------------------------------------------------------------
    def watch_cursor(self) -> None:
        self.refresh()  # strips are cached per (entry, cursor or not)
        self._ensure_pages()
        self._announce()

    def _announce(self) -> None:
        if self.pages is None or not self.total:
            return
        entry = self.entry_at(self.cursor)
        key = (id(self.pages), self.cursor, entry is not None)
        if key != self._announced:
            self._announced = key
            self.post_message(self.Highlighted(self, self.cursor, entry))

    def move_to(self, index: int) -> None:
        if self.total:
            self.cursor = max(0, min(index, self.total - 1))
            self._scroll_to_cursor()

    def action_cursor_down(self) -> None:
        self.move_to(self.cursor + 1)

    def action_cursor_up(self) -> None:
        self.move_to(self.cursor - 1)

    def action_page_down(self) -> None:
        step = self._visible_rows()
        self.scroll_to(y=round(self.scroll_y) + step, animate=False, immediate=True)
        self.move_to(self.cursor + step)

    def action_page_up(self) -> None:
        step = self._visible_rows()
        self.scroll_to(y=max(0, round(self.scroll_y) - step), animate=False, immediate=True)
        self.move_to(self.cursor - step)

    def action_first(self) -> None:
        self.move_to(0)

    def action_last(self) -> None:
        self.move_to(self.total - 1)

    def on_click(self, event: events.Click) -> None:
        index = round(self.scroll_y) + event.y
        if 0 <= index < self.total:
            self.move_to(index)

    def on_focus(self) -> None:
        self.refresh()

    def on_blur(self) -> None:
        self.refresh()

    # -- drawing -----------------------------------------------------------------
    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._looks.clear()  # a theme or a class changed: styles and strips again
        self._strips.clear()

    def _look(self, name: str) -> Style:
        """A style of the lines, resolved once (``rich_style`` walks every ancestor)."""
        key = f"{name}:{self.has_focus}"
        style = self._looks.get(key)
        if style is None:
            base = self.rich_style
            if name == "cursor":
                base += self.get_component_rich_style(
                    "entry-list--cursor" if self.has_focus else "entry-list--cursor-blurred")
            elif name == "placeholder":
                base += self.get_component_rich_style("entry-list--placeholder", partial=True)
            style = self._looks[key] = base
        return style

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        index = round(self.scroll_y) + y
        if self.pages is None or index >= self.total:
            return Strip.blank(width, self._look("base"))
        is_cursor = index == self.cursor
        key = (id(self.pages), index, width, is_cursor, self.has_focus)
        cached = self._strips.get(key)
        if cached is not None:
            return cached
        base = self._look("cursor" if is_cursor else "base")
        entry = self.pages.entry(index)
        if entry is None:
            self._request(index // ENTRY_LIMIT)
            style = base + self._look("placeholder") if is_cursor else self._look("placeholder")
            return Strip([Segment("…", style)]).adjust_cell_length(width, base)
        segments = []
        room = width
        for text, name in entry_parts(entry):
            if room <= 0:
                break
            if cell_len(text) > room:
                text = fit(text, room)
            room -= cell_len(text)
            segments.append(Segment(text, base + _PART_STYLES[name]))
        strip = Strip(segments).adjust_cell_length(width, base)
        self._strips[key] = strip
        return strip


class Timeline(WorkerReports, Vertical):
    """Filter line, entries, and the text of the highlighted entry."""

    BINDINGS = keymap.bindings(keymap.TIMELINE_KEYS)

    def __init__(self, db: Database) -> None:
        super().__init__(id="timeline-pane")
        self.db = db
        self.contact_id: int | None = None

    def compose(self) -> ComposeResult:
        yield FilterInput(placeholder="filtrer l'historique (f)", id="history-filter")
        yield EntryList(self.db, id="timeline")
        yield Static("", id="entry-body")

    @property
    def filter_text(self) -> str:
        return self.query_one(FilterInput).value

    def show(self, contact_id: int, entries: list[HistoryEntry]) -> None:
        """The timeline of ``contact_id``, whose first page of entries is ``entries``
        (newest first, at most :data:`ENTRY_LIMIT`)."""
        if contact_id != self.contact_id:
            self.query_one(FilterInput).value = ""
        self.contact_id = contact_id
        if self.filter_text.strip():
            self.search(self.filter_text)
        else:
            self._fill(EntryPages(contact_id, "", entries))

    def clear_contact(self) -> None:
        self.contact_id = None
        self._fill(None)

    def _fill(self, pages: EntryPages | None) -> None:
        entry_list = self.query_one(EntryList)
        entry_list.load(pages or EntryPages(-1, "", []))
        if not entry_list.total:
            self._show_body(Text("Aucune entrée." if self.contact_id else "", "dim"))

    def _show_body(self, text: Text) -> None:
        """The highlighted entry's text, always as tall as its style lets it be: the
        entries above keep one height while the cursor moves, so PageDown moves as far
        whether the entry under the cursor has been read yet or not (keys typed in a
        burst land where keys typed slowly do)."""
        body = self.query_one("#entry-body", Static)
        most = body.styles.max_height
        if most is None or not most.is_cells:
            body.update(text)
            return
        lines = int(most.value) - body.styles.gutter.height
        text = text.copy()
        text.append("\n" * max(0, lines - 1 - text.plain.count("\n")))
        # once that tall, the layout of the screen has nothing to move: a repaint will do
        body.update(text, layout=body.outer_size.height != int(most.value))

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
        total = (count_entries(self.db, contact_id, text=text)
                 if len(entries) == ENTRY_LIMIT else None)
        deliver(self, self._searched, EntryPages(contact_id, text, entries, total))

    def _searched(self, pages: EntryPages) -> None:
        if pages.contact_id == self.contact_id:
            self._fill(pages)

    @on(EntryList.Highlighted, "#timeline")
    def _highlighted(self, event: EntryList.Highlighted) -> None:
        entry = event.entry
        if entry is None:
            self._show_body(Text("…", "dim"))
            return
        body = Text(f"{entry.kind_label} — {entry.happened_at.replace('T', ' ')[:16]}\n", "dim")
        body.append(entry.subject, "bold")
        if entry.body:
            body.append("\n" + entry.body)
        self._show_body(body)

    def action_filter(self) -> None:
        self.query_one(FilterInput).focus()

    def focus_main(self) -> None:
        self.query_one(EntryList).focus()
