"""The contact card: a title line and four parts — qualification, history, agenda, deals.

The card loads the highlighted contact in a worker (the latest request wins)
and shows the part that has the focus: Tab into the history, the tab follows.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from rich.text import Text
from textual import events, work
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Static, TabbedContent, TabPane
from textual.worker import get_current_worker

from qualif_tui.base.i18n import _
from qualif_tui.domain.activities import Activity, contact_activities
from qualif_tui.domain.contacts import Contact, get_contact
from qualif_tui.domain.deals import Deal, list_deals
from qualif_tui.domain.errors import NotFound
from qualif_tui.domain.history import HistoryEntry, list_entries
from qualif_tui.domain.keys import QualKey, list_keys
from qualif_tui.domain.qualify import qualified
from qualif_tui.domain.quotes import Quote, list_quotes
from qualif_tui.storage import Database
from qualif_tui.tui.agenda_pane import AgendaPane
from qualif_tui.tui.deals_pane import DealsPane
from qualif_tui.tui.qualification import QualificationForm
from qualif_tui.tui.timeline import ENTRY_LIMIT, Timeline
from qualif_tui.tui.workers import WorkerReports, deliver

CARD_DELAY = 0.04  # seconds
PANES = {"form": "tab-form", "timeline": "tab-timeline", "agenda": "tab-agenda",
         "deals": "tab-deals", "quotes": "tab-deals"}


@dataclass(frozen=True)
class CardData:
    contact: Contact
    keys: list[QualKey]
    entries: list[HistoryEntry]
    activities: list[Activity]
    deals: list[Deal]
    quotes: list[Quote]


def load_card(db: Database, contact_id: int) -> CardData:
    """Everything the card shows about one contact (worker thread)."""
    keys = list_keys(db)
    contact = get_contact(db, contact_id)
    return CardData(contact, keys, list_entries(db, contact_id, limit=ENTRY_LIMIT),
                    contact_activities(db, contact_id), list_deals(db, contact_id),
                    list_quotes(db, contact_id))


def card_title(data: CardData) -> Text:
    contact = data.contact
    done, total = qualified(contact.keys, data.keys)
    text = Text(contact.name, "bold")
    if contact.company and contact.company != contact.name:
        text.append(f" · {contact.company}")
    place = contact.city + (f" ({contact.dept})" if contact.dept else "")
    if place.strip():
        text.append(f" · {place}", "dim")
    text.append("   ")
    text.append(_("qualifié {done}/{total}").format(done=done, total=total),
                "bold green" if total and done == total else "bold yellow")
    return text


class ContactCard(WorkerReports, Vertical):
    """The card of one contact, or a hint when none is selected."""

    def __init__(self, db: Database) -> None:
        super().__init__(id="card")
        self.db = db
        self.data: CardData | None = None
        self.contact_id: int | None = None
        self._pending_pane: str | None = None  # asked for before the card was loaded

    def compose(self) -> ComposeResult:
        yield Static(Text(_("Aucun contact sélectionné."), "dim"), id="card-title")
        with TabbedContent(initial=PANES["form"], id="card-tabs"):
            with TabPane(_("Fiche"), id=PANES["form"]):
                yield QualificationForm()
            with TabPane(_("Historique"), id=PANES["timeline"]):
                yield Timeline(self.db)
            with TabPane(_("Agenda"), id=PANES["agenda"]):
                yield AgendaPane()
            with TabPane(_("Affaires"), id=PANES["deals"]):
                yield DealsPane()

    # -- loading -------------------------------------------------------------
    @property
    def loaded(self) -> bool:
        """Does the card show the contact it was asked for?"""
        if self.contact_id is None:
            return True
        return self.data is not None and self.data.contact.id == self.contact_id

    @property
    def ready_for_keys(self) -> bool:
        """False while keys meant for the card would reach another contact's fields:
        a part was asked for (F2…) or the focus is inside, and the card still loads."""
        if self.loaded:
            return True
        focused = self.screen.focused
        inside = focused is not None and (focused is self or self in focused.ancestors)
        return not (inside or self._pending_pane)

    def show_contact(self, contact_id: int | None) -> None:
        self.contact_id = contact_id
        if contact_id is None:
            self.data = None
            self._pending_pane = None
            self.query_one("#card-title", Static).update(Text(_("Aucun contact."), "dim"))
            self.query_one(QualificationForm).clear()
            self.query_one(Timeline).clear_contact()
            self.query_one(AgendaPane).show([])
            self.query_one(DealsPane).show(None, [], [])
            return
        self._load(contact_id)

    def reload(self) -> None:
        if self.contact_id is not None:
            self._load(self.contact_id)

    @work(thread=True, exclusive=True, group="card", exit_on_error=False,
          description="fiche du contact")
    def _load(self, contact_id: int) -> None:
        # Holding j (or PageDown) moves the cursor faster than a card is worth
        # loading: wait a moment; a newer request cancels this one meanwhile.
        time.sleep(CARD_DELAY)
        if get_current_worker().is_cancelled:
            return
        try:
            data = load_card(self.db, contact_id)
        except NotFound:
            deliver(self, self._gone, contact_id)
            return
        deliver(self, self._loaded, data)

    def _gone(self, contact_id: int) -> None:
        if contact_id == self.contact_id:
            self.show_contact(None)

    def _loaded(self, data: CardData) -> None:
        if data.contact.id != self.contact_id:
            return
        self.data = data
        self.query_one("#card-title", Static).update(card_title(data))
        self.query_one(QualificationForm).show(data.contact, data.keys)
        self.query_one(Timeline).show(data.contact.id, data.entries)
        self.query_one(AgendaPane).show(data.activities)
        self.query_one(DealsPane).show(data.contact.id, data.deals, data.quotes)
        pane, self._pending_pane = self._pending_pane, None
        if pane is not None:
            self.call_after_refresh(self._focus_in, pane)

    # -- parts ---------------------------------------------------------------
    @property
    def active_pane(self) -> str:
        active = self.query_one(TabbedContent).active
        return next((name for name, tab in PANES.items() if tab == active), "form")

    def focus_pane(self, pane: str) -> None:
        tabs = self.query_one(TabbedContent)
        if tabs.active != PANES[pane]:
            # let go of a widget the switch is about to hide, so that hiding it does
            # not reset the focus after we have set it
            self.screen.set_focus(None)
            tabs.active = PANES[pane]
        if not self.loaded:
            # its fields are another contact's until the card is loaded: keys typed
            # meanwhile wait (MainScreen.typeahead_ready), the focus goes in after
            self._pending_pane = pane
            return
        self.call_after_refresh(self._focus_in, pane)

    def _focus_in(self, pane: str) -> None:
        if pane == "form":
            self.query_one(QualificationForm).focus_first()
        elif pane == "timeline":
            self.query_one(Timeline).focus_main()
        elif pane == "deals":
            self.query_one(DealsPane).focus_main()
        elif pane == "quotes":
            self.query_one(DealsPane).focus_quotes()
        else:
            self.query_one(AgendaPane).focus()

    def on_descendant_focus(self, event: events.DescendantFocus) -> None:
        widget = event.widget
        for tab in PANES.values():
            container = self.query_one(f"#{tab}")
            if widget is container or container in widget.ancestors:
                tabs = self.query_one(TabbedContent)
                if tabs.active != tab:
                    tabs.active = tab
                return

    @property
    def selected_activity(self) -> Activity | None:
        return self.query_one(AgendaPane).selected
