"""Issue 9, item 11: unfolding vCard lines takes linear time."""

from __future__ import annotations

import time
from pathlib import Path

from qualif_tui.services.importing import ImportOptions, plan_import
from qualif_tui.storage import Database

WORDS = "abcdefghij" * 300_000  # 3 MB of note


def _folded(value: str, width: int = 9) -> str:
    lines = [value[i:i + width] for i in range(0, len(value), width)]
    return "\r\n ".join(lines)


def _note_of(db: Database, path: Path) -> str:
    plan = plan_import(db, [path], ImportOptions())
    assert not plan.files[0].problems, plan.files[0].problems
    (record,) = plan.files[0].records
    return "".join(record.notes) if record.notes else str(record.custom)


def test_a_card_folded_300_000_times_reads_in_linear_time(db: Database,
                                                                   tmp_path: Path) -> None:
    path = tmp_path / "folded.vcf"
    path.write_text("BEGIN:VCARD\r\nVERSION:3.0\r\nN:Folded;Jean;;;\r\nFN:Jean Folded\r\n"
                    "NOTE:" + _folded(WORDS) + "\r\nEND:VCARD\r\n", encoding="utf-8",
                    newline="")
    started = time.perf_counter()
    note = _note_of(db, path)
    elapsed = time.perf_counter() - started
    assert WORDS in note
    # linear: about 0.5 s on the 2-core CI machine; the quadratic unfolding took 20 s
    assert elapsed < 5, elapsed


def test_quoted_printable_soft_breaks_read_in_linear_time(db: Database, tmp_path: Path) -> None:
    path = tmp_path / "qp.vcf"
    value = "=\r\n".join(WORDS[i:i + 9] for i in range(0, 2_000_000, 9))
    path.write_text("BEGIN:VCARD\r\nVERSION:2.1\r\nN:Folded;Jean\r\n"
                    "NOTE;ENCODING=QUOTED-PRINTABLE:" + value + "\r\nEND:VCARD\r\n",
                    encoding="utf-8", newline="")
    started = time.perf_counter()
    note = _note_of(db, path)
    assert WORDS[:2_000_000] in note
    assert time.perf_counter() - started < 5
