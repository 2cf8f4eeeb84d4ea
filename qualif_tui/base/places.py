"""Where qualif keeps what belongs to the machine, not to the database file.

The database travels on a stick; the user's key map, the folder they export to
and the format they last chose belong to the computer they sit at. They live in
the platform's folders (platformdirs: ``~/.config/qualif`` and
``~/.local/state/qualif`` on Linux, ``%APPDATA%`` on Windows, ``~/Library`` on
macOS). ``QUALIF_CONFIG_DIR`` and ``QUALIF_STATE_DIR`` move them (tests, a
portable install).

Remembered choices are a small JSON file. Reading or writing it never fails the
caller: a preference that cannot be kept is simply not remembered.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

import platformdirs

APP_NAME = "qualif"


def config_dir() -> Path:
    """The folder of files the user writes (``keys.toml``)."""
    override = os.environ.get("QUALIF_CONFIG_DIR")
    return Path(override) if override else Path(platformdirs.user_config_dir(APP_NAME))


def state_dir() -> Path:
    """The folder of what the app remembers between runs on this machine."""
    override = os.environ.get("QUALIF_STATE_DIR")
    return Path(override) if override else Path(platformdirs.user_state_dir(APP_NAME))


def documents_dir() -> Path:
    """The user's documents folder, or their home when there is none."""
    try:
        found = Path(platformdirs.user_documents_dir())
    except Exception:  # noqa: BLE001 - an odd platform: the home folder will do
        return Path.home()
    return found if found.is_dir() else Path.home()


def _state_file() -> Path:
    return state_dir() / "remembered.json"


def _read() -> dict[str, Any]:
    try:
        data = json.loads(_state_file().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def recall(name: str, default: Any = None) -> Any:
    """What was remembered under ``name`` on this machine, or ``default``."""
    return _read().get(name, default)


def remember(name: str, value: Any) -> None:
    """Keep ``value`` under ``name`` (written whole, then renamed: never half a file)."""
    data = _read()
    data[name] = value
    target = _state_file()
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(prefix=".remembered.", dir=target.parent)
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            json.dump(data, out, ensure_ascii=False, indent=1)
        os.replace(temporary, target)
    except OSError:
        pass
