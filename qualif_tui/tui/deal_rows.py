"""Virtual lists of deals for the pipeline: a kanban column of cards, or the list by date.

Like the contact list, a :class:`DealRows` is a Line-API ``ScrollView`` whose
virtual height is the number of deals (three lines per card in a column, one
per line in the list): :meth:`DealRows.render_line` draws only the lines on
screen, from the pages a :class:`CardSource` holds, and a thread worker fetches
a page it lacks (drawing "…" meanwhile). A column of 40 000 deals costs what a
column of 10 does: its totals and the page or two on screen.

The widget has no key bindings of its own: the pipeline screen moves its
cursor (keys typed before the data is there wait in the screen's queue, so a
burst does what slow typing does).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events, work
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from qualif_tui.base.i18n import _
from qualif_tui.domain.money import format_day, format_euros
from qualif_tui.services.pipeline import DealCard
from qualif_tui.tui.columns import fit
from qualif_tui.tui.workers import WorkerReports, deliver

PAGE = 50  # deals per fetch

Fetch = Callable[[int, int], list[DealCard]]  # (offset, limit) → the deals, in order


@dataclass
class CardSource:
    """The open deals of a column (or of the list): how many, and the pages held.

    ``fetch(offset, limit)`` reads a page (in a worker thread); ``first`` is the
    page the screen's loader already read with the totals."""

    total: int
    fetch: Fetch
    pages: dict[int, list[DealCard]] = field(default_factory=dict)

    @property
    def page_count(self) -> int:
        return (self.total + PAGE - 1) // PAGE

    def page_of(self, index: int) -> int:
        return index // PAGE

    def has_page(self, page: int) -> bool:
        return page in self.pages

    def card(self, index: int) -> DealCard | None:
        page = self.pages.get(index // PAGE)
        if page is None or index % PAGE >= len(page):
            return None
        return page[index % PAGE]

    def store(self, page: int, cards: list[DealCard]) -> None:
        self.pages[page] = cards


class DealRows(WorkerReports, ScrollView, can_focus=True, inherit_bindings=False):
    """Deals one under the other with a cursor: ``cards`` (three lines each: title,
    contact, amount and close date) or ``lines`` (one line each, with the stage)."""

    COMPONENT_CLASSES = {
        "deal-rows--cursor",
        "deal-rows--cursor-blurred",
        "deal-rows--title",
        "deal-rows--dim",
        "deal-rows--late",
    }
    DEFAULT_CSS = """
    DealRows {
        overflow-x: hidden;
        overflow-y: auto;
        scrollbar-size-vertical: 1;
    }
    DealRows > .deal-rows--cursor { background: $accent 40%; }
    DealRows > .deal-rows--cursor-blurred { background: $panel-lighten-1; }
    DealRows > .deal-rows--title { text-style: bold; }
    DealRows > .deal-rows--dim { color: $text-muted; }
    DealRows > .deal-rows--late { color: $error; text-style: bold; }
    """

    class PageArrived(Message):
        """A page came in: keys waiting for its deals can be replayed."""

        def __init__(self, rows: DealRows) -> None:
            super().__init__()
            self.rows = rows

    class Chosen(Message):
        """A double click on a deal."""

        def __init__(self, rows: DealRows) -> None:
            super().__init__()
            self.rows = rows

    def __init__(self, *, lines: bool = False, today: str = "", empty: str = "",
                 id: str | None = None, classes: str | None = None) -> None:  # noqa: A002
        super().__init__(id=id, classes=classes)
        self.per_item = 1 if lines else 3
        self.today = today
        self.empty = empty or _("(aucune)")
        self.labels: dict[str, str] = {}  # stage id → label (the list's stage column)
        self.source: CardSource | None = None
        self.cursor = 0
        self._pending: set[tuple[int, int]] = set()

    # -- data ------------------------------------------------------------------
    @property
    def total(self) -> int:
        return self.source.total if self.source else 0

    @property
    def current(self) -> DealCard | None:
        return self.source.card(self.cursor) if self.source else None

    @property
    def waiting(self) -> bool:
        """The cursor is on a deal whose page is not here yet."""
        return self.source is not None and self.total > 0 and self.current is None

    def load(self, source: CardSource, *, labels: dict[str, str] | None = None,
             today: str | None = None) -> None:
        """Show (new) deals, the cursor kept on the same position."""
        self.source = source
        self._pending.clear()
        if labels is not None:
            self.labels = labels
        if today is not None:
            self.today = today
        self._size_to(source.total)
        self.cursor = max(0, min(self.cursor, source.total - 1))
        self._scroll_to_cursor()
        self._request(source.page_of(self.cursor))
        self.refresh()

    def _request(self, page: int) -> None:
        source = self.source
        if source is None or source.has_page(page) or not 0 <= page < source.page_count:
            return
        if (id(source), page) in self._pending:
            return
        self._pending.add((id(source), page))
        self._fetch(source, page)

    @work(thread=True, group="deal-pages", exit_on_error=False, description="page d'affaires")
    def _fetch(self, source: CardSource, page: int) -> None:
        cards = source.fetch(page * PAGE, PAGE)
        deliver(self, self._arrived, source, page, cards)

    def _arrived(self, source: CardSource, page: int, cards: list[DealCard]) -> None:
        self._pending.discard((id(source), page))
        if source is not self.source:
            return
        source.store(page, cards)
        self.refresh()
        self.post_message(self.PageArrived(self))

    # -- geometry -----------------------------------------------------------------
    def _visible_items(self) -> int:
        return max(1, self.scrollable_content_region.height // self.per_item)

    def _scroll_to_cursor(self) -> None:
        top = round(self.scroll_y) // self.per_item
        if self.cursor < top:
            self.scroll_to(y=self.cursor * self.per_item, animate=False, immediate=True)
        elif self.cursor >= top + self._visible_items():
            first = self.cursor - self._visible_items() + 1
            self.scroll_to(y=first * self.per_item, animate=False, immediate=True)

    def _size_to(self, total: int) -> None:
        """The virtual height: every deal's lines, padded so that the last scroll
        position shows whole cards (a card cut at the top looks like another deal)."""
        region = self.scrollable_content_region
        lines = max(1, total) * self.per_item
        if lines > region.height:
            lines += region.height % self.per_item
        self.virtual_size = Size(region.width, lines)

    def on_resize(self) -> None:
        if self.source is not None:
            self._size_to(self.source.total)
        self._scroll_to_cursor()

    def watch_scroll_y(self, old_value: float, new_value: float) -> None:
        super().watch_scroll_y(old_value, new_value)
        self.refresh()

    # -- cursor --------------------------------------------------------------------
    def move_to(self, index: int) -> None:
        if self.total == 0:
            return
        self.cursor = max(0, min(index, self.total - 1))
        self._scroll_to_cursor()
        if self.source is not None:
            self._request(self.source.page_of(self.cursor))
        self.refresh()

    def move(self, step: int) -> None:
        self.move_to(self.cursor + step)

    def page(self, direction: int) -> None:
        self.move(direction * self._visible_items())

    def on_click(self, event: events.Click) -> None:
        index = (round(self.scroll_y) + event.y) // self.per_item
        if 0 <= index < self.total:
            self.move_to(index)
            if event.chain == 2:
                self.post_message(self.Chosen(self))

    def on_focus(self) -> None:
        self.refresh()

    def on_blur(self) -> None:
        self.refresh()

    # -- drawing ----------------------------------------------------------------------
    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        line = round(self.scroll_y) + y
        index, part = divmod(line, self.per_item)
        if self.source is None:
            return Strip.blank(width, self.rich_style)
        if self.total == 0:
            if line == 0:
                style = self.rich_style + self.get_component_rich_style("deal-rows--dim")
                return Strip([Segment(" " + self.empty, style)]).adjust_cell_length(width, style)
            return Strip.blank(width, self.rich_style)
        if index >= self.total:
            return Strip.blank(width, self.rich_style)
        base = self.rich_style
        if index == self.cursor:
            name = "deal-rows--cursor" if self.has_focus else "deal-rows--cursor-blurred"
            base = base + self.get_component_rich_style(name)
        card = self.source.card(index)
        if card is None:
            self._request(self.source.page_of(index))
            text = Text(" …" if part == 0 else "")
        elif self.per_item == 1:
            text = self._list_line(card, width - 1)
        else:
            text = self._card_line(card, part, width - 2)
        segments = [Segment(s.text, base + s.style if s.style else base)
                    for s in text.render(self.app.console) if s.text != "\n"]
        return Strip(segments).adjust_cell_length(width, base)

    def _style(self, name: str) -> Style:
        return self.get_component_rich_style(name, partial=True)

    def _late(self, card: DealCard) -> bool:
        return bool(card.expected_close) and str(card.expected_close) < self.today

    def _card_line(self, card: DealCard, part: int, width: int) -> Text:
        if part == 0:
            return Text(" " + fit(card.title, width), self._style("deal-rows--title"))
        if part == 1:
            return Text(" " + fit(card.contact, width), self._style("deal-rows--dim"))
        detail = format_euros(card.amount, 0)
        day = format_day(card.expected_close)
        if day and len(detail) + 1 + len(day) > width:
            day = day[:5]  # 16/12: the year is the next few months'
        text = Text(" " + detail + " ")
        text.append(day or _("sans date"),
                    self._style("deal-rows--late" if self._late(card) else "deal-rows--dim"))
        return text

    def _list_line(self, card: DealCard, width: int) -> Text:
        day = format_day(card.expected_close) or _("sans date")
        text = Text(" ")
        text.append(f"{day:10} ", self._style("deal-rows--late") if self._late(card) else "")
        text.append(fit(self.labels.get(card.stage, card.stage), 12) + " ",
                    self._style("deal-rows--title"))
        rest = max(20, width - 11 - 13 - 12 - 6)
        title_width = max(10, rest * 11 // 20)
        text.append(fit(card.title, title_width) + " ")
        text.append(fit(card.contact, max(8, rest - title_width)) + " ",
                    self._style("deal-rows--dim"))
        text.append(f"{format_euros(card.amount, 0):>11} ")
        text.append(f"{card.probability:>3} %", self._style("deal-rows--dim"))
        return text
