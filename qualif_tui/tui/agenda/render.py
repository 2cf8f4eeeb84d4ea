"""How one agenda item, reminder or day header reads on screen (Rich text, no I/O)."""

from __future__ import annotations

from datetime import date

from rich.text import Text

from qualif_tui.base.i18n import _
from qualif_tui.domain.agenda.occurrences import Occurrence
from qualif_tui.domain.agenda.reminders import Reminder
from qualif_tui.domain.agenda.views import FR_WEEKDAYS

KIND_MARKS = {"call": "☎", "meeting": "◆", "todo": "□"}
PRIORITY_MARKS = {1: ("!", "bold red"), 2: (" ", ""), 3: ("↓", "dim")}


def contacts_text(occurrence: Occurrence) -> str:
    names = [c.name for c in occurrence.contacts]
    if len(names) > 2:
        return f"{names[0]}, {names[1]} +{len(names) - 2}"
    return ", ".join(names)


def item_text(occurrence: Occurrence, *, compact: bool = False) -> Text:
    """One line: time, priority, kind, title, contacts; late and closed items marked."""
    text = Text(no_wrap=True, overflow="ellipsis")
    if occurrence.rolled_over:
        assert occurrence.original is not None
        text.append(_("⟲ {n} j ").format(n=occurrence.late_days), style="bold red")
        if not compact:
            text.append(f"({occurrence.original:%d/%m}) ", style="red")
    elif compact:
        text.append(occurrence.time_label[:5] if occurrence.time_label != _("journée") else "     ",
                    style="cyan")
        text.append(" ")
    else:
        text.append(f"{occurrence.time_label:<11}", style="cyan")
    mark, style = PRIORITY_MARKS.get(occurrence.priority, (" ", ""))
    text.append(mark, style=style)
    kind = KIND_MARKS.get(occurrence.kind, "•")
    if occurrence.status == "done":
        kind = "✓"
    text.append(f"{kind} ")
    title_style = ""
    if occurrence.status == "done":
        title_style = "dim strike"
    elif occurrence.status == "cancelled":
        title_style = "dim italic strike"
    text.append(occurrence.title, style=title_style)
    if occurrence.generated or occurrence.series_id:
        text.append(" ↻", style="dim")
    people = contacts_text(occurrence)
    if people and not compact:
        text.append(f" — {people}", style="italic")
    if occurrence.activity.location and not compact:
        text.append(f" @ {occurrence.activity.location}", style="dim")
    return text


def reminder_text(reminder: Reminder, *, compact: bool = False) -> Text:
    text = Text(no_wrap=True, overflow="ellipsis")
    text.append("* " if compact else "  rappel   * ", style="magenta")
    text.append(reminder.title, style="magenta")
    return text


def day_title(day: date, today: date) -> str:
    label = f"{_(FR_WEEKDAYS[day.weekday()])[:3]}. {day:%d/%m}"
    return label + (" ●" if day == today else "")


def more_text(count: int, what: str = "autres") -> Text:
    return Text(f"  + {count} {what}", style="dim italic")
