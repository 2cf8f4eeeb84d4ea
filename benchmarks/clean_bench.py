"""A clean file, measured: the duplicate scan, renaming and merging values, merging contacts.

    python benchmarks/clean_bench.py --file100k F100K --file1m F1M

The files are generated ones (``qualif init F --contacts N --seed 1``); the
script works on copies it makes beside them and removes them. Wall-clock
seconds on the machine printed first (CPU seconds beside: the machine is
shared), targets of issue 16 in brackets.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import machine

from qualif_tui.domain.keys import list_keys
from qualif_tui.services import keyedit
from qualif_tui.services.duplicates import scan
from qualif_tui.services.undo import undo
from qualif_tui.storage import Database, open_database
from qualif_tui.storage.schema import history_fts_rowid


def measured(func: Callable[[], Any]) -> tuple[float, float, Any]:
    wall, cpu = time.perf_counter(), time.process_time()
    result = func()
    return time.perf_counter() - wall, time.process_time() - cpu, result


def copy_of(path: Path) -> Path:
    copy = path.with_name(path.stem + ".clean-bench.db")
    shutil.copyfile(path, copy)
    copy.chmod(0o644)
    return copy


def bench_scan(path: Path, label: str) -> None:
    db = open_database(path)
    try:
        for run in range(2):
            wall, cpu, report = measured(lambda: scan(db))
            print(f"duplicate scan {label} (run {run + 1}): {wall:.1f} s wall, {cpu:.1f} s CPU;"
                  f" {report.contacts} contacts, {report.candidates} candidate pairs scored,"
                  f" {len(report.pairs)} pairs ≥ 60; blocks {report.blocks}")
    finally:
        db.close()


def hand_rename(db: Database, key: str, code: int, column: str) -> None:
    """The fastest hand-written SQL for the same result: one UPDATE of key_values,
    one INSERT … SELECT of the history entries with the triggers as they are."""
    with db.transaction():
        db.execute("UPDATE key_values SET value = 'clients', norm_value = 'clients'"
                   " WHERE key_id = (SELECT id FROM qual_keys WHERE name = ?) AND code = ?",
                   (key, code))
        db.execute("INSERT INTO history(contact_id, kind, happened_at, subject, body, automatic,"
                   " created) SELECT contact_id, 'change', '2026-11-20T10:00:00',"
                   f" 'Profil : client → clients', '', 1, '2026-11-20T10:00:00' FROM contact_facts"
                   f" WHERE {column} = ?", (code,))
        raise_rollback()


class _Rollback(Exception):
    pass


def raise_rollback() -> None:
    raise _Rollback


def bench_values(path: Path) -> None:
    db = open_database(path)
    try:
        profil = next(k for k in list_keys(db) if k.name == "Profil")
        wall, cpu, edit = measured(lambda: keyedit.merge_values(db, "Profil", ["partenaire"],
                                                                "client"))
        print(f"merge values (partenaire → client): {edit.contacts} contacts recoded with their"
              f" history entries: {wall:.1f} s wall, {cpu:.1f} s CPU")
        holders = keyedit.value_usage(db, "Profil")["client"]
        wall, cpu, edit = measured(lambda: keyedit.rename_value(db, "Profil", "client",
                                                                "clients"))
        print(f"rename a value held by {holders} contacts, with one history entry each"
              f" [≤ 5 s]: {wall:.1f} s wall, {cpu:.1f} s CPU")
        wall, cpu, _ = measured(lambda: undo(db))
        print(f"undo that rename (the {holders} entries deleted): {wall:.1f} s wall,"
              f" {cpu:.1f} s CPU")
        code = profil.value_named("client").code  # type: ignore[union-attr]
        try:
            wall, cpu, _ = measured(lambda: hand_rename(db, "Profil", code, profil.column))
        except _Rollback:
            pass
        started = time.perf_counter()
        try:
            hand_rename(db, "Profil", code, profil.column)
        except _Rollback:
            hand = time.perf_counter() - started
        print(f"for scale, hand SQL (UPDATE + INSERT … SELECT, history triggers row by row,"
              f" rolled back): {hand:.1f} s wall")
        wall, cpu, _ = measured(lambda: undo(db))
        print(f"undo the value merge: {wall:.1f} s wall, {cpu:.1f} s CPU")
        _ = history_fts_rowid
    finally:
        db.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--file100k", type=Path, required=True)
    parser.add_argument("--file1m", type=Path)
    args = parser.parse_args()
    print(machine())
    for label, source in (("100k", args.file100k), ("1M", args.file1m)):
        if source is None:
            continue
        copy = copy_of(source)
        try:
            open_database(copy).close()  # upgrade first, not timed
            bench_scan(copy, label)
            if label == "1M" or args.file1m is None:
                bench_values(copy)
        finally:
            copy.unlink()
            for stray in copy.parent.glob(copy.stem + ".schema*"):
                stray.unlink()


if __name__ == "__main__":
    main()
