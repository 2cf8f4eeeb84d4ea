"""The query language where it is typed: F1 or ``?`` in the search bar.

The README's table, in the app's language, followed by what this file names: its
qualification keys with their values, and its segments — what completion (Tab)
offers, laid out to be read.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Label, Static

from qualif_tui.base.i18n import _
from qualif_tui.domain.keys import QualKey

# (what you write, what it means) — the README's table
SYNTAX: tuple[tuple[str, str], ...] = (
    ("profil:client  Profil:Client",
     _("la clé (ou le champ) vaut cette valeur ; majuscules et accents ne comptent pas")),
    ("profil:client,prospect", _("l'une des valeurs")),
    ("a b   a AND b   a OR b   ( … )",
     _("ET est implicite et passe avant OU (OR en majuscules)")),
    ("-profil:client   NOT …",
     _("négation ; un contact sans valeur répond à -profil:client")),
    ("budget>10000  >=  <  <=  budget:10..20", _("nombres ; intervalles inclusifs")),
    ("mise_en_service:2010..2012  created:2024-06  rappel<2026-01-15",
     _("dates et mois s'élargissent : 2010..2012 inclut 2012-12")),
    ("last_contact<6m  created:30d  next_activity<today",
     _("30d 8w 6m 2y : il y a tant (<6m : il y a plus de six mois ; :30d : depuis 30 jours)")),
    ("has:email  missing:profil", _("une valeur est là / manque (avec:, sans: aussi)")),
    ("dept:31,2A,971  dept:haute-garonne  region:occitanie  region:paca",
     _("d'après le code postal ; régions actuelles et d'avant 2016, codes, noms, sigles")),
    ('segment:"Clients Occitanie"', _("un segment enregistré (dynamique ou figé)")),
    ('dupont  "portes ouvertes"',
     _("texte libre, début des mots : noms, société, e-mail, ville, historique")),
    ("ville:toulouse  societe:garage*  cp:31*  email:*@orange.fr  nom:jean",
     _("champs de la fiche ; * est un joker sauf entre guillemets")),
    ("last_contact  next_activity  deals  revenue  open_deals  created  birthday",
     _("faits calculés et autres champs")),
)


def syntax_table() -> Table:
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold", max_width=38)
    grid.add_column()
    for written, meaning in SYNTAX:
        grid.add_row(written, meaning)
    return grid


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
    BINDINGS = [Binding("escape,f1,q", "close", _("Fermer"), id="reference.close")]

    def __init__(self, keys: Sequence[QualKey], segments: Sequence[str]) -> None:
        super().__init__(classes="dialog-screen")
        self.keys = keys
        self.segments = segments

    def compose(self) -> ComposeResult:
        with Vertical(id="help", classes="dialog"):
            yield Label(_("Le langage des requêtes"), classes="dialog-title")
            with VerticalScroll(id="help-body"):
                yield Static(syntax_table())
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
