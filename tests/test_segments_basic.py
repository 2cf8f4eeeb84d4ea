"""Saving, finding and deleting segments (the query language itself is tested elsewhere)."""

from __future__ import annotations

import pytest

from qualif_tui.domain.errors import NotFound, ValidationError
from qualif_tui.services import segments as svc
from qualif_tui.storage import Database

# these tests read the program's messages in English (the catalogue's)
pytestmark = pytest.mark.english


def test_save_find_replace_delete(keyed_db: Database) -> None:
    saved = svc.save_segment(keyed_db, "Tous", "")
    assert saved.kind == "dynamic" and svc.get_segment(keyed_db, "tous") == saved
    with pytest.raises(ValidationError, match="already exists"):
        svc.save_segment(keyed_db, "TOUS", "")
    svc.save_segment(keyed_db, "Tous", "", replace=True)
    assert [s.name for s in svc.list_segments(keyed_db)] == ["Tous"]
    svc.delete_segment(keyed_db, "tous")
    with pytest.raises(NotFound):
        svc.get_segment(keyed_db, "Tous")


def test_demo_segments_are_listed(demo_db: Database) -> None:
    names = [s.name for s in svc.list_segments(demo_db)]
    assert "Clients Occitanie" in names
