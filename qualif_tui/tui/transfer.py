"""Importing a file and exporting the current result, from the app.

The app's faces of ``qualif import`` and ``qualif export``: the core reads,
plans and writes (:mod:`qualif_tui.services.importing`, :mod:`~qualif_tui.services.exporting`);
these screens ask for a file, show the plan before anything is written, and
run the work in workers with its progress shown. An import goes through the
app's write queue and comes back as an undoable batch.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widget import Widget
from textual.widgets import Input, Label, ProgressBar, Select, Static

from qualif_tui.base.i18n import N_, _, ngettext
from qualif_tui.domain.errors import QualifError
from qualif_tui.query import CompiledQuery
from qualif_tui.services import importing
from qualif_tui.services.deals_io import looks_like_deals
from qualif_tui.services.exporting import EXPORT_FORMATS, ExportOptions, export_to_file
from qualif_tui.storage import Database, StorageError
from qualif_tui.tui import keymap
from qualif_tui.tui.export_dialog import ExportDialog, typed_path
from qualif_tui.tui.newvalues import HINT as NEW_VALUES_HINT
from qualif_tui.tui.newvalues import NewValuesList
from qualif_tui.tui.workers import WorkerReports, WriteJob, deliver

COLUMNS_SHOWN = 12
EXAMPLES_SHOWN = 5


@dataclass(frozen=True)
class Imported:
    """What an import did, for the toast and the undo stack."""

    summary: str
    batch_id: int | None  # None: nothing new was written (or a calendar, undone by hand)




# -- import -----------------------------------------------------------------------------


@dataclass(frozen=True)
class _Contacts:
    plan: importing.ImportPlan


@dataclass(frozen=True)
class _Calendar:
    fmt: importing.ImportFormat
    path: Path


def describe_plan(plan: importing.ImportPlan) -> Group:
    """The plan as the preview shows it: the file, where columns go, what happens."""
    summary = importing.summarize_plan(plan, examples=EXAMPLES_SHOWN)
    parts: list[Any] = []
    for described in summary.files:
        parts.append(Text(f"{described.source} : {described.about}", style="bold"))
        if described.columns:
            columns = Table(show_edge=False, box=None, padding=(0, 2, 0, 0),
                            header_style="dim")
            columns.add_column(_("Colonne"))
            columns.add_column(_("Va dans"))
            for column, target in described.columns[:COLUMNS_SHOWN]:
                columns.add_row(column, target)
            if len(described.columns) > COLUMNS_SHOWN:
                columns.add_row(_("… {value} autres").format(value=len(described.columns) - COLUMNS_SHOWN), "")
            parts.append(columns)
    counts = Table(show_header=False, show_edge=False, box=None, padding=(0, 2, 0, 0))
    counts.add_column(style="bold")
    counts.add_column()
    for label, value in summary.counts:
        counts.add_row(label, value)
    parts += [Text(""), counts]
    if summary.examples:
        parts.append(Text(_("par exemple : ") + " · ".join(summary.examples), style="dim"))
    return Group(*parts)


class ImportScreen(WorkerReports, ModalScreen[Imported | None]):
    """Ask for a file, preview the plan, import it on ctrl+s (Esc: nothing written)."""

    BINDINGS = keymap.bindings(keymap.IMPORT_KEYS)
    TYPEAHEAD_GROUPS = frozenset({"import-preview"})  # ctrl+s imports what was previewed

    def __init__(self, db: Database, path: str = "") -> None:
        super().__init__(classes="form-screen")
        self.db = db
        self.start_path = path
        self.ready: _Contacts | _Calendar | None = None
        self.running = False
        # decisions on the values the keys lack, by (key's folded name, folded value)
        self.value_map: dict[tuple[str, str], str | None] = {}

    def compose(self) -> ComposeResult:
        with Vertical(classes="form transfer"):
            yield Label(_("Importer des contacts (CSV, vCard, xlsx), un agenda (ics) ou du courrier (mbox, Maildir, .eml, .msg)"),
                        classes="dialog-title")
            with Horizontal(classes="form-row"):
                yield Label(_("Fichier"), classes="field-label")
                yield Input(self.start_path, placeholder=_("~/Téléchargements/contacts.csv"),
                            id="import-path")
            with Horizontal(classes="form-row"):
                yield Label(_("Doublons"), classes="field-label")
                yield Select([("ignorer", "skip"), (_("compléter les fiches"), "merge")],
                             value="skip", allow_blank=False, compact=True,
                             id="import-duplicates")
            with VerticalScroll(id="transfer-preview-box"):
                yield Static(_("↵ pour voir ce que l'import ferait, sans rien écrire."),
                             id="transfer-preview")
            yield Static(_(NEW_VALUES_HINT), id="new-values-hint")
            yield NewValuesList()
            yield ProgressBar(id="transfer-progress", show_eta=False)
            yield Static(_("↵ aperçu   ctrl+s importer   échap fermer"), classes="dialog-keys")

    def on_mount(self) -> None:
        self.query_one(ProgressBar).display = False
        self.query_one(NewValuesList).display = False
        self.query_one("#new-values-hint").display = False
        self.query_one("#import-path", Input).focus()

    @on(NewValuesList.Decided)
    def _value_decided(self, event: NewValuesList.Decided) -> None:
        self.value_map[event.choice] = event.target
        self._start_preview()  # the plan with the decision applied

    @property
    def preview(self) -> Static:
        return self.query_one("#transfer-preview", Static)

    # -- preview (nothing written) ---------------------------------------------------
    @on(Input.Submitted, "#import-path")
    def _path_given(self) -> None:
        self._start_preview()

    @on(Select.Changed, "#import-duplicates")
    def _duplicates_changed(self) -> None:
        if self.ready is not None:
            self._start_preview()

    @on(Input.Changed, "#import-path")
    def _path_edited(self) -> None:
        self.ready = None  # the preview shown is of another file
        self.value_map.clear()

    def _start_preview(self) -> None:
        text = self.query_one("#import-path", Input).value
        if not text.strip():
            self.preview.update(Text(_("Donnez le chemin d'un fichier."), style="bold red"))
            return
        self.ready = None
        self.preview.update(Text(_("lecture…"), style="dim"))
        on_duplicate = str(self.query_one("#import-duplicates", Select).value)
        self._plan(typed_path(text), on_duplicate)

    @work(thread=True, exclusive=True, group="import-preview", exit_on_error=False,
          description="aperçu de l'import")
    def _plan(self, path: Path, on_duplicate: str) -> None:
        from qualif_tui.services.mailimport import is_mail_source

        if is_mail_source(path):  # mbox, Maildir, .eml, .msg: its own screen (mail_import)
            deliver(self, self._open_mail, path)
            return
        if looks_like_deals(path):  # a header naming deals: their own import (deal_transfer)
            deliver(self, self._open_deals, path)
            return
        try:
            source = importing.read_source(path, str(path))
            fmt = importing.format_of(source)
            if fmt.run is not None:  # a calendar: the agenda's own importer
                outcome = fmt.run(self.db, [path], {"dry_run": True})
                rows = Table(show_header=False, show_edge=False, box=None)
                rows.add_column(style="bold")
                rows.add_column()
                for label, value in outcome.rows:
                    rows.add_row(label, value)
                deliver(self, self._show_plan, _Calendar(fmt, path),
                        Group(Text(outcome.title, style="bold"), rows))
                return
            deliver(self, self._show_bar, True)
            try:
                options = importing.ImportOptions(on_duplicate=on_duplicate,
                                                  new_values="suggest",
                                                  value_map=dict(self.value_map))
                plan = importing.plan_import(
                    self.db, [path], options,
                    lambda _stage, done, total: deliver(self, self._progress, done, total))
            finally:
                deliver(self, self._show_bar, False)
        except importing.ImportRefused as refused:
            deliver(self, self._show_problem, "\n".join(
                [_("Import refusé, rien ne serait écrit :"), *refused.lines]))
            return
        except (importing.SourceError, QualifError, StorageError, OSError) as error:
            deliver(self, self._show_problem, str(error))
            return
        deliver(self, self._show_plan, _Contacts(plan), describe_plan(plan))

    def _open_mail(self, path: Path) -> None:
        from qualif_tui.tui.mail_import import MailImportScreen

        self._hand_over(MailImportScreen(self.db, path))

    def _open_deals(self, path: Path) -> None:
        from qualif_tui.tui.deal_transfer import DealImportScreen

        self._hand_over(DealImportScreen(self.db, str(path)))

    def _hand_over(self, screen: ModalScreen[Imported | None]) -> None:
        """A mail archive or a deals file goes to its own import; what it imported
        closes this one too, closing it without importing comes back here."""

        def closed(imported: Imported | None) -> None:
            if imported is not None:
                self.dismiss(imported)
            else:
                self.preview.update(Text(_("↵ pour voir ce que l'import ferait, sans rien écrire."),
                                         style="dim"))

        self.app.push_screen(screen, closed)

    def _show_plan(self, ready: _Contacts | _Calendar, shown: Group) -> None:
        self.ready = ready
        values = ready.plan.value_decisions if isinstance(ready, _Contacts) else []
        keys = ready.plan.keys if isinstance(ready, _Contacts) else {}
        self.query_one(NewValuesList).show(values, keys)
        self.query_one("#new-values-hint").display = bool(values)
        waiting = isinstance(ready, _Contacts) and ready.plan.unresolved
        last = (Text(_("Décidez pour chaque valeur marquée ? (Tab pour y aller), puis ctrl+s."),
                     style="bold yellow") if waiting
                else Text(_("ctrl+s pour importer."), style="bold"))
        self.preview.update(Group(shown, Text(""), last))

    def _show_problem(self, message: str) -> None:
        self.ready = None
        self.query_one(NewValuesList).show([], {})
        self.query_one("#new-values-hint").display = False
        self.preview.update(Text(message, style="red"))

    # -- the import itself -----------------------------------------------------------
    def action_run(self) -> None:
        if self.running:
            return
        ready = self.ready
        if ready is None:
            self._start_preview()
            return
        if isinstance(ready, _Contacts) and ready.plan.unresolved:
            self.notify(_("{n} valeur(s) sans décision : m, c, a ou v sur chacune.").format(
                n=len(ready.plan.unresolved)), severity="warning")
            self.query_one(NewValuesList).focus()
            return
        self.running = True
        self._show_bar(True)
        db = self.db

        def progress(_stage: str, done: int, total: int) -> None:
            deliver(self, self._progress, done, total)

        def run() -> Imported:
            if isinstance(ready, _Calendar):
                assert ready.fmt.run is not None
                outcome = ready.fmt.run(db, [ready.path], {"dry_run": False})
                return Imported("; ".join(f"{label} : {value}"
                                          for label, value in outcome.rows[:3]), None)
            result = importing.apply_plan(db, ready.plan, progress)
            return Imported(_("{created} créé(s), {merged} complété(s), {skipped} ignoré(s)").format(created=result.created, merged=result.merged, skipped=result.skipped), result.batch_id)

        def failed(_error: BaseException) -> None:
            self.running = False
            self._show_bar(False)

        self.app.writes.submit(WriteJob(  # type: ignore[attr-defined]
            "Import", run, done=self.dismiss, failed=failed))

    def _show_bar(self, shown: bool) -> None:
        bar = self.query_one(ProgressBar)
        bar.display = shown
        if shown:
            bar.update(total=None, progress=0)

    def _progress(self, done: int, total: int) -> None:
        self.query_one(ProgressBar).update(total=total or None, progress=done)

    def action_close(self) -> None:
        if not self.running:
            self.dismiss(None)


# -- export -----------------------------------------------------------------------------


class ExportScreen(ExportDialog):
    """Export the contacts of the current result to a file, in a chosen format
    (the dialog itself: :class:`~qualif_tui.tui.export_dialog.ExportDialog`), with
    its progress, and a question before writing an empty result."""

    FORMAT_PLACE = "export.format"
    FILE_STEM = "qualif-export"

    def __init__(self, db: Database, query: CompiledQuery, total: int | None,
                 folder: Path | None = None, *, temporary_db: bool = False) -> None:
        self.compiled = query
        self.total = total
        super().__init__(db, folder, temporary_db=temporary_db)

    def formats(self) -> dict[str, tuple[str, str]]:
        return {name: (_(FORMAT_LABELS.get(name, fmt.label)), fmt.suffix)
                for name, fmt in EXPORT_FORMATS.items()}

    def heading(self) -> str:
        what = (_("« {query} »").format(query=self.compiled.text) if self.compiled.text
                else _("tous les contacts"))
        count = "" if self.total is None else " " + ngettext(
            "({n} contact)", "({n} contacts)", self.total).format(n=self.total)
        return _("Exporter {what}{count}").format(what=what, count=count)

    def below_preview(self) -> list[Widget]:
        bar = ProgressBar(total=self.total, id="transfer-progress", show_eta=False)
        bar.display = False
        return [bar]

    def more_questions(self) -> list[str]:
        if self.total == 0 and self.format != "ics":
            return [_("Le résultat est vide : le fichier n'aurait aucun contact.")]
        return []

    def started(self) -> None:
        self.query_one(ProgressBar).display = True

    @work(thread=True, exclusive=True, group="export", exit_on_error=False,
          description="export")
    def export(self, fmt: str, target: Path, overwrite: bool) -> None:
        try:
            result = export_to_file(
                self.db, self.compiled, fmt, target, ExportOptions(),
                lambda done: deliver(self, self._exported, done), overwrite=overwrite)
        except (QualifError, StorageError, OSError) as error:
            deliver(self, self.failed, str(error))
            return
        what = _("élément(s)") if fmt == "ics" else _("contact(s)")
        lines = [_("{n} {what} écrits dans {target}").format(n=result.written, what=what,
                                                             target=target),
                 *result.messages]
        self.finish(fmt, target, "\n".join(lines))

    def _exported(self, done: int) -> None:
        self.query_one(ProgressBar).update(progress=done)

    def failed(self, message: str) -> None:
        self.query_one(ProgressBar).display = False
        super().failed(message)


# The formats as the dialog names them (the command line's names are --format's).
FORMAT_LABELS = {
    "csv": N_("CSV (Excel, LibreOffice)"),
    "vcf": N_("vCard (téléphone, carnet d'adresses)"),
    "xlsx": N_("Classeur Excel (xlsx)"),
    "json": "JSON",
    "emails": N_("Liste d'adresses (Nom <adresse>)"),
    "ics": N_("iCalendar (l'agenda)"),
}
