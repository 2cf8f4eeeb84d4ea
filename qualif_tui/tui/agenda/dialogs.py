"""Small modal forms of the agenda: reschedule with a natural date, pick a contact."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Checkbox, Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from qualif_tui.base.i18n import _
from qualif_tui.domain.activities import ContactRef
from qualif_tui.domain.agenda.natural import AmbiguousDate, describe_moment, parse_when
from qualif_tui.domain.errors import ValidationError
from qualif_tui.tui.keymap import described


@dataclass(frozen=True)
class RescheduleResult:
    when: date | datetime
    following: bool


class RescheduleDialog(ModalScreen[RescheduleResult | None]):
    """Ask a new date (``demain 10h``, ``lundi``, ``+3d``…); ambiguous input asks again."""

    BINDINGS = [described("escape", "cancel", "Annuler", id="agenda.dialog.cancel")]
    CSS_PATH = "dialogs.tcss"

    def __init__(self, title: str, current: str, *, series: bool) -> None:
        super().__init__()
        self._title = title
        self._current = current
        self._series = series

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(_("Reporter « {title} »").format(title=self._title))
            yield Static(_("actuellement : {current}").format(current=self._current), id="reschedule-hint")
            yield Input(placeholder=_("demain 10h, lundi, 1/12 14h, +3d, dans 2 semaines"),
                        id="reschedule-when")
            if self._series:
                yield Checkbox(_("cette occurrence et les suivantes"), id="reschedule-following")
            yield Static("", id="reschedule-error")

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    @on(Input.Submitted, "#reschedule-when")
    def _submit(self, event: Input.Submitted) -> None:
        error = self.query_one("#reschedule-error", Static)
        try:
            value = parse_when(event.value).value
        except AmbiguousDate as ambiguous:
            choices = " ou ".join(f"{label} ({describe_moment(v)})"
                                  for label, v in ambiguous.readings)
            error.update(_("Ambigu : {choices} ? Précisez la date.").format(choices=choices))
            return
        except ValidationError as problem:
            error.update(str(problem))
            return
        following = False
        if self._series:
            following = self.query_one("#reschedule-following", Checkbox).value
        self.dismiss(RescheduleResult(value, following))

    def action_cancel(self) -> None:
        self.dismiss(None)


class ContactChoice(ModalScreen[int | None]):
    """Which contact's card to open, for an activity planned with several."""

    BINDINGS = [described("escape", "cancel", "Annuler", id="agenda.choice.cancel")]
    CSS_PATH = "dialogs.tcss"

    def __init__(self, title: str, contacts: tuple[ContactRef, ...]) -> None:
        super().__init__()
        self._title = title
        self._contacts = contacts

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(_("« {title} » : quelle fiche ouvrir ?").format(title=self._title))
            yield OptionList(*(Option(c.name, id=str(c.id)) for c in self._contacts),
                             id="choice-contacts")

    def on_mount(self) -> None:
        self.query_one(OptionList).focus()

    @on(OptionList.OptionSelected, "#choice-contacts")
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(int(event.option.id or 0) or None)

    def action_cancel(self) -> None:
        self.dismiss(None)
