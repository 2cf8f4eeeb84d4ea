"""The virtual contact list: a Line-API ScrollView over a few SQL pages of a result.

The widget's virtual height is the result's count (plus the header line);
:meth:`render_line` draws only the lines on screen, from the pages a
:class:`~qualif_tui.tui.paging.PageSource` holds, and asks a worker for a page
it lacks (drawing a placeholder meanwhile). A million contacts cost what a
hundred do: the count, and the few pages around the cursor.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.segment import Segment
from rich.style import Style
from textual import events, work
from textual.cache import LRUCache
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from qualif_tui.base.i18n import _
from qualif_tui.domain.keys import QualKey
from qualif_tui.query import SORTS, ContactRow
from qualif_tui.tui import keymap
from qualif_tui.tui.columns import GAP, Column, fit, layout
from qualif_tui.tui.paging import PagePlan, PageSource
from qualif_tui.tui.workers import WorkerReports, deliver


class ContactList(WorkerReports, ScrollView, can_focus=True):
    """Contacts of the current result, one line each, with a row cursor."""

    BINDINGS = keymap.bindings(keymap.LIST_KEYS)
    COMPONENT_CLASSES = {
        "contact-list--header",
        "contact-list--cursor",
        "contact-list--cursor-blurred",
        "contact-list--placeholder",
        "contact-list--missing",
    }
    DEFAULT_CSS = """
    ContactList {
        overflow-x: hidden;
        overflow-y: scroll;
    }
    """

    cursor: reactive[int] = reactive(0, always_update=True, repaint=False)

    @dataclass
    class Highlighted(Message):
        """The cursor is on a contact (its row is loaded)."""

        contact_list: ContactList
        row: ContactRow | None
        index: int

    @dataclass
    class Chosen(Message):
        """Enter (or a double click) on a contact."""

        contact_list: ContactList
        row: ContactRow

    def __init__(self, **kwargs: str | None) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.source: PageSource | None = None
        self._stale: PageSource | None = None
        self._pending: set[tuple[int, int]] = set()
        self._strips: LRUCache[tuple[object, ...], Strip] = LRUCache(512)
        self._columns: tuple[int, tuple[str, ...], list[Column]] | None = None
        self._announced: int | None = None

    # -- data --------------------------------------------------------------
    @property
    def total(self) -> int:
        return self.source.total if self.source else 0

    @property
    def keys(self) -> list[QualKey]:
        return self.source.keys if self.source else []

    @property
    def current_row(self) -> ContactRow | None:
        return self._row(self.cursor)

    def load(self, source: PageSource, rows: list[ContactRow] | None = None, page: int = 0,
             cursor: int = 0, *, keep_view: bool = False) -> None:
        """Show a (new) result. ``keep_view`` keeps the old rows on screen until
        the fresh pages arrive (a refresh after a write), instead of placeholders."""
        self._stale = self.source if keep_view else None
        self.source = source
        self._pending.clear()
        self._strips.clear()
        self._announced = None
        if rows is not None:
            source.store(page, rows)
        self.virtual_size = Size(self.scrollable_content_region.width, source.total + 1)
        cursor = max(0, min(cursor, source.total - 1))
        if not keep_view:
            self.scroll_to(y=max(0, cursor - self._visible_rows() // 2), animate=False,
                           immediate=True)
        self.cursor = cursor
        self._scroll_to_cursor()
        self.refresh()

    def row_at(self, index: int) -> ContactRow | None:
        """The row at ``index`` if it is held (or still shown from before a refresh)."""
        return self._row(index) if 0 <= index < self.total else None

    def _row(self, index: int) -> ContactRow | None:
        if self.source is None:
            return None
        row = self.source.row(index)
        if row is None and self._stale is not None and self._stale.total == self.source.total:
            row = self._stale.row(index)
        return row

    def _request(self, page: int) -> None:
        source = self.source
        if source is None or source.has_page(page) or (id(source), page) in self._pending:
            return
        if not 0 <= page < source.page_count:
            return
        plan = source.plan(page)
        if plan.how == "offset" and any(pending[0] == id(source) for pending in self._pending):
            # after a jump, fetch one page by offset (slow deep in a big result) and
            # its neighbours by keyset from it once it is here, not all by offset
            return
        self._pending.add((id(source), page))
        self._fetch(source, plan)

    @work(thread=True, group="pages", exit_on_error=False, description="page de contacts")
    def _fetch(self, source: PageSource, plan: PagePlan) -> None:
        try:
            rows = source.fetch(plan)
        finally:
            deliver(self, self._done_loading, source, plan.page)
        deliver(self, self._page_arrived, source, plan.page, rows)

    def _done_loading(self, source: PageSource, page: int) -> None:
        self._pending.discard((id(source), page))

    def _page_arrived(self, source: PageSource, page: int, rows: list[ContactRow]) -> None:
        if source is not self.source:
            return
        source.store(page, rows)
        self._ensure_pages()  # neighbours deferred until now go by keyset
        first, last = self._visible_span()
        if all(source.has_page(p) for p in range(source.page_of(first),
                                                   source.page_of(max(first, last)) + 1)):
            self._stale = None
        self.refresh()
        self._announce()

    def _ensure_pages(self) -> None:
        if self.source is None:
            return
        first, last = self._visible_span()
        cursor_page = self.source.page_of(self.cursor)
        for page in [cursor_page, *self.source.pages_for(first, last)]:
            self._request(page)

    # -- geometry ----------------------------------------------------------
    def _visible_rows(self) -> int:
        return max(1, self.scrollable_content_region.height - 1)

    def _visible_span(self) -> tuple[int, int]:
        top = round(self.scroll_y)
        return top, top + self._visible_rows() - 1

    def _scroll_to_cursor(self) -> None:
        top, bottom = self._visible_span()
        if self.cursor < top:
            self.scroll_to(y=self.cursor, animate=False, immediate=True)
        elif self.cursor > bottom:
            self.scroll_to(y=self.cursor - self._visible_rows() + 1, animate=False,
                           immediate=True)

    def on_resize(self) -> None:
        if self.source is not None:
            self.virtual_size = Size(self.scrollable_content_region.width, self.source.total + 1)
        self._columns = None
        self._strips.clear()
        self._scroll_to_cursor()

    def watch_scroll_y(self, old_value: float, new_value: float) -> None:
        super().watch_scroll_y(old_value, new_value)
        self._ensure_pages()

    # -- cursor --------------------------------------------------------------
    def watch_cursor(self, old: int, new: int) -> None:
        # strips are cached per (row, cursor or not): only two lines change look
        self.refresh()
        self._ensure_pages()
        self._announce()

    def _announce(self) -> None:
        row = self._row(self.cursor)
        key = None if row is None else row.id
        if self.total == 0:
            key = -1
        if key is None or key == self._announced:
            return
        self._announced = key
        self.post_message(self.Highlighted(self, row, self.cursor))

    def move_to(self, index: int) -> None:
        if self.total == 0:
            return
        self.cursor = max(0, min(index, self.total - 1))
        self._scroll_to_cursor()

    def action_cursor_down(self) -> None:
        self.move_to(self.cursor + 1)

    def action_cursor_up(self) -> None:
        self.move_to(self.cursor - 1)

    def action_page_down(self) -> None:
        step = self._visible_rows()
        top = round(self.scroll_y)
        self.scroll_to(y=top + step, animate=False, immediate=True)
        self.move_to(self.cursor + step)

    def action_page_up(self) -> None:
        step = self._visible_rows()
        top = round(self.scroll_y)
        self.scroll_to(y=max(0, top - step), animate=False, immediate=True)
        self.move_to(self.cursor - step)

    def action_first(self) -> None:
        self.move_to(0)

    def action_last(self) -> None:
        self.move_to(self.total - 1)

    def action_choose(self) -> None:
        row = self.current_row
        if row is not None:
            self.post_message(self.Chosen(self, row))

    def on_click(self, event: events.Click) -> None:
        if event.y < 1:
            return
        index = round(self.scroll_y) + event.y - 1
        if 0 <= index < self.total:
            self.move_to(index)
            if event.chain == 2:
                self.action_choose()

    def on_focus(self) -> None:
        self.refresh()

    def on_blur(self) -> None:
        self.refresh()

    # -- drawing -------------------------------------------------------------
    def columns(self) -> list[Column]:
        width = self.scrollable_content_region.width - 1
        names = tuple(k.name for k in self.keys)
        if self._columns is None or self._columns[:2] != (width, names):
            self._columns = (width, names, layout(width, self.keys))
        return self._columns[2]

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        if y == 0:
            return self._header(width)
        index = round(self.scroll_y) + y - 1
        if self.source is None or index >= self.total:
            if index == 0 and self.source is not None:
                style = self.get_component_rich_style("contact-list--placeholder")
                return Strip([Segment(" " + _("Aucun contact ne correspond."), style)]
                             ).extend_cell_length(width, self.rich_style)
            return Strip.blank(width, self.rich_style)
        is_cursor = index == self.cursor
        cache_key = (id(self.source), index, width, is_cursor, self.has_focus)
        cached = self._strips.get(cache_key)
        if cached is not None:
            return cached
        row = self.source.row(index)
        fresh = row is not None
        if row is None:
            row = self._row(index)  # a stale row while a refresh is on its way
        if row is None:
            self._request(self.source.page_of(index))
            style = self.get_component_rich_style("contact-list--placeholder")
            if is_cursor:
                style += self._cursor_style()
            return Strip([Segment(" …", style)]).extend_cell_length(width, style)
        strip = self._line(row, width, is_cursor)
        if fresh:
            self._strips[cache_key] = strip
        else:
            self._request(self.source.page_of(index))
        return strip

    def _cursor_style(self) -> Style:
        name = "contact-list--cursor" if self.has_focus else "contact-list--cursor-blurred"
        return self.get_component_rich_style(name)

    def _header(self, width: int) -> Strip:
        style = self.get_component_rich_style("contact-list--header")
        sort_column = {"name": "name", "company": "company", "city": "city"}.get(
            self.source.sort if self.source else "name")
        segments = [Segment(" ", style)]
        for column in self.columns():
            title = column.title + (" ▲" if column.id == sort_column else "")
            segments.append(Segment(fit(title, column.width, ellipsis=column.key is None)
                                    + " " * GAP, style))
        if self.source and self.source.sort == "last_contact":
            segments.append(Segment(_("tri : {sort} ▲").format(sort=_(SORTS["last_contact"][1])),
                                        style))
        return Strip(segments).adjust_cell_length(width, style)

    def _line(self, row: ContactRow, width: int, is_cursor: bool) -> Strip:
        base = self.rich_style
        if is_cursor:
            base = base + self._cursor_style()
        missing = base + self.get_component_rich_style("contact-list--missing", partial=True)
        segments = [Segment(" ", base)]
        for column in self.columns():
            text = column.cell(row)
            if column.key is not None and not text:
                segments.append(Segment(fit("·", column.width) + " " * GAP, missing))
            else:
                # key values are cut short without an ellipsis: "prosp" reads better
                # than "pro…" in four or five cells
                cut = fit(text, column.width, ellipsis=column.key is None)
                segments.append(Segment(cut + " " * GAP, base))
        return Strip(segments).adjust_cell_length(width, base)
