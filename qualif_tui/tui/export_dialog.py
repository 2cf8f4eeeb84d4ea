"""What the app's export dialogs share: a format, a file, a question before replacing.

The dialog opens on the format list, the one used last on this machine
highlighted: the first ↵ chooses it (never exports), the next one, in the file
name, exports — after asking if a file is already there. Changing the format
changes the file's suffix. The file is proposed in the folder used last, else
beside the database (on the stick), else the documents folder
(:func:`~qualif_tui.services.exporting.targets.default_export_folder`); the core
refuses the database itself and its journal and backups
(:func:`~qualif_tui.storage.files.inspect_target`). The contacts export
(:class:`~qualif_tui.tui.transfer.ExportScreen`) and the deals export
(:class:`~qualif_tui.tui.deal_transfer.DealExportScreen`) say what they export
and write it; the rest is here, once.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widget import Widget
from textual.widgets import Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from qualif_tui.base import places
from qualif_tui.base.i18n import _
from qualif_tui.services.exporting.targets import default_export_folder, missing_folder
from qualif_tui.storage import Database
from qualif_tui.storage.files import inspect_target
from qualif_tui.tui import keymap
from qualif_tui.tui.dialogs import ConfirmScreen
from qualif_tui.tui.workers import WorkerReports, deliver


def typed_path(text: str) -> Path:
    """A path as typed or pasted: spaces and quotes around it dropped, ``~`` expanded."""
    return Path(text.strip().strip("'\"")).expanduser()


class ExportDialog(WorkerReports, ModalScreen[str | None]):
    """The shared dialog; a subclass names its formats, its heading and its work."""

    BINDINGS = keymap.bindings(keymap.EXPORT_KEYS)

    FORMAT_PLACE: ClassVar[str]   # where the format used last is remembered (places.py)
    FILE_STEM: ClassVar[str]      # the file proposed: FILE_STEM + the format's suffix

    def __init__(self, db: Database, folder: Path | None = None, *,
                 temporary_db: bool = False) -> None:
        super().__init__(classes="form-screen")
        self.db = db
        self.folder = folder or default_export_folder(
            db.path, places.documents_dir(), remembered=places.recall("export.folder"),
            temporary=temporary_db)
        remembered = places.recall(self.FORMAT_PLACE)
        self.format = remembered if remembered in self.formats() else "csv"
        self.running = False

    # -- what a subclass says ------------------------------------------------------------
    def formats(self) -> Mapping[str, tuple[str, str]]:
        """format → (label as shown, file suffix), in the order listed."""
        raise NotImplementedError

    def heading(self) -> str:
        raise NotImplementedError

    def below_preview(self) -> Iterable[Widget]:
        """Widgets under the message line (a progress bar)."""
        return ()

    def more_questions(self) -> list[str]:
        """What else to confirm before exporting (besides replacing a file)."""
        return []

    def export(self, fmt: str, target: Path, overwrite: bool) -> object:
        """Start the work (a thread worker); it ends with :meth:`finish` or
        ``deliver(self, self.failed, message)``."""
        raise NotImplementedError

    def started(self) -> None:
        """The work has started (show its progress)."""

    # -- the dialog ------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        formats = self.formats()
        with Vertical(classes="form transfer export"):
            yield Label(self.heading(), classes="dialog-title")
            with Horizontal(classes="form-row"):
                yield Label(_("Format"), classes="field-label")
                yield OptionList(*[Option(label, id=name)
                                   for name, (label, _suffix) in formats.items()],
                                 id="export-formats")
            with Horizontal(classes="form-row"):
                yield Label(_("Fichier"), classes="field-label")
                yield Input(str(self.folder / f"{self.FILE_STEM}{formats[self.format][1]}"),
                            id="export-path", select_on_focus=False)
            yield Static("", id="transfer-preview")
            yield from self.below_preview()
            yield Static(_("↵ choisir le format, puis ↵ exporter   ctrl+s exporter   "
                           "échap fermer"), classes="dialog-keys")

    def on_mount(self) -> None:
        formats = self.query_one("#export-formats", OptionList)
        formats.highlighted = list(self.formats()).index(self.format)
        formats.focus()

    @on(OptionList.OptionHighlighted, "#export-formats")
    def _format_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        self._use_format(event.option.id or "csv")

    @on(OptionList.OptionSelected, "#export-formats")
    def _format_chosen(self, event: OptionList.OptionSelected) -> None:
        self._use_format(event.option.id or "csv")
        path = self.query_one("#export-path", Input)
        path.focus()
        path.cursor_position = len(path.value)

    def _use_format(self, name: str) -> None:
        formats = self.formats()
        if name not in formats or name == self.format:
            return
        self.format = name
        path = self.query_one("#export-path", Input)
        current = typed_path(path.value)
        if current.suffix.lower() in {suffix for _label, suffix in formats.values()}:
            path.value = str(current.with_suffix(formats[name][1]))

    @on(Input.Submitted, "#export-path")
    def _submitted(self) -> None:
        self.action_run()

    def say(self, message: str, style: str = "red") -> None:
        self.query_one("#transfer-preview", Static).update(Text(message, style=style))

    def action_run(self) -> None:
        if self.running:
            return
        text = self.query_one("#export-path", Input).value
        if not text.strip():
            self.say(_("Donnez le chemin du fichier à écrire."))
            return
        target = inspect_target(self.db.path, typed_path(text))  # the core's guard
        problem = target.forbidden or missing_folder(target.path)
        if problem:
            self.say(problem)
            return
        questions = []
        if target.exists:
            questions.append(_("Le fichier {name} existe déjà : il sera remplacé.").format(
                name=target.path.name))
        questions += self.more_questions()
        if not questions:
            self._start(target.path, overwrite=False)
            return

        def answered(yes: bool | None) -> None:
            if yes:
                self._start(target.path, overwrite=target.exists)

        title = (_("Remplacer {name} ?").format(name=target.path.name) if target.exists
                 else _("Exporter un résultat vide ?"))
        self.app.push_screen(ConfirmScreen(title, "\n".join(questions)), answered)

    def _start(self, target: Path, *, overwrite: bool) -> None:
        self.running = True
        self.say(_("export…"), "dim")
        self.started()
        self.export(self.format, target, overwrite)

    def finish(self, fmt: str, target: Path, message: str) -> None:
        """From the worker, once written: remember the format and the folder, close."""
        places.remember(self.FORMAT_PLACE, fmt)
        places.remember("export.folder", str(target.expanduser().resolve().parent))
        deliver(self, self.dismiss, message)

    def failed(self, message: str) -> None:
        self.running = False
        self.say(message)

    def action_close(self) -> None:
        if not self.running:
            self.dismiss(None)
