"""Small edges of the house: the entry module, the version, typed errors, one import summary."""

from __future__ import annotations

import importlib
import subprocess
import sys
from collections.abc import Iterator
from importlib.metadata import version
from pathlib import Path

import pytest

import qualif_tui
from qualif_tui.domain.activities import find_by_uid
from qualif_tui.domain.agenda import times
from qualif_tui.domain.contacts import create_contact
from qualif_tui.domain.ical import import_ics
from qualif_tui.query import QueryError, SegmentCycle, compile_query
from qualif_tui.services import importing
from qualif_tui.services import segments as svc
from qualif_tui.storage import Database

FIXTURES = Path(__file__).parent / "fixtures" / "import"


def test_importing_the_entry_module_starts_nothing() -> None:
    sys.modules.pop("qualif_tui.__main__", None)
    importlib.import_module("qualif_tui.__main__")  # would SystemExit if it ran the CLI


def test_python_dash_m_runs_the_command() -> None:
    done = subprocess.run([sys.executable, "-m", "qualif_tui", "--version"],
                          capture_output=True, text=True, check=False)
    assert done.returncode == 0 and version("qualif") in done.stdout


def test_the_version_is_the_installed_packages() -> None:
    assert qualif_tui.__version__ == version("qualif")


def test_a_segment_cycle_is_its_own_error(db: Database) -> None:
    create_contact(db, {"last_name": "Alpha", "city": "Albi"})
    svc.save_segment(db, "A", "city:albi")
    svc.save_segment(db, "B", "segment:A")
    db.execute("UPDATE segments SET query = 'segment:B' WHERE name = 'A'")  # another tool
    with pytest.raises(SegmentCycle) as caught:
        compile_query(db, "alpha segment:B")
    assert caught.value.chain == ["B", "A", "B"]
    assert caught.value.position == 6  # where the outer query uses it
    assert isinstance(caught.value, QueryError)
    assert str(caught.value).startswith("segment cycle: B → A → B")


def test_one_summary_of_an_import_plan(keyed_db: Database) -> None:
    plan = importing.plan_import(keyed_db, [FIXTURES / "excel_fr.csv"])
    before = importing.summarize_plan(plan)
    (described,) = before.files
    assert described.about == "csv, encodage cp1252 (Windows), séparateur ';', 5 contact(s) lus"
    assert ("Profil", "clé Profil") in described.columns
    labels = [label for label, _ in before.counts]
    assert labels[:3] == ["à créer", "à compléter (doublons)", "ignorés (doublons)"]
    assert dict(before.counts)["à créer"] == "5" and len(before.examples) == 3
    after = importing.summarize_plan(plan, done=True)
    assert [label for label, _ in after.counts][:2] == ["créés", "complétés (doublons)"]


@pytest.fixture
def paris() -> Iterator[None]:
    times.set_local_zone("Europe/Paris")
    yield
    times.set_local_zone(None)


def test_a_recurrence_id_in_utc_replaces_the_occurrence_of_its_series(
        db: Database, tmp_path: Path, paris: None) -> None:
    path = tmp_path / "in.ics"
    path.write_text(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:test\r\n"
        "BEGIN:VEVENT\r\nUID:s@x\r\nSUMMARY:Hebdo\r\n"
        "DTSTART;TZID=Europe/Paris:20261102T083000\r\nRRULE:FREQ=WEEKLY;COUNT=4\r\n"
        "END:VEVENT\r\n"
        "BEGIN:VEVENT\r\nUID:s@x\r\nSUMMARY:Hebdo déplacée\r\n"
        "RECURRENCE-ID:20261109T073000Z\r\n"
        "DTSTART;TZID=Europe/Paris:20261109T100000\r\nEND:VEVENT\r\n"
        "END:VCALENDAR\r\n", encoding="utf-8")
    report = import_ics(db, path)
    assert report.created == 2
    override = find_by_uid(db, "s@x")
    assert override is not None
    rows = db.query("SELECT recurrence_id FROM activities WHERE recurrence_id IS NOT NULL")
    assert [r[0] for r in rows] == ["2026-11-09T08:30"]  # 07:30 UTC is 08:30 in Paris
