"""Counting the contacts of every segment, for the sidebar (worker thread only).

The core's ``count_segments(db) -> {name: count}`` (from the query-engine work)
counts them all in one pass; until a branch has it, each segment's query is
compiled and counted here. Either way the caller gets ``(name, count)`` pairs,
``None`` for a segment whose query no longer compiles.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from ..core import segments as segments_module
from ..core.segments import Segment
from ..query import QueryError, compile_query, count
from ..storage import Database


def segment_query_text(segment: Segment) -> str:
    """What the search bar shows when a segment is opened."""
    if segment.is_static:
        name = segment.name.replace('"', "'")
        return f'segment:"{name}"'
    return segment.query


def count_all(db: Database) -> int:
    return count(db, compile_query(db, ""))


def segment_counts(db: Database, segments: Sequence[Segment]) -> Iterator[tuple[str, int | None]]:
    counter = getattr(segments_module, "count_segments", None)
    if counter is not None:
        try:
            counted = counter(db)
        except QueryError:
            counted = None
        if counted is not None:
            for segment in segments:
                yield segment.name, counted.get(segment.name)
            return
    for segment in segments:
        try:
            yield segment.name, count(db, compile_query(db, segment_query_text(segment)))
        except QueryError:
            yield segment.name, None
