"""Where a quote's PDF goes: asked, with a folder proposed and remembered.

``P`` on a quote (the card's list or the editor) opens this dialog with the
file named ``Devis D2026-0001.pdf`` in the folder used last for quotes (if it
is still there), else beside the database file — on the stick with it —
unless that file is a throwaway (the demo), else the documents folder. ↵
writes it; a file already there is replaced only after a yes. The folder
written to is remembered on this machine. What may never be written (the
database, its journal, its backups) is refused by the storage guard.
"""

from __future__ import annotations

from pathlib import Path

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Static

from qualif_tui.base import places
from qualif_tui.base.i18n import _
from qualif_tui.domain.issuer import load_issuer
from qualif_tui.services.exporting.targets import default_export_folder, missing_folder
from qualif_tui.services.quote_pdf import write_quote_pdf
from qualif_tui.storage import Database
from qualif_tui.storage.files import inspect_target
from qualif_tui.tui import keymap
from qualif_tui.tui.dialogs import ConfirmScreen
from qualif_tui.tui.workers import WorkerReports, WriteJob, deliver

REMEMBERED = "quotes.folder"


def pdf_name(number: str) -> str:
    return _("Devis {number}.pdf").format(number=number)


def proposed_folder(db: Database, *, temporary_db: bool = False) -> Path:
    return default_export_folder(db.path, places.documents_dir(),
                                 remembered=places.recall(REMEMBERED), temporary=temporary_db)


class QuotePdfDialog(WorkerReports, ModalScreen[Path | None]):
    """Ask where to write the PDF of a quote, write it; dismissed with its path."""

    BINDINGS = keymap.bindings(keymap.QUOTE_PDF_KEYS)

    def __init__(self, db: Database, quote_id: int, number: str, *,
                 temporary_db: bool = False) -> None:
        super().__init__(classes="form-screen")
        self.db = db
        self.quote_id = quote_id
        self.number = number
        self.folder = proposed_folder(db, temporary_db=temporary_db)
        self.running = False

    def compose(self) -> ComposeResult:
        with Vertical(classes="form transfer", id="quote-pdf"):
            yield Label(_("PDF du devis {number}").format(number=self.number),
                        classes="dialog-title")
            with Horizontal(classes="form-row"):
                yield Label(_("Fichier"), classes="field-label")
                yield Input(str(self.folder / pdf_name(self.number)), id="pdf-path",
                            select_on_focus=False)
            yield Static("", id="pdf-message")
            yield Static(_("↵ écrire le PDF   échap fermer"), classes="dialog-keys")

    def on_mount(self) -> None:
        path = self.query_one("#pdf-path", Input)
        path.focus()
        path.cursor_position = len(path.value)
        self._check_issuer()

    @work(thread=True, exclusive=True, group="pdf-issuer", exit_on_error=False,
          description="vos coordonnées")
    def _check_issuer(self) -> None:
        if not load_issuer(self.db).is_set:
            deliver(self, self._say, _(
                "Vos coordonnées (l'en-tête du devis) ne sont pas renseignées : I dans"
                " l'éditeur de devis ou le pipeline."), "yellow")

    def _say(self, message: str, style: str = "red") -> None:
        self.query_one("#pdf-message", Static).update(Text(message, style=style))

    @on(Input.Submitted, "#pdf-path")
    def _submitted(self) -> None:
        self.action_run()

    def action_run(self) -> None:
        if self.running:
            return
        text = self.query_one("#pdf-path", Input).value.strip().strip("'\"")
        if not text:
            self._say(_("Donnez le chemin du fichier à écrire."))
            return
        path = Path(text).expanduser()
        if path.is_dir():  # a folder given: the quote's usual name in it
            path = path / pdf_name(self.number)
        elif path.suffix.lower() != ".pdf":
            path = path.with_name(path.name + ".pdf")
        target = inspect_target(self.db.path, path)
        problem = target.forbidden or missing_folder(target.path)
        if problem:
            self._say(problem)
            return
        if not target.exists:
            self._write(target.path)
            return

        def answered(yes: bool | None) -> None:
            if yes:
                self._write(target.path)

        self.app.push_screen(ConfirmScreen(
            _("Remplacer {name} ?").format(name=target.path.name),
            _("Le fichier {name} existe déjà : il sera remplacé.").format(
                name=target.path.name)), answered)

    def _write(self, target: Path) -> None:
        self.running = True
        self._say(_("écriture…"), "dim")
        db, quote_id = self.db, self.quote_id

        def done(path: Path) -> None:
            places.remember(REMEMBERED, str(path.expanduser().resolve().parent))
            self.dismiss(path)

        def failed(error: BaseException) -> None:
            self.running = False
            self._say(str(error))

        # through the write queue: after the edits typed before P
        self.app.writes.submit(WriteJob(  # type: ignore[attr-defined]
            _("PDF du devis"), lambda: write_quote_pdf(db, quote_id, target),
            done=done, failed=failed))

    def action_close(self) -> None:
        if not self.running:
            self.dismiss(None)
