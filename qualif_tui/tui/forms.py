"""Modal forms: a contact's coordinates, a history entry, an activity.

Every form validates as you type where it can (e-mail, postal code, dates),
saves with ctrl+s (or Enter on its last field) through the app's write queue,
stays open with the error next to the field when the core refuses, and asks
before throwing away unsaved edits (Esc, or quitting the app).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widget import Widget
from textual.widgets import Checkbox, Input, Label, Select, Static, TextArea

from qualif_tui.domain import clock
from qualif_tui.domain.activities import KINDS as ACTIVITY_KINDS
from qualif_tui.domain.activities import PRIORITIES, Activity
from qualif_tui.domain.agenda import natural
from qualif_tui.domain.contacts import FIELDS, FLAG_FIELDS, Contact, clean_fields
from qualif_tui.domain.errors import ValidationError
from qualif_tui.domain.history import KINDS as HISTORY_KINDS
from qualif_tui.domain.legal_basis import LEGAL_BASES
from qualif_tui.tui.dialogs import BlinkInput, ConfirmScreen, field_error
from qualif_tui.tui.workers import WriteJob

LOGGED_KINDS = ("note", "call", "email", "meeting", "letter")


def parse_when(text: str, label: str = "Date") -> str:
    """What the user typed in a date field → ``YYYY-MM-DD[THH:MM]``.

    The agenda's natural input: ``21/11/2026 9h30``, ``2026-11-21 09:30``,
    ``demain 10h``, ``lundi``, ``+3d``, ``dans 2 semaines``; an input that reads
    two ways is refused with both readings (never guessed).
    """
    if not text.strip():
        raise ValidationError(f"{label}: a date is needed", "when")
    try:
        value = natural.parse_when(text, field="when").value
    except ValidationError as error:
        raise ValidationError(f"{label}: {error}", "when") from None
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%dT%H:%M")
    return value.isoformat()


def stamp_for_input(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M")


class FormScreen(ModalScreen[Any]):
    """Base of the forms: values, dirty check, save through the write queue."""

    BINDINGS = [
        Binding("ctrl+s", "save", "Enregistrer", id="form.save", show=True),
        Binding("escape", "leave", "Fermer", id="form.leave", show=True),
    ]
    AUTO_FOCUS = "Input"
    TITLE_TEXT = ""
    SAVE_LABEL = "Enregistrement"

    def __init__(self) -> None:
        super().__init__(classes="form-screen")
        self.initial: dict[str, Any] = {}
        self.saving = False

    # subclasses: the fields, their values, and the core call that saves them
    def fields(self) -> ComposeResult:
        yield from ()

    def values(self) -> dict[str, Any]:
        return {}

    def write(self, values: dict[str, Any]) -> Callable[[], Any]:
        raise NotImplementedError

    def compose(self) -> ComposeResult:
        with Vertical(classes="form"):
            yield Label(self.TITLE_TEXT, classes="dialog-title")
            with VerticalScroll(classes="form-fields"):
                yield from self.fields()
            yield Static("", id="form-error", classes="field-error")
            yield Static("ctrl+s enregistrer   ↵ champ suivant   échap fermer",
                         classes="dialog-keys")

    def on_mount(self) -> None:
        self.initial = self.values()
        self.query_one(".form-fields").can_focus = False

    @property
    def dirty(self) -> bool:
        return self.values() != self.initial

    def row(self, name: str, label: str, widget: Widget) -> ComposeResult:
        with Horizontal(classes="form-row"):
            yield Label(label, classes="field-label")
            yield widget
        yield Static("", id=f"error-{name}", classes="field-error")

    def show_error(self, name: str, message: str) -> None:
        target = self.query(f"#error-{name}")
        for widget in self.query(".field-error"):
            if isinstance(widget, Static):
                widget.update("")
        if name and target:
            target.first(Static).update(message)
            field = self.query(f"#field-{name}")
            if field:
                field.first().focus()
        else:
            self.query_one("#form-error", Static).update(message)

    def set_field_error(self, name: str, message: str) -> None:
        target = self.query(f"#error-{name}")
        if target:
            target.first(Static).update(message)

    @on(Input.Submitted)
    def _next_field(self, event: Input.Submitted) -> None:
        event.stop()
        inputs = [w for w in self.query("Input, TextArea, Select, Checkbox") if w.focusable]
        if inputs and event.input is inputs[-1]:
            self.action_save()
        else:
            self.focus_next()

    def action_save(self) -> None:
        if self.saving:
            return
        values = self.values()
        try:
            self.check(values)
            job = self.write(values)
        except ValidationError as error:
            self.show_error(error.field, str(error))
            return
        self.saving = True
        self.app.writes.submit(WriteJob(  # type: ignore[attr-defined]
            self.SAVE_LABEL, job, done=self._saved, failed=self._failed))

    def check(self, values: dict[str, Any]) -> None:
        """Validation before writing (raise ValidationError with the field)."""

    def _saved(self, result: Any) -> None:
        self.saving = False
        self.initial = self.values()
        self.dismiss(result)

    def _failed(self, error: BaseException) -> None:
        self.saving = False
        name, message = field_error(error)
        self.show_error(name, message)

    def action_leave(self) -> None:
        if not self.dirty:
            self.dismiss(None)
            return

        def answered(yes: bool | None) -> None:
            if yes:
                self.dismiss(None)

        self.app.push_screen(ConfirmScreen("Abandonner les modifications ?",
                                           "Ce qui a été saisi sera perdu."), answered)


class ContactForm(FormScreen):
    """Create a contact, or edit one's coordinates (only changed fields are written)."""

    SAVE_LABEL = "Fiche du contact"

    def __init__(self, contact: Contact | None, save: Callable[[dict[str, Any]], Any]) -> None:
        super().__init__()
        self.contact = contact
        self.save = save
        self.TITLE_TEXT = f"Modifier : {contact.name}" if contact else "Nouveau contact"

    def fields(self) -> ComposeResult:
        for name, label in FIELDS.items():
            current = getattr(self.contact, name) if self.contact else None
            if name in FLAG_FIELDS:
                widget: Widget = Checkbox(label, bool(current), id=f"field-{name}",
                                          classes="field")
                yield from self.row(name, "", widget)
            elif name == "legal_basis":
                # a choice (campaigns decide on it); a value typed elsewhere stays offered
                options = [("—", ""), *((shown, value) for value, shown in LEGAL_BASES.items())]
                if current and current not in LEGAL_BASES:
                    options.append((str(current), str(current)))
                widget = Select(options, value=current or "", allow_blank=False, compact=True,
                                id=f"field-{name}", classes="field")
                yield from self.row(name, label, widget)
            else:
                widget = BlinkInput(value=current or "", id=f"field-{name}", classes="field")
                yield from self.row(name, label, widget)

    def values(self) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for name in FIELDS:
            found = self.query(f"#field-{name}")
            if not found:
                continue
            widget = found.first()
            if isinstance(widget, Checkbox):
                result[name] = widget.value
            elif isinstance(widget, Select):
                result[name] = str(widget.value) if widget.value is not Select.BLANK else ""
            elif isinstance(widget, Input):
                result[name] = widget.value.strip()
        return result

    @on(Input.Changed, ".field")
    def _validate_live(self, event: Input.Changed) -> None:
        name = (event.input.id or "").removeprefix("field-")
        if name not in ("email", "email2", "birthday", "postal_code", "country"):
            return
        values = self.values()
        subset = {name: values.get(name, "")}
        if name in ("postal_code", "country"):
            subset = {"postal_code": values.get("postal_code", ""),
                      "country": values.get("country", "")}
            name = "postal_code"
        try:
            clean_fields(subset)
        except ValidationError as error:
            self.set_field_error(name, str(error))
        else:
            self.set_field_error(name, "")

    def check(self, values: dict[str, Any]) -> None:
        clean_fields(values)
        if not any(values.get(n) for n in ("first_name", "last_name", "company", "email")):
            raise ValidationError("a contact needs at least a name, a company or an e-mail",
                                  "last_name")

    def write(self, values: dict[str, Any]) -> Callable[[], Any]:
        if self.contact is None:
            chosen = {k: v for k, v in values.items() if v not in ("", False)}
        else:
            chosen = {k: v for k, v in values.items() if v != self.initial.get(k)}
        return lambda: self.save(chosen)


class EntryForm(FormScreen):
    """A note, call, e-mail or meeting for the timeline; the date defaults to now."""

    SAVE_LABEL = "Historique"

    def __init__(self, contact_name: str, kind: str, save: Callable[..., Any], *,
                 answers: Activity | None = None) -> None:
        """``save(kind, subject, body, when, closes)``; ``answers``: the planned call
        or meeting this entry reports on (subject taken from it, closed on save
        unless the user unticks it)."""
        super().__init__()
        self.kind = kind if kind in LOGGED_KINDS else "note"
        self.save = save
        self.answers = answers
        self.TITLE_TEXT = f"{HISTORY_KINDS[self.kind]} — {contact_name}"

    def fields(self) -> ComposeResult:
        yield from self.row("kind", "Type", Select(
            [(HISTORY_KINDS[k], k) for k in LOGGED_KINDS], value=self.kind, allow_blank=False,
            id="field-kind", compact=True))
        planned = self.answers
        yield from self.row("subject", "Sujet", BlinkInput(planned.title if planned else "",
                                                          id="field-subject"))
        if planned is not None:
            when = (planned.starts_at or planned.due or "")[:16].replace("T", " ")
            yield Checkbox(f"Clôturer « {planned.title} » prévu le {when}", value=True,
                           id="field-closes")
        yield from self.row("when", "Date", BlinkInput(stamp_for_input(clock.now()),
                                                      id="field-when"))
        yield Label("Texte", classes="field-label")
        yield TextArea(id="field-body", classes="field-body")
        yield Static("", id="error-body", classes="field-error")

    AUTO_FOCUS = "#field-subject"

    def on_mount(self) -> None:
        super().on_mount()
        self.query_one("#field-body", TextArea).cursor_blink = getattr(
            self.app, "cursor_blink_enabled", True)

    def values(self) -> dict[str, Any]:
        return {
            "kind": self.query_one("#field-kind", Select).value,
            "subject": self.query_one("#field-subject", Input).value.strip(),
            "when": self.query_one("#field-when", Input).value.strip(),
            "body": self.query_one("#field-body", TextArea).text.strip(),
        }

    @property
    def dirty(self) -> bool:
        now = self.values()
        return any(now[k] != self.initial.get(k) for k in ("subject", "body"))

    def check(self, values: dict[str, Any]) -> None:
        if not values["subject"] and not values["body"]:
            raise ValidationError("write a subject or a text", "subject")
        parse_when(values["when"])

    def write(self, values: dict[str, Any]) -> Callable[[], Any]:
        when = parse_when(values["when"])
        happened = when if "T" in when else f"{when}T00:00"
        closes = None
        if self.answers is not None and self.query_one("#field-closes", Checkbox).value:
            closes = self.answers.id
        return lambda: self.save(str(values["kind"]), values["subject"], values["body"],
                                 happened, closes)


class ActivityForm(FormScreen):
    """Plan a call, a meeting or a to-do for the contact."""

    SAVE_LABEL = "Agenda"

    def __init__(self, contact_name: str | None, save: Callable[..., Any], *,
                 day: date | None = None) -> None:
        """``contact_name`` None: an activity of no contact (from the agenda);
        ``day``: the day it defaults to, at 9:00 (else tomorrow)."""
        super().__init__()
        self.save = save
        self.day = day
        self.TITLE_TEXT = f"Planifier — {contact_name}" if contact_name else "Nouvelle activité"

    def fields(self) -> ComposeResult:
        day = self.day or (clock.now() + timedelta(days=1)).date()
        tomorrow = datetime.combine(day, time(9, 0))
        yield from self.row("kind", "Type", Select(
            [(label, kind) for kind, label in ACTIVITY_KINDS.items()], value="call",
            allow_blank=False, id="field-kind", compact=True))
        yield from self.row("title", "Titre", BlinkInput(id="field-title"))
        yield from self.row("when", "Date", BlinkInput(stamp_for_input(tomorrow),
                                                      id="field-when"))
        yield from self.row("priority", "Priorité", Select(
            [(label, level) for level, label in PRIORITIES.items()], value=2,
            allow_blank=False, id="field-priority", compact=True))

    AUTO_FOCUS = "#field-title"

    def values(self) -> dict[str, Any]:
        return {
            "kind": self.query_one("#field-kind", Select).value,
            "title": self.query_one("#field-title", Input).value.strip(),
            "when": self.query_one("#field-when", Input).value.strip(),
            "priority": self.query_one("#field-priority", Select).value,
        }

    def check(self, values: dict[str, Any]) -> None:
        if not values["title"]:
            raise ValidationError("an activity needs a title", "title")
        if values["when"] or values["kind"] != "todo":
            parse_when(values["when"])

    def write(self, values: dict[str, Any]) -> Callable[[], Any]:
        when = parse_when(values["when"]) if values["when"] else None
        kind = str(values["kind"])
        starts_at, due = (None, when) if kind == "todo" else (when, None)
        priority = int(values["priority"])
        return lambda: self.save(values["title"], kind=kind, starts_at=starts_at, due=due,
                                 priority=priority)
