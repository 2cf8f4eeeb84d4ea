"""The campaigns screen (``C``): every campaign with its channel, date, recipients,
responses and return; from here a campaign's template, sending and responses.

Figures come from the core (:func:`~qualif_tui.services.campaigns.roi.roi_report`)
in a worker; deleting goes through the app's write queue.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import DataTable, Static

from qualif_tui.base.i18n import _
from qualif_tui.services.campaigns import core
from qualif_tui.services.campaigns.responses import SEND_STATES, Tally, tally
from qualif_tui.services.campaigns.roi import CampaignRoi, roi_report
from qualif_tui.storage import Database
from qualif_tui.tui import keymap
from qualif_tui.tui.commands import ActionsProvider
from qualif_tui.tui.footer import KeyFooter
from qualif_tui.tui.workers import WorkerReports, WriteJob, deliver


def euros(amount: float) -> str:
    return f"{amount:,.0f} €".replace(",", "\u202f")


def percent(ratio: float) -> str:
    return f"{ratio * 100:+,.0f} %".replace(",", "\u202f")


@dataclass(frozen=True)
class CampaignLine:
    roi: CampaignRoi
    tally: Tally
    excluded: dict[str, int]

    @property
    def campaign(self) -> core.Campaign:
        return self.roi.campaign


class CampaignsScreen(WorkerReports, Screen[None]):
    """Every campaign; ↵ its recipients and responses, ``e`` its message, ``s`` send it."""

    CSS_PATH = "campaigns.tcss"
    BINDINGS = keymap.bindings(keymap.CAMPAIGNS_KEYS)
    PALETTE_KEYS = keymap.APP_KEYS + keymap.CAMPAIGNS_KEYS
    COMMANDS = {ActionsProvider}
    AUTO_FOCUS = "#campaign-table"

    def __init__(self, db: Database, *, select: str | None = None) -> None:
        super().__init__(id="campaigns")
        self.db = db
        self.lines: list[CampaignLine] = []
        self.select = select
        self.loaded = 0  # how many times the list was shown (tests wait on it)

    def compose(self) -> ComposeResult:
        yield Static(Text(_("Campagnes"), style="bold"), id="campaigns-title")
        table: DataTable[str | Text] = DataTable(id="campaign-table", cursor_type="row",
                                                 zebra_stripes=True)
        yield table
        yield Static("", id="campaign-detail")
        yield KeyFooter()

    def on_mount(self) -> None:
        table = self.query_one("#campaign-table", DataTable)
        # the figures first: at 80 columns the channel and date go off the right edge
        for label, key, width in ((_("Campagne"), "name", 24), (_("Dest."), "recipients", 6),
                                  (_("Réponses"), "responded", 8), (_("ROI"), "roi", 9),
                                  (_("CA"), "revenue", 11), (_("Envoyés"), "sent", 7),
                                  (_("Canal"), "channel", 10), (_("Date"), "day", 10)):
            table.add_column(label, key=key, width=width)
        self.reload()

    def reload(self) -> None:
        self._load()

    @work(thread=True, exclusive=True, group="campaigns", exit_on_error=False,
          description="campagnes")
    def _load(self) -> None:
        report = roi_report(self.db, by="")
        lines = [CampaignLine(row, tally(self.db, row.campaign),
                              core.exclusion_counts(self.db, row.campaign))
                 for row in report.campaigns]
        deliver(self, self._show, lines)

    def _show(self, lines: list[CampaignLine]) -> None:
        self.lines = lines
        table = self.query_one("#campaign-table", DataTable)
        keep = self.select or (self.current.campaign.name if self.current else None)
        table.clear()
        for line in lines:
            figures = line.roi.figures
            roi = "—" if figures.roi is None else percent(figures.roi)
            table.add_row(line.campaign.name, Text(str(figures.recipients), justify="right"),
                          Text(str(figures.responded), justify="right"),
                          Text(roi, justify="right"), Text(euros(figures.revenue), justify="right"),
                          Text(str(line.tally.states.get("sent", 0)), justify="right"),
                          line.campaign.channel_label, line.campaign.day,
                          key=str(line.campaign.id))
        self.select = None
        if keep is not None:
            for index, line in enumerate(lines):
                if line.campaign.name == keep:
                    table.move_cursor(row=index)
        if not lines:
            self.query_one("#campaign-detail", Static).update(Text(
                _("Aucune campagne. Depuis la liste des contacts, ctrl+k fait une campagne du"
                  " résultat affiché (ou de son segment)."), style="dim"))
        else:
            self._detail()
        self.loaded += 1

    @property
    def current(self) -> CampaignLine | None:
        table = self.query_one("#campaign-table", DataTable)
        if not self.lines or table.cursor_row is None or table.cursor_row >= len(self.lines):
            return None
        return self.lines[table.cursor_row]

    @on(DataTable.RowHighlighted, "#campaign-table")
    def _highlighted(self) -> None:
        self._detail()

    @on(DataTable.RowSelected, "#campaign-table")
    def _selected(self) -> None:
        self.action_open()

    def _detail(self) -> None:
        line = self.current
        if line is None:
            return
        c = line.campaign
        states = ", ".join(f"{_(label)} {line.tally.states[state]}"
                           for state, label in SEND_STATES.items()
                           if line.tally.states.get(state))
        left = ", ".join(f"{n} {_(core.EXCLUSION_REASONS[reason])}"
                         for reason, n in line.excluded.items())
        figures = line.roi.figures
        parts = [
            Text.assemble((c.name, "bold"), f"  {c.channel_label} · {c.day} · ",
                          _("coût {cost}").format(cost=euros(c.cost)),
                          f" · {c.query or _('tous les contacts')}"),
            Text(_("Destinataires : {n} ({states})").format(n=figures.recipients,
                                                            states=states or "—")),
            Text(_("Laissés de côté : {left}").format(left=left or "—")),
            Text(_("Réponses : {n} · affaires gagnées : {deals} · CA {revenue}").format(
                n=figures.responded, deals=figures.deals, revenue=euros(figures.revenue))),
        ]
        if c.subject:
            parts.append(Text(_("Objet : {subject}").format(subject=c.subject), style="dim"))
        self.query_one("#campaign-detail", Static).update(Text("\n").join(parts))

    # -- actions ---------------------------------------------------------------------
    def _campaign_or_bell(self) -> core.Campaign | None:
        line = self.current
        if line is None:
            self.app.bell()
            return None
        return line.campaign

    def action_open(self) -> None:
        from qualif_tui.tui.campaigns.responses import ResponsesScreen

        campaign = self._campaign_or_bell()
        if campaign is not None:
            self.app.push_screen(ResponsesScreen(self.db, campaign), lambda _r: self.reload())

    def action_template(self) -> None:
        from qualif_tui.tui.campaigns.editor import TemplateEditorScreen

        campaign = self._campaign_or_bell()
        if campaign is None:
            return
        if campaign.channel not in ("email", "event"):
            self.notify(_("Un courrier se fusionne en ligne de commande : qualif campaign FICHIER"
                          " letters « {name} » --template modele.docx -o lettres.pdf").format(
                              name=campaign.name), markup=False, timeout=8)
            return
        self.app.push_screen(TemplateEditorScreen(self.db, campaign), lambda _r: self.reload())

    def action_send(self) -> None:
        from qualif_tui.tui.campaigns.send import SendScreen

        campaign = self._campaign_or_bell()
        if campaign is None:
            return
        if campaign.channel not in ("email", "event"):
            self.notify(_("Rien à envoyer par e-mail pour une campagne « {channel} »").format(
                channel=campaign.channel_label), markup=False)
            return
        self.app.push_screen(SendScreen(self.db, campaign), lambda _r: self.reload())

    def action_delete(self) -> None:
        from qualif_tui.tui.dialogs import ConfirmScreen

        campaign = self._campaign_or_bell()
        if campaign is None:
            return

        def confirmed(yes: bool | None) -> None:
            if not yes:
                return
            self.app.writes.submit(WriteJob(  # type: ignore[attr-defined]
                _("Suppression de la campagne"),
                lambda: core.delete_campaign(self.db, campaign.name),
                done=lambda _gone: self._deleted(campaign)))

        self.app.push_screen(ConfirmScreen(
            _("Supprimer « {name} » ?").format(name=campaign.name),
            _("Ses destinataires et ses relances à faire partent ; l'historique des fiches"
              " reste.")), confirmed)

    def _deleted(self, campaign: core.Campaign) -> None:
        self.notify(_("Campagne « {name} » supprimée.").format(name=campaign.name), markup=False)
        self.reload()

    def action_refresh(self) -> None:
        self.reload()

    def action_close(self) -> None:
        self.dismiss(None)
