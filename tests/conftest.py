"""Shared fixtures: fresh files, the demo, and a fixed "today"."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest

from qualif_tui.base.i18n import set_language
from qualif_tui.domain import clock
from qualif_tui.domain.keys import define_key
from qualif_tui.services.demo import build_demo
from qualif_tui.services.generator import demo_key_specs
from qualif_tui.storage import Database, open_database

from built_files import FIXED_NOW
from settling import quicker_idle_probe


def pytest_configure(config: pytest.Config) -> None:
    """Temporary files in memory (/dev/shm) unless TMPDIR says otherwise.

    The files stay real SQLite files with the product's pragmas; only their
    fsyncs (synchronous=FULL, at every commit) cost nothing there. On a disk
    shared by busy neighbours those fsyncs made the suite wait minutes for
    seconds of work. Set TMPDIR (e.g. TMPDIR=/tmp) to run on disk.
    """
    memory = Path("/dev/shm")
    if "TMPDIR" not in os.environ and memory.is_dir() and os.access(memory, os.W_OK):
        os.environ["TMPDIR"] = str(memory)  # xdist workers and subprocesses too
        tempfile.tempdir = None  # read TMPDIR again
    quicker_idle_probe()  # pilot.press: 10 ms per key instead of 40 (tests/settling.py)


@pytest.hookimpl(tryfirst=True)
def pytest_xdist_auto_num_workers(config: pytest.Config) -> int | None:
    """``-n auto``: one worker more than the CPUs this process may use.

    Even with the 5 ms idle probe, the app's pilot tests leave a CPU idle part of
    the time (waiting for a key to be handled, for a worker thread, for a timer):
    on 2 CPUs, two workers kept them busy about 170 % of the time, three about
    190 %, and the suite took 7 % less. PYTEST_XDIST_AUTO_NUM_WORKERS still wins.
    """
    if os.environ.get("PYTEST_XDIST_AUTO_NUM_WORKERS"):
        return None  # xdist reads it
    usable = os.sched_getaffinity(0) if hasattr(os, "sched_getaffinity") else None
    return (len(usable) if usable else os.cpu_count() or 1) + 1


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Tests marked ``serial`` all go to one xdist worker, so never two at once."""
    for item in items:
        if item.get_closest_marker("serial"):
            item.add_marker(pytest.mark.xdist_group("serial"))


@pytest.fixture(autouse=True)
def fixed_clock() -> Iterator[datetime]:
    """Every test runs on Friday 20 November 2026, 10:30."""
    clock.freeze(FIXED_NOW)
    yield FIXED_NOW
    clock.freeze(None)


@pytest.fixture(autouse=True)
def language(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """Tests speak French (the default a user gets), whatever the machine's locale;
    those marked ``english`` read the messages in English (the catalogue at work).
    QUALIF_LANG says it to the subprocesses too."""
    code = "en" if request.node.get_closest_marker("english") else "fr"
    monkeypatch.setenv("QUALIF_LANG", code)
    set_language(None)
    yield code
    set_language(None)


@pytest.fixture(autouse=True)
def private_places(tmp_path_factory: pytest.TempPathFactory,
                   monkeypatch: pytest.MonkeyPatch) -> None:
    """The user's config and remembered choices (base/places.py) stay out of $HOME."""
    folder = tmp_path_factory.mktemp("places")
    monkeypatch.setenv("QUALIF_CONFIG_DIR", str(folder / "config"))
    monkeypatch.setenv("QUALIF_STATE_DIR", str(folder / "state"))


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "test.db"


@pytest.fixture
def db(db_path: Path) -> Iterator[Database]:
    """An empty qualif file (no keys, no contacts)."""
    database = open_database(db_path, create=True)
    yield database
    database.close()


@pytest.fixture
def keyed_db(db: Database) -> Database:
    """An empty file with the demo's six keys."""
    for spec in demo_key_specs():
        define_key(db, spec.name, spec.type, spec.values)
    return db


@pytest.fixture(scope="session")
def demo_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    clock.freeze(FIXED_NOW)
    try:
        return build_demo(tmp_path_factory.mktemp("demo") / "demo.db")
    finally:
        clock.freeze(None)


@pytest.fixture
def demo_db(demo_file: Path, tmp_path: Path) -> Iterator[Database]:
    """A private copy of the demo database (tests may write to it)."""
    copy = tmp_path / "demo.db"
    copy.write_bytes(demo_file.read_bytes())
    database = open_database(copy)
    yield database
    database.close()
