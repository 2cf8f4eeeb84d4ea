"""Counting the contacts of every segment, for the sidebar (worker thread only).

The core counts them all in one pass (:func:`count_segments`); the sidebar gets
``(name, count)`` pairs, ``None`` for a segment whose query no longer compiles.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from qualif_tui.query import compile_query, count
from qualif_tui.services.segments import Segment, count_segments
from qualif_tui.storage import Database


def segment_query_text(segment: Segment) -> str:
    """What the search bar shows when a segment is opened."""
    if segment.is_static:
        name = segment.name.replace('"', "'")
        return f'segment:"{name}"'
    return segment.query


def count_all(db: Database) -> int:
    return count(db, compile_query(db, ""))


def segment_counts(db: Database, segments: Sequence[Segment]) -> Iterator[tuple[str, int | None]]:
    counted = count_segments(db)
    for segment in segments:
        yield segment.name, counted.get(segment.name)
