"""``qualif key``: list and define the qualification keys of a file."""

from __future__ import annotations

import sys

import click
from rich.table import Table

from qualif_tui.base.i18n import _
from qualif_tui.cli.common import database_argument, opened
from qualif_tui.cli.output import err, fail, out
from qualif_tui.domain import keys as keys_service
from qualif_tui.services import keyedit


@click.group()
def key() -> None:
    """Clés de qualification : lister, ajouter, renommer, fusionner ou retirer des valeurs,
    changer de type, supprimer, rappels."""


@key.command("list")
@database_argument
def list_(db: str) -> None:
    """Chaque clé, son type et ses valeurs permises, avec combien de contacts en ont une."""
    with opened(db, readonly=True) as database:
        table = Table(show_edge=False, pad_edge=False, header_style="bold")
        for title in (_("Clé"), _("Type"), _("Qualifiés"), _("Valeurs")):
            table.add_column(title)
        total = database.scalar("SELECT count(*) FROM contacts") or 0
        for k in keys_service.list_keys(database):
            filled = database.scalar(
                f"SELECT count(*) FROM contact_facts WHERE {k.column} IS NOT NULL")
            share = f"{filled} ({100 * filled / total:.0f} %)" if total else "0"
            table.add_row(k.name, _(keys_service.TYPE_LABELS[k.type]), share, k.allowed())
        out.print(table)


@key.command("add")
@database_argument
@click.argument("name")
@click.option("--type", "key_type", type=click.Choice(keys_service.KEY_TYPES), default="choice",
              show_default=True)
@click.option("--values", default="", help="Valeurs permises, séparées par des virgules (clés à choix).")
def add(db: str, name: str, key_type: str, values: str) -> None:
    """Définir une nouvelle clé NAME."""
    with opened(db) as database:
        created = keys_service.define_key(database, name, key_type,
                                          keys_service.split_multi(values))
        count = len(keys_service.list_keys(database))
    out.print(_("clé « {name} » ({type}) ajoutée").format(
        name=created.name, type=_(keys_service.TYPE_LABELS[created.type])), markup=False)
    if count > keys_service.RECOMMENDED_MAX_KEYS:
        err.print(_("qualif : note : {count} clés ; de 4 à {most} gardent la qualification rapide")
                  .format(count=count, most=keys_service.RECOMMENDED_MAX_KEYS), markup=False)


@key.command("add-value")
@database_argument
@click.argument("name")
@click.argument("value")
def add_value(db: str, name: str, value: str) -> None:
    """Ajouter VALUE aux valeurs permises de la clé NAME."""
    with opened(db) as database:
        keys_service.add_value(database, name, value)
    out.print(_("« {value} » ajoutée à {name}").format(value=value, name=name), markup=False)


# -- keeping keys and values clean (issue 16): each edit undoable with `qualif undo` --


def _done(edit: keyedit.KeyEdit) -> None:
    out.print(_("{label} — « qualif undo » l'annule (opération n° {op})").format(
        label=edit.label, op=edit.operation_id), markup=False)


@key.command("show")
@database_argument
@click.argument("name")
def show(db: str, name: str) -> None:
    """Une clé : son type, ses valeurs dans l'ordre et combien de contacts ont chacune."""
    with opened(db, readonly=True) as database:
        found = keys_service.get_key(database, name)
        filled = keyedit.key_usage(database, found)
        out.print(f"{found.name} ({_(keys_service.TYPE_LABELS[found.type])}) — "
                  + _("{n} contact(s) renseigné(s)").format(n=filled), markup=False)
        if found.remind:
            out.print(_("rappel : {lead} jour(s) avant").format(lead=found.remind_lead_days)
                      + (_(", {after} mois après la valeur").format(
                          after=found.remind_after_months) if found.remind_after_months else ""),
                      markup=False)
        if found.has_choices:
            table = Table(show_edge=False, pad_edge=False, header_style="bold")
            table.add_column(_("Valeur"))
            table.add_column(_("Contacts"), justify="right")
            for value, count in keyedit.value_usage(database, found).items():
                table.add_row(value, str(count))
            out.print(table)


@key.command("rename")
@database_argument
@click.argument("name")
@click.argument("new_name")
def rename(db: str, name: str, new_name: str) -> None:
    """Renommer la clé NAME en NEW_NAME (les segments enregistrés suivent)."""
    with opened(db) as database:
        _done(keyedit.rename_key(database, name, new_name))


@key.command("rename-value")
@database_argument
@click.argument("name")
@click.argument("old")
@click.argument("new")
def rename_value(db: str, name: str, old: str, new: str) -> None:
    """Renommer la valeur OLD de la clé NAME en NEW (ses contacts la gardent)."""
    with opened(db) as database:
        _done(keyedit.rename_value(database, name, old, new))


@key.command("merge-values")
@database_argument
@click.argument("name")
@click.argument("values", nargs=-1, required=True)
@click.option("--into", "target", required=True, help="La valeur qui reste.")
def merge_values(db: str, name: str, values: tuple[str, ...], target: str) -> None:
    """Fusionner les VALUES de la clé NAME dans --into (les contacts sont recodés).

    \b
    qualif key merge-values my.db Profil clientt Clientèle --into client
    """
    with opened(db) as database:
        _done(keyedit.merge_values(database, name, values, target))


@key.command("delete-value")
@database_argument
@click.argument("name")
@click.argument("value")
def delete_value(db: str, name: str, value: str) -> None:
    """Retirer VALUE de la clé NAME (les contacts qui l'ont la perdent)."""
    with opened(db) as database:
        _done(keyedit.delete_value(database, name, value))


@key.command("reorder")
@database_argument
@click.argument("name")
@click.argument("values", nargs=-1, required=True)
def reorder(db: str, name: str, values: tuple[str, ...]) -> None:
    """Mettre les VALUES de la clé NAME en tête, dans cet ordre (les autres suivent)."""
    with opened(db) as database:
        _done(keyedit.reorder_values(database, name, values))


@key.command("retype")
@database_argument
@click.argument("name")
@click.argument("new_type", type=click.Choice(keys_service.KEY_TYPES))
@click.option("--dry-run", is_flag=True, help="Lister ce qui ne se convertirait pas.")
@click.option("--force", is_flag=True,
              help="Convertir quand même : les valeurs qui ne se convertissent pas sont"
                     " effacées (qualif undo les rend).")
def retype(db: str, name: str, new_type: str, dry_run: bool, force: bool) -> None:
    """Changer le type de la clé NAME en NEW_TYPE, si ses valeurs le permettent."""
    with opened(db, readonly=dry_run) as database:
        plan = keyedit.plan_retype(database, name, new_type)
        if dry_run:
            out.print(_("{n} valeur(s) se convertissent, {f} non").format(
                n=len(plan.converted), f=len(plan.failures)), markup=False)
            if plan.new_values:
                out.print(_("valeurs de la liste : {values}").format(
                    values=", ".join(plan.new_values)), markup=False)
            for contact_id, value, why in plan.failures[:50]:
                out.print(_("  n° {id} « {text} » : {why}").format(id=contact_id, text=value, why=why),
                          markup=False)
            if len(plan.failures) > 50:
                out.print(_("  … et {n} autre(s)").format(n=len(plan.failures) - 50),
                          markup=False)
            out.print(_("(essai : rien n'a été écrit)"), markup=False, style="dim")
            return
        _done(keyedit.retype_key(database, name, new_type, force=force))


@key.command("delete")
@database_argument
@click.argument("name")
@click.option("--yes", is_flag=True, help="Ne pas demander de confirmation.")
def delete(db: str, name: str, yes: bool) -> None:
    """Supprimer la clé NAME et la valeur de chaque contact pour elle."""
    with opened(db) as database:
        used = keyedit.key_usage(database, name)
        if not yes:
            question = _("Supprimer la clé « {name} » ? {n} contact(s) ont une valeur.").format(
                name=name, n=used)
            if not sys.stdin.isatty():
                fail(question + " " + _("Confirmez avec --yes."), 2)
            click.confirm(question, abort=True, err=True)
        _done(keyedit.delete_key(database, name))


@key.command("remind")
@database_argument
@click.argument("name")
@click.option("--lead", type=click.IntRange(0, 366), default=None,
              help="Jours d'avance du rappel dans l'agenda.")
@click.option("--after", "after", type=click.IntRange(0, 1200), default=None,
              help="Mois entre la valeur et la date rappelée (48 : contrôle des 4 ans).")
@click.option("--off", is_flag=True, help="Ne plus rappeler cette clé.")
def remind(db: str, name: str, lead: int | None, after: int | None, off: bool) -> None:
    """Faire apparaître les dates d'une clé date ou mois dans l'agenda (rappel).

    \b
    qualif key remind my.db "Mise en service" --lead 30 --after 48
    """
    with opened(db) as database:
        _done(keyedit.set_remind(database, name, remind=not off, lead_days=lead,
                                 after_months=after))
