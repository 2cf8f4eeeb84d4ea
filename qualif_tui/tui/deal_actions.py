"""What the main screen does when the card's deals and quotes ask (a mixin).

Each request from :mod:`.deals_pane` becomes a form, a dialog or a write
through the screen's :meth:`write` (queued, then the list, the counts and the
card are refreshed). Deleting a deal can be undone with ``u`` like a contact.
Reads a form needs (the stage table, the lists) run in a worker first.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from textual import work

from qualif_tui.base.i18n import _
from qualif_tui.domain import deals as core
from qualif_tui.domain import quotes as quoting
from qualif_tui.domain.money import format_euros
from qualif_tui.domain.stages import list_choices, list_stages
from qualif_tui.storage import Database
from qualif_tui.tui.deals_pane import DealAction, QuoteAction
from qualif_tui.tui.workers import deliver

if TYPE_CHECKING:
    from collections.abc import Callable

    from textual.screen import Screen

    _Screen = Screen[None]
else:
    _Screen = object


class DealActions(_Screen):
    """Mixed into :class:`~.main_screen.MainScreen` (which provides ``db``, ``write``,
    ``remember_undo``)."""

    db: Database
    if TYPE_CHECKING:
        def write(self, label: str, run: Callable[[], Any],
                  done: Callable[[Any], object] | None = None,
                  contact_id: int | None = None, *,
                  position_hint: int | None = None) -> None: ...

        def remember_undo(self, label: str, run: Callable[[], Any],
                          contact_id: int | None) -> None: ...

        def _contact_name(self) -> str: ...

    # Named handlers, not @on: the mixin is no message pump of its own, and Textual
    # collects @on handlers only from classes its metaclass built.
    def on_deal_action(self, event: DealAction) -> None:
        deal, contact_id = event.deal, event.contact_id
        if event.action in ("new", "edit"):
            self._prepare_deal_form(contact_id, deal)
        elif event.action == "quote":
            self._new_quote(contact_id, deal.id if deal is not None and deal.is_open else None)
        elif deal is None:
            return
        elif event.action == "step":
            self.write(_("Affaire"), lambda: core.step_deal(self.db, deal.id, event.step),
                       self._told_stage, contact_id)
        elif event.action == "won":
            self._win(deal, contact_id)
        elif event.action == "lost":
            self._prepare_lose(deal, contact_id)
        elif event.action == "reopen":
            self.write(_("Affaire"), lambda: core.reopen_deal(self.db, deal.id),
                       self._told_stage, contact_id)
        elif event.action == "delete":
            self._delete_deal(deal, contact_id)

    def _told_stage(self, deal: core.Deal) -> None:
        self.notify(_("{title} : {stage}").format(title=deal.title, stage=deal.stage_label))

    # -- forms ----------------------------------------------------------------------
    @work(thread=True, exclusive=True, group="deal-form", exit_on_error=False,
          description="affaire")
    def _prepare_deal_form(self, contact_id: int, deal: core.Deal | None) -> None:
        stages = list_stages(self.db)
        categories = [c.label for c in list_choices(self.db, "category")]
        colleagues = core.company_colleagues(self.db, contact_id,
                                             include=deal.others if deal else ())
        deliver(self, self._open_deal_form, contact_id, deal, stages, categories, colleagues)

    def _open_deal_form(self, contact_id: int, deal: core.Deal | None, stages: Any,
                        categories: list[str], colleagues: list[tuple[int, str]]) -> None:
        from qualif_tui.tui.deal_forms import DealForm

        def save(values: dict[str, Any]) -> Any:
            if deal is None:
                values = dict(values)
                return core.add_deal(self.db, contact_id, values.pop("title"),
                                     values.pop("amount"), **values)
            return core.update_deal(self.db, deal.id, values)

        def closed(result: Any) -> None:
            if result is not None:
                self.notify(_("Affaire enregistrée."))
                self._refresh_card(contact_id)

        self.app.push_screen(DealForm(self._contact_name(), stages, categories, save, deal,
                                      colleagues=colleagues), closed)

    def _refresh_card(self, contact_id: int) -> None:
        refresh = getattr(self, "refresh_after_write", None)
        if refresh is not None:
            refresh(contact_id)

    def _win(self, deal: core.Deal, contact_id: int) -> None:
        from qualif_tui.tui.deal_forms import WinDialog

        def closed(result: Any) -> None:
            if result is not None:
                self.notify(_("Gagnée : {title}, {amount} HT.").format(
                    title=result.title, amount=format_euros(result.amount)))
                self._refresh_card(contact_id)

        self.app.push_screen(WinDialog(deal, lambda amount: core.win_deal(
            self.db, deal.id, amount=amount)), closed)

    @work(thread=True, exclusive=True, group="deal-form", exit_on_error=False,
          description="raisons de perte")
    def _prepare_lose(self, deal: core.Deal, contact_id: int) -> None:
        reasons = [c.label for c in list_choices(self.db, "lost_reason")]
        deliver(self, self._open_lose, deal, contact_id, reasons)

    def _open_lose(self, deal: core.Deal, contact_id: int, reasons: list[str]) -> None:
        from qualif_tui.tui.deal_forms import LoseDialog

        def closed(result: Any) -> None:
            if result is not None:
                self.notify(_("Perdue : {title}.").format(title=result.title))
                self._refresh_card(contact_id)

        self.app.push_screen(LoseDialog(deal, reasons, lambda reason: core.lose_deal(
            self.db, deal.id, reason=reason)), closed)

    def _delete_deal(self, deal: core.Deal, contact_id: int) -> None:
        from qualif_tui.tui.dialogs import ConfirmScreen

        def confirmed(yes: bool | None) -> None:
            if not yes:
                return

            def done(snapshot: core.DeletedDeal) -> None:
                self.remember_undo(_("suppression de l'affaire {title}").format(
                    title=snapshot.title), lambda: core.restore_deal(self.db, snapshot),
                    contact_id)
                self.notify(_("Affaire « {title} » supprimée — u pour annuler.").format(
                    title=snapshot.title))

            self.write(_("Suppression"), lambda: core.delete_deal(self.db, deal.id), done,
                       contact_id)

        self.app.push_screen(ConfirmScreen(
            _("Supprimer l'affaire « {title} » ?").format(title=deal.title),
            _("{amount}, {stage}. Ses devis restent, sans affaire (u annule).").format(
                amount=format_euros(deal.amount), stage=deal.stage_label)), confirmed)

    # -- quotes ---------------------------------------------------------------------
    def _new_quote(self, contact_id: int, deal_id: int | None) -> None:
        def done(quote: quoting.Quote) -> None:
            self.notify(_("Devis {number} créé : a pour ajouter ses lignes.").format(
                number=quote.number))
            self.open_quote(quote.id, contact_id)

        self.write(_("Devis"), lambda: quoting.new_quote(self.db, contact_id, deal_id=deal_id),
                   done, contact_id)

    def open_quote(self, quote_id: int, contact_id: int) -> None:
        from qualif_tui.tui.quote_editor import QuoteEditor

        def closed(changed: bool | None) -> None:
            if changed:
                self._refresh_card(contact_id)

        self.app.push_screen(QuoteEditor(self.db, quote_id), closed)

    def on_quote_action(self, event: QuoteAction) -> None:
        quote = event.quote
        if event.action == "new":
            self._new_quote(event.contact_id, None)
        elif quote is not None and event.action == "open":
            self.open_quote(quote.id, event.contact_id)
        elif quote is not None and event.action == "pdf":
            from qualif_tui.tui.quote_pdf_dialog import QuotePdfDialog

            def done(path: Path | None) -> None:
                if path is not None:
                    self.notify(_("PDF écrit : {path}").format(path=path), title=_("Devis"),
                                timeout=8, markup=False)

            self.app.push_screen(QuotePdfDialog(
                self.db, quote.id, quote.number,
                temporary_db=bool(getattr(self.app, "demo", False))), done)
