"""The one exception the query engine raises, carrying what the faces show."""

from __future__ import annotations

from qualif_tui.base.i18n import _
from qualif_tui.domain.errors import QualifError


class QueryError(QualifError):
    """A query that cannot run: a message, where it went wrong, and a hint.

    ``position`` is a 0-based character offset into the query text (None when
    the whole query is at fault); ``length`` how many characters to underline.
    """

    def __init__(self, message: str, position: int | None = None, hint: str = "",
                 length: int = 1, query: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.position = position
        self.hint = hint
        self.length = max(1, length)
        self.query = query

    def caret_lines(self) -> list[str]:
        """The query and a caret line under the fault, for a terminal."""
        if self.position is None or not self.query:
            return []
        return [self.query, " " * self.position + "^" * min(self.length, max(1, len(self.query) - self.position))]

    def __str__(self) -> str:
        parts = [self.message]
        if self.position is not None:
            parts[0] += _(" (colonne {value})").format(value=self.position + 1)
        if self.hint:
            parts.append(self.hint)
        return " — ".join(parts)


class SegmentCycle(QueryError):
    """A segment that uses itself, directly or through others (``chain``: their names)."""

    def __init__(self, chain: list[str], position: int | None = None, length: int = 1,
                 query: str = "") -> None:
        super().__init__(f"segment cycle: {' → '.join(chain)}", position,
                         "a segment cannot use itself, even through others", length, query)
        self.chain = chain


class QueryCancelled(QueryError):
    """The query was stopped by :func:`qualif_tui.query.interrupt` (a newer one replaces it)."""

    def __init__(self, query: str = "") -> None:
        super().__init__("the query was interrupted", None, "", 1, query)
