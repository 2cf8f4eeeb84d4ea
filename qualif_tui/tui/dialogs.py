"""Small modal dialogs: yes/no confirmation, naming a segment, picking a key's value."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from qualif_tui.base import places
from qualif_tui.base.i18n import _
from qualif_tui.domain.errors import ValidationError
from qualif_tui.domain.keys import Decoded, QualKey
from qualif_tui.tui import keymap
from qualif_tui.tui.workers import WriteJob, describe_error


class BlinkInput(Input):
    """An Input that follows the app's cursor-blink setting (off in snapshot tests)."""

    def on_mount(self) -> None:
        self.cursor_blink = getattr(self.app, "cursor_blink_enabled", True)


class ConfirmScreen(ModalScreen[bool]):
    """A question answered with o (oui) / n (non); Enter means yes, Esc no."""

    BINDINGS = [
        keymap.described("o,y,enter", "answer(True)", "Oui", id="confirm.yes"),
        keymap.described("n,escape", "answer(False)", "Non", id="confirm.no"),
    ]

    def __init__(self, question: str, detail: str = "", *, id: str | None = None) -> None:  # noqa: A002
        super().__init__(classes="dialog-screen", id=id)
        self.question = question
        self.detail = detail

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(self.question, classes="dialog-title")
            if self.detail:
                yield Static(self.detail, classes="dialog-detail")
            yield Static(Text.assemble(("o", "bold"), _(" / ↵  oui     "), ("n", "bold"),
                                       _(" / échap  non")), classes="dialog-keys")

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)


def proposed_segment_name(query_text: str) -> str:
    """A name for a segment of ``query_text``: ``profil:client dept:31`` →
    ``Profil client, dept 31``."""
    words = query_text.replace('"', "").replace(",", " ou ").replace(":", " ").split()
    name = " ".join(words)[:60].strip()
    return name[:1].upper() + name[1:]


class SegmentNameScreen(ModalScreen[Any]):
    """Asks a name and saves the query as a segment; errors stay in the dialog."""

    BINDINGS = [keymap.described("escape", "cancel", "Annuler", id="segment_name.cancel")]

    def __init__(self, query_text: str, save: Callable[[str], Any]) -> None:
        super().__init__(classes="dialog-screen")
        self.query_text = query_text
        self.save = save
        self.saving = False

    def typeahead_ready(self) -> bool:
        return not self.saving  # keys after ↵ belong to what comes after the dialog

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(_("Enregistrer la recherche comme segment"), classes="dialog-title")
            yield Static(Text(self.query_text or _("(tous les contacts)"), "italic"),
                         classes="dialog-detail")
            # a name is proposed from the query (selected: typing replaces it)
            yield BlinkInput(proposed_segment_name(self.query_text),
                             placeholder=_("nom du segment"), id="segment-name")
            yield Static("", id="segment-error", classes="field-error")
            yield Static(Text(_("↵ enregistrer   échap annuler"), "dim"), classes="dialog-keys")

    @on(Input.Submitted, "#segment-name")
    def _submit(self, event: Input.Submitted) -> None:
        name = event.value.strip()
        error = self.query_one("#segment-error", Static)
        if not name:
            error.update(_("Donnez un nom au segment."))
            return
        error.update("")
        self.saving = True
        self.app.writes.submit(WriteJob(  # type: ignore[attr-defined]
            _("Segment « {name} »").format(name=name), lambda: self.save(name), done=self.dismiss,
            failed=self._failed))

    def _failed(self, error: BaseException) -> None:
        self.saving = False
        self.query_one("#segment-error", Static).update(describe_error(error))
        self.query_one("#segment-name", Input).focus()

    def action_cancel(self) -> None:
        self.dismiss(None)


class PickValue(ModalScreen[str | None]):
    """Every value of a choice key, for keys with more than nine values."""

    BINDINGS = keymap.bindings(keymap.PICK_KEYS)

    def __init__(self, key: QualKey, current: Decoded) -> None:
        super().__init__(classes="dialog-screen")
        self.key = key
        self.current = current

    def compose(self) -> ComposeResult:
        chosen = set(self.current) if isinstance(self.current, list) else {self.current}
        with Vertical(classes="dialog"):
            yield Label(_("{display_name} : choisir").format(display_name=self.key.display_name)
                        + (" (bascule)" if self.key.type == "multi" else ""),
                        classes="dialog-title")
            yield OptionList(*[
                Option(Text(("✓ " if v.value in chosen else "  ") + v.value), id=str(v.code))
                for v in self.key.values], id="pick-list")

    def on_mount(self) -> None:
        self.query_one("#pick-list").focus()

    @on(OptionList.OptionSelected, "#pick-list")
    def _picked(self, event: OptionList.OptionSelected) -> None:
        found = self.key.value_coded(int(event.option.id or -1))
        self.dismiss(found.value if found else None)

    def action_pick_down(self) -> None:
        self.query_one("#pick-list", OptionList).action_cursor_down()

    def action_pick_up(self) -> None:
        self.query_one("#pick-list", OptionList).action_cursor_up()

    def action_cancel(self) -> None:
        self.dismiss(None)


class DemoQuitScreen(ModalScreen[Path | bool | None]):
    """Quitting the demo: nothing is kept unless the user saves a copy now."""

    BINDINGS = [keymap.described("escape", "back", "Revenir à la démo", id="demo_quit.back")]

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(_("Quitter la démo : rien n'est gardé"), classes="dialog-title")
            yield Static(_("Enregistrer une copie de la démo (contacts, historique, "
                           "agenda) dans ce fichier :"), classes="dialog-detail")
            yield BlinkInput(str(_unused_name(places.documents_dir() / "qualif-demo.db")),
                             id="demo-copy", select_on_focus=False)
            yield Static(Text(_("↵ enregistrer et quitter   ctrl+q quitter sans garder   "
                                "échap revenir"), "dim"), classes="dialog-keys")

    def on_mount(self) -> None:
        field = self.query_one("#demo-copy", Input)
        field.focus()
        field.cursor_position = len(field.value)

    @on(Input.Submitted, "#demo-copy")
    def _save(self, event: Input.Submitted) -> None:
        text = event.value.strip().strip("'\"")
        if text:
            self.dismiss(Path(text).expanduser())

    def action_back(self) -> None:
        self.dismiss(None)


def _unused_name(path: Path) -> Path:
    """``path``, or ``name-2.db``, ``name-3.db``… when it is taken."""
    candidate, number = path, 1
    while candidate.exists():
        number += 1
        candidate = path.with_name(f"{path.stem}-{number}{path.suffix}")
    return candidate


def field_error(error: BaseException) -> tuple[str, str]:
    """(field name, message) of a validation error, for forms."""
    if isinstance(error, ValidationError):
        return error.field, str(error)
    return "", describe_error(error)
