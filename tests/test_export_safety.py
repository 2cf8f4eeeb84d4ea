"""Issue 9, item 1: an export never writes over the database, and asks before
replacing any other file.

``qualif export DB … -o DB`` replaced the database with a CSV, exit 0.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from qualif_tui.cli import main
from qualif_tui.query import compile_query
from qualif_tui.services import exporting
from qualif_tui.services.exporting import ExportError, TargetExists, export_to_file
from qualif_tui.storage import Database, backup_database, open_database
from qualif_tui.storage.files import backups_folder, inspect_target


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def demo(demo_db: Database) -> Path:
    path = demo_db.path
    demo_db.close()
    return path


def _dangerous_targets(db: Path) -> dict[str, Path]:
    folder = db.parent
    link = folder / "link.csv"
    link.symlink_to(db)
    hard = folder / "hard.csv"
    os.link(db, hard)
    backup = backup_database(open_database(db, readonly=True), folder / "copy.db")
    backups_folder(db).mkdir(exist_ok=True)
    return {"database": db, "relative": Path(os.path.relpath(db)), "symlink": link,
            "hard link": hard, "journal": db.with_name(db.name + "-journal"),
            "a qualif backup": backup, "backups folder": backups_folder(db) / "x.csv",
            "dotted path": folder / "." / db.name}


@pytest.mark.parametrize("force", [False, True])
def test_export_refuses_the_database_its_links_journal_and_backups(demo: Path,
                                                                    force: bool) -> None:
    before = digest(demo)
    for what, target in _dangerous_targets(demo).items():
        args = ["export", str(demo), "-o", str(target), "--format", "csv"]
        code, _, stderr = run(*args, *(["--force"] if force else []))
        assert code == 1, what
        assert stderr.startswith("qualif: ") and stderr.count("\n") == 1, (what, stderr)
        assert digest(demo) == before, what
    code, stdout, _ = run("check", str(demo))
    assert code == 0 and "intégrité : ok" in stdout


def test_an_existing_file_is_replaced_only_with_force(demo: Path, tmp_path: Path) -> None:
    target = tmp_path / "clients.csv"
    target.write_text("précieux")
    code, _, stderr = run("export", str(demo), "profil:client", "-o", str(target))
    assert code == 1 and "existe déjà" in stderr and "--force" in stderr
    assert target.read_text() == "précieux"
    code, _, _ = run("export", str(demo), "profil:client", "-o", str(target), "--force")
    assert code == 0 and target.read_bytes().startswith(b"\xef\xbb\xbf")


def test_a_failed_export_leaves_no_half_file(demo: Path, tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "clients.csv"
    target.write_text("précieux")

    def broken(stream: object, out: object, options: object) -> object:
        out.write(b"half a file")  # type: ignore[attr-defined]
        raise OSError(28, "No space left on device")

    monkeypatch.setitem(exporting.EXPORT_FORMATS, "csv", exporting.ExportFormat(
        "csv", "CSV", ".csv", broken))  # type: ignore[arg-type]
    code, _, stderr = run("export", str(demo), "-o", str(target), "--force")
    assert code == 1 and "plein" in stderr and "Traceback" not in stderr
    assert target.read_text() == "précieux"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["clients.csv", "demo.db"]


def test_the_core_guard_the_app_uses(demo_db: Database, tmp_path: Path) -> None:
    everyone = compile_query(demo_db, "")
    with pytest.raises(ExportError, match="base de données elle-même"):
        export_to_file(demo_db, everyone, "csv", demo_db.path, overwrite=True)
    target = tmp_path / "x.csv"
    assert inspect_target(demo_db.path, target).exists is False
    export_to_file(demo_db, everyone, "csv", target)
    status = inspect_target(demo_db.path, target)
    assert status.exists and status.forbidden is None
    with pytest.raises(TargetExists):
        export_to_file(demo_db, everyone, "csv", target)
    assert export_to_file(demo_db, everyone, "csv", target, overwrite=True).written == 300
    assert inspect_target(demo_db.path, demo_db.path).forbidden


def test_standard_output_appended_to_the_database_is_refused(demo: Path) -> None:
    before = digest(demo)
    script = ("import sys; from qualif_tui.cli import main;"
              f" sys.argv = ['qualif', 'export', {str(demo)!r}, '--format', 'csv']; main()")
    with demo.open("ab") as appended:
        done = subprocess.run([sys.executable, "-c", script], stdout=appended,
                              stderr=subprocess.PIPE, text=True, timeout=60)
    assert done.returncode == 1 and "sortie standard" in done.stderr
    assert digest(demo) == before
