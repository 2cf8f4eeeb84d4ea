"""The e-mail template editor: subject and body on the left, the message as one
recipient will read it on the right, redrawn as you type; F7/F8 go through the
recipients. A mistake (an unknown field, a syntax error) shows with its line
under the editor, and such a template is not saved.

Checking and rendering run in an exclusive worker a moment after the last
keystroke (a burst of typing renders once, for the text as it ends up).
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Input, Label, Static, TextArea

from qualif_tui.base.i18n import _
from qualif_tui.domain.errors import QualifError
from qualif_tui.services.campaigns import core
from qualif_tui.services.campaigns.fields import CONTACT_FIELDS, contexts, merge_schema
from qualif_tui.services.campaigns.merge import MergeTemplate, TemplateText
from qualif_tui.services.campaigns.responses import list_recipients
from qualif_tui.storage import Database
from qualif_tui.tui import keymap
from qualif_tui.tui.commands import ActionsProvider
from qualif_tui.tui.footer import KeyFooter
from qualif_tui.tui.workers import WorkerReports, WriteJob, deliver

DEBOUNCE = 0.25
STARTER = ("Bonjour {{ prenom|defaut('Madame, Monsieur') }},\n\n\n\n"
           "Cordialement,\n{{ expediteur.name }}\n")


@dataclass(frozen=True)
class Preview:
    position: int
    total: int
    who: str
    subject: str = ""
    text: str = ""
    error: str = ""


class TemplateEditorScreen(WorkerReports, Screen[bool]):
    """Returns True when a template was saved."""

    CSS_PATH = "campaigns.tcss"
    BINDINGS = keymap.bindings(keymap.TEMPLATE_KEYS)
    PALETTE_KEYS = keymap.APP_KEYS + keymap.TEMPLATE_KEYS
    COMMANDS = {ActionsProvider}
    AUTO_FOCUS = "#template-subject"

    def __init__(self, db: Database, campaign: core.Campaign) -> None:
        super().__init__(id="template-editor")
        self.db = db
        self.campaign = campaign
        self.recipients: list[tuple[int, str]] = []
        self.position = 0
        self.saved_text = (campaign.subject, campaign.body or STARTER)
        self.saved = False
        self.valid = False
        self.shown: Preview | None = None  # what the preview shows (tests read it)
        self._timer: Timer | None = None

    def compose(self) -> ComposeResult:
        with Horizontal(id="template-body"):
            with Vertical(id="template-edit"):
                yield Label(_("Message de « {name} »").format(name=self.campaign.name),
                            classes="dialog-title")
                yield Input(self.campaign.subject, placeholder=_("Objet"),
                            id="template-subject")
                yield TextArea(self.campaign.body or STARTER, id="template-text",
                               soft_wrap=True, show_line_numbers=True)
                yield Static("", id="template-error")
                yield Static(Text(_("Champs : ") + ", ".join(
                    "{{ " + name + " }}" for name in list(CONTACT_FIELDS.values())[:9])
                    + _(", {{ keys[\"Clé\"] }} ; filtres : date_fr, euros, nombre,"
                        " defaut(\"…\")"), style="dim"), id="template-help")
            with Vertical(id="template-preview-box"):
                yield Static("", id="template-who")
                with VerticalScroll(id="template-preview-scroll"):
                    yield Static("", id="template-preview")
        yield KeyFooter()

    def on_mount(self) -> None:
        self._load_recipients()

    @work(thread=True, exclusive=True, group="template-recipients", exit_on_error=False,
          description="destinataires")
    def _load_recipients(self) -> None:
        found = [(r.contact_id, f"{r.name} <{r.address}>")
                 for r in list_recipients(self.db, self.campaign, limit=5000)]
        deliver(self, self._recipients_loaded, found)

    def _recipients_loaded(self, found: list[tuple[int, str]]) -> None:
        self.recipients = found
        self._render_now()

    # -- live preview ---------------------------------------------------------------
    @on(Input.Changed, "#template-subject")
    @on(TextArea.Changed, "#template-text")
    def _edited(self) -> None:
        if self._timer is not None:
            self._timer.stop()
        self._timer = self.set_timer(DEBOUNCE, self._render_now)

    def _texts(self) -> tuple[str, str]:
        return (self.query_one("#template-subject", Input).value,
                self.query_one("#template-text", TextArea).text)

    def _render_now(self) -> None:
        subject, body = self._texts()
        if not self.recipients:
            self._show(Preview(0, 0, _("(aucun destinataire)"), error=""))
            return
        self.position %= len(self.recipients)
        contact_id, who = self.recipients[self.position]
        self._make_preview(subject, body, contact_id, who, self.position, len(self.recipients))

    @work(thread=True, exclusive=True, group="template-preview", exit_on_error=False,
          description="aperçu")
    def _make_preview(self, subject: str, body: str, contact_id: int, who: str, position: int,
                total: int) -> None:
        try:
            template = MergeTemplate(TemplateText(subject, body, self.campaign.html),
                                     merge_schema(self.db))
            [(_cid, context)] = list(contexts(self.db, [contact_id],
                                              campaign_name=self.campaign.name))
            rendered = template.render(context)
        except (QualifError, ValueError) as problem:
            deliver(self, self._show, Preview(position, total, who, error=str(problem)))
            return
        deliver(self, self._show, Preview(position, total, who, rendered.subject,
                                          rendered.text))

    def _show(self, preview: Preview) -> None:
        self.shown = preview
        self.valid = not preview.error
        where = _("Destinataire {n}/{total} : {who}").format(
            n=preview.position + 1, total=preview.total, who=preview.who) if preview.total \
            else preview.who
        self.query_one("#template-who", Static).update(Text(where, style="bold"))
        self.query_one("#template-error", Static).update(
            Text(preview.error, style="red") if preview.error else "")
        if preview.error:
            self.query_one("#template-preview", Static).update(Text.assemble(
                (_("Pas d'aperçu tant que le modèle a une erreur :"), "dim"), "\n",
                (preview.error, "red")))
            return
        body = Text.assemble((_("Objet : "), "dim"), (preview.subject, "bold"), "\n\n",
                             preview.text)
        self.query_one("#template-preview", Static).update(body)

    def action_recipient(self, step: int) -> None:
        if not self.recipients:
            self.app.bell()
            return
        self.position = (self.position + step) % len(self.recipients)
        self._render_now()

    # -- saving ---------------------------------------------------------------------
    @property
    def dirty(self) -> bool:
        return self._texts() != self.saved_text

    def action_save(self) -> None:
        subject, body = self._texts()
        try:
            MergeTemplate(TemplateText(subject, body, self.campaign.html),
                          merge_schema(self.db))
        except QualifError as problem:
            self.query_one("#template-error", Static).update(Text(str(problem), style="red"))
            self.app.bell()
            return
        campaign = self.campaign

        def done(saved: core.Campaign) -> None:
            self.campaign = saved
            self.saved_text = (subject, body)
            self.saved = True
            self.notify(_("Modèle enregistré."))

        self.app.writes.submit(WriteJob(  # type: ignore[attr-defined]
            _("Modèle"), lambda: core.save_template(self.db, campaign, subject, body,
                                                    campaign.html), done=done))

    def action_close(self) -> None:
        if not self.dirty:
            self.dismiss(self.saved)
            return
        from qualif_tui.tui.dialogs import ConfirmScreen

        def answered(yes: bool | None) -> None:
            if yes:
                self.dismiss(self.saved)

        self.app.push_screen(ConfirmScreen(_("Fermer sans enregistrer ?"),
                                           _("Les modifications du modèle seront perdues.")),
                             answered)
