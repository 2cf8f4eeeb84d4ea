"""Issue 9, item 8: a damaged file gets a verdict, its first problems and the way back.

``qualif check`` crashed on some corruptions (``database disk image is
malformed`` from ``PRAGMA integrity_check``) and ``query`` printed hundreds of
"Page N is never used" lines.
"""

from __future__ import annotations

import os
import random
from collections.abc import Callable
from pathlib import Path

import pytest

from qualif_tui.storage import backup_database, open_database

from .helpers import assert_one_line_error, cli, damage, page_of


def _schema_page(path: Path) -> None:
    damage(path, 1, 100, b"\x0a\xff\xff\xff\xff\xff")  # sqlite_schema's b-tree header


def _table_root(path: Path) -> None:
    damage(path, page_of(path, "history"), 0, b"\x07")


def _index_pages(path: Path) -> None:
    root = page_of(path, "contacts_sort")
    damage(path, root, 8, bytes(range(40)))


def _truncated(path: Path) -> None:
    with path.open("r+b") as handle:
        handle.truncate(path.stat().st_size // 2)


def _garbage_pages(path: Path) -> None:
    pages = path.stat().st_size // 4096
    noise = random.Random(9)
    for page in range(pages // 3, pages // 3 + 25):
        damage(path, page, 0, noise.randbytes(4096))


def _freelist_and_count(path: Path) -> None:
    damage(path, 1, 28, (10_000).to_bytes(4, "big"))  # header: more pages than there are


CORRUPTIONS: dict[str, Callable[[Path], None]] = {
    "schema page": _schema_page, "table root": _table_root, "index page": _index_pages,
    "truncated copy": _truncated, "25 pages of garbage": _garbage_pages,
    "page count": _freelist_and_count,
}


@pytest.mark.parametrize("how", list(CORRUPTIONS))
def test_check_gives_a_verdict_the_first_problems_and_the_backups(demo_copy: Path,
                                                                   how: str) -> None:
    with open_database(demo_copy) as db:
        made = backup_database(db)
    CORRUPTIONS[how](demo_copy)
    code, stdout, stderr = cli("check", demo_copy)
    assert code == 1, (how, stdout, stderr)
    assert_one_line_error(stderr)
    assert made.name in stderr and "restaurez" in stderr, stderr
    assert len(stdout.splitlines()) <= 20, stdout
    if stdout:
        assert "ENDOMMAGÉ" in stdout or "CASSÉES" in stdout, stdout


@pytest.mark.parametrize("how", list(CORRUPTIONS))
def test_other_commands_say_it_in_one_line(demo_copy: Path, how: str) -> None:
    CORRUPTIONS[how](demo_copy)
    commands: list[list[str | Path]] = [
        ["query", demo_copy, "--count"], ["query", demo_copy, "dupont"],
        ["segment", demo_copy, "list"], ["export", demo_copy, "--format", "json"]]
    for args in commands:
        code, stdout, stderr = cli(*args)
        if code != 0:  # (an index page nobody reads may go unnoticed until `check`)
            assert code == 1, (how, args, stderr)
            assert_one_line_error(stderr)
            assert "endommagé" in stderr and "sauvegarde" in stderr, stderr


def test_damage_met_after_the_open_check_is_one_line_too(demo_copy: Path) -> None:
    """A file known sound skips the full read on open: damage found mid-query is
    still one line, with the way back."""
    code, _, _ = cli("check", demo_copy)  # records that the file is sound
    assert code == 0
    with open_database(demo_copy, readonly=True) as db:
        assert db.opened_sound
    damage(demo_copy, page_of(demo_copy, "contacts"), 0, b"\x07")
    code, _, stderr = cli("query", demo_copy, "--format", "csv")
    assert code == 1
    assert_one_line_error(stderr)
    assert "endommagé" in stderr


def test_a_truncated_copy_is_caught_by_the_cheap_check(demo_copy: Path) -> None:
    cli("check", demo_copy)
    size = demo_copy.stat().st_size
    os.truncate(demo_copy, size - 4096)
    code, _, stderr = cli("query", demo_copy, "--count")
    assert code == 1 and "tronqué" in stderr
    assert_one_line_error(stderr)
