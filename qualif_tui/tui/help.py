"""The help screen (``?`` / F1): the keys that work where the focus is, then the others.

Built from the live binding chain of the screen underneath (so a user keymap
shows), grouped by the part of the screen that handles each key.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Label, Static

from qualif_tui.base.i18n import N_, _
from qualif_tui.tui import keymap
from qualif_tui.tui.user_keys import keymap_path, keys_shown

GROUPS = {
    "QualifApp": N_("Général"),
    "MainScreen": N_("Écran principal"),
    "ContactList": N_("Liste des contacts"),
    "QueryInput": N_("Barre de recherche"),
    "SegmentsSidebar": N_("Segments"),
    "QualificationForm": N_("Fiche"),
    "KeyField": N_("Clé de qualification"),
    "CoordsView": N_("Coordonnées"),
    "Timeline": N_("Historique"),
    "EntryList": N_("Historique"),
    "PickValue": N_("Choix d'une valeur"),
    "AgendaPane": N_("Agenda du contact"),
    "SprintScreen": N_("Sprint de qualification"),
    "AgendaScreen": N_("Agenda"),
    "AgendaList": N_("Agenda"),
}

KEY_FIELD_NOTE = N_("Sur une clé : 1–9 choisit la valeur de ce rang, une lettre choisit la "
                    "valeur qui commence par elle (encore : la suivante) ; choix multiple : "
                    "bascule ; mois, date, nombre : tapez la valeur puis ↵.")

OTHER_PANES = {
    N_("Liste des contacts"): keymap.LIST_KEYS,
    N_("Fiche"): keymap.FORM_KEYS + keymap.KEY_FIELD_KEYS + keymap.COORDS_KEYS,
    N_("Segments"): keymap.SIDEBAR_KEYS,
    N_("Historique"): keymap.TIMELINE_KEYS + keymap.ENTRY_LIST_KEYS,
    N_("Agenda du contact"): keymap.AGENDA_KEYS,
}


@dataclass(frozen=True)
class HelpLine:
    group: str
    keys: str
    description: str


def _display(app: object, binding: Binding, key: str) -> str:
    if binding.key_display:
        return binding.key_display
    getter = getattr(app, "get_key_display", None)
    return str(getter(Binding(key, binding.action))) if getter else key


def context_lines(screen: Screen[object]) -> list[HelpLine]:
    """The active bindings of ``screen``, one line per action, nearest the focus first."""
    merged: dict[tuple[str, str], list[str]] = {}
    descriptions: dict[tuple[str, str], str] = {}
    for key, active in screen.active_bindings.items():
        binding = active.binding
        if not binding.description or binding.system or not binding.id:
            continue  # Textual's own bindings (scrolling…) are not ours to document
        group = _(GROUPS.get(type(active.node).__name__, type(active.node).__name__))
        ident = (group, binding.id or binding.action)
        display = _display(screen.app, binding, key)
        if display not in merged.setdefault(ident, []):
            merged[ident].append(display)
        descriptions[ident] = binding.description
    return [HelpLine(group, " ".join(keys), descriptions[(group, action)])
            for (group, action), keys in merged.items()]


def other_lines(shown: Iterable[HelpLine], user: Mapping[str, str] | None = None
                ) -> list[HelpLine]:
    """The keys of the panes without the focus (``user``: the user's key map)."""
    seen = {line.group for line in shown}
    lines = []
    for group, keys in OTHER_PANES.items():
        if _(group) in seen:
            continue
        for key in keys:
            lines.append(HelpLine(_(group), keys_shown(key, user or {}), key.text))
    return lines


def table(lines: list[HelpLine]) -> Table:
    grid = Table.grid(padding=(0, 2))
    grid.add_column(min_width=14, style="bold")
    grid.add_column()
    group = None
    for line in lines:
        if line.group != group:
            group = line.group
            grid.add_row(Text(group, "bold underline"), "")
        grid.add_row(line.keys, line.description)
    return grid


class HelpScreen(ModalScreen[None]):
    BINDINGS = [keymap.described("escape,q,question_mark,f1", "close", "Fermer", id="help.close")]

    def __init__(self, lines: list[HelpLine], others: list[HelpLine], note: str = "") -> None:
        super().__init__(classes="dialog-screen")
        self.lines = lines
        self.others = others
        self.note = note

    def compose(self) -> ComposeResult:
        with Vertical(id="help", classes="dialog"):
            yield Label(_("Aide — touches"), classes="dialog-title")
            with VerticalScroll(id="help-body"):
                yield Static(table(self.lines))
                if self.note:
                    yield Static(Text(self.note, "italic"), classes="help-note")
                if self.others:
                    yield Label(_("Ailleurs sur cet écran"), classes="help-section")
                    yield Static(table(self.others))
                yield Static(Text(_("Changer une touche : {path} (une ligne par action, "
                                    "« identifiant » = \"touches\", voir le README)").format(
                                        path=keymap_path()), "dim"), classes="help-note")
            yield Static(_("échap fermer   ctrl+p toutes les commandes"), classes="dialog-keys")

    def action_close(self) -> None:
        self.dismiss(None)
