"""``qualif contcts.db`` (a typo) asks before creating an empty file (issue 11, item 5)."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from qualif_tui.cli import open_app as opening
from qualif_tui.cli.main import main


def test_a_missing_file_is_not_created_without_a_yes(tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "contacts.db").write_bytes(b"")
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["contcts.db"], input="n\n")
    assert result.exit_code == 1
    assert "contacts.db" in result.output  # did you mean…
    assert not (tmp_path / "contcts.db").exists()


def test_yes_creates_it_and_opens_the_app(tmp_path: Path,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    opened: list[bool] = []
    monkeypatch.setattr(opening, "can_ask", lambda: True)
    monkeypatch.setattr("qualif_tui.tui.app.QualifApp.run",
                        lambda self: opened.append(self.demo))
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["nouveau.db"], input="o\n")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "nouveau.db").exists()
    assert opened == [False]


def test_similar_files() -> None:
    assert opening.similar_files(Path("/nonexistent/folder/x.db")) == []
