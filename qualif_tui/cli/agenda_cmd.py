"""``qualif agenda``: the agenda of a day, a week or a month, or the open tasks."""

from __future__ import annotations

import click
from rich.table import Table
from rich.text import Text

from qualif_tui.base.i18n import N_, _
from qualif_tui.cli.common import database_argument, opened
from qualif_tui.cli.output import out
from qualif_tui.domain.agenda.natural import parse_when
from qualif_tui.domain.agenda.occurrences import Occurrence
from qualif_tui.domain.agenda.views import FR_WEEKDAYS, DayAgenda, build_view, task_list
from qualif_tui.domain.errors import ValidationError

_KINDS = {"call": N_("appel"), "meeting": N_("rdv"), "todo": N_("à faire")}
_PRIORITY = {1: N_("haute"), 2: "", 3: N_("basse")}


def _when(value: str | None) -> object:
    if value is None:
        return None
    try:
        moment = parse_when(value).value
    except ValidationError as error:
        raise click.BadParameter(str(error), param_hint="--date") from None
    return moment.date() if hasattr(moment, "date") else moment


def _row(table: Table, occurrence: Occurrence) -> None:
    status = {"done": _("fait"), "cancelled": _("non tenu")}.get(occurrence.status, "")
    when = occurrence.time_label
    if occurrence.rolled_over:
        assert occurrence.original is not None
        when = _("⟲ {n} j ({day})").format(n=occurrence.late_days, day=f"{occurrence.original:%d/%m}")
    title = Text(occurrence.title, style="strike dim" if occurrence.status != "open" else "")
    if occurrence.series_id is not None:
        title.append(" ↻", style="dim")
    table.add_row(when, _(_KINDS.get(occurrence.kind, occurrence.kind)), title,
                  ", ".join(c.name for c in occurrence.contacts),
                  _(_PRIORITY.get(occurrence.priority, "")), status)


def _table(title: str) -> Table:
    table = Table(title=title, title_justify="left", title_style="bold", show_edge=False,
                  pad_edge=False, header_style="bold")
    table.add_column(_("Quand"), no_wrap=True)
    table.add_column(_("Type"), no_wrap=True)
    table.add_column(_("Titre"), overflow="fold")
    table.add_column(_("Contacts"), overflow="ellipsis", max_width=36)
    table.add_column(_("Priorité"), no_wrap=True)
    table.add_column(_("État"), no_wrap=True)
    return table


def _day(entry: DayAgenda, empty_days: bool) -> None:
    if not entry.items and not entry.reminders and not empty_days:
        return
    name = f"{_(FR_WEEKDAYS[entry.day.weekday()])} {entry.day:%d/%m/%Y}"
    table = _table(name)
    for occurrence in entry.items:
        _row(table, occurrence)
    for reminder in entry.reminders:
        table.add_row("rappel", "", Text(reminder.title, style="magenta"), reminder.contact.name,
                      "", "")
    if not entry.items and not entry.reminders:
        table.add_row("", "", Text(_("rien de prévu"), style="dim"), "", "", "")
    out.print(table)
    if entry.more:
        out.print(_("  + {more} autres").format(more=entry.more), style="dim", markup=False)
    if entry.more_reminders:
        out.print(_("  + {more_reminders} autres rappels").format(more_reminders=entry.more_reminders), style="dim", markup=False)
    out.print()


@click.command()
@database_argument
@click.option("--day", "kind", flag_value="day", default=True, help="Un jour (par défaut).")
@click.option("--week", "kind", flag_value="week", help="La semaine (du lundi au dimanche).")
@click.option("--month", "kind", flag_value="month", help="Le mois, jour par jour.")
@click.option("--tasks", "kind", flag_value="tasks", help="Les tâches ouvertes, par priorité "
                                                          "et échéance.")
@click.option("--date", "when", default=None,
              help="Quel jour : 2026-12-01, 1/12, demain, lundi, +3d… (par défaut : "
                   "aujourd'hui).")
@click.option("--limit", type=click.IntRange(min=1), default=200, show_default=True,
              help="Au plus N éléments par jour (ou tâches).")
def agenda(db: str, kind: str, when: str | None, limit: int) -> None:
    """Afficher l'agenda : les retards en tête d'aujourd'hui, puis par heure, et les rappels.

    \b
    qualif agenda my.db                  aujourd'hui
    qualif agenda my.db --week --date lundi
    qualif agenda my.db --month --date 2026-12
    """
    anchor = None
    if when is not None and kind == "month" and len(when) == 7 and when[4] == "-":
        when = when + "-01"
    anchor = _when(when)
    with opened(db, readonly=True) as database:
        if kind == "tasks":
            tasks = task_list(database, limit=limit)
            table = _table(_("Tâches à faire ({total})").format(total=tasks.total))
            for occurrence in tasks.items:
                _row(table, occurrence)
            out.print(table)
            return
        view = build_view(database, kind, anchor, per_day=limit)  # type: ignore[arg-type]
        out.print(Text(view.title, style="bold underline"))
        out.print()
        for entry in view.days:
            inside = kind != "month" or entry.day.month == view.anchor.month
            if inside:
                _day(entry, empty_days=kind != "month")
