"""Forms and dialogs for deals: create or edit a deal, win it (amount), lose it (reason).

Like every form of the app they save with ctrl+s (or ↵ on the last field)
through the write queue, keep the core's refusal next to its field, and ask
before dropping edits. The lost-reason dialog takes a digit (1–9), the arrows
and ↵, or a new reason typed in its field: keyboard only.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.events import Key
from textual.screen import ModalScreen
from textual.widgets import Input, Label, OptionList, Select, SelectionList, Static
from textual.widgets.option_list import Option
from textual.widgets.selection_list import Selection

from qualif_tui.base.i18n import _
from qualif_tui.domain.deals import Deal
from qualif_tui.domain.errors import ValidationError
from qualif_tui.domain.money import format_day, format_euros, parse_amount, parse_day
from qualif_tui.domain.stages import Stage
from qualif_tui.tui.dialogs import BlinkInput
from qualif_tui.tui.forms import FormScreen
from qualif_tui.tui.workers import WriteJob, describe_error


def _amount_text(value: float | None) -> str:
    if value is None:
        return ""
    return format_euros(value).replace("\u00a0€", "").replace("\u00a0", " ")


class DealForm(FormScreen):
    """A new deal for a contact, or every field of one."""

    SAVE_LABEL = _("Affaire")
    AUTO_FOCUS = "#field-title"

    def __init__(self, contact_name: str, stages: list[Stage], categories: list[str],
                 save: Callable[[dict[str, Any]], Any], deal: Deal | None = None, *,
                 colleagues: list[tuple[int, str]] | None = None) -> None:
        super().__init__()
        self.deal = deal
        self.colleagues = colleagues or []  # the company's other contacts (id, name)
        self.stages = stages
        self.categories = categories
        self.save = save
        self.TITLE_TEXT = (_("Affaire — {name}").format(name=contact_name) if deal is None
                           else _("Modifier l'affaire : {title}").format(title=deal.title))

    def fields(self) -> ComposeResult:
        d = self.deal
        yield from self.row("title", _("Titre"), BlinkInput(d.title if d else "",
                                                            id="field-title"))
        yield from self.row("amount", _("Montant HT"), BlinkInput(
            _amount_text(d.amount) if d else "", placeholder="12 500", id="field-amount"))
        if d is None:
            yield from self.row("stage", _("Étape"), Select(
                [(s.label, s.id) for s in self.stages], value=self.stages[0].id,
                allow_blank=False, id="field-stage", compact=True))
        yield from self.row("probability", _("Probabilité %"), BlinkInput(
            str(d.probability) if d else "", placeholder=_("celle de l'étape"),
            id="field-probability"))
        yield from self.row("expected_close", _("Clôture prévue"), BlinkInput(
            format_day(d.expected_close) if d else "", placeholder="JJ/MM/AAAA",
            id="field-expected_close"))
        hint = ", ".join(self.categories[:6])
        yield from self.row("category", _("Catégorie"), BlinkInput(
            (d.category or "") if d else "", placeholder=hint or _("libre"),
            id="field-category"))
        yield from self.row("cost", _("Coût"), BlinkInput(
            _amount_text(d.cost) if d else "", placeholder=_("pour la marge"), id="field-cost"))
        yield from self.row("source", _("Source"), BlinkInput(
            d.source if d else "", placeholder=_("celle du contact"), id="field-source"))
        yield from self.row("notes", _("Notes"), BlinkInput(d.notes if d else "",
                                                            id="field-notes"))
        if self.colleagues:
            chosen = set(d.others) if d else set()
            yield from self.row("others", _("Avec (même société)"), SelectionList[int](
                *[Selection(name, contact_id, contact_id in chosen)
                  for contact_id, name in self.colleagues], id="field-others"))
            yield Static(_("espace : cocher ou décocher · Tab : champ suivant"),
                         classes="field-hint")

    def values(self) -> dict[str, Any]:
        found: dict[str, Any] = {}
        for name in ("title", "amount", "probability", "expected_close", "category", "cost",
                     "source", "notes"):
            found[name] = self.query_one(f"#field-{name}", Input).value.strip()
        if self.deal is None:
            found["stage"] = self.query_one("#field-stage", Select).value
        if self.colleagues:
            found["others"] = sorted(self.query_one("#field-others", SelectionList).selected)
        return found

    def check(self, values: dict[str, Any]) -> None:
        if not values["title"]:
            raise ValidationError(_("titre : une affaire a besoin d'un titre"), "title")
        parse_amount(values["amount"] or "0", _("montant"), "amount")
        if values["expected_close"]:
            parse_day(values["expected_close"], _("clôture prévue"), "expected_close")
        if values["cost"]:
            parse_amount(values["cost"], _("coût"), "cost")

    def write(self, values: dict[str, Any]) -> Callable[[], Any]:
        if self.deal is None:
            chosen = {k: v for k, v in values.items() if v not in ("", None)}
            chosen.setdefault("amount", "0")
            return lambda: self.save(chosen)
        before = self.initial
        changed = {k: v for k, v in values.items() if v != before.get(k)}
        return lambda: self.save(changed)


class WinDialog(ModalScreen[Any]):
    """Won: the amount (the deal's, ↵ to keep it)."""

    BINDINGS = [Binding("escape", "cancel", _("Annuler"), id="win.cancel")]

    def __init__(self, deal: Deal, save: Callable[[str], Any]) -> None:
        super().__init__(classes="dialog-screen")
        self.deal = deal
        self.save = save

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(_("Affaire gagnée : {title}").format(title=self.deal.title),
                        classes="dialog-title")
            yield Static(_("Montant HT gagné :"), classes="dialog-detail")
            yield BlinkInput(_amount_text(self.deal.amount), id="win-amount")
            yield Static("", id="win-error", classes="field-error")
            yield Static(Text(_("↵ valider   échap annuler"), "dim"), classes="dialog-keys")

    @on(Input.Submitted, "#win-amount")
    def _submit(self, event: Input.Submitted) -> None:
        event.stop()
        amount = event.value.strip()
        try:
            parse_amount(amount, _("montant"), "amount", allow_zero=False)
        except ValidationError as error:
            self.query_one("#win-error", Static).update(str(error))
            return
        self.app.writes.submit(WriteJob(  # type: ignore[attr-defined]
            _("Affaire gagnée"), lambda: self.save(amount), done=self.dismiss,
            failed=self._failed))

    def _failed(self, error: BaseException) -> None:
        self.query_one("#win-error", Static).update(describe_error(error))

    def action_cancel(self) -> None:
        self.dismiss(None)


class LoseDialog(ModalScreen[Any]):
    """Lost: a reason from the list (1–9, arrows, ↵) or a new one typed below."""

    BINDINGS = [Binding("escape", "cancel", _("Annuler"), id="lose.cancel")]

    def __init__(self, deal: Deal, reasons: list[str], save: Callable[[str | None], Any]) -> None:
        super().__init__(classes="dialog-screen")
        self.deal = deal
        self.reasons = reasons
        self.save = save
        self.sent = False

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(_("Affaire perdue : {title}").format(title=self.deal.title),
                        classes="dialog-title")
            options = [Option(f"{i}  {reason}" if i < 10 else f"   {reason}", id=str(i))
                       for i, reason in enumerate(self.reasons, start=1)]
            options.append(Option(Text(_("   sans raison"), "dim"), id="0"))
            yield OptionList(*options, id="lose-reasons")
            yield BlinkInput(placeholder=_("ou une autre raison, puis ↵"), id="lose-other")
            yield Static("", id="lose-error", classes="field-error")
            yield Static(Text(_("1–9 ou ↵ choisir   tab autre raison   échap annuler"), "dim"),
                         classes="dialog-keys")

    def on_mount(self) -> None:
        self.query_one("#lose-reasons", OptionList).focus()

    def on_key(self, event: Key) -> None:
        if (event.character and event.character.isdigit() and event.character != "0"
                and self.focused is self.query_one("#lose-reasons")):
            index = int(event.character)
            if index <= len(self.reasons):
                event.stop()
                self._choose(self.reasons[index - 1])

    @on(OptionList.OptionSelected, "#lose-reasons")
    def _picked(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        index = int(event.option.id or 0)
        self._choose(self.reasons[index - 1] if index else None)

    @on(Input.Submitted, "#lose-other")
    def _typed(self, event: Input.Submitted) -> None:
        event.stop()
        if event.value.strip():
            self._choose(event.value.strip())

    def _choose(self, reason: str | None) -> None:
        if self.sent:
            return  # a second key of a burst: the first answer is being written
        self.sent = True
        self.app.writes.submit(WriteJob(  # type: ignore[attr-defined]
            _("Affaire perdue"), lambda: self.save(reason), done=self.dismiss,
            failed=self._failed))

    def _failed(self, error: BaseException) -> None:
        self.sent = False
        self.query_one("#lose-error", Static).update(describe_error(error))

    def action_cancel(self) -> None:
        self.dismiss(None)
