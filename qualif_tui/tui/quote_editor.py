"""A quote's lines, edited from the keyboard only; its status, versions and PDF.

``a`` opens the line editor at the bottom: designation, quantity, unit, unit
price HT, VAT rate, discount; ↵ goes to the next field, and ↵ on the last
writes the line and clears the editor for the next one (so a quote is typed
line after line without leaving the keyboard). ↵ on a line edits it, ``suppr``
removes it, ctrl+↑/↓ moves it. Totals (HT, VAT per rate, TTC) follow every
change. ``e`` sent, ``A`` accepted (its deal is won), ``R`` refused, ``v`` new
version, ``D`` duplicate, ``P`` PDF (the folder asked, :mod:`.quote_pdf_dialog`), ``f`` object,
validity and notes.

Every write goes through the app's ordered queue, so keys typed in a burst
give what slow typing gives: the editor clears at once and the next line's
keys land in it while the previous line is being written.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rich.table import Table
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from qualif_tui.base.i18n import N_, _
from qualif_tui.domain import quotes as core
from qualif_tui.domain.errors import ValidationError
from qualif_tui.domain.issuer import load_issuer
from qualif_tui.domain.money import format_day, format_euros, format_quantity, format_rate
from qualif_tui.domain.quotes import Quote, QuoteLine
from qualif_tui.storage import Database
from qualif_tui.tui import keymap
from qualif_tui.tui.columns import fit
from qualif_tui.tui.dialogs import BlinkInput
from qualif_tui.tui.footer import KeyFooter
from qualif_tui.tui.workers import WorkerReports, WriteJob, deliver

# editor field → (core field, placeholder, width)
LINE_FIELDS = (("designation", N_("désignation"), "1fr"), ("quantity", N_("qté"), "7"),
               ("unit", N_("unité"), "9"), ("unit_price", N_("PU HT"), "12"),
               ("vat", N_("TVA %"), "8"), ("discount", N_("remise %"), "9"))


def line_text(line: QuoteLine) -> Text:
    text = Text(f"{line.position:>2}  ", "dim")
    text.append(fit(line.designation, 38) + " ")
    text.append(f"{format_quantity(line.quantity):>6} {fit(line.unit, 8)} ")
    text.append(f"{format_euros(line.unit_price):>12} ")
    text.append(f"{format_rate(line.vat_rate):>7} ", "dim")
    text.append(f"{format_rate(line.discount) if line.discount else '':>7} ", "dim")
    text.append(f"{format_euros(line.total_ht):>13}", "bold")
    return text


def totals_table(quote: Quote) -> Table:
    totals = quote.vat_parts()
    table = Table.grid(padding=(0, 2))
    table.add_column(justify="right")
    table.add_column(justify="right", min_width=14)
    table.add_row(_("Total HT"), format_euros(totals.total_ht))
    for part in totals.vat:
        table.add_row(_("TVA {rate} sur {base}").format(rate=format_rate(part.rate),
                                                        base=format_euros(part.base)),
                      format_euros(part.vat))
    table.add_row(Text(_("Total TTC"), "bold"), Text(format_euros(totals.total_ttc), "bold"))
    return table


class QuoteEditor(WorkerReports, ModalScreen[bool]):
    """One quote; dismisses True when something was written (the card reloads)."""

    BINDINGS = keymap.bindings(keymap.QUOTE_EDITOR_KEYS)
    # keys typed after I wait for the form (its details are read in a worker)
    TYPEAHEAD_GROUPS = frozenset({"issuer"})

    def __init__(self, db: Database, quote_id: int) -> None:
        super().__init__(classes="quote-screen")
        self.db = db
        self.quote_id = quote_id
        self.quote: Quote | None = None
        self.default_vat = "20"
        self.editing: int | None = None  # the line being edited (None: a new one)
        self.changed = False

    def compose(self) -> ComposeResult:
        with Vertical(id="quote-box"):
            yield Static(Text(_("Chargement du devis…"), "dim"), id="quote-head")
            yield OptionList(id="quote-lines")
            with Horizontal(id="line-editor"):
                for name, placeholder, _width in LINE_FIELDS:
                    yield BlinkInput(placeholder=_(placeholder), id=f"line-{name}",
                                     classes="line-field")
            yield Static("", id="line-error", classes="field-error")
            yield Static("", id="quote-totals")
        yield KeyFooter()

    def on_mount(self) -> None:
        self.query_one("#line-editor").display = False
        self.query_one("#quote-lines", OptionList).focus()
        self._load()

    # -- loading ------------------------------------------------------------------
    @work(thread=True, exclusive=True, group="quote", exit_on_error=False,
          description="devis")
    def _load(self) -> None:
        quote = core.get_quote(self.db, self.quote_id)
        vat = "0" if load_issuer(self.db).vat_exempt else "20"
        deliver(self, self._loaded, quote, vat)

    def _loaded(self, quote: Quote, vat: str) -> None:
        if quote.id != self.quote_id:
            return
        self.quote = quote
        self.default_vat = vat
        head = Text(_("Devis {number}").format(number=quote.number), "bold")
        head.append(f" — {quote.contact_name}")
        head.append(f"   {quote.state_label()}", "bold yellow" if quote.editable else "bold")
        head.append("\n" + _("du {day}, valable jusqu'au {until}").format(
            day=format_day(quote.issued), until=format_day(quote.valid_until)), "dim")
        if quote.deal_id:
            head.append(_(" · affaire n° {id}").format(id=quote.deal_id), "dim")
        if quote.title:
            head.append("\n" + _("Objet : {title}").format(title=quote.title))
        if quote.replaced_by:
            head.append("\n" + _("remplacé par {number}").format(number=quote.replaced_by),
                        "italic")
        self.query_one("#quote-head", Static).update(head)
        lines = self.query_one("#quote-lines", OptionList)
        highlighted = lines.highlighted
        if quote.lines:
            lines.set_options([Option(line_text(ln), id=str(ln.id)) for ln in quote.lines])
            lines.highlighted = min(highlighted or 0, len(quote.lines) - 1)
        else:
            lines.set_options([Option(Text(_("Aucune ligne — a pour en ajouter une."), "dim"),
                                      disabled=True)])
        self.query_one("#quote-totals", Static).update(totals_table(quote))

    @property
    def selected_line(self) -> QuoteLine | None:
        if self.quote is None:
            return None
        index = self.query_one("#quote-lines", OptionList).highlighted
        if index is None or not 0 <= index < len(self.quote.lines):
            return None
        return self.quote.lines[index]

    def _write(self, label: str, run: Any, done: Any = None, *, reload: bool = True) -> None:
        def finished(result: Any) -> None:
            self.changed = True
            if done is not None:
                done(result)
            if reload:
                self._load()

        def failed(_error: BaseException) -> None:
            self._load()

        self.app.writes.submit(WriteJob(label, run, done=finished,  # type: ignore[attr-defined]
                                        failed=failed))

    def _editable(self) -> bool:
        if self.quote is not None and not self.quote.editable:
            self.app.bell()
            self.notify(_("Le devis {number} est {status} : v pour en faire une nouvelle"
                          " version.").format(number=self.quote.number,
                                              status=self.quote.state_label()),
                        severity="warning")
            return False
        return True

    # -- the line editor ------------------------------------------------------------
    def _inputs(self) -> list[Input]:
        return [self.query_one(f"#line-{name}", Input) for name, _p, _w in LINE_FIELDS]

    def _open_editor(self, line: QuoteLine | None) -> None:
        self.editing = None if line is None else line.id
        values = (["", "1", "", "", self.default_vat, "0"] if line is None else
                  [line.designation, format_quantity(line.quantity), line.unit,
                   format_quantity(line.unit_price), format_quantity(line.vat_rate),
                   format_quantity(line.discount)])
        for widget, value in zip(self._inputs(), values, strict=True):
            widget.value = value
        self.query_one("#line-error", Static).update("")
        self.query_one("#line-editor").display = True
        self._inputs()[0].focus()

    def _close_editor(self) -> None:
        self.editing = None
        self.query_one("#line-editor").display = False
        self.query_one("#line-error", Static).update("")
        self.query_one("#quote-lines", OptionList).focus()

    def action_add_line(self) -> None:
        if self._editable():
            self._open_editor(None)

    def action_edit_line(self) -> None:
        line = self.selected_line
        if line is None:
            self.action_add_line()
        elif self._editable():
            self._open_editor(line)

    @on(OptionList.OptionSelected, "#quote-lines")
    def _line_chosen(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.action_edit_line()

    @on(Input.Submitted, ".line-field")
    def _next_field(self, event: Input.Submitted) -> None:
        event.stop()
        inputs = self._inputs()
        if event.input is not inputs[-1]:
            inputs[inputs.index(event.input) + 1].focus()
            return
        values = {name: widget.value.strip()
                  for (name, _p, _w), widget in zip(LINE_FIELDS, inputs, strict=True)}
        quote_id, editing = self.quote_id, self.editing
        if editing is None:
            self._open_editor(None)  # ready for the next line at once (burst typing)

            def run() -> Any:
                return core.add_line(self.db, quote_id, values["designation"],
                                     quantity=values["quantity"], unit=values["unit"],
                                     unit_price=values["unit_price"], vat=values["vat"],
                                     discount=values["discount"])
        else:
            self._close_editor()

            def run() -> Any:
                return core.update_line(self.db, editing, values)

        def failed(error: BaseException) -> None:
            self._load()
            self._show_line_error(error, values if editing is None else None)

        self.app.writes.submit(WriteJob(  # type: ignore[attr-defined]
            _("Ligne de devis"), run, done=lambda _r: self._line_saved(), failed=failed))

    def _line_saved(self) -> None:
        self.changed = True
        self._load()

    def _show_line_error(self, error: BaseException, typed: dict[str, str] | None) -> None:
        """Show the refusal; a new line comes back in the editor to be fixed."""
        untouched = not self._inputs()[0].value  # nothing typed for the next line yet
        if typed is not None and untouched and self.query_one("#line-editor").display:
            fields = dict(typed)
            for (name, _p, _w), widget in zip(LINE_FIELDS, self._inputs(), strict=True):
                widget.value = str(fields.get(name, widget.value))
        message = str(error) if isinstance(error, ValidationError) else repr(error)
        self.query_one("#line-error", Static).update(message)
        field = error.field if isinstance(error, ValidationError) else ""
        target = {"vat": "vat", "unit_price": "unit_price", "quantity": "quantity",
                  "discount": "discount", "designation": "designation"}.get(field)
        self.query_one("#line-editor").display = True
        if target:
            self.query_one(f"#line-{target}", Input).focus()

    def action_delete_line(self) -> None:
        line = self.selected_line
        if line is None or not self._editable():
            self.app.bell()
            return
        self._write(_("Ligne supprimée"), lambda: core.delete_line(self.db, line.id))

    def action_move_line(self, step: int) -> None:
        line = self.selected_line
        if line is None or not self._editable():
            return
        lines = self.query_one("#quote-lines", OptionList)
        target = max(0, min(len(self.quote.lines) - 1 if self.quote else 0,
                            (lines.highlighted or 0) + step))
        lines.highlighted = target
        self._write(_("Ligne déplacée"), lambda: core.move_line(self.db, line.id, step))

    # -- the quote itself -------------------------------------------------------------
    def action_edit_fields(self) -> None:
        from qualif_tui.tui.quote_fields import QuoteFieldsForm

        if self.quote is None or not self._editable():
            return
        quote_id = self.quote_id

        def save(changes: dict[str, Any]) -> Any:
            return core.update_quote(self.db, quote_id, changes)

        def closed(result: Any) -> None:
            if result is not None:
                self.changed = True
                self._load()

        self.app.push_screen(QuoteFieldsForm(self.quote, save), closed)

    def action_status(self, which: str) -> None:
        if self.quote is None:
            return
        run = {"send": core.send_quote, "accept": core.accept_quote,
               "refuse": core.refuse_quote}[which]
        quote_id = self.quote_id

        def done(result: Quote) -> None:
            message = _("Devis {number} : {status}.").format(number=result.number,
                                                            status=result.state_label())
            if which == "accept" and result.deal_id:
                message += " " + _("Affaire n° {id} gagnée ({amount} HT).").format(
                    id=result.deal_id, amount=format_euros(result.total_ht))
            self.notify(message)

        self._write(_("Devis"), lambda: run(self.db, quote_id), done)

    def action_copy(self, how: str) -> None:
        if self.quote is None:
            return
        quote_id = self.quote_id
        run = core.new_version if how == "version" else core.duplicate_quote

        def done(result: Quote) -> None:
            self.quote_id = result.id
            self.notify(_("Devis {number} créé.").format(number=result.number))

        self._write(_("Devis"), lambda: run(self.db, quote_id), done)

    def action_pdf(self) -> None:
        if self.quote is None:
            return
        from qualif_tui.tui.quote_pdf_dialog import QuotePdfDialog

        quote = self.quote

        def done(path: Path | None) -> None:
            if path is not None:
                self.notify(_("PDF écrit : {path}").format(path=path), title=_("Devis"),
                            timeout=8, markup=False)

        self.app.push_screen(QuotePdfDialog(
            self.db, quote.id, quote.number,
            temporary_db=bool(getattr(self.app, "demo", False))), done)

    def action_issuer(self) -> None:
        from qualif_tui.tui.issuer_form import open_issuer_form

        open_issuer_form(self, self.db)

    def action_close(self) -> None:
        if self.query_one("#line-editor").display:
            self._close_editor()
            return
        self.dismiss(self.changed)
