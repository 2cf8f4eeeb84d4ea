"""``qualif undo``: take back the latest merge or key edit (the operations journal)."""

from __future__ import annotations

import click
from rich.table import Table

from qualif_tui.base.i18n import _
from qualif_tui.cli.common import database_argument, opened
from qualif_tui.cli.output import out
from qualif_tui.domain.operations import list_operations
from qualif_tui.services.undo import undo as undo_operation


@click.command()
@database_argument
@click.argument("which", required=False, default="last")
@click.option("--list", "list_", is_flag=True, help=_("Lister les opérations récentes."))
@click.option("--force", is_flag=True,
              help=_("Annuler même si les contacts ont été modifiés depuis."))
def undo(db: str, which: str, list_: bool, force: bool) -> None:
    """Annuler la dernière fusion de contacts ou modification de clé (ou WHICH).

    \b
    qualif undo my.db            # la dernière opération
    qualif undo my.db --list     # les opérations, la plus récente d'abord
    (un import s'annule avec : qualif import DB --undo last)
    """
    with opened(db, readonly=list_) as database:
        if list_:
            table = Table(show_edge=False, pad_edge=False, header_style="bold")
            for title in (_("N°"), _("Date"), _("Opération"), _("Détail"), _("Annulée")):
                table.add_column(title)
            for operation in list_operations(database):
                table.add_row(str(operation.id), operation.created.replace("T", " ")[:16],
                              operation.kind_label, operation.label,
                              (operation.undone or "").replace("T", " ")[:16])
            out.print(table)
            return
        done = undo_operation(database, which, force=force)
    out.print(_("Annulé : {label}").format(label=done.label), markup=False)
