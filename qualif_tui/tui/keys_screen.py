"""Keys and values from the app (palette: "Clés et valeurs"), and promoting a custom field.

The keys screen lists every key with its values and how many contacts hold
each. On the highlighted row: ``r`` renames the key or the value, ``m``
merges the value into another, ``suppr`` deletes the value or the key (asking
first, with the count), ``ctrl+↑``/``ctrl+↓`` move the value, ``t`` changes
the key's type after a dry run, ``R`` sets a date key's reminder, ``u``
undoes. Every edit is one transaction of :mod:`qualif_tui.services.keyedit`
through the app's write queue, recorded in the journal (``qualif undo`` too).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import ModalScreen, Screen
from textual.widgets import DataTable, Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from qualif_tui.base.i18n import _
from qualif_tui.domain.keys import KEY_TYPES, TYPE_LABELS, QualKey
from qualif_tui.services import keyedit
from qualif_tui.services.promote import PromotionPlan, plan_promotion, promote_field
from qualif_tui.services.undo import undo
from qualif_tui.storage import Database
from qualif_tui.tui import keymap
from qualif_tui.tui.dialogs import BlinkInput, ConfirmScreen, PickValue
from qualif_tui.tui.footer import KeyFooter
from qualif_tui.tui.workers import WorkerReports, WriteJob, deliver, describe_error


class AskText(ModalScreen[str | None]):
    """One line of text (a new name, a lead time); Enter gives it, Esc nothing."""

    BINDINGS = [keymap.described("escape", "cancel", "Annuler", id="ask.cancel")]

    def __init__(self, title: str, value: str = "", hint: str = "") -> None:
        super().__init__(classes="dialog-screen")
        self.title_text = title
        self.value = value
        self.hint = hint

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(self.title_text, classes="dialog-title")
            yield BlinkInput(self.value, id="ask-input")
            if self.hint:
                yield Static(Text(self.hint, "dim"), classes="dialog-detail")
            yield Static(Text(_("↵ valider   échap annuler"), "dim"), classes="dialog-keys")

    def on_mount(self) -> None:
        self.query_one("#ask-input").focus()

    @on(Input.Submitted, "#ask-input")
    def _given(self, event: Input.Submitted) -> None:
        self.dismiss(event.value.strip() or None)

    def action_cancel(self) -> None:
        self.dismiss(None)


class PickType(ModalScreen[str | None]):
    """The types a key can take."""

    BINDINGS = [keymap.described("escape", "cancel", "Annuler", id="pick_type.cancel")]

    def __init__(self, current: str) -> None:
        super().__init__(classes="dialog-screen")
        self.current = current

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(_("Nouveau type"), classes="dialog-title")
            yield OptionList(*[Option(_(TYPE_LABELS[t]), id=t) for t in KEY_TYPES
                               if t != self.current], id="type-list")

    def on_mount(self) -> None:
        self.query_one("#type-list").focus()

    @on(OptionList.OptionSelected, "#type-list")
    def _picked(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def action_cancel(self) -> None:
        self.dismiss(None)


@dataclass(frozen=True)
class _Row:
    key: QualKey
    value: str | None = None  # None: the key's own row


class KeysScreen(WorkerReports, Screen[None]):
    """Every key and value, with counts; edits one keystroke away."""

    BINDINGS = keymap.bindings(keymap.KEYS_SCREEN_KEYS)
    PALETTE_KEYS = keymap.APP_KEYS + keymap.KEYS_SCREEN_KEYS
    AUTO_FOCUS = "#keys-table"

    def __init__(self, db: Database) -> None:
        super().__init__()
        self.db = db
        self.rows: list[_Row] = []
        self.done = 0

    def compose(self) -> ComposeResult:
        with Vertical(id="keys-screen"):
            yield Static(Text(_("Clés et valeurs"), "bold"), id="keys-title")
            yield DataTable(id="keys-table", cursor_type="row", zebra_stripes=True)
            yield Static("", id="keys-message")
        yield KeyFooter()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_column(_("Clé / valeur"), key="name")
        table.add_column(_("Type"), key="type")
        table.add_column(_("Contacts"), key="count")
        table.add_column(_("Rappel"), key="remind")
        self._load()

    @work(thread=True, exclusive=True, group="keys", exit_on_error=False,
          description="clés")
    def _load(self) -> None:
        deliver(self, self._show, keyedit.describe_keys(self.db))

    def _show(self, described: list[dict[str, Any]]) -> None:
        table = self.query_one(DataTable)
        cursor = table.cursor_row
        table.clear()
        self.rows = []
        for entry in described:
            key: QualKey = entry["key"]
            remind = ""
            if key.remind:
                remind = _("{lead} j avant").format(lead=key.remind_lead_days)
                if key.remind_after_months:
                    remind += _(", +{after} mois").format(after=key.remind_after_months)
            table.add_row(Text(key.name, "bold"), _(TYPE_LABELS[key.type]), str(entry["filled"]),
                          remind)
            self.rows.append(_Row(key))
            for value, count in entry["values"].items():
                table.add_row(Text("   " + value), "", str(count), "")
                self.rows.append(_Row(key, value))
        if self.rows:
            table.move_cursor(row=min(max(cursor, 0), len(self.rows) - 1))
        if not self.rows:
            self._say(_("Aucune clé. Créez-en avec : qualif key add DB NOM --values a,b,c"))

    def _say(self, message: str, error: bool = False) -> None:
        self.query_one("#keys-message", Static).update(Text(message, "red" if error else "dim"))

    @property
    def current(self) -> _Row | None:
        table = self.query_one(DataTable)
        if not self.rows or table.cursor_row < 0:
            return None
        return self.rows[min(table.cursor_row, len(self.rows) - 1)]

    def _write(self, label: str, run: Callable[[], Any]) -> None:
        def done(result: Any) -> None:
            self.done += 1
            self._say(getattr(result, "label", label) + " — " + _("u pour annuler."))
            self._load()

        def failed(error: BaseException) -> None:
            self._say(describe_error(error), error=True)
            self._load()

        self.app.writes.submit(WriteJob(label, run, done=done,  # type: ignore[attr-defined]
                                        failed=failed))

    # -- actions ---------------------------------------------------------------------
    def action_rename(self) -> None:
        row = self.current
        if row is None:
            return
        db = self.db
        if row.value is None:
            def named(new: str | None) -> None:
                if new:
                    self._write(_("Renommer la clé"), lambda: keyedit.rename_key(db, row.key, new))

            self.app.push_screen(AskText(_("Renommer la clé « {key} »").format(key=row.key.name),
                                         row.key.name), named)
            return
        old = row.value

        def renamed(new: str | None) -> None:
            if new:
                self._write(_("Renommer la valeur"),
                            lambda: keyedit.rename_value(db, row.key, old, new))

        self.app.push_screen(AskText(_("Renommer « {value} » ({key})").format(
            value=old, key=row.key.name), old,
            _("Ses contacts la gardent sous le nouveau nom.")), renamed)

    def action_merge(self) -> None:
        row = self.current
        if row is None or row.value is None:
            self.app.bell()
            self._say(_("Placez-vous sur une valeur pour la fusionner dans une autre."))
            return
        source = row.value
        others = QualKey(row.key.id, row.key.name, row.key.norm_name, row.key.label, "choice",
                         row.key.position, tuple(v for v in row.key.values
                                                 if v.value != source))

        def picked(target: str | None) -> None:
            if target:
                self._write(_("Fusionner des valeurs"),
                            lambda: keyedit.merge_values(self.db, row.key, [source], target))

        self.app.push_screen(PickValue(others, None), picked)

    def action_delete(self) -> None:
        row = self.current
        if row is None:
            return
        table = self.query_one(DataTable)
        count = str(table.get_row_at(table.cursor_row)[2])
        if row.value is None:
            question = _("Supprimer la clé « {key} » ?").format(key=row.key.name)
            detail = _("{n} contact(s) ont une valeur pour elle ; « u » l'annule.").format(
                n=count)

            def run() -> Any:
                return keyedit.delete_key(self.db, row.key)
        else:
            value = row.value
            question = _("Supprimer la valeur « {value} » de {key} ?").format(
                value=value, key=row.key.name)
            detail = _("{n} contact(s) la perdent ; « u » l'annule.").format(n=count)

            def run() -> Any:
                return keyedit.delete_value(self.db, row.key, value)

        def answered(yes: bool | None) -> None:
            if yes:
                self._write(_("Supprimer"), run)

        self.app.push_screen(ConfirmScreen(question, detail), answered)

    def action_move(self, step: int) -> None:
        row = self.current
        if row is None or row.value is None:
            self.app.bell()
            return
        order = [v.value for v in row.key.values]
        index = order.index(row.value)
        target = index + step
        if not 0 <= target < len(order):
            self.app.bell()
            return
        order[index], order[target] = order[target], order[index]
        table = self.query_one(DataTable)
        table.move_cursor(row=table.cursor_row + step)
        self._write(_("Ordre des valeurs"),
                    lambda: keyedit.reorder_values(self.db, row.key, order))

    def action_retype(self) -> None:
        row = self.current
        if row is None:
            return

        def picked(new_type: str | None) -> None:
            if new_type:
                self._dry_run(row.key, new_type)

        self.app.push_screen(PickType(row.key.type), picked)

    @work(thread=True, exclusive=True, group="retype", exit_on_error=False,
          description="essai du changement de type")
    def _dry_run(self, key: QualKey, new_type: str) -> None:
        try:
            plan = keyedit.plan_retype(self.db, key, new_type)
        except Exception as error:  # noqa: BLE001 - shown to the user
            deliver(self, self._say, describe_error(error), True)
            return
        deliver(self, self._confirm_retype, plan)

    def _confirm_retype(self, plan: keyedit.RetypePlan) -> None:
        question = _("{key} : type {old} → {new} ?").format(
            key=plan.key.name, old=_(TYPE_LABELS[plan.key.type]), new=_(TYPE_LABELS[plan.new_type]))
        detail = _("{n} valeur(s) se convertissent.").format(n=len(plan.converted))
        if plan.failures:
            detail += " " + _("{f} ne se convertissent pas et seraient effacées (u les rend) :"
                              " {examples}").format(
                f=len(plan.failures),
                examples="; ".join(f"« {v} »" for _c, v, _w in plan.failures[:5]))

        def answered(yes: bool | None) -> None:
            if yes:
                self._write(_("Changer le type"), lambda: keyedit.retype_key(
                    self.db, plan.key, plan.new_type, force=True))

        self.app.push_screen(ConfirmScreen(question, detail), answered)

    def action_remind(self) -> None:
        row = self.current
        if row is None:
            return
        key = row.key
        if key.type not in ("date", "month"):
            self.app.bell()
            self._say(_("Le rappel vaut pour les clés date ou mois."), error=True)
            return
        current = f"{key.remind_lead_days} {key.remind_after_months}" if key.remind else "30 0"

        def given(text: str | None) -> None:
            if text is None:
                return
            parts = text.replace(",", " ").split()
            if parts and parts[0] in ("0", "non", "aucun") and len(parts) == 1:
                self._write(_("Rappel"), lambda: keyedit.set_remind(self.db, key, remind=False))
                return
            try:
                lead = int(parts[0])
                after = int(parts[1]) if len(parts) > 1 else None
            except (ValueError, IndexError):
                self._say(_("Écrivez le nombre de jours d'avance, puis s'il le faut les mois"
                            " après la valeur : « 30 » ou « 30 48 »."), error=True)
                return
            self._write(_("Rappel"), lambda: keyedit.set_remind(
                self.db, key, remind=True, lead_days=lead, after_months=after))

        self.app.push_screen(AskText(
            _("Rappel de « {key} » dans l'agenda").format(key=key.name), current,
            _("jours d'avance, puis mois après la valeur (48 : le contrôle des 4 ans) ;"
              " « 0 » : plus de rappel")), given)

    def action_undo(self) -> None:
        self._write(_("Annulation"), lambda: undo(self.db))

    def action_close(self) -> None:
        self.dismiss(None)


class PromoteScreen(WorkerReports, ModalScreen[str | None]):
    """A custom field → a key: the dry run shown, o/↵ to do it, Esc not."""

    BINDINGS = [
        keymap.described("o,enter", "promote", "Promouvoir", id="promote.yes"),
        keymap.described("t", "retype", "Autre type", id="promote.type"),
        keymap.described("n,escape", "cancel", "Annuler", id="promote.no"),
    ]

    def __init__(self, db: Database, name: str) -> None:
        super().__init__(classes="dialog-screen")
        self.db = db
        self.field_name = name
        self.plan: PromotionPlan | None = None
        self.key_type: str | None = None

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(_("Faire du champ libre « {name} » une clé").format(
                name=self.field_name), classes="dialog-title")
            yield Static(Text(_("essai…"), "dim"), id="promote-plan", classes="dialog-detail")
            yield Static(Text.assemble(("o", "bold"), " / ↵  " + _("promouvoir") + "   ",
                                       ("t", "bold"), "  " + _("autre type") + "   ",
                                       ("n", "bold"), _(" / échap  ") + _("annuler")),
                         classes="dialog-keys")

    def on_mount(self) -> None:
        self._plan()

    @work(thread=True, exclusive=True, group="promote", exit_on_error=False,
          description="essai")
    def _plan(self) -> None:
        try:
            plan = plan_promotion(self.db, self.field_name, self.key_type)
        except Exception as error:  # noqa: BLE001 - shown to the user
            deliver(self, self._failed, describe_error(error))
            return
        deliver(self, self._show, plan)

    def _failed(self, message: str) -> None:
        self.query_one("#promote-plan", Static).update(Text(message, "red"))

    def _show(self, plan: PromotionPlan) -> None:
        self.plan = plan
        text = Text(_("Type : {type} (déduit des valeurs : {inferred})").format(
            type=_(TYPE_LABELS[plan.type]), inferred=_(TYPE_LABELS[plan.inferred])) + "\n")
        text.append(_("{n} valeur(s) deviennent des valeurs de la clé").format(
            n=len(plan.converted)) + "\n")
        if plan.values:
            text.append(_("valeurs : {values}").format(values=", ".join(plan.values[:12]))
                        + "\n")
        if plan.failures:
            text.append(_("{f} restent en champ libre : {examples}").format(
                f=len(plan.failures),
                examples="; ".join(f"« {v} »" for _c, v, _w in plan.failures[:4])), "yellow")
        self.query_one("#promote-plan", Static).update(text)

    def action_retype(self) -> None:
        def picked(new_type: str | None) -> None:
            if new_type:
                self.key_type = new_type
                self._plan()

        self.app.push_screen(PickType(self.plan.type if self.plan else ""), picked)

    def action_promote(self) -> None:
        if self.plan is None:
            self.app.bell()
            return
        key_type = self.plan.type

        def done(result: Any) -> None:
            self.dismiss(result.label)

        def failed(error: BaseException) -> None:
            self._failed(describe_error(error))

        self.app.writes.submit(WriteJob(  # type: ignore[attr-defined]
            _("Promotion"), lambda: promote_field(self.db, self.field_name, key_type),
            done=done, failed=failed))

    def action_cancel(self) -> None:
        self.dismiss(None)
