"""The card's first part: the contact's coordinates and a field per qualification key.

A choice key is answered with one keystroke (a digit or the value's initial),
a multi-choice key toggles values the same way, and month/date/number/text
keys open a one-line input (typing a digit starts it). The fields post
:class:`~qualif_tui.tui.messages.AnswerKey`; the screen writes.
"""

from __future__ import annotations

from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widget import Widget
from textual.widgets import Input, Static

from qualif_tui.base.i18n import _
from qualif_tui.domain.contacts import Contact
from qualif_tui.domain.errors import ValidationError
from qualif_tui.domain.keys import Decoded, QualKey, format_value
from qualif_tui.domain.phones import format_phone
from qualif_tui.domain.validity import warnings_of
from qualif_tui.tui import keymap
from qualif_tui.tui.columns import fit
from qualif_tui.tui.custom_fields import CustomFieldLine, custom_lines
from qualif_tui.tui.keystrokes import PLACEHOLDERS, TYPED, choices_hint, starts_typing, value_for
from qualif_tui.tui.messages import AnswerKey, EditContact

LABEL_WIDTH = 20


def coordinates(contact: Contact) -> Text:
    """The coordinates block: who, where, how to reach them."""
    text = Text()

    def line(label: str, value: str, style: str = "") -> None:
        if value:
            text.append(fit(label, 12), "dim")
            text.append(value + "\n", style)

    line(_("Société"), " · ".join(p for p in (contact.company, contact.title) if p))
    line(_("E-mail"), contact.email + (_("  (refus e-mail)") if contact.email_optout else ""))
    line(_("E-mail 2"), contact.email2)
    # French numbers in pairs (05 62 00 11 22); the file keeps them as typed
    line(_("Téléphone"), "  ".join(format_phone(p) for p in (contact.phone, contact.mobile) if p))
    address = ", ".join(p for p in (contact.address, contact.address2) if p)
    place = " ".join(p for p in (contact.postal_code, contact.city) if p)
    line(_("Adresse"), ", ".join(p for p in (address, place) if p))
    if contact.country and contact.country.lower() != "france":
        line(_("Pays"), contact.country)
    line(_("Naissance"), contact.birthday)
    for warning in warnings_of(contact.email, contact.email2, contact.postal_code,
                               contact.country):
        text.append("⚠ " + warning + "\n", "bold red")
    line(_("Contacté le"), contact.last_contact or "")
    if contact.deals or contact.open_deals:
        line(_("Affaires"), f"{contact.deals} gagnée(s), {contact.revenue:,.0f} €".replace(",", " ")
             + (_(", {open_deals} en cours").format(open_deals=contact.open_deals) if contact.open_deals else ""))
    text.rstrip()
    return text


class CoordsView(Static, can_focus=True):
    """The coordinates; Enter opens the contact form."""

    BINDINGS = keymap.bindings(keymap.COORDS_KEYS)

    def __init__(self) -> None:
        super().__init__("", id="coords")
        self.contact_id: int | None = None

    def show(self, contact: Contact) -> None:
        self.contact_id = contact.id
        self.update(coordinates(contact))

    def clear(self) -> None:
        self.contact_id = None
        self.update("")

    def action_edit(self) -> None:
        if self.contact_id is not None:
            self.post_message(EditContact(self.contact_id))


class KeyInput(Input):
    def on_mount(self) -> None:
        self.cursor_blink = getattr(self.app, "cursor_blink_enabled", True)


class KeyField(Widget, can_focus=True):
    """One qualification key of the contact shown: its value, and how to change it."""

    BINDINGS = keymap.bindings(keymap.KEY_FIELD_KEYS)

    def __init__(self, key: QualKey, contact_id: int, value: Decoded) -> None:
        super().__init__(classes="key-field")
        self.key = key
        self.contact_id = contact_id
        self.value = value
        self.editing = False

    def compose(self) -> ComposeResult:
        yield Static(self._line(), classes="key-line")
        # hidden from the start, not in on_mount: a field removed while it mounts (the
        # card rebuilt for another contact, this one deleted) has no children left
        # then, and querying them crashed the app
        hint = Static("", classes="key-hint")
        hint.display = False
        yield hint

    def _line(self) -> Text:
        text = Text()
        text.append(fit(self.key.display_name, LABEL_WIDTH) + " ")
        shown = format_value(self.value)
        text.append(shown or "—", "bold" if shown else "dim")
        return text

    def set_value(self, contact_id: int, value: Decoded) -> None:
        self.contact_id = contact_id
        self.value = value
        self.query_one(".key-line", Static).update(self._line(), layout=False)
        if self.has_focus:
            self._show_hint()

    def _show_hint(self, error: str = "") -> None:
        hint = self.query_one(".key-hint", Static)
        hint.update(Text(error, "red") if error else choices_hint(self.key, self.value))
        hint.display = True

    def on_focus(self) -> None:
        self._show_hint()

    def on_blur(self) -> None:
        if not self.editing:
            self.query_one(".key-hint").display = False

    # -- answering -----------------------------------------------------------
    def on_key(self, event: events.Key) -> None:
        if self.editing:
            if event.key == "escape":
                event.stop()
                event.prevent_default()
                self.stop_editing()
            return
        character = event.character or ""
        value = value_for(self.key, character, self.value)
        if value is not None:
            event.stop()
            event.prevent_default()
            self.post_message(AnswerKey(self.contact_id, self.key, value,
                                        toggle=self.key.type == "multi"))
        elif starts_typing(self.key, character):
            event.stop()
            event.prevent_default()
            self.start_editing(character)

    def action_clear(self) -> None:
        if self.value not in (None, []):
            self.post_message(AnswerKey(self.contact_id, self.key, None))

    def action_edit(self) -> None:
        if self.key.type in TYPED:
            self.start_editing(format_value(self.value))
        elif self.key.has_choices:
            from qualif_tui.tui.dialogs import PickValue

            def picked(value: str | None) -> None:
                if value is not None:
                    self.post_message(AnswerKey(self.contact_id, self.key, value,
                                                toggle=self.key.type == "multi"))

            self.app.push_screen(PickValue(self.key, self.value), picked)

    def start_editing(self, initial: str) -> None:
        if self.editing:
            return
        self.editing = True
        field = KeyInput(value=initial, placeholder=PLACEHOLDERS.get(self.key.type, ""),
                         classes="key-input", select_on_focus=False)
        self.mount(field, before=self.query_one(".key-hint"))
        field.focus()
        field.cursor_position = len(initial)
        self._show_hint()

    def stop_editing(self) -> None:
        self.editing = False
        for field in self.query(KeyInput):
            field.remove()
        self.focus()

    def on_descendant_blur(self, event: events.DescendantBlur) -> None:
        # Leaving the input (↑/↓, Tab, a click elsewhere) drops what was typed.
        if self.editing:
            self.editing = False
            self.query(KeyInput).remove()
            if not self.has_focus:
                self.query_one(".key-hint").display = False

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        text = event.value.strip()
        try:
            self.key.encode(text)
        except ValidationError as error:
            self._show_hint(str(error))
            return
        self.post_message(AnswerKey(self.contact_id, self.key, text or None))
        self.stop_editing()


class QualificationForm(VerticalScroll):
    """Coordinates, then one field per key; j/k (↑/↓) move between them."""

    BINDINGS = keymap.bindings(keymap.FORM_KEYS)

    def __init__(self) -> None:
        super().__init__(id="form")
        self.can_focus = False
        self._key_ids: tuple[int, ...] = ()

    def compose(self) -> ComposeResult:
        yield CoordsView()

    @property
    def fields(self) -> list[Widget]:
        return [self.query_one(CoordsView), *self.query(KeyField), *self.query(CustomFieldLine)]

    def _show_custom(self, contact: Contact) -> None:
        """The contact's custom fields, after its keys (tui/custom_fields.py)."""
        focused = self._focused_index()
        self.query(CustomFieldLine).remove()
        self.mount_all(custom_lines(contact.id, contact.custom))
        if focused is not None and focused > len(self.query(KeyField)):
            self.call_after_refresh(self.focus_index, focused)

    def show(self, contact: Contact, keys: list[QualKey]) -> None:
        self.query_one(CoordsView).show(contact)
        self._show_custom(contact)
        key_ids = tuple(k.id for k in keys)
        if key_ids == self._key_ids:
            for field in self.query(KeyField):
                field.set_value(contact.id, contact.keys.get(field.key.name))
            return
        focused_index = self._focused_index()
        self._key_ids = key_ids
        self.query(KeyField).remove()
        first_custom = self.query(CustomFieldLine)
        fields = [KeyField(k, contact.id, contact.keys.get(k.name)) for k in keys]
        if first_custom:
            self.mount_all(fields, before=first_custom.first())
        else:
            self.mount_all(fields)
        if focused_index is not None:
            self.call_after_refresh(self.focus_index, focused_index)

    def clear(self) -> None:
        """No contact (an empty result): nobody's coordinates, nobody's keys."""
        self.query_one(CoordsView).clear()
        self._key_ids = ()
        self.query(KeyField).remove()

    def _focused_index(self) -> int | None:
        focused = self.screen.focused
        for index, field in enumerate(self.fields):
            if focused is not None and (focused is field or field in focused.ancestors):
                return index
        return None

    def focus_index(self, index: int) -> None:
        fields = self.fields
        if fields:
            fields[max(0, min(index, len(fields) - 1))].focus()

    def focus_first(self) -> None:
        index = self._focused_index()
        self.focus_index(1 if index is None and len(self.fields) > 1 else index or 0)

    def action_focus_field(self, step: int) -> None:
        index = self._focused_index()
        self.focus_index((index or 0) + step if index is not None else 0)
        focused = self.screen.focused
        if focused is not None:
            focused.scroll_visible(animate=False)
