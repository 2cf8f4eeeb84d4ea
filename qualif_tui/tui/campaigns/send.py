"""Sending a campaign from the app: where to (the file's SMTP server, a folder of
``.eml`` files, an mbox), from whom, then a progress bar that ``espace`` pauses
and resumes; ``ctrl+t`` first sends one test message to the sender.

The send runs in its own thread worker rather than the app's write queue: at a
rate limit it can last an hour, and the queue would hold every other write (a
note, a qualification) that long. Its writes are one short transaction per
message, serialised with the app's others by the database lock. Closing the
screen stops it cleanly after the message in hand; what is left stays queued,
and sending again resumes.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, ProgressBar, Select, Static

from qualif_tui.base.i18n import N_, _
from qualif_tui.domain.errors import QualifError
from qualif_tui.domain.settings import get_setting
from qualif_tui.services.campaigns import core, sending
from qualif_tui.services.campaigns.transports import (
    EmlFolder,
    MboxFile,
    SmtpSettings,
    SmtpTransport,
    smtp_password,
    stored_smtp,
)
from qualif_tui.storage import Database, StorageError
from qualif_tui.tui import keymap
from qualif_tui.tui.dialogs import BlinkInput
from qualif_tui.tui.footer import KeyFooter
from qualif_tui.tui.workers import WorkerReports, deliver

TARGETS = {"smtp": N_("Serveur SMTP du fichier"), "eml": N_("Dossier de fichiers .eml"),
           "mbox": N_("Fichier mbox (Thunderbird)")}


class SendScreen(WorkerReports, ModalScreen[sending.SendReport | None]):
    """Returns the send's report (None when nothing was sent)."""

    CSS_PATH = "campaigns.tcss"
    BINDINGS = keymap.bindings(keymap.SEND_KEYS)
    AUTO_FOCUS = "#send-target"

    def __init__(self, db: Database, campaign: core.Campaign,
                 folder: Path | None = None) -> None:
        super().__init__(classes="form-screen")
        self.db = db
        self.campaign = campaign
        self.folder = folder or Path.cwd()
        self.smtp: SmtpSettings | None = stored_smtp(db)
        self.control: sending.SendControl | None = None
        self.report: sending.SendReport | None = None
        self.running = False

    def compose(self) -> ComposeResult:
        target = "smtp" if self.smtp is not None else "eml"
        with Vertical(classes="form campaign-form"):
            yield Label(_("Envoyer « {name} »").format(name=self.campaign.name),
                        classes="dialog-title")
            yield Static("", id="send-about")
            with Horizontal(classes="form-row"):
                yield Label(_("Vers"), classes="field-label")
                yield Select([(_(label), key) for key, label in TARGETS.items()], value=target,
                             allow_blank=False, compact=True, id="send-target")
            with Horizontal(classes="form-row", id="send-path-row"):
                yield Label(_("Dossier / fichier"), classes="field-label")
                yield BlinkInput(str(self.folder / _("envoi")), id="send-path")
            with Horizontal(classes="form-row"):
                yield Label(_("Expéditeur"), classes="field-label")
                yield BlinkInput(str(get_setting(self.db, "mail.from", "") or ""),
                                 placeholder=_("Garage Martin <contact@garage-martin.fr>"),
                                 id="send-from")
            with Horizontal(classes="form-row", id="send-password-row"):
                yield Label(_("Mot de passe"), classes="field-label")
                yield BlinkInput(password=True, placeholder=_("pour cet envoi seulement"),
                                 id="send-password")
            yield ProgressBar(show_eta=True, id="send-progress")
            yield Static("", id="send-status")
        yield KeyFooter()

    def on_mount(self) -> None:
        self.query_one("#send-progress", ProgressBar).display = False
        self._about()
        self._target_changed()

    def _about(self) -> None:
        c = self.campaign
        smtp = (_("serveur {host}:{port} ({security}, {user})").format(
            host=self.smtp.host, port=self.smtp.port, security=self.smtp.security,
            user=self.smtp.user or _("sans identifiant"))
            if self.smtp else _("pas de serveur SMTP réglé (qualif campaign FICHIER smtp …)"))
        lines = [_("Objet : {subject}").format(subject=c.subject or _("(pas encore de modèle :"
                                                                        " e dans la liste)")),
                 smtp]
        self.query_one("#send-about", Static).update(Text("\n".join(lines), style="dim"))

    @on(Select.Changed, "#send-target")
    def _target_changed(self) -> None:
        target = str(self.query_one("#send-target", Select).value)
        self.query_one("#send-path-row").display = target != "smtp"
        needs_password = (target == "smtp" and self.smtp is not None and bool(self.smtp.user)
                          and smtp_password(self.smtp) is None)
        self.query_one("#send-password-row").display = needs_password
        path = self.query_one("#send-path", Input)
        current = Path(path.value)
        if target == "mbox" and current.suffix != ".mbox":
            path.value = str(current.with_suffix(".mbox"))
        elif target == "eml" and current.suffix == ".mbox":
            path.value = str(current.with_suffix(""))

    def _transport(self) -> Any:
        target = str(self.query_one("#send-target", Select).value)
        path = Path(self.query_one("#send-path", Input).value.strip()).expanduser()
        if target == "eml":
            return EmlFolder(path)
        if target == "mbox":
            return MboxFile(path)
        if self.smtp is None:
            raise QualifError(_("pas de serveur SMTP réglé : qualif campaign FICHIER smtp --smtp"
                                " HÔTE:PORT --user IDENTIFIANT"))
        typed = self.query_one("#send-password", Input).value
        return SmtpTransport(self.smtp, typed or smtp_password(self.smtp))

    def _status(self, text: str, style: str = "") -> None:
        self.query_one("#send-status", Static).update(Text(text, style=style))

    # -- actions ---------------------------------------------------------------------
    def action_run(self) -> None:
        if self.running:
            return
        try:
            transport = self._transport()
        except QualifError as error:
            self._status(str(error), "red")
            return
        sender = self.query_one("#send-from", Input).value.strip()
        self.running = True
        self.control = sending.SendControl()
        bar = self.query_one("#send-progress", ProgressBar)
        bar.display = True
        bar.update(total=None, progress=0)
        self._status(_("Vérification du modèle pour chaque destinataire…"), "dim")
        for widget in self.query(Input):
            widget.disabled = True
        self.query_one("#send-target", Select).disabled = True
        rate = self.smtp.rate if self.smtp is not None and isinstance(transport, SmtpTransport) \
            else 0.0
        self._send(transport, sender, rate, self.control)

    @work(thread=True, exclusive=True, group="send", exit_on_error=False, description="envoi")
    def _send(self, transport: Any, sender: str, rate: float,
              control: sending.SendControl) -> None:
        try:
            report = sending.send_campaign(
                self.db, self.campaign, transport, sender=sender, rate=rate, control=control,
                progress=lambda done, total, who: deliver(self, self._progress, done, total, who))
        except (QualifError, StorageError, OSError) as error:
            deliver(self, self._failed, str(error))
            return
        deliver(self, self._finished, report)

    def _progress(self, done: int, total: int, who: str) -> None:
        self.query_one("#send-progress", ProgressBar).update(total=total, progress=done)
        paused = self.control is not None and self.control.paused
        self._status(_("{done}/{total} — {who}").format(done=done, total=total, who=who)
                     + (_("  (en pause : espace pour reprendre)") if paused else ""))

    def _failed(self, message: str) -> None:
        self.running = False
        for widget in self.query(Input):
            widget.disabled = False
        self.query_one("#send-target", Select).disabled = False
        self.query_one("#send-progress", ProgressBar).display = False
        self._status(message, "red")

    def _finished(self, report: sending.SendReport) -> None:
        self.running = False
        self.report = report
        bar = self.query_one("#send-progress", ProgressBar)
        bar.update(total=max(1, report.total), progress=report.total - report.remaining)
        style = "green" if report.complete and not report.failed else "yellow"
        self._status("\n".join(report.lines()), style)

    def action_pause(self) -> None:
        if not self.running or self.control is None:
            return
        if self.control.paused:
            self.control.resume()
            self._status(_("Reprise…"), "dim")
        else:
            self.control.pause()
            self._status(_("En pause (après le message en cours) : espace pour reprendre."),
                         "yellow")

    def action_test(self) -> None:
        if self.running:
            return
        try:
            transport = self._transport()
        except QualifError as error:
            self._status(str(error), "red")
            return
        sender = self.query_one("#send-from", Input).value.strip()
        self._status(_("Envoi du message de test à {sender}…").format(sender=sender), "dim")
        self._send_test(transport, sender)

    @work(thread=True, exclusive=True, group="send-test", exit_on_error=False,
          description="message de test")
    def _send_test(self, transport: Any, sender: str) -> None:
        try:
            to = sending.send_test(self.db, self.campaign, transport, sender=sender, to=sender)
        except (QualifError, StorageError, OSError) as error:
            deliver(self, self._status, str(error), "red")
            return
        where = transport.label if not isinstance(transport, SmtpTransport) else to
        deliver(self, self._status, _("Message de test envoyé à {to}.").format(to=where),
                "green")

    def on_unmount(self) -> None:
        # a paused send must not outlive its screen (the app could not quit)
        if self.control is not None:
            self.control.stop()

    def action_close(self) -> None:
        if self.running and self.control is not None:
            self.control.stop()  # the worker ends after the message in hand
            self._status(_("Arrêt après le message en cours…"), "yellow")
            self.running = False
        self.dismiss(self.report)
