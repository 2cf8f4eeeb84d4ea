"""``qualif merge``: merge two or more contacts into one (undoable), or say they are not duplicates."""

from __future__ import annotations

import click
from rich.table import Table

from qualif_tui.base.i18n import _
from qualif_tui.cli.common import database_argument, opened
from qualif_tui.cli.output import out, tell
from qualif_tui.domain.contacts import FIELDS
from qualif_tui.domain.keys import format_value, list_keys
from qualif_tui.domain.merging import dismiss_pair, merge_contacts, plan_merge


def _prefer(value: str | None) -> str | int | None:
    if value is None or value in ("newest", "oldest"):
        return value
    try:
        return int(value)
    except ValueError:
        raise click.BadParameter(_("newest, oldest ou un numéro de contact"),
                                 param_hint="--prefer") from None


@click.command()
@database_argument
@click.argument("ids", nargs=-1, type=int, required=True)
@click.option("--keep", type=int, default=None,
              help="Le contact qui reste (par défaut : le plus ancien).")
@click.option("--prefer", default=None, metavar="newest|oldest|ID",
              help="Quelles valeurs l'emportent quand plusieurs fiches en ont une (par défaut"
                     " : celles du contact qui reste).")
@click.option("--dry-run", is_flag=True, help="Montrer la fiche fusionnée sans rien écrire.")
@click.option("--not-duplicates", is_flag=True,
              help="Retenir que ces contacts ne sont pas des doublons (plus proposés).")
def merge(db: str, ids: tuple[int, ...], keep: int | None, prefer: str | None, dry_run: bool,
          not_duplicates: bool) -> None:
    """Fusionner les contacts ID ID… en un seul.

    \b
    qualif merge my.db 12 40                  # 12, le plus ancien, reste
    qualif merge my.db 12 40 --prefer newest  # les valeurs les plus récentes l'emportent
    qualif merge my.db 12 40 --dry-run        # voir avant
    qualif merge my.db 12 40 --not-duplicates # ne plus les proposer comme doublons
    qualif undo my.db                         # annuler la dernière fusion

    Champ par champ, la fiche garde la valeur préférée, sinon celle d'une autre
    fiche ; les deux e-mails et les deux téléphones sont gardés s'il y a la
    place ; les clés à choix multiple réunissent leurs valeurs. Historique,
    agenda, affaires, devis, segments et campagnes passent au contact qui reste.
    Les valeurs sans place sont écrites dans l'historique de la fusion.
    """
    if len(set(ids)) < 2:
        raise click.UsageError(_("donnez au moins deux numéros de contact différents"))
    with opened(db, readonly=dry_run) as database:
        if not_duplicates:
            unique = sorted(set(ids))
            for index, a in enumerate(unique):
                for b in unique[index + 1:]:
                    dismiss_pair(database, a, b)
            out.print(_("Retenu : {ids} ne sont pas des doublons.").format(
                ids=", ".join(f"n° {i}" for i in unique)), markup=False)
            return
        plan = plan_merge(database, ids, keep=keep, prefer=_prefer(prefer))
        keys = list_keys(database)
        table = Table(show_edge=False, pad_edge=False, header_style="bold",
                      title=_("Fiche fusionnée (n° {id})").format(id=plan.survivor))
        table.add_column(_("Champ"))
        table.add_column(_("Valeur"))
        for name, label in FIELDS.items():
            value = plan.fields.get(name)
            if value not in ("", None, 0):
                table.add_row(_(label), _("oui") if value == 1 and name.endswith("optout")
                              else str(value))
        for key in keys:
            stored = plan.keys.get(key.id)
            if stored is not None:
                table.add_row(key.display_name, format_value(key.decode(stored)))
        for name, value in plan.custom.items():
            table.add_row(name, value)
        out.print(table)
        for line in plan.not_kept:
            tell(_("sans place, écrit dans l'historique de la fusion : {line}").format(
                line=line))
        if dry_run:
            out.print(_("(essai : rien n'a été écrit)"), markup=False, style="dim")
            return
        result = merge_contacts(database, plan)
    moved = ", ".join(f"{table} {n}" for table, n in sorted(result.moved.items()))
    out.print(_("Fusionné : {label} (opération n° {op} ; « qualif undo {db} » l'annule)").format(
        label=result.label, op=result.operation_id, db=db), markup=False)
    if moved:
        out.print(_("Lignes reprises : {moved}").format(moved=moved), markup=False, style="dim")
