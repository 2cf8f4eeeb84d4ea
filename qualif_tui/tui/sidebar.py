"""The segments sidebar: "All contacts" and every saved segment, with live counts."""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual import events, work
from textual.message import Message
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from qualif_tui.base.text import fold
from qualif_tui.services.segments import Segment, list_segments
from qualif_tui.storage import Database
from qualif_tui.tui import keymap
from qualif_tui.tui.columns import fit
from qualif_tui.tui.counting import count_all, segment_counts
from qualif_tui.tui.search_bar import format_count
from qualif_tui.tui.workers import WorkerReports, deliver

ALL_ID = "all"


class SegmentsSidebar(WorkerReports, OptionList):
    """Enter (or a click) opens a segment; counts are refreshed after every write."""

    BINDINGS = keymap.bindings(keymap.SIDEBAR_KEYS)

    @dataclass
    class Opened(Message):
        segment: Segment | None  # None: every contact

    def __init__(self, db: Database, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.db = db
        self.segments: list[Segment] = []
        self.counts: dict[str, int | None] = {}
        self.total: int | None = None
        self._started = False
        self.border_title = "Segments"

    @property
    def counted(self) -> bool:
        return self._started

    @property
    def loaded(self) -> bool:
        """Are the segments listed (a letter typed meanwhile would find none)?"""
        return self.total is not None

    @work(thread=True, exclusive=True, group="segments", exit_on_error=False,
          description="comptage des segments")
    def refresh_counts(self) -> None:
        self._started = True
        segments = list_segments(self.db)
        deliver(self, self._show_segments, segments, count_all(self.db))
        for name, value in segment_counts(self.db, segments):
            deliver(self, self._show_count, name, value)

    def _show_segments(self, segments: list[Segment], total: int) -> None:
        self.segments = segments
        self.total = total
        names = {s.name for s in segments}
        self.counts = {k: v for k, v in self.counts.items() if k in names}
        self._rebuild()

    def _show_count(self, name: str, value: int | None) -> None:
        self.counts[name] = value
        index = next((i for i, s in enumerate(self.segments) if s.name == name), None)
        if index is not None:
            self.replace_option_prompt(f"s{index}", self._prompt(self.segments[index]))

    def _width(self) -> int:
        return max(12, self.scrollable_content_region.width)

    def _line(self, name: str, count: str, style: str = "") -> Text:
        width = self._width()
        count_width = max(len(count), 3)
        text = Text(fit(name, width - count_width - 1) + " ", style=style)
        text.append(count.rjust(count_width), "dim" if count in ("…", "!") else "")
        return text

    def _prompt(self, segment: Segment) -> Text:
        if segment.name not in self.counts:
            shown = "…"  # still counting
        else:
            value = self.counts[segment.name]
            shown = "!" if value is None else format_count(value).split(" contact")[0]
        marker = "▪ " if segment.is_static else ""
        return self._line(marker + segment.name, shown)

    def _rebuild(self) -> None:
        highlighted = self.highlighted
        total = "…" if self.total is None else format_count(self.total).split(" contact")[0]
        options = [Option(self._line("Tous les contacts", total, "bold"), id=ALL_ID)]
        options += [Option(self._prompt(s), id=f"s{i}") for i, s in enumerate(self.segments)]
        self.set_options(options)
        self.highlighted = min(highlighted or 0, self.option_count - 1)

    def on_resize(self) -> None:
        if self.option_count:
            self._rebuild()

    def on_key(self, event: events.Key) -> None:
        """A letter jumps to the next segment whose name starts with it (again: the
        one after), so that a segment is opened in three keys: ctrl+b, its initial, ↵.
        j and k keep moving the cursor."""
        character = event.character or ""
        if len(character) != 1 or not character.isalnum() or character in "jk":
            return
        wanted = fold(character)
        start = (self.highlighted or 0)
        for step in range(1, len(self.segments) + 1):
            index = (start - 1 + step) % len(self.segments)  # option 0 is "all"
            if fold(self.segments[index].name).startswith(wanted):
                event.stop()
                event.prevent_default()
                self.highlighted = index + 1
                return

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        option_id = event.option.id or ""
        if option_id == ALL_ID:
            self.post_message(self.Opened(None))
        elif option_id.startswith("s"):
            self.post_message(self.Opened(self.segments[int(option_id[1:])]))
