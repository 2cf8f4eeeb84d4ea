"""A campaign's recipients and their responses, one keystroke each.

``1``–``6`` (or ``r v d c x b``) record a response on the highlighted recipient
and move to the next one, so a pile of replies is sorted at typing speed; ``0``
clears it. The row changes at once; the write goes through the app's ordered
queue (keys typed in a burst land in order). An unsubscribe also sets the
contact's e-mail opt-out.

The table holds at most :data:`SHOWN` recipients (by name); the CLI lists and
imports any number.
"""

from __future__ import annotations

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import DataTable, Static

from qualif_tui.base.i18n import _
from qualif_tui.services.campaigns import core
from qualif_tui.services.campaigns.responses import (
    RESPONSES,
    Recipient,
    Tally,
    list_recipients,
    set_response,
    tally,
)
from qualif_tui.storage import Database
from qualif_tui.tui import keymap
from qualif_tui.tui.commands import ActionsProvider
from qualif_tui.tui.footer import KeyFooter
from qualif_tui.tui.workers import WorkerReports, WriteJob, deliver

SHOWN = 5000
_STYLES = {"none": "dim", "replied": "cyan", "meeting": "green", "quote": "green",
           "order": "bold green", "unsubscribed": "red", "bounced": "yellow"}


class ResponsesScreen(WorkerReports, Screen[None]):
    CSS_PATH = "campaigns.tcss"
    BINDINGS = keymap.bindings(keymap.RESPONSES_KEYS)
    PALETTE_KEYS = keymap.APP_KEYS + keymap.RESPONSES_KEYS
    COMMANDS = {ActionsProvider}
    AUTO_FOCUS = "#responses-table"

    def __init__(self, db: Database, campaign: core.Campaign) -> None:
        super().__init__(id="responses")
        self.db = db
        self.campaign = campaign
        self.recipients: list[Recipient] = []
        self.responses: dict[int, str] = {}
        self.total = 0
        self.written = 0  # responses the queue has written (tests wait on it)

    def compose(self) -> ComposeResult:
        yield Static(Text.assemble((_("Réponses"), "bold"), " — ", self.campaign.name,
                                   f" ({self.campaign.channel_label}, {self.campaign.day})"),
                     id="responses-title")
        table: DataTable[str | Text] = DataTable(id="responses-table", cursor_type="row",
                                                 zebra_stripes=True)
        yield table
        yield Static("", id="responses-summary")
        yield KeyFooter()

    def on_mount(self) -> None:
        table = self.query_one("#responses-table", DataTable)
        table.add_column(_("Nom"), key="name", width=24)
        table.add_column(_("Réponse"), key="response", width=16)
        table.add_column(_("Envoi"), key="state", width=10)
        table.add_column(_("Adresse"), key="address", width=34)
        self._load()

    @work(thread=True, exclusive=True, group="responses", exit_on_error=False,
          description="destinataires")
    def _load(self) -> None:
        rows = list_recipients(self.db, self.campaign, limit=SHOWN)
        deliver(self, self._show, rows, tally(self.db, self.campaign))

    def _show(self, rows: list[Recipient], counts: Tally) -> None:
        self.recipients = rows
        self.responses = {r.contact_id: r.response for r in rows}
        self.total = counts.recipients
        table = self.query_one("#responses-table", DataTable)
        table.clear()
        for r in rows:
            state = r.state_label if r.state != "failed" else f"{r.state_label} {r.detail[:3]}"
            table.add_row(r.name, self._label(r.response), state, r.address,
                          key=str(r.contact_id))
        self._summary()

    @staticmethod
    def _label(response: str) -> Text:
        return Text(_(RESPONSES[response]), style=_STYLES.get(response, ""))

    def _summary(self) -> None:
        counted: dict[str, int] = {}
        for response in self.responses.values():
            counted[response] = counted.get(response, 0) + 1
        parts = [f"{_(label)} {counted[state]}" for state, label in RESPONSES.items()
                 if counted.get(state) and state != "none"]
        shown = "" if self.total <= len(self.recipients) else _(
            " — les {n} premiers par nom (la ligne de commande les a tous)").format(
                n=len(self.recipients))
        self.query_one("#responses-summary", Static).update(Text(
            _("{n} destinataire(s) · réponses : {parts}").format(
                n=self.total, parts=", ".join(parts) or "—") + shown))

    # -- one keystroke per recipient ----------------------------------------------------
    def action_respond(self, state: str) -> None:
        table = self.query_one("#responses-table", DataTable)
        if not self.recipients or table.cursor_row is None:
            self.app.bell()
            return
        row = table.cursor_row
        recipient = self.recipients[row]
        self.responses[recipient.contact_id] = state
        table.update_cell(str(recipient.contact_id), "response", self._label(state))
        self._summary()
        if row + 1 < len(self.recipients):
            table.move_cursor(row=row + 1)
        campaign, contact_id = self.campaign, recipient.contact_id
        self.app.writes.submit(WriteJob(  # type: ignore[attr-defined]
            _("Réponse de {name}").format(name=recipient.name),
            lambda: set_response(self.db, campaign, contact_id, state),
            done=self._written, failed=lambda _error: self._load()))

    def _written(self, recipient: Recipient) -> None:
        self.written += 1
        if recipient.response == "unsubscribed":
            self.notify(_("{name} : refus des e-mails enregistré sur sa fiche.").format(
                name=recipient.name), markup=False)

    @on(DataTable.RowSelected, "#responses-table")
    def _selected(self) -> None:
        self.action_card()

    def action_cursor_down(self) -> None:
        self.query_one("#responses-table", DataTable).action_cursor_down()

    def action_cursor_up(self) -> None:
        self.query_one("#responses-table", DataTable).action_cursor_up()

    def action_card(self) -> None:
        table = self.query_one("#responses-table", DataTable)
        if not self.recipients or table.cursor_row is None:
            return
        contact_id = self.recipients[table.cursor_row].contact_id
        main = next((s for s in self.app.screen_stack if s.id == "main"), None)
        go_to = getattr(main, "go_to_contact", None)
        if go_to is None:
            return
        while self.app.screen is not main and len(self.app.screen_stack) > 1:
            self.app.pop_screen()
        go_to(contact_id)

    def action_close(self) -> None:
        self.dismiss(None)
