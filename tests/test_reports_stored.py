"""``qualif report`` as a one-shot command counts on the bitmaps kept in the file.

At 1 000 000 contacts a report in SQL is one scan of the table (0.8–2.7 s); the
app answers from its bitmaps in tens of milliseconds. The file keeps the app's
bitmaps (``query/stored_facets.py``) — and, for the reports, the won-deal facts
and every key — so that the command reads them instead: the same answers as SQL,
before and after writes made since they were stored.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from qualif_tui.cli import main
from qualif_tui.domain.deals import add_deal, win_deal
from qualif_tui.domain.keys import list_keys, set_qualification
from qualif_tui.query import QueryEngine, stored_facets, use_bitmaps
from qualif_tui.services import reports as svc
from qualif_tui.storage import open_database

QUESTIONS: list[tuple[str, list[str], list[str]]] = [
    ("", ["source"], ["contacts", "revenue", "deals", "average", "conversion"]),
    ("", ["profil", "source"], ["contacts", "revenue"]),
    ("profil:client", ["dept"], ["contacts", "share", "revenue"]),
    ("", ["region"], ["contacts", "revenue", "pipeline"]),
]


@pytest.fixture
def demo(demo_file: Path, tmp_path: Path) -> Path:
    path = tmp_path / "carnet.db"
    shutil.copyfile(demo_file, path)
    return path


def in_sql(path: Path) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Every question's JSON, and completeness's, in SQL mode."""
    with open_database(path, readonly=True) as db:
        use_bitmaps(db, False)
        answers = [svc.breakdown(db, q, by, m).as_json() for q, by, m in QUESTIONS]
        return answers, svc.completeness(db, "", months=3, contacts=0).as_json()


def stored(path: Path) -> tuple[list[dict[str, Any]], dict[str, Any], list[str]]:
    """The same on the stored bitmaps, as a one-shot command opens the file."""
    with open_database(path, readonly=True) as db:
        assert stored_facets.enable(db)
        results = [svc.breakdown(db, q, by, m) for q, by, m in QUESTIONS]
        engines = [r.engine for r in results]
        complete = svc.completeness(db, "", months=3, contacts=0).as_json()
        assert QueryEngine.of(db).bitmaps
        return [r.as_json() for r in results], complete, engines


def test_the_store_holds_what_reports_read(demo: Path) -> None:
    with open_database(demo) as db:
        assert stored_facets.refresh(db, force=True)
        names = {str(r[0]) for r in db.query("SELECT name FROM facet_store")}
        keys = {k.column for k in list_keys(db)}
    assert {"deals", "revenue", "dept"} <= names
    assert keys <= names


def test_reports_on_stored_bitmaps_answer_as_sql_and_follow_writes(demo: Path) -> None:
    with open_database(demo) as db:
        assert stored_facets.refresh(db, force=True)
    expected, complete = in_sql(demo)
    answers, complete_stored, engines = stored(demo)
    assert engines == ["bitmaps"] * len(QUESTIONS)
    assert answers == expected and complete_stored == complete
    # writes after the store: a deal won, a key changed — caught up on reading
    with open_database(demo) as db:
        first = int(db.scalar("SELECT min(id) FROM contacts"))
        win_deal(db, add_deal(db, first, "Gros contrat", 123456))
        set_qualification(db, first + 1, "Source", "web")
    expected_after, complete_after = in_sql(demo)
    assert expected_after != expected
    answers, complete_stored, engines = stored(demo)
    assert engines == ["bitmaps"] * len(QUESTIONS)
    assert answers == expected_after and complete_stored == complete_after


def test_the_command_gives_the_same_json_with_or_without_the_store(demo: Path) -> None:
    args = ["report", str(demo), "--by", "profil", "--by", "source", "-m",
            "contacts,revenue,deals", "--format", "json"]
    before = CliRunner().invoke(main, args)
    assert before.exit_code == 0, before.stderr
    with open_database(demo) as db:
        assert stored_facets.refresh(db, force=True)
    after = CliRunner().invoke(main, args)
    assert after.exit_code == 0, after.stderr
    assert json.loads(after.stdout) == json.loads(before.stdout)
