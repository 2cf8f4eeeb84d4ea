"""The rows behind the virtual contact list: a few pages of a result, never all of it.

A result of N contacts is cut into pages of :data:`PAGE_SIZE` rows; only the
pages near what the screen shows are held, in a small LRU cache
(:data:`MAX_PAGES`). A missing page is planned on the UI thread from what the
cache holds and fetched in a worker thread:

* next to a held page → keyset paging from that page's edge cursor
  (``fetch_page(after=…)`` or ``before=…``): a deep page costs what the
  first one does;
* the last page → the first rows of the reverse order (``descending=True``),
  so End is as cheap as Home;
* anywhere else (a scrollbar jump) → ``fetch_at`` by offset.

This module knows nothing of Textual; the list widget drives it.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass

from qualif_tui.domain.keys import QualKey
from qualif_tui.query import CompiledQuery, ContactRow, Cursor, fetch_at, fetch_page
from qualif_tui.storage import Database

PAGE_SIZE = 100
MAX_PAGES = 6


@dataclass(frozen=True)
class PagePlan:
    """How to fetch one page; exactly one way is set (none: the first page)."""

    page: int
    size: int
    after: Cursor | None = None
    before: Cursor | None = None
    offset: int | None = None
    from_end: bool = False

    @property
    def how(self) -> str:
        if self.after is not None:
            return "after"
        if self.before is not None:
            return "before"
        if self.from_end:
            return "end"
        return "offset" if self.offset else "first"


class PageSource:
    """A sorted result seen through a bounded cache of pages."""

    def __init__(self, db: Database, query: CompiledQuery, sort: str, keys: Sequence[QualKey],
                 total: int, *, page_size: int = PAGE_SIZE, max_pages: int = MAX_PAGES) -> None:
        self.db = db
        self.query = query
        self.sort = sort
        self.keys = list(keys)
        self.total = total
        self.page_size = page_size
        self.max_pages = max(3, max_pages)
        self._pages: OrderedDict[int, list[ContactRow]] = OrderedDict()

    # -- what is held ------------------------------------------------------
    @property
    def page_count(self) -> int:
        return (self.total + self.page_size - 1) // self.page_size

    @property
    def rows_held(self) -> int:
        return sum(len(rows) for rows in self._pages.values())

    @property
    def pages_held(self) -> list[int]:
        return list(self._pages)

    def page_of(self, index: int) -> int:
        return index // self.page_size

    def has_page(self, page: int) -> bool:
        return page in self._pages

    def row(self, index: int) -> ContactRow | None:
        """The row at ``index`` if its page is held (and mark that page recently used)."""
        if not 0 <= index < self.total:
            return None
        page = self.page_of(index)
        rows = self._pages.get(page)
        if rows is None:
            return None
        self._pages.move_to_end(page)
        offset = index - page * self.page_size
        return rows[offset] if offset < len(rows) else None

    def store(self, page: int, rows: list[ContactRow]) -> None:
        self._pages[page] = rows
        self._pages.move_to_end(page)
        while len(self._pages) > self.max_pages:
            self._pages.popitem(last=False)

    def pages_for(self, first: int, last: int, margin: int = 2) -> list[int]:
        """Pages to hold so rows ``first..last`` show, plus ``margin`` pages each side,
        nearest the visible rows first; never more than the cache keeps."""
        if self.total == 0:
            return []
        top, bottom = self.page_of(max(0, first)), self.page_of(min(self.total - 1, last))
        wanted = list(range(top, bottom + 1))
        for step in range(1, margin + 1):
            wanted += [p for p in (bottom + step, top - step) if 0 <= p < self.page_count]
        return wanted[: self.max_pages - 1]

    # -- fetching ----------------------------------------------------------
    def size_of(self, page: int) -> int:
        return max(0, min(self.page_size, self.total - page * self.page_size))

    def plan(self, page: int) -> PagePlan:
        """The cheapest way to fetch ``page`` given the pages held (UI thread)."""
        size = self.size_of(page)
        previous = self._pages.get(page - 1)
        if previous and len(previous) == self.page_size:
            return PagePlan(page, size, after=previous[-1].cursor)
        following = self._pages.get(page + 1)
        if following:
            return PagePlan(page, size, before=following[0].cursor)
        if page == 0:
            return PagePlan(page, size)
        if page == self.page_count - 1 and page > 0:
            return PagePlan(page, size, from_end=True)
        return PagePlan(page, size, offset=page * self.page_size)

    def fetch(self, plan: PagePlan) -> list[ContactRow]:
        """Run a plan (worker thread: core calls only)."""
        if plan.size == 0:
            return []
        sort, keys = self.sort, self.keys
        if plan.after is not None:
            return fetch_page(self.db, self.query, after=plan.after, limit=plan.size,
                              sort=sort, keys=keys)
        if plan.before is not None:
            return fetch_page(self.db, self.query, before=plan.before, limit=plan.size,
                              sort=sort, keys=keys)
        if plan.from_end:
            rows = fetch_page(self.db, self.query, descending=True, limit=plan.size,
                              sort=sort, keys=keys)
            return rows[::-1]
        if plan.offset:
            return fetch_at(self.db, self.query, plan.offset, plan.size, sort=sort, keys=keys)
        return fetch_page(self.db, self.query, limit=plan.size, sort=sort, keys=keys)
