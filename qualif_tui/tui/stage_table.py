"""The stage table, the lost reasons and the categories, edited in the app.

The app's face of ``qualif deal stage …``, ``reasons`` and ``categories``
(:mod:`qualif_tui.domain.stages` does the work and refuses what would break the
table: a stage some deals are in, the last won or lost stage, a name taken).
Three lists, ``1`` ``2`` ``3`` or Tab between them; on each: ``ctrl+n`` add,
↵ edit, ``ctrl+↑``/``ctrl+↓`` move, Suppr delete (asked first). Every change
goes through the write queue; the pipeline is read again when the screen closes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import ContentSwitcher, Input, OptionList, Select, Static
from textual.widgets.option_list import Option

from qualif_tui.base.i18n import N_, _
from qualif_tui.domain import stages as core
from qualif_tui.domain.errors import ValidationError
from qualif_tui.domain.money import parse_percent
from qualif_tui.storage import Database
from qualif_tui.tui import keymap
from qualif_tui.tui.commands import ActionsProvider
from qualif_tui.tui.dialogs import BlinkInput, ConfirmScreen
from qualif_tui.tui.footer import KeyFooter
from qualif_tui.tui.forms import FormScreen
from qualif_tui.tui.workers import WorkerReports, WriteJob, deliver

LISTS = ("stages", "lost_reason", "category")
TITLES = {"stages": N_("Étapes"), "lost_reason": N_("Raisons de perte"),
          "category": N_("Catégories")}


@dataclass(frozen=True)
class _Table:
    stages: list[core.Stage]
    stage_deals: dict[str, int]
    choices: dict[str, list[core.Choice]]
    choice_deals: dict[str, dict[int, int]]


class StageForm(FormScreen):
    """A new stage, or one's name, default probability and kind."""

    SAVE_LABEL = N_("Étape")
    AUTO_FOCUS = "#field-label"

    def __init__(self, save: Callable[[dict[str, Any]], Any],
                 stage: core.Stage | None = None) -> None:
        super().__init__()
        self.stage = stage
        self.save = save
        self.TITLE_TEXT = (_("Nouvelle étape") if stage is None
                           else _("Étape : {label}").format(label=stage.label))

    def fields(self) -> ComposeResult:
        s = self.stage
        yield from self.row("label", _("Nom"), BlinkInput(s.label if s else "",
                                                          id="field-label"))
        yield from self.row("probability", _("Probabilité %"), BlinkInput(
            str(s.probability) if s else "50", id="field-probability"))
        yield from self.row("kind", _("Type"), Select(
            [(label, kind) for kind, label in core.KINDS.items()],
            value=s.kind if s else "open", allow_blank=False, compact=True, id="field-kind"))

    def values(self) -> dict[str, Any]:
        return {"label": self.query_one("#field-label", Input).value.strip(),
                "probability": self.query_one("#field-probability", Input).value.strip(),
                "kind": str(self.query_one("#field-kind", Select).value)}

    def check(self, values: dict[str, Any]) -> None:
        if not values["label"]:
            raise ValidationError(_("une étape a besoin d'un nom"), "label")
        parse_percent(values["probability"], _("probabilité"), "probability")

    def write(self, values: dict[str, Any]) -> Callable[[], Any]:
        changed = (values if self.stage is None
                   else {k: v for k, v in values.items() if v != self.initial.get(k)})
        return lambda: self.save(changed)


class ChoiceForm(FormScreen):
    """A new lost reason or category, or one's new name."""

    SAVE_LABEL = N_("Liste")
    AUTO_FOCUS = "#field-label"

    def __init__(self, which: str, save: Callable[[str], Any], label: str = "") -> None:
        super().__init__()
        self.label = label
        self.save = save
        what = core.LISTS[which]
        self.TITLE_TEXT = (_("Nouvelle {what}").format(what=what) if not label
                           else _("Renommer la {what} « {label} »").format(what=what,
                                                                          label=label))

    def fields(self) -> ComposeResult:
        yield from self.row("label", _("Libellé"), BlinkInput(self.label, id="field-label"))

    def values(self) -> dict[str, Any]:
        return {"label": self.query_one("#field-label", Input).value.strip()}

    def write(self, values: dict[str, Any]) -> Callable[[], Any]:
        return lambda: self.save(values["label"])


class StageTableScreen(WorkerReports, Screen[bool]):
    """The three lists; dismissed with True when something was changed."""

    BINDINGS = keymap.bindings(keymap.STAGE_TABLE_KEYS)
    PALETTE_KEYS = keymap.APP_KEYS + keymap.STAGE_TABLE_KEYS
    COMMANDS = {ActionsProvider}
    TYPEAHEAD_GROUPS = frozenset({"stage-table"})  # keys act on the lists once they are read

    def __init__(self, db: Database) -> None:
        super().__init__(id="stage-table")
        self.db = db
        self.current = "stages"
        self.table: _Table | None = None
        self.changed = False

    def compose(self) -> ComposeResult:
        with Vertical(id="stage-table-box"):
            yield Static("", id="stage-table-tabs")
            with ContentSwitcher(initial="list-stages", id="stage-table-lists"):
                for name in LISTS:
                    yield OptionList(id=f"list-{name}", classes="stage-table-list")
            yield Static("", id="stage-table-hint")
        yield KeyFooter()

    def on_mount(self) -> None:
        self._show_tabs()
        self._load()

    @work(thread=True, exclusive=True, group="stage-table", exit_on_error=False,
          description="étapes et listes")
    def _load(self) -> None:
        table = _Table(core.list_stages(self.db), core.stage_usage(self.db),
                       {w: core.list_choices(self.db, w) for w in core.LISTS},
                       {w: core.choice_usage(self.db, w) for w in core.LISTS})
        deliver(self, self._loaded, table)

    def _loaded(self, table: _Table) -> None:
        self.table = table
        stages = self.query_one("#list-stages", OptionList)
        self._fill(stages, [Option(self._stage_line(s, table.stage_deals.get(s.id, 0)),
                                   id=s.id) for s in table.stages])
        for which in core.LISTS:
            used = table.choice_deals[which]
            self._fill(self.query_one(f"#list-{which}", OptionList), [
                Option(self._choice_line(c, used.get(c.id, 0)), id=str(c.id))
                for c in table.choices[which]] or [
                Option(Text(_("(aucune : ctrl+n pour en ajouter)"), "dim"), disabled=True)])
        self._focus_list()

    @staticmethod
    def _fill(widget: OptionList, options: list[Option]) -> None:
        highlighted = widget.highlighted
        widget.set_options(options)
        if options and not options[0].disabled:
            widget.highlighted = min(highlighted or 0, len(options) - 1)

    @staticmethod
    def _stage_line(stage: core.Stage, deals: int) -> Text:
        text = Text(f"{stage.position:>2}. ")
        text.append(f"{stage.label:24}", "bold")
        text.append(f" {stage.probability:>3} %  ")
        text.append(f"{core.KINDS[stage.kind]:9}", "green" if stage.is_won else
                    "red" if stage.is_lost else "")
        text.append("  " + _("{n} affaire(s)").format(n=deals), "dim")
        return text

    @staticmethod
    def _choice_line(choice: core.Choice, deals: int) -> Text:
        text = Text(f"{choice.label:30}", "bold")
        text.append("  " + _("{n} affaire(s)").format(n=deals), "dim")
        return text

    def _show_tabs(self) -> None:
        text = Text(" ")
        for index, name in enumerate(LISTS, start=1):
            style = "bold reverse" if name == self.current else "dim"
            text.append(f" {index} {_(TITLES[name])} ", style)
            text.append("  ")
        self.query_one("#stage-table-tabs", Static).update(text)
        hint = (_("Le type dit quelles étapes comptent comme gagnées ou perdues (CA, affaires"
                  " en cours). Une étape où sont des affaires ne se supprime pas.")
                if self.current == "stages" else
                _("Supprimer une valeur la retire des affaires qui l'avaient."))
        self.query_one("#stage-table-hint", Static).update(Text(hint, "dim"))

    def _list(self) -> OptionList:
        return self.query_one(f"#list-{self.current}", OptionList)

    def _focus_list(self) -> None:
        self.query_one("#stage-table-lists", ContentSwitcher).current = f"list-{self.current}"
        self._list().focus()

    # -- keys --------------------------------------------------------------------------
    def action_show(self, name: str) -> None:
        self.current = name
        self._show_tabs()
        self._focus_list()

    def action_cycle(self, step: int) -> None:
        self.action_show(LISTS[(LISTS.index(self.current) + step) % len(LISTS)])

    def _selected(self) -> str | None:
        widget = self._list()
        index = widget.highlighted
        if index is None or not 0 <= index < widget.option_count:
            return None
        option = widget.get_option_at_index(index)
        return None if option.disabled else option.id

    @on(OptionList.OptionSelected)
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        event.stop()  # ↵ in a list (the list's own binding): edit it
        self.action_edit()

    def _choice(self, which: str, option_id: str) -> core.Choice | None:
        assert self.table is not None
        return next((c for c in self.table.choices[which] if str(c.id) == option_id), None)

    def _write(self, label: str, run: Callable[[], Any], said: Callable[[Any], str]) -> None:
        def done(result: Any) -> None:
            self.changed = True
            self.notify(said(result))
            self._load()

        self.app.writes.submit(WriteJob(label, run, done=done,  # type: ignore[attr-defined]
                                        failed=lambda _error: self._load()))

    def action_add(self) -> None:
        if self.table is None:
            return
        which = self.current
        if which == "stages":
            def save_stage(values: dict[str, Any]) -> core.Stage:
                return core.add_stage(self.db, values["label"],
                                      probability=values["probability"], kind=values["kind"])
            self.app.push_screen(StageForm(save_stage), self._saved(
                lambda s: _("Étape ajoutée : {label}").format(label=s.label)))
        else:
            self.app.push_screen(ChoiceForm(which, lambda label: core.add_choice(
                self.db, which, label)), self._saved(
                lambda c: _("Ajoutée : {label}").format(label=c.label)))

    def action_edit(self) -> None:
        chosen = self._selected()
        if self.table is None or chosen is None:
            self.app.bell()
            return
        which = self.current
        if which == "stages":
            stage = next(s for s in self.table.stages if s.id == chosen)

            def save_stage(values: dict[str, Any]) -> core.Stage:
                return core.update_stage(self.db, stage.id, **values)
            self.app.push_screen(StageForm(save_stage, stage), self._saved(
                lambda s: _("Étape modifiée : {label}").format(label=s.label)))
            return
        choice = self._choice(which, chosen)
        if choice is None:
            return
        self.app.push_screen(ChoiceForm(which, lambda label: core.rename_choice(
            self.db, which, choice.label, label), choice.label), self._saved(
            lambda c: _("Renommée : {label}").format(label=c.label)))

    def _saved(self, said: Callable[[Any], str]) -> Callable[[Any], None]:
        def closed(result: Any) -> None:
            if result is not None:
                self.changed = True
                self.notify(said(result))
                self._load()
        return closed

    def action_move(self, step: int) -> None:
        chosen = self._selected()
        if self.table is None or chosen is None:
            self.app.bell()
            return
        which = self.current
        widget = self._list()
        if widget.highlighted is not None:
            widget.highlighted = max(0, min(widget.option_count - 1, widget.highlighted + step))
        if which == "stages":
            stage = next(s for s in self.table.stages if s.id == chosen)
            self._write(_("Étape"), lambda: core.update_stage(
                self.db, stage.id, position=stage.position + step),
                lambda s: _("{label} : position {n}").format(label=s.label, n=s.position))
            return
        choice = self._choice(which, chosen)
        if choice is not None:
            self._write(_("Liste"), lambda: core.move_choice(self.db, which, choice.label, step),
                        lambda c: _("{label} : position {n}").format(label=c.label,
                                                                     n=c.position))

    def action_delete(self) -> None:
        chosen = self._selected()
        if self.table is None or chosen is None:
            self.app.bell()
            return
        which = self.current
        if which == "stages":
            stage = next(s for s in self.table.stages if s.id == chosen)
            used = self.table.stage_deals.get(stage.id, 0)
            if used:  # the core refuses it: say so before asking anything
                self.notify(_("{n} affaire(s) sont à l'étape « {label} » : déplacez-les"
                              " d'abord").format(n=used, label=stage.label), severity="warning")
                return
            question = _("Supprimer l'étape « {label} » ?").format(label=stage.label)
            detail = ""

            def run() -> Any:
                return core.delete_stage(self.db, stage.id)

            def said(gone: Any) -> str:
                return _("Étape supprimée : {label}").format(label=gone.label)
        else:
            choice = self._choice(which, chosen)
            if choice is None:
                return
            used = self.table.choice_deals[which].get(choice.id, 0)
            question = _("Supprimer « {label} » ?").format(label=choice.label)
            detail = (_("{n} affaire(s) l'ont : elles n'en auront plus.").format(n=used)
                      if used else "")
            label = choice.label

            def run() -> Any:
                return core.delete_choice(self.db, which, label)

            def said(gone: Any) -> str:
                return _("Supprimée : {label}").format(label=label)

        def answered(yes: bool | None) -> None:
            if yes:
                self._write(_("Suppression"), run, said)

        self.app.push_screen(ConfirmScreen(question, detail), answered)

    def action_close(self) -> None:
        self.dismiss(self.changed)
