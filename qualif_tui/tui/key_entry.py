"""A qualification key inside a form (the new contact): one keystroke per value.

The same keystrokes as the card's F2 form (:mod:`keystrokes`): a digit or a
value's initial picks a value and moves on to the next field, so a new contact
is qualified on six keys in six keystrokes; a multi-choice key toggles (↵ moves
on); a month, a date, a number or a text opens a one-line input (↵ keeps it).
Nothing is written here: the form reads :attr:`FormKeyField.value` on saving.
"""

from __future__ import annotations

from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.widget import Widget
from textual.widgets import Input, Static

from qualif_tui.domain.errors import ValidationError
from qualif_tui.domain.keys import Decoded, QualKey, format_value
from qualif_tui.tui.columns import fit
from qualif_tui.tui.keymap import described
from qualif_tui.tui.keystrokes import PLACEHOLDERS, TYPED, choices_hint, starts_typing, value_for

LABEL_WIDTH = 20


class FormKeyInput(Input):
    def on_mount(self) -> None:
        self.cursor_blink = getattr(self.app, "cursor_blink_enabled", True)


class FormKeyField(Widget, can_focus=True):
    """One key of a contact being created: its value, chosen in one keystroke."""

    BINDINGS = [
        described("enter", "next", "Champ suivant", id="form_key.next"),
        described("delete,backspace", "clear", "Effacer la valeur", id="form_key.clear"),
        described("down", "app.focus_next", "Champ suivant", id="form_key.down",
                show=False),
        described("up", "app.focus_previous", "Champ précédent", id="form_key.up",
                show=False),
    ]

    def __init__(self, key: QualKey, value: Decoded = None) -> None:
        super().__init__(classes="form-key", id=f"key-{key.id}")
        self.key = key
        self.value: Decoded = value
        self.editing = False

    def compose(self) -> ComposeResult:
        yield Static(self._line(), classes="key-line")
        # hidden as it is made, not in on_mount: see qualification.KeyField
        hint = Static("", classes="key-hint")
        hint.display = False
        yield hint

    def _line(self) -> Text:
        text = Text()
        text.append(fit(self.key.display_name, LABEL_WIDTH), "dim")
        shown = format_value(self.value)
        text.append(shown or "—", "bold" if shown else "dim")
        return text

    def _show(self, error: str = "") -> None:
        self.query_one(".key-line", Static).update(self._line())
        hint = self.query_one(".key-hint", Static)
        hint.update(Text(error, "red") if error else choices_hint(self.key, self.value))
        hint.display = self.has_focus or self.editing or bool(error)

    def on_focus(self) -> None:
        self._show()
        self.scroll_visible(animate=False)

    def on_blur(self) -> None:
        if not self.editing:
            self.query_one(".key-hint").display = False

    def set_value(self, value: Decoded) -> None:
        self.value = value
        self._show()

    def on_key(self, event: events.Key) -> None:
        if self.editing:
            if event.key == "escape":
                event.stop()
                event.prevent_default()
                self._stop_editing()
            return
        character = event.character or ""
        value = value_for(self.key, character, self.value)
        if value is not None:
            event.stop()
            event.prevent_default()
            if self.key.type == "multi":
                chosen = list(self.value) if isinstance(self.value, list) else []
                name = str(value)
                chosen = [v for v in chosen if v != name] if name in chosen else [*chosen, name]
                self.set_value(chosen or None)
            else:
                self.set_value(value)
                self.screen.focus_next()  # one keystroke, then the next key
        elif starts_typing(self.key, character):
            event.stop()
            event.prevent_default()
            self._start_editing(character)

    def action_next(self) -> None:
        if self.key.type in TYPED and not self.editing:
            self._start_editing(format_value(self.value))
            return
        self.screen.focus_next()

    def action_clear(self) -> None:
        self.set_value(None)

    def _start_editing(self, initial: str) -> None:
        self.editing = True
        field = FormKeyInput(value=initial, placeholder=PLACEHOLDERS.get(self.key.type, ""),
                             classes="key-input", select_on_focus=False)
        self.mount(field, before=self.query_one(".key-hint"))
        field.focus()
        field.cursor_position = len(initial)
        self._show()

    def _stop_editing(self, *, refocus: bool = True) -> None:
        self.editing = False
        if refocus:
            self.screen.set_focus(self)
        self.query(FormKeyInput).remove()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()  # not the form's "next field": the value is checked first
        text = event.value.strip()
        try:
            self.key.encode(text)
        except ValidationError as error:
            self._show(str(error))
            return
        self.value = text or None
        self.screen.focus_next()  # from the input: the field after this key
        self._stop_editing(refocus=False)
        self._show()
