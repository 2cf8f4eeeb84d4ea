"""The agenda's core (and the iCalendar module) import neither Textual, click nor rich."""

from __future__ import annotations

import subprocess
import sys


def test_agenda_core_imports_no_face() -> None:
    code = (
        "import sys\n"
        "from qualif_tui.core.agenda import alarms, bulk, natural, occurrences, recurrence,"
        " reminders, rollover, series, times, views\n"
        "from qualif_tui.core import activities, ical\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('textual', 'click', 'rich'))\n"
        "print(','.join(bad))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True)
    assert result.stdout.strip() == ""
