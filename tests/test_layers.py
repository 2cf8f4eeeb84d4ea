"""The core knows nothing of the faces: importing it pulls in neither Textual nor click."""

from __future__ import annotations

import subprocess
import sys


def test_core_imports_no_textual_or_click() -> None:
    code = (
        "import sys\n"
        "import qualif_tui.storage, qualif_tui.query\n"
        "from qualif_tui.core import activities, contacts, deals, demo, generator, history, keys\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('textual', 'click', 'rich'))\n"
        "print(','.join(bad))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True)
    assert result.stdout.strip() == ""
