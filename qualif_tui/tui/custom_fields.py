"""The card's custom fields (imported columns that are not keys): shown, edited, promoted.

One line per custom field of the contact, under its keys: ``↵`` edits the
value on the line, ``suppr`` clears it, ``P`` makes the field a
qualification key (a dry run first). The lines post messages; the screen
writes through the app's queue.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Input, Static

from qualif_tui.base.i18n import _
from qualif_tui.tui import keymap
from qualif_tui.tui.columns import fit

LABEL_WIDTH = 20


@dataclass
class CustomFieldEdit(Message):
    """Set one custom field of one contact ('' clears it)."""

    contact_id: int
    name: str
    value: str


@dataclass
class PromoteField(Message):
    """Make a custom field a qualification key (the screen asks first)."""

    name: str


class CustomInput(Input):
    def on_mount(self) -> None:
        self.cursor_blink = getattr(self.app, "cursor_blink_enabled", True)


class CustomFieldLine(Widget, can_focus=True):
    """One custom field of the contact shown."""

    BINDINGS = keymap.bindings(keymap.CUSTOM_FIELD_KEYS)

    def __init__(self, contact_id: int, name: str, value: str) -> None:
        super().__init__(classes="custom-field")
        self.contact_id = contact_id
        self.field_name = name
        self.value = value
        self.editing = False

    def compose(self) -> ComposeResult:
        yield Static(self._line(), classes="custom-line")

    def _line(self) -> Text:
        text = Text(fit(self.field_name, LABEL_WIDTH) + " ", "italic")
        text.append(self.value or "—", "" if self.value else "dim")
        return text

    def action_edit(self) -> None:
        if self.editing:
            return
        self.editing = True
        field = CustomInput(value=self.value, classes="custom-input")  # typing replaces it
        self.mount(field)
        field.focus()
        field.cursor_position = len(self.value)

    def action_clear(self) -> None:
        if self.value:
            self.post_message(CustomFieldEdit(self.contact_id, self.field_name, ""))

    def action_promote(self) -> None:
        self.post_message(PromoteField(self.field_name))

    def _stop(self) -> None:
        self.editing = False
        self.query(CustomInput).remove()

    def on_key(self, event: events.Key) -> None:
        if self.editing and event.key == "escape":
            event.stop()
            event.prevent_default()
            self._stop()
            self.focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        value = event.value.strip()
        self._stop()
        self.focus()
        if value != self.value:
            self.post_message(CustomFieldEdit(self.contact_id, self.field_name, value))

    def on_descendant_blur(self, _event: events.DescendantBlur) -> None:
        if self.editing:  # leaving the input drops what was typed, like a key field
            self._stop()


def custom_lines(contact_id: int, custom: dict[str, str]) -> list[CustomFieldLine]:
    return [CustomFieldLine(contact_id, name, value) for name, value in sorted(
        custom.items(), key=lambda item: item[0].casefold())]


CUSTOM_HINT = _("champ libre : ↵ modifier · suppr effacer · P en faire une clé")
