"""Importing a deals file and exporting deals, from the app.

The app's faces of ``qualif deal import`` and ``qualif deal export``: the core
(:mod:`qualif_tui.services.deals_io`) reads, checks, matches and writes; these
dialogs ask for the file, show what the import would do (or every refused line
with its column and reason) before anything is written, and run the work in
workers. An import goes through the app's write queue as one batch that ``u``
takes back (:class:`~qualif_tui.tui.transfer.Imported` carries its number).

Reached from the pipeline (``i``, ``ctrl+e``), the command palette, and the
contacts import (``i`` on the main screen), which hands a file whose header
names deals (Affaire, Montant…) to :class:`DealImportScreen`.
"""

from __future__ import annotations

from pathlib import Path

from rich.console import Group
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Static

from qualif_tui.base.i18n import _
from qualif_tui.domain.errors import QualifError
from qualif_tui.query import CompiledQuery
from qualif_tui.services.deals_io import (
    DealImport,
    export_deals_to_file,
    import_deals,
)
from qualif_tui.services.importing import ImportRefused
from qualif_tui.storage import Database, StorageError
from qualif_tui.tui import keymap
from qualif_tui.tui.export_dialog import ExportDialog, typed_path
from qualif_tui.tui.transfer import Imported
from qualif_tui.tui.workers import WorkerReports, WriteJob, deliver

# format → (label, suffix), in the order the dialog lists them (labels translated when shown)
DEAL_FORMATS = {
    "csv": ("CSV (Excel, LibreOffice)", ".csv"),
    "xlsx": ("Classeur Excel (xlsx)", ".xlsx"),
    "json": ("JSON", ".json"),
}




def describe_import(checked: DealImport) -> Text:
    text = Text(_("{source} : {summary}").format(source=checked.source,
                                                 summary=checked.summary()), "bold")
    if checked.ignored_columns:
        text.append("\n" + _("colonnes ignorées : {names}").format(
            names=", ".join(checked.ignored_columns)), "dim")
    return text


class DealImportScreen(WorkerReports, ModalScreen[Imported | None]):
    """Ask for a deals file, show what it would do, import it on ctrl+s (Esc: nothing)."""

    BINDINGS = keymap.bindings(keymap.IMPORT_KEYS)
    TYPEAHEAD_GROUPS = frozenset({"deal-import-preview"})  # ctrl+s imports what was shown

    def __init__(self, db: Database, path: str = "") -> None:
        super().__init__(classes="form-screen")
        self.db = db
        self.start_path = path
        self.ready: Path | None = None  # the file previewed, fit to import
        self.running = False

    def compose(self) -> ComposeResult:
        with Vertical(classes="form transfer", id="deal-import"):
            yield Label(_("Importer des affaires (CSV, xlsx : une affaire par ligne)"),
                        classes="dialog-title")
            with Horizontal(classes="form-row"):
                yield Label(_("Fichier"), classes="field-label")
                yield Input(self.start_path, placeholder=_("~/Téléchargements/affaires.csv"),
                            id="deal-import-path")
            with VerticalScroll(id="transfer-preview-box"):
                yield Static(Text(_("↵ pour voir ce que l'import ferait, sans rien écrire.\n"
                                    "Chaque ligne est rattachée à un contact par son n° de"
                                    " fiche, son e-mail, ou son nom et sa société."), "dim"),
                             id="transfer-preview")
            yield Static(_("↵ aperçu   ctrl+s importer   échap fermer"), classes="dialog-keys")

    def on_mount(self) -> None:
        self.query_one("#deal-import-path", Input).focus()
        if self.start_path:
            self._start_preview()

    @property
    def preview(self) -> Static:
        return self.query_one("#transfer-preview", Static)

    @on(Input.Submitted, "#deal-import-path")
    def _path_given(self) -> None:
        self._start_preview()

    @on(Input.Changed, "#deal-import-path")
    def _path_edited(self) -> None:
        self.ready = None  # what is shown is another file's

    def _start_preview(self) -> None:
        text = self.query_one("#deal-import-path", Input).value
        if not text.strip():
            self.preview.update(Text(_("Donnez le chemin d'un fichier."), "bold red"))
            return
        self.ready = None
        self.preview.update(Text(_("lecture…"), "dim"))
        self._check(typed_path(text))

    @work(thread=True, exclusive=True, group="deal-import-preview", exit_on_error=False,
          description="aperçu de l'import d'affaires")
    def _check(self, path: Path) -> None:
        try:
            checked = import_deals(self.db, path, dry_run=True)
        except ImportRefused as refused:
            deliver(self, self._show_problem, "\n".join(
                [_("Import refusé, rien ne serait écrit :"), *refused.lines]))
            return
        except (QualifError, StorageError, OSError) as error:
            deliver(self, self._show_problem, str(error))
            return
        deliver(self, self._show_plan, path, checked)

    def _show_plan(self, path: Path, checked: DealImport) -> None:
        self.ready = path
        self.preview.update(Group(describe_import(checked), Text(""),
                                  Text(_("ctrl+s pour importer."), "bold")))

    def _show_problem(self, message: str) -> None:
        self.ready = None
        self.preview.update(Text(message, "red"))

    def action_run(self) -> None:
        if self.running:
            return
        path = self.ready
        if path is None:
            self._start_preview()
            return
        self.running = True
        self.preview.update(Text(_("import…"), "dim"))
        db = self.db

        def run() -> Imported:
            done = import_deals(db, path)
            return Imported(done.summary(), done.batch_id)

        def failed(error: BaseException) -> None:
            self.running = False
            message = ("\n".join([_("Import refusé, rien n'est écrit :"), *error.lines])
                       if isinstance(error, ImportRefused) else str(error))
            self._show_problem(message)

        self.app.writes.submit(WriteJob(  # type: ignore[attr-defined]
            _("Import d'affaires"), run, done=self.dismiss, failed=failed))

    def action_close(self) -> None:
        if not self.running:
            self.dismiss(None)


class DealExportScreen(ExportDialog):
    """Export the deals of the contacts of a query: one row per deal, CSV, xlsx or JSON
    (the dialog itself: :class:`~qualif_tui.tui.export_dialog.ExportDialog`)."""

    FORMAT_PLACE = "deals.export.format"
    FILE_STEM = "affaires"

    def __init__(self, db: Database, query: CompiledQuery | None, label: str = "", *,
                 temporary_db: bool = False) -> None:
        self.compiled = query
        self.label = label
        super().__init__(db, temporary_db=temporary_db)

    def formats(self) -> dict[str, tuple[str, str]]:
        return {name: (_(label), suffix) for name, (label, suffix) in DEAL_FORMATS.items()}

    def heading(self) -> str:
        what = _("« {query} »").format(query=self.label) if self.label else _("tous les contacts")
        return _("Exporter les affaires de {what}").format(what=what)

    @work(thread=True, exclusive=True, group="deal-export", exit_on_error=False,
          description="export des affaires")
    def export(self, fmt: str, target: Path, overwrite: bool) -> None:
        try:
            written = export_deals_to_file(self.db, self.compiled, fmt, target,
                                           overwrite=overwrite)
        except (QualifError, StorageError, OSError) as error:
            deliver(self, self.failed, str(error))
            return
        self.finish(fmt, target, _("{n} affaire(s) écrite(s) dans {target}").format(
            n=written, target=target))
