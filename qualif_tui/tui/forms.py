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

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widget import Widget
from textual.widgets import Checkbox, Input, Label, Select, Static, TextArea

from qualif_tui.base.i18n import _
from qualif_tui.base.text import fold
from qualif_tui.domain import clock
from qualif_tui.domain.activities import KINDS as ACTIVITY_KINDS
from qualif_tui.domain.activities import PRIORITIES, Activity
from qualif_tui.domain.agenda import natural
from qualif_tui.domain.contacts import FIELDS, FLAG_FIELDS, Contact, clean_fields
from qualif_tui.domain.errors import ValidationError
from qualif_tui.domain.history import KINDS as HISTORY_KINDS
from qualif_tui.domain.keys import QualKey
from qualif_tui.domain.legal_basis import LEGAL_BASES
from qualif_tui.domain.towns import postal_code_problem
from qualif_tui.tui.dialogs import BlinkInput, ConfirmScreen, field_error
from qualif_tui.tui.key_entry import FormKeyField
from qualif_tui.tui.workers import WriteJob, deliver

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


def _say(line: Static, message: str) -> None:
    line.update(message)
    line.display = bool(message)


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
        for widget in self.query(".field-error"):
            widget.display = False  # an error line takes room only when it says something

    @property
    def dirty(self) -> bool:
        return self.values() != self.initial

    def typeahead_ready(self) -> bool:
        # keys typed after ctrl+s belong to what comes after the form, not to it
        return not self.saving

    def row(self, name: str, label: str, widget: Widget) -> ComposeResult:
        with Horizontal(classes="form-row"):
            yield Label(label, classes="field-label")
            yield widget
        yield Static("", id=f"error-{name}", classes="field-error")

    def show_error(self, name: str, message: str) -> None:
        target = self.query(f"#error-{name}")
        for widget in self.query(".field-error"):
            if isinstance(widget, Static):
                _say(widget, "")
        if name and target:
            _say(target.first(Static), message)
            field = self.query(f"#field-{name}")
            if field:
                field.first().focus()
        else:
            _say(self.query_one("#form-error", Static), message)

    def set_field_error(self, name: str, message: str) -> None:
        target = self.query(f"#error-{name}")
        if target:
            _say(target.first(Static), message)

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
        # ``saving`` stays set: the form is leaving, keys are for what comes after
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


# The new contact's form: who and where first, then the keys, then the rest.
NEW_CONTACT_FIRST = ("first_name", "last_name", "company", "email", "mobile", "phone",
                     "postal_code", "city")


class ContactForm(FormScreen):
    """Create a contact (coordinates and qualification keys), or edit one's coordinates
    (only changed fields are written).

    Creating, the town is proposed from the postal code (the spellings the file
    already uses, :mod:`~qualif_tui.domain.towns`) and each key takes one keystroke
    (:mod:`key_entry`)."""

    SAVE_LABEL = "Fiche du contact"
    TYPEAHEAD_GROUPS = frozenset({"towns"})  # ctrl+s waits for the proposed town

    def __init__(self, contact: Contact | None, save: Callable[..., Any], *,
                 keys: list[QualKey] | None = None,
                 towns: Callable[[str], list[str]] | None = None) -> None:
        """``save(fields)`` editing, ``save(fields, keys)`` creating; ``towns(code)``:
        the towns of a postal code (run in a worker)."""
        super().__init__()
        self.contact = contact
        self.save = save
        self.keys = list(keys or []) if contact is None else []
        self.towns = towns
        self._proposed_town = ""
        self.TITLE_TEXT = f"Modifier : {contact.name}" if contact else "Nouveau contact"

    def fields(self) -> ComposeResult:
        names = list(FIELDS)
        if self.contact is None:
            names = [*NEW_CONTACT_FIRST, *(n for n in FIELDS if n not in NEW_CONTACT_FIRST)]
        for name in names:
            yield from self._field(name)
            if name == "city":
                yield Static("", id="towns-hint", classes="field-hint")
                if self.keys:
                    yield Label(_("Qualification (un chiffre ou une initiale par clé)"),
                                classes="form-section")
                    for key in self.keys:
                        yield FormKeyField(key)
                    yield Label(_("Autres coordonnées"), classes="form-section")

    def _field(self, name: str) -> ComposeResult:
        label = FIELDS[name]
        current = getattr(self.contact, name) if self.contact else None
        if name in FLAG_FIELDS:
            yield from self.row(name, "", Checkbox(label, bool(current), id=f"field-{name}",
                                                   classes="field"))
        elif name == "legal_basis":
            # a choice (campaigns decide on it); a value typed elsewhere stays offered
            options = [("—", ""), *((shown, value) for value, shown in LEGAL_BASES.items())]
            if current and current not in LEGAL_BASES:
                options.append((str(current), str(current)))
            yield from self.row(name, label, Select(options, value=current or "",
                                                    allow_blank=False, compact=True,
                                                    id=f"field-{name}", classes="field"))
        else:
            yield from self.row(name, label, BlinkInput(value=current or "", id=f"field-{name}",
                                                        classes="field"))

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
        for field in self.query(FormKeyField):
            result[f"key:{field.key.name}"] = field.value
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
            self._check_postal_code(subset)
        except ValidationError as error:
            self.set_field_error(name, str(error))
        else:
            self.set_field_error(name, "")
            if name == "postal_code":
                self._propose_town(subset["postal_code"])

    @staticmethod
    def _check_postal_code(values: dict[str, Any]) -> None:
        code = str(values.get("postal_code", "") or "")
        if fold(str(values.get("country", "") or "")) in ("", "france", "fr", "fra"):
            problem = postal_code_problem(code)
            if problem:
                raise ValidationError(f"{FIELDS['postal_code']} : {problem}", "postal_code")

    # -- the town from the postal code ----------------------------------------------
    def _propose_town(self, code: str) -> None:
        code = code.replace(" ", "")
        if self.towns is None or len(code) != 5:
            self.query_one("#towns-hint", Static).update("")
            return
        self._find_towns(code)

    @work(thread=True, exclusive=True, group="towns", exit_on_error=False,
          description="villes du code postal")
    def _find_towns(self, code: str) -> None:
        assert self.towns is not None
        deliver(self, self._towns_found, code, self.towns(code))

    def _towns_found(self, code: str, towns: list[str]) -> None:
        current = self.query_one("#field-postal_code", Input).value.replace(" ", "")
        if current != code:
            return  # typed on meanwhile
        hint = self.query_one("#towns-hint", Static)
        city = self.query_one("#field-city", Input)
        if not towns:
            hint.update(Text(_("aucune fiche avec ce code postal : tapez la ville"), "dim"))
            return
        if not city.value.strip() or city.value == self._proposed_town:
            city.value = towns[0]
            self._proposed_town = towns[0]
        others = [t for t in towns if t != city.value]
        told = _("ville d'après les fiches : {town}").format(town=towns[0])
        if others:
            told += " — " + _("aussi : {towns}").format(towns=", ".join(others))
        hint.update(Text(told, "dim"))

    def check(self, values: dict[str, Any]) -> None:
        fields = {k: v for k, v in values.items() if not k.startswith("key:")}
        if self.contact is not None:
            # only what was typed: an imported value kept though invalid (an e-mail
            # with a typo) must not stop the other changes from being saved
            fields = {k: v for k, v in fields.items() if v != self.initial.get(k)}
            if "postal_code" in fields or "country" in fields:
                fields.update(postal_code=values.get("postal_code", ""),
                              country=values.get("country", ""))
        clean_fields(fields)
        self._check_postal_code(fields)
        if not any(values.get(n) for n in ("first_name", "last_name", "company", "email")):
            raise ValidationError("a contact needs at least a name, a company or an e-mail",
                                  "last_name")

    def write(self, values: dict[str, Any]) -> Callable[[], Any]:
        fields = {k: v for k, v in values.items() if not k.startswith("key:")}
        if self.contact is None:
            chosen = {k: v for k, v in fields.items() if v not in ("", False)}
            keys = {k.removeprefix("key:"): v for k, v in values.items()
                    if k.startswith("key:") and v not in (None, [])}
            return lambda: self.save(chosen, keys)
        chosen = {k: v for k, v in fields.items() if v != self.initial.get(k)}
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
        # a subject is always proposed (selected: typing replaces it), so that logging
        # a call is two keys, c and ctrl+s
        subject = planned.title if planned else HISTORY_KINDS[self.kind]
        yield from self.row("subject", "Sujet", BlinkInput(subject, id="field-subject"))
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


# A few everyday answers, so that planning never needs the ics import.
DURATIONS: list[tuple[str, int | None]] = [
    ("—", None), ("15 min", 15), ("30 min", 30), ("45 min", 45), ("1 h", 60),
    ("1 h 30", 90), ("2 h", 120), ("une demi-journée", 240), ("une journée", 480)]
ALARMS: list[tuple[str, int | None]] = [
    ("aucun", None), ("à l'heure", 0), ("5 min avant", 5), ("15 min avant", 15),
    ("30 min avant", 30), ("1 h avant", 60), ("la veille", 1440)]
RECURRENCES: list[tuple[str, str]] = [
    ("aucune", ""), ("chaque jour ouvré", "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR"),
    ("chaque semaine", "FREQ=WEEKLY"), ("chaque lundi", "FREQ=WEEKLY;BYDAY=MO"),
    ("toutes les deux semaines", "FREQ=WEEKLY;INTERVAL=2"), ("tous les mois", "FREQ=MONTHLY"),
    ("tous les trois mois", "FREQ=MONTHLY;INTERVAL=3"), ("tous les ans", "FREQ=YEARLY")]


def follow_up_title(subject: str) -> str:
    """The title a follow-up of ``subject`` is proposed with."""
    subject = subject.strip()
    for prefix in ("Relance : ", "Relance: "):
        subject = subject.removeprefix(prefix)
    return _("Relance : {subject}").format(subject=subject) if subject else ""


class ActivityForm(FormScreen):
    """Plan a call, a meeting or a to-do: when, how long, where, a reminder, a
    recurrence and notes (everything the agenda keeps, without an ics import)."""

    SAVE_LABEL = "Agenda"
    AUTO_FOCUS = "#field-title"

    def __init__(self, contact_name: str | None, save: Callable[..., Any], *,
                 day: date | None = None, title: str = "") -> None:
        """``contact_name`` None: an activity of no contact (from the agenda);
        ``day``: the day it defaults to, at 9:00 (else tomorrow); ``title``: proposed
        (a follow-up of the last entry) — the date then has the focus, selected."""
        super().__init__()
        self.save = save
        self.day = day
        self.title = title
        self.TITLE_TEXT = f"Planifier — {contact_name}" if contact_name else "Nouvelle activité"

    def fields(self) -> ComposeResult:
        day = self.day or (clock.now() + timedelta(days=1)).date()
        tomorrow = datetime.combine(day, time(9, 0))
        yield from self.row("kind", "Type", Select(
            [(label, kind) for kind, label in ACTIVITY_KINDS.items()], value="call",
            allow_blank=False, id="field-kind", compact=True))
        yield from self.row("title", "Titre", BlinkInput(self.title, id="field-title"))
        yield from self.row("when", _("Quand"), BlinkInput(stamp_for_input(tomorrow),
                                                          id="field-when"))
        yield from self.row("duration", _("Durée"), Select(
            DURATIONS, value=None, allow_blank=True, prompt="—", id="field-duration",
            compact=True))
        yield from self.row("location", _("Lieu"), BlinkInput(id="field-location"))
        yield from self.row("alarm", _("Rappel"), Select(
            ALARMS, value=None, allow_blank=True, prompt="aucun", id="field-alarm",
            compact=True))
        yield from self.row("rrule", _("Récurrence"), Select(
            RECURRENCES, value="", allow_blank=False, id="field-rrule", compact=True))
        yield from self.row("priority", "Priorité", Select(
            [(label, level) for level, label in PRIORITIES.items()], value=2,
            allow_blank=False, id="field-priority", compact=True))
        yield Label(_("Notes"), classes="field-label")
        yield TextArea(id="field-notes", classes="field-body")

    def on_mount(self) -> None:
        super().on_mount()
        self.query_one("#field-notes", TextArea).cursor_blink = getattr(
            self.app, "cursor_blink_enabled", True)
        if self.title:  # a follow-up proposed: the date is what is left to give
            self.set_focus(self.query_one("#field-when", Input))

    @staticmethod
    def _chosen(widget: Select[Any]) -> Any:
        return None if widget.is_blank() else widget.value

    def values(self) -> dict[str, Any]:
        return {
            "kind": self.query_one("#field-kind", Select).value,
            "title": self.query_one("#field-title", Input).value.strip(),
            "when": self.query_one("#field-when", Input).value.strip(),
            "duration": self._chosen(self.query_one("#field-duration", Select)),
            "location": self.query_one("#field-location", Input).value.strip(),
            "alarm": self._chosen(self.query_one("#field-alarm", Select)),
            "rrule": self.query_one("#field-rrule", Select).value,
            "priority": self.query_one("#field-priority", Select).value,
            "notes": self.query_one("#field-notes", TextArea).text.strip(),
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
        extra: dict[str, Any] = {
            "duration_min": values["duration"], "location": values["location"],
            "alarm_min": values["alarm"], "rrule": str(values["rrule"] or ""),
            "notes": values["notes"]}
        return lambda: self.save(values["title"], kind=kind, starts_at=starts_at, due=due,
                                 priority=priority, **extra)
