"""The mail settings, set once apart from any import (``M`` on the main screen, or
"Courrier : vos adresses…" in the palette): the user's own addresses, which say whether
a message was received or sent, and how much of each message the timeline keeps.

The app's face of :mod:`qualif_tui.services.mailimport.settings`; the CLI's is
``qualif import DB --me ADRESSE --excerpt N``. Read and written in workers.
"""

from __future__ import annotations

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Static

from qualif_tui.base.i18n import _
from qualif_tui.domain.errors import ValidationError
from qualif_tui.services import mailimport
from qualif_tui.services.mailimport import MailSettings
from qualif_tui.storage import Database
from qualif_tui.tui.dialogs import BlinkInput
from qualif_tui.tui.workers import WriteJob, describe_error


class MailSettingsScreen(ModalScreen[MailSettings | None]):
    """Edit ``mail.own_addresses`` and ``mail.excerpt_chars``; ↵ or ctrl+s keeps them."""

    BINDINGS = [
        Binding("ctrl+s", "save", _("Enregistrer"), id="mail_settings.save"),
        Binding("escape", "cancel", _("Fermer sans enregistrer"), id="mail_settings.cancel"),
    ]

    def __init__(self, db: Database) -> None:
        super().__init__(classes="form-screen")
        self.db = db
        self.loaded: MailSettings | None = None
        self.saving = False

    def typeahead_ready(self) -> bool:
        """Keys typed before the settings are shown wait for them (they would be typed
        into a field about to be filled)."""
        return self.loaded is not None and not self.saving

    def compose(self) -> ComposeResult:
        with Vertical(classes="form mail-settings"):
            yield Label(_("Courrier : vos adresses et les extraits"), classes="dialog-title")
            yield Static(_("Un message venant de l'une de vos adresses est noté « envoyé »,"
                           " un message qui vous est adressé « reçu ». Pour les prochains"
                           " imports : les entrées déjà importées restent telles quelles."),
                         classes="dialog-detail")
            with Horizontal(classes="form-row"):
                yield Label(_("Vos adresses"), classes="field-label")
                yield BlinkInput(placeholder=_("vous@exemple.fr, autre@exemple.fr"),
                                 id="mail-settings-own", disabled=True)
            with Horizontal(classes="form-row"):
                yield Label(_("Texte gardé"), classes="field-label")
                yield BlinkInput(placeholder=_("caractères par message (0 : tout)"),
                                 restrict=r"[0-9]*", id="mail-settings-excerpt", disabled=True)
            yield Static("", id="mail-settings-error", classes="field-error")
            yield Static(_("↵ ou ctrl+s enregistrer   échap fermer"), classes="dialog-keys")

    def on_mount(self) -> None:
        self._load()

    @work(thread=True, exit_on_error=False, group="mail-settings", description="réglages courrier")
    def _load(self) -> None:
        settings = mailimport.load_mail_settings(self.db)
        self.app.call_from_thread(self._show, settings)

    def _show(self, settings: MailSettings) -> None:
        own = self.query_one("#mail-settings-own", Input)
        excerpt = self.query_one("#mail-settings-excerpt", Input)
        own.value = ", ".join(settings.own)
        excerpt.value = str(settings.excerpt_chars)
        own.disabled = excerpt.disabled = False
        self.loaded = settings
        own.focus()

    @on(Input.Submitted)
    def _submitted(self) -> None:
        self.action_save()

    def action_save(self) -> None:
        if self.loaded is None or self.saving:
            return
        error = self.query_one("#mail-settings-error", Static)
        own_text = self.query_one("#mail-settings-own", Input).value
        excerpt_text = self.query_one("#mail-settings-excerpt", Input).value.strip()
        try:
            own = mailimport.parse_addresses(own_text)
        except ValidationError as problem:
            error.update(str(problem))
            self.query_one("#mail-settings-own", Input).focus()
            return
        if not excerpt_text:
            error.update(_("Texte gardé : un nombre de caractères (0 : tout le texte)."))
            self.query_one("#mail-settings-excerpt", Input).focus()
            return
        error.update("")
        self.saving = True
        db, excerpt = self.db, int(excerpt_text)
        self.app.writes.submit(WriteJob(  # type: ignore[attr-defined]
            _("Réglages du courrier"), lambda: mailimport.save_mail_settings(db, own, excerpt),
            done=self.dismiss, failed=self._failed))

    def _failed(self, error: BaseException) -> None:
        self.saving = False
        self.query_one("#mail-settings-error", Static).update(describe_error(error))

    def action_cancel(self) -> None:
        self.dismiss(None)
