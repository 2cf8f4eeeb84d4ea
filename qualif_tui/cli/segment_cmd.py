"""``qualif segment DB …``: saved queries (dynamic) and frozen lists (static)."""

from __future__ import annotations

from typing import Any

import click
from rich.table import Table

from qualif_tui.base.i18n import _
from qualif_tui.cli.common import QueryCommand, opened
from qualif_tui.cli.output import out
from qualif_tui.domain.keys import format_value, list_keys
from qualif_tui.query import count, fetch_page
from qualif_tui.services import segments as svc


class _SegmentGroup(click.Group):
    """``qualif segment DB VERB``; ``qualif segment VERB DB`` is understood too."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if len(args) >= 2 and args[0] in self.commands and args[1] not in self.commands:
            args = [args[1], args[0], *args[2:]]
        return super().parse_args(ctx, args)


@click.group(cls=_SegmentGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.argument("db", type=click.Path(dir_okay=False, path_type=str))
@click.pass_context
def segment(ctx: click.Context, db: str) -> None:
    """Segments : requêtes enregistrées (dynamiques) et listes de contacts figées (statiques).

    \b
    qualif segment my.db list
    qualif segment my.db save "Clients Occitanie" 'profil:client region:occitanie'
    qualif segment my.db show "Clients Occitanie"
    qualif segment my.db freeze "Mailing juin" 'segment:"Clients Occitanie" has:email'
    qualif query my.db 'segment:"Clients Occitanie"'
    """
    ctx.obj = db


def _db(ctx: click.Context) -> str:
    return str(ctx.obj)


@segment.command("list")
@click.pass_context
def list_(ctx: click.Context) -> None:
    """Chaque segment : nom, nature, requête et effectif actuel."""
    with opened(_db(ctx), readonly=True) as db:
        infos = svc.segment_overview(db)
    if not infos:
        out.print(_("aucun segment pour l'instant (en enregistrer un : qualif segment DB save NOM REQUÊTE)"),
                  markup=False, style="dim")
        return
    table = Table(show_edge=False, pad_edge=False, header_style="bold")
    table.add_column(_("Segment"), no_wrap=True)
    table.add_column(_("Type"), no_wrap=True)
    table.add_column(_("Contacts"), justify="right", no_wrap=True)
    table.add_column(_("Requête"), overflow="fold")
    for info in infos:
        kind = _("statique") if info.segment.is_static else _("dynamique")
        shown = str(info.count) if info.count is not None else _("erreur")
        query = info.segment.query
        if info.error:
            query = f"{query}  ({info.error})"
        table.add_row(info.segment.name, kind, shown, query)
    out.print(table)


@segment.command(cls=QueryCommand)
@click.argument("name")
@click.argument("query", nargs=-1, required=True)
@click.option("--replace", is_flag=True, help="Remplacer un segment du même nom.")
@click.pass_context
def save(ctx: click.Context, name: str, query: tuple[str, ...], replace: bool) -> None:
    """Enregistrer QUERY comme segment dynamique NAME (réévalué à chaque usage)."""
    with opened(_db(ctx)) as db:
        saved = svc.save_segment(db, name, " ".join(query), replace=replace)
        total = count(db, svc.segment_query(db, saved.name))
    out.print(_("segment « {name} » enregistré : {total} contacts à présent").format(
        name=saved.name, total=total), markup=False)


@segment.command()
@click.argument("name")
@click.option("--limit", type=click.IntRange(min=0), default=20, show_default=True,
              help="Combien de contacts lister.")
@click.pass_context
def show(ctx: click.Context, name: str, limit: int) -> None:
    """Un segment : sa requête, sa nature, son effectif actuel et ses premiers contacts par nom."""
    with opened(_db(ctx), readonly=True) as db:
        found = svc.get_segment(db, name)
        compiled = svc.segment_query(db, found.name)
        total = count(db, compiled)
        keys = list_keys(db)
        rows = fetch_page(db, compiled, limit=limit, keys=keys)
        users = svc.users_of(db, found.name)
    kind = _("statique (liste figée)") if found.is_static else _("dynamique (requête réévaluée)")
    out.print(_("segment : {name}").format(name=found.name), markup=False)
    out.print(_("type : {kind}").format(kind=kind), markup=False)
    out.print(_("requête : {query}").format(query=found.query or "—"), markup=False)
    out.print(_("contacts : {total}").format(total=total), markup=False)
    out.print(_("modifié : {when}").format(when=found.updated), markup=False)
    if users:
        out.print(_("utilisé par : ") + ", ".join(u.name for u in users), markup=False)
    if rows:
        table = Table(show_edge=False, pad_edge=False, header_style="bold")
        table.add_column("#", justify="right", no_wrap=True, min_width=3)
        table.add_column(_("Nom"), overflow="ellipsis", no_wrap=True, min_width=14, max_width=28)
        table.add_column(_("Société"), overflow="ellipsis", no_wrap=True, max_width=20)
        table.add_column(_("Ville"), overflow="ellipsis", no_wrap=True, min_width=8, max_width=18)
        for k in keys:
            table.add_column(k.name, overflow="ellipsis", no_wrap=True, max_width=16)
        for row in rows:
            table.add_row(str(row.id), row.name, row.company, row.city,
                          *(format_value(row.keys.get(k.name)) for k in keys))
        out.print(table)
        if total > len(rows):
            out.print(_("{shown} sur {total} contacts").format(shown=len(rows), total=total), markup=False,
                      style="dim")


@segment.command()
@click.argument("name")
@click.option("--force", is_flag=True, help="Supprimer même si d'autres segments l'utilisent.")
@click.pass_context
def delete(ctx: click.Context, name: str, force: bool) -> None:
    """Supprimer le segment NAME (ses contacts restent, bien sûr)."""
    with opened(_db(ctx)) as db:
        gone = svc.delete_segment(db, name, force=force)
    out.print(_("segment « {name} » supprimé").format(name=gone.name), markup=False)


@segment.command(cls=QueryCommand)
@click.argument("name")
@click.argument("query", nargs=-1, required=True)
@click.option("--replace", is_flag=True, help="Remplacer un segment du même nom.")
@click.pass_context
def freeze(ctx: click.Context, name: str, query: tuple[str, ...], replace: bool) -> None:
    """Enregistrer les contacts que QUERY trouve maintenant comme groupe statique NAME."""
    with opened(_db(ctx)) as db:
        saved = svc.freeze_segment(db, name, " ".join(query), replace=replace)
        total = len(svc.segment_members(db, saved.name))
    out.print(_("segment statique « {name} » enregistré : {total} contacts figés").format(
        name=saved.name, total=total), markup=False)


@segment.command()
@click.argument("source")
@click.argument("name")
@click.option("--replace", is_flag=True, help="Remplacer un segment du même nom.")
@click.pass_context
def snapshot(ctx: click.Context, source: str, name: str, replace: bool) -> None:
    """Figer les membres actuels du segment SOURCE comme groupe statique NAME."""
    with opened(_db(ctx)) as db:
        saved = svc.snapshot_segment(db, source, name, replace=replace)
        total = len(svc.segment_members(db, saved.name))
    out.print(_("segment statique « {name} » enregistré : {total} contacts figés").format(
        name=saved.name, total=total), markup=False)


@segment.command()
@click.argument("name")
@click.argument("contact_ids", nargs=-1, required=True, type=int)
@click.option("--create", is_flag=True, help="Créer le groupe statique s'il n'existe pas.")
@click.pass_context
def add(ctx: click.Context, name: str, contact_ids: tuple[int, ...], create: bool) -> None:
    """Ajouter des contacts (par numéro) au groupe statique NAME."""
    with opened(_db(ctx)) as db:
        if create and svc.find_segment(db, name) is None:
            svc.create_group(db, name)
        added = svc.add_members(db, name, contact_ids)
    _done(_("{n} contact(s) ajouté(s) à « {name} »").format(n=added, name=name))


@segment.command()
@click.argument("name")
@click.argument("contact_ids", nargs=-1, required=True, type=int)
@click.pass_context
def remove(ctx: click.Context, name: str, contact_ids: tuple[int, ...]) -> None:
    """Retirer des contacts (par numéro) du groupe statique NAME."""
    with opened(_db(ctx)) as db:
        removed = svc.remove_members(db, name, contact_ids)
    _done(_("{n} contact(s) retiré(s) de « {name} »").format(n=removed, name=name))


@segment.command()
@click.argument("name")
@click.argument("new_name")
@click.pass_context
def rename(ctx: click.Context, name: str, new_name: str) -> None:
    """Renommer un segment (les segments qui l'utilisent suivent)."""
    with opened(_db(ctx)) as db:
        renamed = svc.rename_segment(db, name, new_name)
    _done(_("segment renommé « {name} »").format(name=renamed.name))


def _done(message: Any) -> None:
    out.print(str(message), markup=False)
