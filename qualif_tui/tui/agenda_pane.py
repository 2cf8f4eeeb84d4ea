"""The card's third part: the contact's open activities, soonest first, overdue marked.

``x`` marks the highlighted activity done (the core writes the history entry);
``t`` (a screen key) plans a new one.
"""

from __future__ import annotations

from rich.text import Text
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from qualif_tui.base.i18n import _
from qualif_tui.domain import clock
from qualif_tui.domain.activities import PRIORITIES, Activity
from qualif_tui.tui import keymap
from qualif_tui.tui.columns import fit
from qualif_tui.tui.messages import MarkDone


def is_overdue(activity: Activity, now: str) -> bool:
    """Open and its time (or due day) is past. ``now`` is ``YYYY-MM-DDTHH:MM:SS``."""
    moment = activity.when
    if activity.status != "open" or not moment:
        return False
    if "T" not in moment:  # a day: overdue from the next day on
        return moment < now[:10]
    return moment < now[:16]


def activity_line(activity: Activity, now: str) -> Text:
    moment = activity.when or ""
    day = f"{moment[8:10]}/{moment[5:7]}/{moment[2:4]}" if moment else _("sans date")
    hour = moment[11:16] if "T" in moment else ""
    overdue = is_overdue(activity, now)
    text = Text("⚠ " if overdue else "  ", "bold red")
    text.append(f"{day} {hour:5} ", "red" if overdue else "dim")
    text.append(fit(activity.kind_label, 11) + " ", "bold")
    text.append(activity.title)
    if activity.priority == 1:
        text.append(f"  ({_(PRIORITIES[1])})", "yellow")
    if overdue:
        text.append(_("  en retard"), "italic red")
    return text


class AgendaPane(OptionList):
    """Open and upcoming activities of the contact shown."""

    BINDINGS = keymap.bindings(keymap.AGENDA_KEYS)

    def __init__(self) -> None:
        super().__init__(id="activities")
        self.activities: list[Activity] = []

    def show(self, activities: list[Activity]) -> None:
        now = clock.stamp()
        self.activities = activities
        highlighted = self.highlighted
        if activities:
            self.set_options([Option(activity_line(a, now), id=str(a.id)) for a in activities])
            self.highlighted = min(highlighted or 0, len(activities) - 1)
        else:
            self.set_options([Option(Text(_("Aucune activité prévue — t pour en planifier une."),
                                          "dim"), disabled=True)])

    @property
    def selected(self) -> Activity | None:
        index = self.highlighted
        if index is None or not 0 <= index < len(self.activities):
            return None
        return self.activities[index]

    def action_done(self) -> None:
        activity = self.selected
        if activity is None:
            self.app.bell()
            return
        self.post_message(MarkDone(activity))
