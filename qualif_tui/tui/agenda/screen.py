"""The agenda screen: day, week and month views, the task list, and actions.

Push it with ``app.push_screen(AgendaScreen(db))``. It posts
:class:`AgendaScreen.OpenContact` when the user asks for a contact's card
(Enter) and :class:`AgendaScreen.Changed` after it changed data; the app
handles both. Views load in thread workers (the app's one ``Database``,
serialised by ``db.lock``); changes go through the app's write queue
(``app.writes``). No SQL here: the core's agenda functions do the work.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from textual import on, work
from textual.app import ComposeResult
from textual.containers import Container, Grid, Horizontal, Vertical
from textual.message import Message
from textual.reactive import reactive
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Label, OptionList, Static
from textual.widgets.option_list import Option
from textual.worker import Worker, WorkerState, get_current_worker

from qualif_tui.base.i18n import _
from qualif_tui.domain import clock
from qualif_tui.domain.activities import add_activity
from qualif_tui.domain.agenda import series
from qualif_tui.domain.agenda.occurrences import Occurrence
from qualif_tui.domain.agenda.reminders import Reminder, reminder_to_activity
from qualif_tui.domain.agenda.views import (
    AgendaView,
    DayAgenda,
    TaskList,
    build_view,
    step,
    task_list,
)
from qualif_tui.domain.errors import QualifError
from qualif_tui.storage import Database
from qualif_tui.tui import keymap
from qualif_tui.tui.agenda.dialogs import ContactChoice, RescheduleDialog, RescheduleResult
from qualif_tui.tui.agenda.render import day_title, item_text, more_text, reminder_text
from qualif_tui.tui.footer import KeyFooter
from qualif_tui.tui.workers import WriteJob

VIEWS = ("day", "week", "month", "tasks")
# How many items (and reminders) of a day each view loads: what a terminal can
# show, not what a day holds; the rest is counted ("+ N autres").
SHOWN = {"day": (300, 50), "week": (15, 5), "month": (3, 0)}
MONTH_CELL_ITEMS = 3
TASKS_SHOWN = 300


class AgendaList(OptionList):
    """A list of agenda items (a day, a week column, the tasks)."""

    def __init__(self, day: date | None, *options: Option, **kwargs: Any) -> None:
        super().__init__(*options, **kwargs)
        self.day = day


class MonthCell(Static):
    """One day of the month grid (not focusable: arrows move the selected day)."""

    def __init__(self, entry: DayAgenda, today: date, month: int) -> None:
        super().__init__(classes="month-cell")
        self.day = entry.day
        self.entry = entry
        if entry.day == today:
            self.add_class("today")
        if entry.day.month != month:
            self.add_class("other-month")

    def on_mount(self) -> None:
        from rich.console import Group
        from rich.text import Text

        lines: list[Any] = [Text(f"{self.day.day}", style="bold")]
        for occurrence in self.entry.items[:MONTH_CELL_ITEMS]:
            lines.append(item_text(occurrence, compact=True))
        hidden = self.entry.total - min(len(self.entry.items), MONTH_CELL_ITEMS)
        if hidden > 0:
            lines.append(more_text(hidden))
        if self.entry.reminder_total:
            lines.append(Text(_("* {reminder_total} rappel(s)").format(reminder_total=self.entry.reminder_total), style="magenta"))
        self.update(Group(*lines))


class AgendaScreen(Screen[None]):
    """Today by default; ``d``/``w``/``M``/``t`` switch views, ``[``/``]`` move, ``.`` today."""

    CSS_PATH = "agenda.tcss"
    TITLE = "Agenda"
    BINDINGS = keymap.bindings(keymap.CALENDAR_KEYS)
    TYPEAHEAD_GROUPS = frozenset({"agenda-load"})  # keys wait for the view they act on
    PALETTE_KEYS = keymap.APP_KEYS + keymap.CALENDAR_KEYS

    class OpenContact(Message):
        """The user asked for this contact's card (Enter on an item or an alarm)."""

        def __init__(self, contact_id: int) -> None:
            super().__init__()
            self.contact_id = contact_id

    class Changed(Message):
        """Activities changed (done, moved, prioritised): other views may refresh."""

    kind: reactive[str] = reactive("day", init=False)
    # shadows Widget.anchor() (scroll anchoring), which nothing calls on a screen
    anchor: reactive[date] = reactive(date(2000, 1, 1), init=False)  # type: ignore[assignment]

    def __init__(self, db: Database, *, kind: str = "day", anchor: date | None = None) -> None:
        super().__init__()
        self.db = db
        self.set_reactive(AgendaScreen.kind, kind if kind in VIEWS else "day")
        self.set_reactive(AgendaScreen.anchor, anchor or clock.today())
        self._items: dict[str, Occurrence] = {}
        self._reminders: dict[str, Reminder] = {}
        self._view: AgendaView | TaskList | None = None
        self._selected_key: str | None = None
        self.loaded = 0  # number of views shown (tests wait on it)

    # -- layout ----------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        yield Static("", id="agenda-title")
        yield Container(id="agenda-body")
        yield Static("", id="agenda-status")
        yield KeyFooter()

    def on_mount(self) -> None:
        self.load()

    def watch_kind(self) -> None:
        self.load()

    def watch_anchor(self) -> None:
        self.load()

    # -- loading ---------------------------------------------------------------------
    @work(thread=True, exclusive=True, group="agenda-load", exit_on_error=False)
    def load(self) -> None:
        kind, anchor = self.kind, self.anchor
        try:
            view: AgendaView | TaskList
            if kind == "tasks":
                view = task_list(self.db, limit=TASKS_SHOWN)
            else:
                items, reminders = SHOWN[kind]
                view = build_view(self.db, kind, anchor, per_day=items,
                                  reminders_per_day=reminders or 1)
        except QualifError as error:
            self.app.call_from_thread(self.notify, str(error), severity="error")
            return
        if get_current_worker().is_cancelled:
            return
        # textual's typing cannot solve an async callback's return type (Never)
        self.app.call_from_thread(self._show, kind, view)  # type: ignore[arg-type]

    async def _show(self, kind: str, view: AgendaView | TaskList) -> None:
        if kind != self.kind:
            return
        self._view = view
        self._items.clear()
        self._reminders.clear()
        body = self.query_one("#agenda-body", Container)
        if isinstance(view, TaskList):
            widget: Widget = self._task_widget(view)
            title = _("Tâches à faire ({total})").format(total=view.total)
        elif kind == "day":
            widget = self._day_widget(view.days[0], view.today)
            title = view.title
        elif kind == "week":
            widget = self._week_widget(view)
            title = view.title
        else:
            widget = self._month_widget(view)
            title = view.title
        # one repaint for the whole swap, not one per step
        with self.app.batch_update():
            await body.remove_children()
            await body.mount(widget)
            self.query_one("#agenda-title", Static).update(title)
            self._status()
            self._focus_list()
        self.loaded += 1

    def _options(self, entry: DayAgenda, *, compact: bool) -> list[Option]:
        options: list[Option] = []
        rolled = [o for o in entry.items if o.rolled_over]
        if rolled and not compact:
            options.append(Option(_("En retard ({rolled_total})").format(rolled_total=entry.rolled_total), disabled=True,
                                  id=f"h-late-{entry.day}"))
        for index, occurrence in enumerate(entry.items):
            if not compact and rolled and index == len(rolled):
                options.append(Option(_("Aujourd'hui") if entry.day == self._today() else
                                      _("Au programme"), disabled=True, id=f"h-day-{entry.day}"))
            key = f"o:{occurrence.key}"
            self._items[key] = occurrence
            options.append(Option(item_text(occurrence, compact=compact), id=key))
        if entry.more:
            options.append(Option(more_text(entry.more), disabled=True, id=f"m-{entry.day}"))
        if entry.reminders:
            if not compact:
                options.append(Option(_("Rappels"), disabled=True, id=f"h-rem-{entry.day}"))
            for reminder in entry.reminders:
                key = f"r:{reminder.key}"
                self._reminders[key] = reminder
                options.append(Option(reminder_text(reminder, compact=compact), id=key))
            if entry.more_reminders:
                options.append(Option(more_text(entry.more_reminders, _("autres rappels")),
                                      disabled=True, id=f"mr-{entry.day}"))
        return options

    def _day_widget(self, entry: DayAgenda, today: date) -> AgendaList:
        options = self._options(entry, compact=False)
        if not options:
            options = [Option(_("Rien de prévu."), disabled=True, id="empty")]
        return AgendaList(entry.day, *options, id="agenda-day")

    def _week_widget(self, view: AgendaView) -> Horizontal:
        columns = []
        for index, entry in enumerate(view.days):
            header = Label(day_title(entry.day, view.today), classes="week-header")
            options = self._options(entry, compact=True) or [
                Option(" ", disabled=True, id=f"e-{entry.day}")]
            column = Vertical(header, AgendaList(entry.day, *options,
                                                 id=f"week-{index}", classes="week-list"),
                              classes="week-column")
            if entry.day == view.today:
                column.add_class("today")
            columns.append(column)
        return Horizontal(*columns, id="agenda-week")

    def _month_widget(self, view: AgendaView) -> Vertical:
        headers = [Label(name[:3] + ".", classes="month-header")
                   for name in ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi",
                                "dimanche")]
        cells = [MonthCell(entry, view.today, view.anchor.month) for entry in view.days]
        for cell in cells:
            if cell.day == self.anchor:
                cell.add_class("selected")
        return Vertical(Horizontal(*headers, id="month-headers"),
                        Grid(*cells, id="agenda-month"), id="agenda-month-view")

    def _task_widget(self, view: TaskList) -> AgendaList:
        options: list[Option] = []
        for occurrence in view.items:
            key = f"o:{occurrence.key}"
            self._items[key] = occurrence
            label = item_text(occurrence)
            if occurrence.day is not None and not occurrence.rolled_over:
                label.append(f"  ({occurrence.day:%d/%m})", style="dim")
            options.append(Option(label, id=key))
        if view.total > len(view.items):
            options.append(Option(more_text(view.total - len(view.items)), disabled=True,
                                  id="more"))
        if not options:
            options = [Option(_("Aucune tâche ouverte."), disabled=True, id="empty")]
        return AgendaList(None, *options, id="agenda-tasks")

    def _focus_list(self) -> None:
        lists = list(self.query(AgendaList))
        if not lists:
            return
        target = lists[0]
        for candidate in lists:
            if candidate.day in (self.anchor, self._today()) and self.kind == "week":
                target = candidate
                if candidate.day == self.anchor:
                    break
        target.focus()
        for index, option in enumerate(target.options):
            if option.id == self._selected_key or (self._selected_key is None
                                                   and not option.disabled):
                target.highlighted = index
                break

    def _status(self) -> None:
        count = len(self._items)
        text = _("{count} élément(s) — Entrée : fiche · x fait · n non tenu · r reporter · p priorité").format(count=count)
        if self.kind == "month":  # the cells hold no selectable items
            text = _("flèches : choisir un jour · Entrée : ouvrir le jour")
        self.query_one("#agenda-status", Static).update(text)

    def _today(self) -> date:
        return clock.today()

    @on(Worker.StateChanged)
    def _worker_failed(self, event: Worker.StateChanged) -> None:
        """A failure the workers did not expect is told, not silently lost."""
        if event.state == WorkerState.ERROR:
            self.notify(_("Agenda : {error}").format(error=event.worker.error), severity="error", markup=False)

    # -- what is selected ------------------------------------------------------------
    def _focused_list(self) -> AgendaList | None:
        focused = self.focused
        return focused if isinstance(focused, AgendaList) else None

    def _selected(self) -> tuple[Occurrence | None, Reminder | None]:
        current = self._focused_list()
        if current is None or current.highlighted is None:
            return None, None
        option = current.get_option_at_index(current.highlighted)
        key = option.id or ""
        return self._items.get(key), self._reminders.get(key)

    @on(OptionList.OptionHighlighted)
    def _remember(self, event: OptionList.OptionHighlighted) -> None:
        self._selected_key = event.option.id

    @on(OptionList.OptionSelected)
    def _selected_option(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.action_open()

    # -- actions ---------------------------------------------------------------------
    def action_show(self, kind: str) -> None:
        self._selected_key = None
        self.kind = kind

    def action_move(self, direction: int) -> None:
        if self.kind == "tasks":
            return
        self._selected_key = None
        self.anchor = step(self.kind, self.anchor, direction)

    def action_today(self) -> None:
        self._selected_key = None
        self.anchor = self._today()
        if self.kind == "tasks":
            self.kind = "day"

    def action_close(self) -> None:
        self.dismiss(None)

    def action_cursor(self, days: int) -> None:
        if self.kind == "month":
            self._select_day(self.anchor + timedelta(days=days))
            return
        if self.kind == "week" and abs(days) == 1:
            lists = list(self.query(AgendaList))
            current = self._focused_list()
            if current in lists:
                index = (lists.index(current) + days) % len(lists)
                lists[index].focus()
            return
        current = self._focused_list()
        if current is not None and abs(days) == 7:
            if days > 0:
                current.action_cursor_down()
            else:
                current.action_cursor_up()

    def _select_day(self, day: date) -> None:
        view = self._view
        if not isinstance(view, AgendaView) or not view.first <= day <= view.last:
            self.anchor = day
            return
        self.set_reactive(AgendaScreen.anchor, day)
        for cell in self.query(MonthCell):
            cell.set_class(cell.day == day, "selected")

    def action_open(self) -> None:
        if self.kind == "month":
            self.set_reactive(AgendaScreen.anchor, self.anchor)
            self.kind = "day"
            return
        occurrence, reminder = self._selected()
        if reminder is not None:
            self.post_message(self.OpenContact(reminder.contact.id))
            return
        if occurrence is None:
            return
        if not occurrence.contacts:
            self.notify(_("Cette activité n'est liée à aucun contact."))
            return
        if len(occurrence.contacts) == 1:
            self.post_message(self.OpenContact(occurrence.contacts[0].id))
            return

        def chosen(contact_id: int | None) -> None:
            if contact_id is not None:
                self.post_message(self.OpenContact(contact_id))

        self.app.push_screen(ContactChoice(occurrence.title, occurrence.contacts), chosen)

    def action_complete(self, outcome: str) -> None:
        occurrence, _where = self._selected()
        if occurrence is None:
            return
        verb = "faite" if outcome == "done" else _("non tenue")
        self._act(lambda: series.complete(self.db, occurrence, outcome=outcome),
                  _("« {title} » {verb}").format(title=occurrence.title, verb=verb))

    def action_priority(self) -> None:
        occurrence, _where = self._selected()
        if occurrence is None:
            return
        self._act(lambda: series.cycle_priority(self.db, occurrence), "")

    def action_convert(self) -> None:
        _occurrence, reminder = self._selected()
        if reminder is None:
            return
        self._act(lambda: reminder_to_activity(self.db, reminder),
                  _("Tâche créée : {title}").format(title=reminder.title))

    def action_new_activity(self) -> None:
        """Plan an activity of no contact (a trade show, a meeting at the office)
        on the day in view; one for a contact is planned from its card (t)."""
        from qualif_tui.tui.forms import ActivityForm

        focused = self._focused_list()
        day = focused.day if focused is not None and focused.day else self.anchor
        if self.kind == "tasks":
            day = self._today()

        def save(title: str, **fields: Any) -> int:
            return add_activity(self.db, title, **fields)

        def closed(activity_id: int | None) -> None:
            if activity_id is not None:
                self._after_change(_("Activité planifiée."))

        self.app.push_screen(ActivityForm(None, save, day=day), closed)

    def action_reschedule(self) -> None:
        occurrence, _where = self._selected()
        if occurrence is None:
            return
        current = f"{occurrence.day:%d/%m/%Y} {occurrence.time_label}" if occurrence.day else \
            _("sans date")

        def moved(result: RescheduleResult | None) -> None:
            if result is None:
                return
            self._act(lambda: series.move(self.db, occurrence, result.when,
                                          following=result.following),
                      _("« {title} » reporté").format(title=occurrence.title))

        self.app.push_screen(RescheduleDialog(occurrence.title, current,
                                              series=occurrence.series_id is not None),
                             moved)

    def _act(self, change: Callable[[], object], done: str) -> None:
        # through the app's ordered write queue: held while the file is being
        # checked, refused if it is damaged, an error toast on failure
        self.app.writes.submit(WriteJob(  # type: ignore[attr-defined]
            "Agenda", change, lambda _result: self._after_change(done)))

    def _after_change(self, done: str) -> None:
        if done:
            self.notify(done, timeout=3)
        self.post_message(self.Changed())
        self.load()
