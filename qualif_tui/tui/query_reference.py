"""The query language where it is typed: F1 or ``?`` in the search bar.

The language's reference (:mod:`qualif_tui.query.reference`, the same text as
docs/query-language.md), followed by what this file names: its qualification
keys with their values, and its segments — what completion (Tab) offers, laid out
to be read.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Label, Static

from qualif_tui.base.i18n import _
from qualif_tui.domain.keys import QualKey
from qualif_tui.query import reference
from qualif_tui.tui.keymap import described


def section_table(section: reference.Section) -> Group:
    """One section of the language's reference (qualif_tui.query.reference): examples
    on the left, meaning on the right, then its notes."""
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold", max_width=38)
    grid.add_column()
    for row in section.rows:
        grid.add_row("  ".join(row.examples), row.meaning)
    notes = [Text(note, style="italic") for note in section.notes]
    return Group(*([grid] if section.rows else []), *notes)


def keys_table(keys: Sequence[QualKey]) -> Table:
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold")
    grid.add_column()
    for key in keys:
        values = ", ".join(v.value for v in key.values) if key.has_choices else {
            "month": _("un mois AAAA-MM"), "date": _("une date"), "number": _("un nombre"),
            "yesno": _("oui / non")}.get(key.type, _("du texte"))
        grid.add_row(key.norm_name, values)
    return grid


class QueryReference(ModalScreen[None]):
    BINDINGS = [described("escape,f1,q", "close", "Fermer", id="reference.close")]

    def __init__(self, keys: Sequence[QualKey], segments: Sequence[str]) -> None:
        super().__init__(classes="dialog-screen")
        self.keys = keys
        self.segments = segments

    def compose(self) -> ComposeResult:
        with Vertical(id="help", classes="dialog"):
            yield Label(_("Le langage des requêtes"), classes="dialog-title")
            with VerticalScroll(id="help-body"):
                for section in reference.sections():
                    yield Label(section.title, classes="help-section")
                    yield Static(section_table(section))
                if self.keys:
                    yield Label(_("Les clés de ce fichier"), classes="help-section")
                    yield Static(keys_table(self.keys))
                if self.segments:
                    yield Label(_("Les segments"), classes="help-section")
                    yield Static(Text(" · ".join(self.segments)))
            yield Static(_("Tab dans la barre complète le mot (encore : le suivant)   "
                           "échap fermer"), classes="dialog-keys")

    def on_mount(self) -> None:
        self.query_one("#help-body").focus()

    def action_close(self) -> None:
        self.dismiss(None)
