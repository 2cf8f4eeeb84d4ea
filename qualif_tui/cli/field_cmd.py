"""``qualif field``: the custom fields (imported columns that are not keys): list, set, promote."""

from __future__ import annotations

import click
from rich.table import Table

from qualif_tui.base.i18n import _
from qualif_tui.cli.common import database_argument, opened
from qualif_tui.cli.output import out
from qualif_tui.domain.customfields import list_fields, set_field
from qualif_tui.domain.keys import KEY_TYPES, TYPE_LABELS, format_value
from qualif_tui.services.promote import plan_promotion, promote_field


@click.group()
def field() -> None:
    """Champs libres (colonnes importées qui ne sont pas des clés) : lister, modifier,
    promouvoir en clé. Ils se cherchent par leur nom : budget>1000, has:parrain."""


@field.command("list")
@database_argument
def list_(db: str) -> None:
    """Les champs libres et combien de contacts en ont un."""
    with opened(db, readonly=True) as database:
        table = Table(show_edge=False, pad_edge=False, header_style="bold")
        table.add_column(_("Champ libre"))
        table.add_column(_("Contacts"), justify="right")
        for found in list_fields(database):
            table.add_row(found.name, str(found.contacts))
        out.print(table)


@field.command("set")
@database_argument
@click.argument("contact_id", type=int)
@click.argument("name")
@click.argument("value")
def set_(db: str, contact_id: int, name: str, value: str) -> None:
    """Donner VALUE au champ libre NAME du contact CONTACT_ID ("" l'efface)."""
    with opened(db) as database:
        changed = set_field(database, contact_id, name, value)
    out.print(_("{name} : {value}").format(name=name, value=value or "—") if changed
              else _("aucun changement"), markup=False)


@field.command("promote")
@database_argument
@click.argument("name")
@click.option("--type", "key_type", type=click.Choice(KEY_TYPES), default=None,
              help="Le type de la clé (par défaut : déduit des valeurs).")
@click.option("--as", "key_name", default=None, help="Le nom de la clé (par défaut : celui"
                                                       " du champ).")
@click.option("--dry-run", is_flag=True, help="Montrer ce qui serait fait, sans rien écrire.")
def promote(db: str, name: str, key_type: str | None, key_name: str | None,
            dry_run: bool) -> None:
    """Faire du champ libre NAME une clé de qualification (qualif undo l'annule).

    \b
    qualif field promote my.db Budget --dry-run
    qualif field promote my.db "Centre d'intérêt" --type multi
    """
    with opened(db, readonly=dry_run) as database:
        plan = plan_promotion(database, name, key_type, key_name)
        out.print(_("« {field} » → clé « {key} » de type {type} (déduit : {inferred}) :"
                    " {n} valeur(s) converties, {f} restent en champ libre").format(
            field=plan.fields[0], key=plan.name, type=_(TYPE_LABELS[plan.type]),
            inferred=_(TYPE_LABELS[plan.inferred]), n=len(plan.converted),
            f=len(plan.failures)), markup=False)
        if plan.values:
            out.print(_("valeurs : {values}").format(values=", ".join(plan.values)),
                      markup=False)
        for contact_id, text, why in plan.failures[:20]:
            out.print(_("  n° {id} « {text} » : {why}").format(id=contact_id, text=text, why=why),
                      markup=False)
        if dry_run:
            examples = list(plan.converted.items())[:3]
            if examples:
                out.print(_("par exemple : {examples}").format(examples=", ".join(
                    f"n° {cid} {format_value(value)}" for cid, value in examples)),
                    markup=False)
            out.print(_("(essai : rien n'a été écrit)"), markup=False, style="dim")
            return
        done = promote_field(database, name, key_type, key_name)
    out.print(_("{label} — « qualif undo » l'annule").format(label=done.label), markup=False)
