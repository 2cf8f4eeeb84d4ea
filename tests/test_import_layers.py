"""Import and export are core: they pull in neither Textual, click nor rich."""

from __future__ import annotations

import subprocess
import sys


def test_importing_and_exporting_import_no_face() -> None:
    code = (
        "import sys\n"
        "import qualif_tui.core.importing, qualif_tui.core.exporting\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('textual', 'click', 'rich'))\n"
        "print(','.join(bad))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True)
    assert result.stdout.strip() == ""
