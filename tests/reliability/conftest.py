"""Fixtures of the reliability suite: a private copy of the demo file."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest


@pytest.fixture
def demo_copy(demo_file: Path, tmp_path: Path) -> Path:
    target = tmp_path / "carnet.db"
    shutil.copyfile(demo_file, target)
    return target
