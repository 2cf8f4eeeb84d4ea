"""A draft quote's object, date, validity and notes (``f`` in the quote editor)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual.app import ComposeResult

from qualif_tui.base.i18n import N_, _
from qualif_tui.domain.money import format_day
from qualif_tui.domain.quotes import Quote
from qualif_tui.tui.dialogs import BlinkInput
from qualif_tui.tui.forms import FormScreen


class QuoteFieldsForm(FormScreen):
    SAVE_LABEL = N_("Devis")
    AUTO_FOCUS = "#field-title"

    def __init__(self, quote: Quote, save: Callable[[dict[str, Any]], Any]) -> None:
        super().__init__()
        self.quote = quote
        self.save = save
        self.TITLE_TEXT = _("Devis {number}").format(number=quote.number)

    def fields(self) -> ComposeResult:
        q = self.quote
        yield from self.row("title", _("Objet"), BlinkInput(q.title, id="field-title"))
        yield from self.row("issued", _("Date"), BlinkInput(format_day(q.issued),
                                                            id="field-issued"))
        yield from self.row("valid_days", _("Validité (jours)"),
                            BlinkInput(str(q.valid_days), id="field-valid_days"))
        yield from self.row("notes", _("Notes"), BlinkInput(q.notes, id="field-notes"))

    def values(self) -> dict[str, Any]:
        return {name: self.query_one(f"#field-{name}", BlinkInput).value.strip()
                for name in ("title", "issued", "valid_days", "notes")}

    def write(self, values: dict[str, Any]) -> Callable[[], Any]:
        changed = {k: v for k, v in values.items() if v != self.initial.get(k)}
        return lambda: self.save(changed)
