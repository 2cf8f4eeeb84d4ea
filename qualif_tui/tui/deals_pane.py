"""The card's fourth part: the contact's deals, then its quotes.

Each list only shows and asks: a key posts a :class:`DealAction` or
:class:`QuoteAction` the main screen carries out through its write queue
(``ctrl+n`` new deal, ``↵`` edit, ``>``/``<`` next/previous stage, ``w`` won,
``l`` lost, ``o`` reopen, ``suppr`` delete, ``q`` new quote; on a quote ``↵``
opens its lines, ``P`` writes its PDF).
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from qualif_tui.base.i18n import _
from qualif_tui.domain import clock
from qualif_tui.domain.deals import Deal
from qualif_tui.domain.money import format_day, format_euros
from qualif_tui.domain.quotes import Quote
from qualif_tui.tui import keymap

STAGE_STYLES = {"open": "bold", "won": "bold green", "lost": "dim red"}
QUOTE_STYLES = {"draft": "yellow", "sent": "cyan", "accepted": "green", "refused": "dim red",
                "expired": "dim", "replaced": "dim"}


@dataclass
class DealAction(Message):
    """What the user asked on a deal (``deal`` None: a new one for ``contact_id``)."""

    action: str  # new, edit, step, won, lost, reopen, delete, quote
    contact_id: int
    deal: Deal | None = None
    step: int = 0


@dataclass
class QuoteAction(Message):
    action: str  # open, new, pdf
    contact_id: int
    quote: Quote | None = None


def deal_line(deal: Deal, contact_id: int, today: str) -> Text:
    """Two lines: stage and title; amount, close date and probability (or reason)."""
    text = Text("↳ " if deal.contact_id != contact_id else "", "dim")
    text.append(deal.stage_label, STAGE_STYLES.get(deal.stage_kind, ""))
    text.append("  " + deal.title, "dim" if not deal.is_open else "")
    text.append("\n  " + format_euros(deal.amount, 0), "bold" if deal.is_won else "")
    if deal.is_open:
        late = bool(deal.expected_close) and str(deal.expected_close) < today
        text.append(" · " + _("clôture {day}").format(
            day=format_day(deal.expected_close) or _("non datée")),
            "bold red" if late else "dim")
        text.append(f" · {deal.probability} %", "dim")
    else:
        text.append(" · " + format_day(deal.closed_at), "dim")
        if deal.lost_reason:
            text.append(f" · {deal.lost_reason}", "dim italic")
    return text


def quote_line(quote: Quote) -> Text:
    """Two lines: number and status; amount, date and object."""
    state = quote.state()
    text = Text(quote.number, "bold")
    text.append("  " + quote.state_label(), QUOTE_STYLES.get(state, ""))
    text.append("\n  " + format_euros(quote.total_ht, 0) + " HT")
    text.append(" · " + format_day(quote.issued), "dim")
    if quote.title:
        text.append(" · " + quote.title, "dim")
    return text


class DealList(OptionList):
    """The deals of the contact shown (its own, and those it takes part in, ↳)."""

    BINDINGS = keymap.bindings(keymap.DEAL_KEYS)

    def __init__(self) -> None:
        super().__init__(id="deals")
        self.deals: list[Deal] = []
        self.contact_id: int | None = None

    def show(self, contact_id: int | None, deals: list[Deal]) -> None:
        today = clock.today().isoformat()
        self.contact_id = contact_id
        self.deals = deals
        highlighted = self.highlighted
        if deals:
            self.set_options([Option(deal_line(d, contact_id or 0, today), id=str(d.id))
                              for d in deals])
            self.highlighted = min(highlighted or 0, len(deals) - 1)
        else:
            self.set_options([Option(Text(_("Aucune affaire — ctrl+n pour en créer une."),
                                          "dim"), disabled=True)])

    @property
    def selected(self) -> Deal | None:
        index = self.highlighted
        if index is None or not 0 <= index < len(self.deals):
            return None
        return self.deals[index]

    def _ask(self, action: str, *, needs_deal: bool = True, step: int = 0) -> None:
        if self.contact_id is None:
            self.app.bell()
            return
        deal = self.selected
        if needs_deal and deal is None:
            self.app.bell()
            return
        self.post_message(DealAction(action, self.contact_id, deal, step))

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        # ↵ selects in an OptionList: here it edits (the message goes no further)
        event.stop()
        self.action_edit()

    def action_new(self) -> None:
        self._ask("new", needs_deal=False)

    def action_edit(self) -> None:
        self._ask("edit")

    def action_step(self, step: int) -> None:
        self._ask("step", step=step)

    def action_won(self) -> None:
        self._ask("won")

    def action_lost(self) -> None:
        self._ask("lost")

    def action_reopen(self) -> None:
        self._ask("reopen")

    def action_delete(self) -> None:
        self._ask("delete")

    def action_quote(self) -> None:
        self._ask("quote", needs_deal=False)


class QuoteList(OptionList):
    """The quotes of the contact shown, newest first."""

    BINDINGS = keymap.bindings(keymap.QUOTE_KEYS)

    def __init__(self) -> None:
        super().__init__(id="quotes")
        self.quotes: list[Quote] = []
        self.contact_id: int | None = None

    def show(self, contact_id: int | None, quotes: list[Quote]) -> None:
        self.contact_id = contact_id
        self.quotes = quotes
        highlighted = self.highlighted
        if quotes:
            self.set_options([Option(quote_line(q), id=str(q.id)) for q in quotes])
            self.highlighted = min(highlighted or 0, len(quotes) - 1)
        else:
            self.set_options([Option(Text(_("Aucun devis — q pour en faire un."), "dim"),
                                     disabled=True)])

    @property
    def selected(self) -> Quote | None:
        index = self.highlighted
        if index is None or not 0 <= index < len(self.quotes):
            return None
        return self.quotes[index]

    def _ask(self, action: str, *, needs_quote: bool = True) -> None:
        quote = self.selected
        if self.contact_id is None or (needs_quote and quote is None):
            self.app.bell()
            return
        self.post_message(QuoteAction(action, self.contact_id, quote))

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.action_open()

    def action_open(self) -> None:
        self._ask("open")

    def action_new(self) -> None:
        self._ask("new", needs_quote=False)

    def action_pdf(self) -> None:
        self._ask("pdf")


class DealsPane(Vertical):
    """Deals above, quotes below."""

    def __init__(self) -> None:
        super().__init__(id="deals-pane")

    def compose(self) -> ComposeResult:
        yield Static(Text(_("Affaires"), "bold"), classes="pane-title")
        yield DealList()
        yield Static(Text(_("Devis"), "bold"), classes="pane-title")
        yield QuoteList()

    def show(self, contact_id: int | None, deals: list[Deal], quotes: list[Quote]) -> None:
        self.query_one(DealList).show(contact_id, deals)
        self.query_one(QuoteList).show(contact_id, quotes)

    def focus_main(self) -> None:
        self.query_one(DealList).focus()

    def focus_quotes(self) -> None:
        self.query_one(QuoteList).focus()
