"""New campaign (``ctrl+k``, or the palette's "Nouvelle campagne"): from the current
result — a query or a segment — in two steps: name, channel, cost and date; then
what the core made of it, who was left out and why, before going on to its message.
"""

from __future__ import annotations

from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Select, Static

from qualif_tui.base.i18n import _
from qualif_tui.domain import clock
from qualif_tui.domain.errors import QualifError
from qualif_tui.query import QueryError
from qualif_tui.services.campaigns import core
from qualif_tui.storage import Database
from qualif_tui.tui.dialogs import BlinkInput
from qualif_tui.tui.workers import WriteJob, describe_error


class NewCampaignScreen(ModalScreen[str | None]):
    """Returns the new campaign's name (None when nothing was made)."""

    CSS_PATH = "campaigns.tcss"
    BINDINGS = [
        Binding("ctrl+s", "save", _("Créer"), id="campaign_new.save", show=True),
        Binding("escape", "leave", _("Fermer"), id="campaign_new.leave", show=True),
    ]
    AUTO_FOCUS = "#campaign-name"

    def __init__(self, db: Database, query_text: str, total: int | None) -> None:
        super().__init__(classes="form-screen")
        self.db = db
        self.query_text = query_text
        self.total = total
        self.created: core.CreationReport | None = None
        self.saving = False

    def compose(self) -> ComposeResult:
        what = f"« {self.query_text} »" if self.query_text else _("tous les contacts")
        count = _(" ({n} contacts)").format(n=self.total) if self.total is not None else ""
        with Vertical(classes="form campaign-form"):
            yield Label(_("Nouvelle campagne"), classes="dialog-title")
            yield Static(Text(_("Destinataires : {what}{count}").format(what=what, count=count),
                              style="dim"), id="campaign-target")
            with Horizontal(classes="form-row"):
                yield Label(_("Nom"), classes="field-label")
                yield BlinkInput(placeholder=_("Mailing salon 2026"), id="campaign-name")
            with Horizontal(classes="form-row"):
                yield Label(_("Canal"), classes="field-label")
                yield Select([(_(label), key) for key, label in core.CHANNELS.items()],
                             value="email", allow_blank=False, compact=True,
                             id="campaign-channel")
            with Horizontal(classes="form-row"):
                yield Label(_("Coût (€)"), classes="field-label")
                yield BlinkInput("0", id="campaign-cost")
            with Horizontal(classes="form-row"):
                yield Label(_("Date"), classes="field-label")
                yield BlinkInput(clock.today().isoformat(), id="campaign-day")
            yield Static("", id="campaign-result")
            yield Static(_("ctrl+s créer   ↵ champ suivant   échap fermer"),
                         classes="dialog-keys", id="campaign-keys")

    @on(Input.Submitted)
    def _next(self, event: Input.Submitted) -> None:
        event.stop()
        if self.created is not None:
            self.dismiss(self.created.campaign.name)
        elif event.input.id == "campaign-day":
            self.action_save()
        else:
            self.focus_next()

    def action_save(self) -> None:
        if self.created is not None:
            self.dismiss(self.created.campaign.name)
            return
        if self.saving:
            return
        name = self.query_one("#campaign-name", Input).value
        channel = str(self.query_one("#campaign-channel", Select).value)
        cost = self.query_one("#campaign-cost", Input).value
        day = self.query_one("#campaign-day", Input).value
        if not name.strip():
            self._error(_("Donnez un nom à la campagne."))
            self.query_one("#campaign-name").focus()
            return
        self.saving = True
        self._result(Text(_("Création… (les destinataires sont figés maintenant)"), "dim"))
        text = self.query_text
        self.app.writes.submit(WriteJob(  # type: ignore[attr-defined]
            _("Nouvelle campagne"),
            lambda: core.create_campaign(self.db, name, text, channel=channel, cost=cost,
                                         day=day or None),
            done=self._created, failed=self._failed))

    def _created(self, report: core.CreationReport) -> None:
        self.saving = False
        self.created = report
        lines = report.lines()
        text = Text(lines[0], style="bold")
        for line in lines[1:]:
            text.append("\n" + line.strip(), style="yellow")
        if len(lines) == 1:
            text.append("\n" + _("Personne n'a été laissé de côté."), style="green")
        self._result(text)
        for widget in self.query(Input):
            widget.disabled = True
        self.query_one("#campaign-channel", Select).disabled = True
        self.query_one("#campaign-keys", Static).update(
            _("↵ ou ctrl+s ouvrir les campagnes   échap fermer"))
        self.focus()

    def _failed(self, error: BaseException) -> None:
        self.saving = False
        if isinstance(error, (QualifError, QueryError)):
            self._error(str(error))
        else:
            self._error(describe_error(error))

    def _error(self, message: str) -> None:
        self._result(Text(message, style="red"))

    def _result(self, text: Text) -> None:
        self.query_one("#campaign-result", Static).update(text)

    def on_key(self, event: events.Key) -> None:
        if self.created is not None and event.key == "enter":
            event.stop()
            self.dismiss(self.created.campaign.name)

    def action_leave(self) -> None:
        self.dismiss(self.created.campaign.name if self.created is not None else None)
