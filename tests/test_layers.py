"""The core knows nothing of the faces, proven on the real import graph.

import-linter (run by ``.ci/run``) checks the static graph against the contracts in
``pyproject.toml``; this test checks the dynamic one: every module below the faces,
imported for real, pulls in neither Textual, click nor rich.
"""

from __future__ import annotations

import subprocess
import sys


def test_core_imports_no_face() -> None:
    code = (
        "import importlib, pkgutil, sys\n"
        "for pkg in ('base', 'storage', 'domain', 'query', 'services'):\n"
        "    root = importlib.import_module('qualif_tui.' + pkg)\n"
        "    for info in pkgutil.walk_packages(root.__path__, root.__name__ + '.'):\n"
        "        importlib.import_module(info.name)\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('textual', 'click', 'rich'))\n"
        "print(','.join(bad))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True)
    assert result.stdout.strip() == ""
