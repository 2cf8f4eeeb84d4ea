"""``qualif deal DB …``: the deals (opportunities), their stages and lists, the forecast.

    qualif deal DB add CONTACT_ID TITLE --amount N [--stage S] [--close DATE] [--probability P]
    qualif deal DB list [QUERY] [--stage S] [--format table|csv|json]
    qualif deal DB show ID | edit ID … | move ID STAGE | won ID [--amount N]
    qualif deal DB lost ID [--reason R] | reopen ID | delete ID
    qualif deal DB forecast [QUERY] [--months N] [--format table|json]
    qualif deal DB funnel [QUERY] [--from DATE] [--to DATE] [--format table|json]
    qualif deal DB export [QUERY] -o FILE [--format csv|xlsx|json] | import FILE [--dry-run]
    qualif deal DB stages | stage add|edit|delete … | reasons | categories

A value that does not fit (a negative amount, a probability of 120, 31/02) is
bad usage: one line naming the field, exit status 2, nothing written.
"""

from __future__ import annotations

import csv
import functools
import json
import sys
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any, TypeVar

import click
from rich.table import Table

from qualif_tui.base.i18n import _
from qualif_tui.cli.common import QueryCommand, opened
from qualif_tui.cli.output import err, fail, out, tell
from qualif_tui.domain import deals as core
from qualif_tui.domain import stages as stage_table
from qualif_tui.domain.errors import ValidationError
from qualif_tui.domain.money import format_day, format_euros
from qualif_tui.query import compile_query
from qualif_tui.services import pipeline as pipe
from qualif_tui.services.deals_io import export_deals, import_deals, iter_deals

F = TypeVar("F", bound=Callable[..., Any])


class DbGroup(click.Group):
    """``qualif VERB DB SUB …``; ``qualif VERB SUB DB …`` is understood too."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if len(args) >= 2 and args[0] in self.commands and args[1] not in self.commands:
            args = [args[1], args[0], *args[2:]]
        return super().parse_args(ctx, args)


def bad_values_are_usage(func: F) -> F:
    """A value the core refuses is bad usage (exit 2), told in one line."""
    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except ValidationError as error:
            fail(str(error), 2)
    return wrapper  # type: ignore[return-value]


def euros(value: float | Decimal | None, places: int = 2) -> str:
    return "" if value is None else format_euros(value, places)


def _db(ctx: click.Context) -> str:
    return str(ctx.obj)


@click.group(cls=DbGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.argument("db", type=click.Path(dir_okay=False, path_type=str))
@click.pass_context
def deal(ctx: click.Context, db: str) -> None:
    """Deals: add, list, move through the stages, win, lose; forecast and funnel.

    \b
    qualif deal my.db add 12 "Flotte utilitaires" --amount 12500 --stage proposal --close 31/12/2026
    qualif deal my.db list 'profil:client' --stage negotiation
    qualif deal my.db move 7 negotiation
    qualif deal my.db won 7 --amount 13000
    qualif deal my.db lost 8 --reason prix
    qualif deal my.db forecast 'region:occitanie' --months 12
    Stages are named by id (lead qualified proposal negotiation won lost) or label.
    """
    ctx.obj = db


# -- one deal -------------------------------------------------------------------------------


@deal.command()
@click.argument("contact_id", type=int)
@click.argument("title")
@click.option("--amount", required=True, help="Montant HT (12500, 12 500,50).")
@click.option("--stage", default=None, help="Étape (par défaut la première : lead).")
@click.option("--close", "close", default=None, help="Clôture prévue (31/12/2026).")
@click.option("--probability", default=None, help="Probabilité en % (défaut : celle de l'étape).")
@click.option("--category", default=None, help="Catégorie (ajoutée à la liste si nouvelle).")
@click.option("--cost", default=None, help="Coût (la marge est le montant moins le coût).")
@click.option("--source", default=None, help="Source (défaut : la clé Source du contact).")
@click.option("--notes", default="", help="Notes.")
@click.option("--with", "others", type=int, multiple=True,
              help="Autre contact de la même société (répétable).")
@click.pass_context
@bad_values_are_usage
def add(ctx: click.Context, contact_id: int, title: str, amount: str, stage: str | None,
        close: str | None, probability: str | None, category: str | None, cost: str | None,
        source: str | None, notes: str, others: tuple[int, ...]) -> None:
    """A new deal for CONTACT_ID; prints its id."""
    with opened(_db(ctx)) as db:
        stages = stage_table.list_stages(db)
        deal_id = core.add_deal(db, contact_id, title, amount, stage=stage or stages[0].id,
                                probability=probability, expected_close=close,
                                category=category, cost=cost, source=source, notes=notes,
                                others=others)
        created = core.get_deal(db, deal_id)
    out.print(str(deal_id), markup=False)
    tell(_("affaire n° {id} créée : {title} ({stage}, {amount})").format(
        id=deal_id, title=created.title, stage=created.stage_label,
        amount=euros(created.amount)))


@deal.command()
@click.argument("deal_id", type=int)
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table",
              show_default=True)
@click.pass_context
def show(ctx: click.Context, deal_id: int, fmt: str) -> None:
    """Every field of a deal, its stage moves and its quotes."""
    from qualif_tui.domain.quotes import list_quotes

    with opened(_db(ctx), readonly=True) as db:
        found = core.get_deal(db, deal_id)
        moves = db.query("SELECT m.from_stage, m.to_stage, m.moved_at, s.label FROM deal_moves m"
                         " LEFT JOIN deal_stages s ON s.id = m.to_stage WHERE m.deal_id = ?"
                         " ORDER BY m.id", (deal_id,))
        quotes = [q for q in list_quotes(db, found.contact_id) if q.deal_id == deal_id]
    if fmt == "json":
        data = found.as_json() | {
            "moves": [{"from": m[0], "to": m[1], "day": m[2]} for m in moves],
            "quotes": [{"id": q.id, "number": q.number, "status": q.state(),
                        "total_ht": q.total_ht} for q in quotes]}
        out.print(json.dumps(data, ensure_ascii=False, indent=2), markup=False)
        return
    rows = [
        (_("affaire"), f"n° {found.id} — {found.title}"),
        (_("contact"), f"n° {found.contact_id} — {found.contact_name}"),
        (_("étape"), f"{found.stage_label} ({found.stage})"),
        (_("montant HT"), euros(found.amount)),
        (_("probabilité"), f"{found.probability} % ({euros(found.weighted)} pondéré)"),
        (_("clôture prévue"), format_day(found.expected_close) or "—"),
        (_("clôturée le"), format_day(found.closed_at) or "—"),
        (_("catégorie"), found.category or "—"),
        (_("coût / marge"), f"{euros(found.cost) or '—'} / {euros(found.margin) or '—'}"),
        (_("source"), found.source or "—"),
        (_("raison de perte"), found.lost_reason or "—"),
        (_("autres contacts"), ", ".join(f"n° {o}" for o in found.others) or "—"),
        (_("notes"), found.notes or "—"),
    ]
    for label, value in rows:
        out.print(f"{label:16} {value}", markup=False)
    if moves:
        out.print(_("étapes :") + " " + " → ".join(
            f"{m[3] or m[1]} ({format_day(m[2])})" for m in moves), markup=False)
    for quote in quotes:
        out.print(_("devis {number} : {status}, {amount} HT").format(
            number=quote.number, status=quote.state_label(), amount=euros(quote.total_ht)),
            markup=False)


@deal.command()
@click.argument("deal_id", type=int)
@click.option("--title", default=None)
@click.option("--amount", default=None)
@click.option("--probability", default=None)
@click.option("--close", "close", default=None, help="Clôture prévue ('' pour l'effacer).")
@click.option("--category", default=None)
@click.option("--cost", default=None)
@click.option("--source", default=None)
@click.option("--notes", default=None)
@click.option("--contact", "contact_id", type=int, default=None, help="Passer sur une autre fiche.")
@click.option("--with", "others", type=int, multiple=True, help="Autres contacts (remplace).")
@click.pass_context
@bad_values_are_usage
def edit(ctx: click.Context, deal_id: int, title: str | None, amount: str | None,
         probability: str | None, close: str | None, category: str | None, cost: str | None,
         source: str | None, notes: str | None, contact_id: int | None,
         others: tuple[int, ...]) -> None:
    """Change fields of a deal (only those given)."""
    changes: dict[str, Any] = {name: value for name, value in (
        ("title", title), ("amount", amount), ("probability", probability),
        ("expected_close", close), ("category", category), ("cost", cost),
        ("source", source), ("notes", notes), ("contact_id", contact_id)) if value is not None}
    if others:
        changes["others"] = list(others)
    if not changes:
        raise click.UsageError(_("rien à changer : donnez au moins une option (--amount …)"))
    with opened(_db(ctx)) as db:
        changed = core.update_deal(db, deal_id, changes)
    out.print(_("affaire n° {id} modifiée : {title} ({stage}, {amount})").format(
        id=changed.id, title=changed.title, stage=changed.stage_label,
        amount=euros(changed.amount)), markup=False)


def _moved(found: core.Deal) -> None:
    out.print(_("affaire n° {id} : {stage}, {amount}").format(
        id=found.id, stage=found.stage_label, amount=euros(found.amount))
        + (_(" (raison : {reason})").format(reason=found.lost_reason)
           if found.lost_reason else ""), markup=False)


@deal.command()
@click.argument("deal_id", type=int)
@click.argument("stage")
@click.option("--probability", default=None, help="Probabilité (défaut : celle de l'étape).")
@click.pass_context
@bad_values_are_usage
def move(ctx: click.Context, deal_id: int, stage: str, probability: str | None) -> None:
    """Put a deal in STAGE (id or label)."""
    with opened(_db(ctx)) as db:
        _moved(core.move_deal(db, deal_id, stage, probability=probability))


@deal.command()
@click.argument("deal_id", type=int)
@click.option("--amount", default=None, help="Le montant gagné (défaut : celui de l'affaire).")
@click.option("--date", "day", default=None, help="Date de signature (défaut : aujourd'hui).")
@click.pass_context
@bad_values_are_usage
def won(ctx: click.Context, deal_id: int, amount: str | None, day: str | None) -> None:
    """Mark a deal won."""
    with opened(_db(ctx)) as db:
        _moved(core.win_deal(db, deal_id, amount=amount, closed_at=day))


@deal.command()
@click.argument("deal_id", type=int)
@click.option("--reason", default=None, help="Raison (de la liste, ou nouvelle).")
@click.option("--date", "day", default=None, help="Date (défaut : aujourd'hui).")
@click.pass_context
@bad_values_are_usage
def lost(ctx: click.Context, deal_id: int, reason: str | None, day: str | None) -> None:
    """Mark a deal lost, with a reason."""
    with opened(_db(ctx)) as db:
        _moved(core.lose_deal(db, deal_id, reason=reason, closed_at=day))


@deal.command()
@click.argument("deal_id", type=int)
@click.option("--stage", default=None, help="Étape (défaut : celle d'avant la clôture).")
@click.pass_context
@bad_values_are_usage
def reopen(ctx: click.Context, deal_id: int, stage: str | None) -> None:
    """Put a won or lost deal back in the pipeline."""
    with opened(_db(ctx)) as db:
        _moved(core.reopen_deal(db, deal_id, stage))


@deal.command()
@click.argument("deal_id", type=int)
@click.pass_context
def delete(ctx: click.Context, deal_id: int) -> None:
    """Delete a deal (its quotes stay, without it)."""
    with opened(_db(ctx)) as db:
        gone = core.delete_deal(db, deal_id)
    out.print(_("affaire n° {id} supprimée : {title}").format(id=deal_id, title=gone.title),
              markup=False)


# -- lists ----------------------------------------------------------------------------------


@deal.command("list", cls=QueryCommand)
@click.argument("query", nargs=-1, type=click.UNPROCESSED)
@click.option("--stage", default=None, help="Seulement cette étape.")
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table",
              show_default=True)
@click.option("--limit", type=click.IntRange(min=0), default=None,
              help="Au plus N affaires (défaut : 100 en tableau, toutes sinon).")
@click.pass_context
def list_(ctx: click.Context, query: tuple[str, ...], stage: str | None, fmt: str,
          limit: int | None) -> None:
    """The deals of the contacts matching QUERY (every contact if empty)."""
    with opened(_db(ctx), readonly=True) as db:
        compiled = compile_query(db, " ".join(query))
        for warning in compiled.warnings:
            err.print(f"qualif: warning: {warning}", markup=False)
        if fmt == "table" and limit is None:
            limit = 100
        rows = iter_deals(db, compiled, stage=stage)
        if fmt == "json":
            write = sys.stdout.write
            write("[")
            for index, row in enumerate(rows):
                if limit is not None and index >= limit:
                    break
                item = row.deal.as_json() | {"email": row.email}
                write(("\n  " if index == 0 else ",\n  ") + json.dumps(item, ensure_ascii=False))
            write("\n]\n")
            return
        if fmt == "csv":
            writer = csv.writer(sys.stdout)
            columns = ["id", "contact_id", "contact", "email", "title", "stage", "amount",
                       "probability", "expected_close", "closed_at", "category", "cost",
                       "source", "lost_reason"]
            writer.writerow(columns)
            for index, row in enumerate(rows):
                if limit is not None and index >= limit:
                    break
                data = row.deal.as_json() | {"email": row.email}
                writer.writerow(["" if data[c] is None else data[c] for c in columns])
            return
        table = Table(show_edge=False, pad_edge=False, header_style="bold")
        table.add_column(_("N°"), justify="right", no_wrap=True, min_width=3)
        table.add_column(_("Contact"), no_wrap=True, overflow="ellipsis", max_width=22)
        table.add_column(_("Affaire"), no_wrap=True, overflow="ellipsis", max_width=28)
        table.add_column(_("Étape"), no_wrap=True, overflow="ellipsis", max_width=12)
        table.add_column(_("Montant HT"), justify="right", no_wrap=True, min_width=10)
        table.add_column(_("Proba"), justify="right", no_wrap=True, min_width=5)
        table.add_column(_("Clôture"), no_wrap=True, min_width=10)
        shown = 0
        for row in rows:
            if limit is not None and shown >= limit:
                break
            d = row.deal
            table.add_row(str(d.id), d.contact_name, d.title, d.stage_label, euros(d.amount, 0),
                          f"{d.probability} %", format_day(d.closed_at or d.expected_close))
            shown += 1
        out.print(table)
        out.print(_("{n} affaire(s) affichée(s)").format(n=shown), markup=False, style="dim")


@deal.command(cls=QueryCommand)
@click.argument("query", nargs=-1, type=click.UNPROCESSED)
@click.option("--months", type=click.IntRange(1, 36), default=6, show_default=True)
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table",
              show_default=True)
@click.pass_context
def forecast(ctx: click.Context, query: tuple[str, ...], months: int, fmt: str) -> None:
    """Open deals expected to close month by month, weighted by their probability."""
    with opened(_db(ctx), readonly=True) as db:
        compiled = compile_query(db, " ".join(query))
        rows = pipe.forecast(db, compiled, months=months)
    if fmt == "json":
        out.print(json.dumps([{"month": r.month, "deals": r.count, "amount": r.amount,
                               "weighted": round(r.weighted, 2), "won": r.won} for r in rows],
                             ensure_ascii=False, indent=2), markup=False)
        return
    table = Table(show_edge=False, pad_edge=False, header_style="bold")
    for title in (_("Mois"), _("Affaires"), _("Montant HT"), _("Pondéré"), _("Déjà gagné")):
        table.add_column(title, justify="left" if title == _("Mois") else "right")
    names = {"late": _("en retard"), "undated": _("sans date")}
    for r in rows:
        table.add_row(names.get(r.month, r.month), str(r.count), euros(r.amount, 0),
                      euros(r.weighted, 0), euros(r.won, 0) if r.won else "")
    out.print(table)
    dated = [r for r in rows if r.month not in names]
    out.print(_("total sur {n} mois : {amount} pondéré").format(
        n=months, amount=euros(sum(r.weighted for r in dated), 0)), markup=False, style="dim")


@deal.command(cls=QueryCommand)
@click.argument("query", nargs=-1, type=click.UNPROCESSED)
@click.option("--from", "start", default=None, help="Affaires créées depuis (défaut : 12 mois).")
@click.option("--to", "end", default=None, help="… jusqu'au (défaut : aujourd'hui).")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table",
              show_default=True)
@click.pass_context
@bad_values_are_usage
def funnel(ctx: click.Context, query: tuple[str, ...], start: str | None, end: str | None,
           fmt: str) -> None:
    """How many deals created in a period reached each stage, and the conversions."""
    from qualif_tui.domain.money import parse_day

    first = parse_day(start, "--from", "start") if start else None
    last = parse_day(end, "--to", "end") if end else None
    with opened(_db(ctx), readonly=True) as db:
        compiled = compile_query(db, " ".join(query))
        steps = pipe.funnel(db, compiled, start=first, end=last)
    if fmt == "json":
        out.print(json.dumps([{"stage": s.stage.id, "label": s.stage.label,
                               "reached": s.reached, "conversion": s.conversion}
                              for s in steps], ensure_ascii=False, indent=2), markup=False)
        return
    top = max((s.reached for s in steps), default=0) or 1
    for step in steps:
        bar = "█" * round(30 * step.reached / top)
        rate = "" if step.conversion is None else f"  {step.conversion:.0%}".replace("%", " %")
        out.print(f"{step.stage.label:14} {step.reached:>7}  {bar}{rate}", markup=False)


@deal.command("export", cls=QueryCommand)
@click.argument("query", nargs=-1, type=click.UNPROCESSED)
@click.option("-o", "--output", "target", required=True, help="Fichier (.csv, .xlsx, .json).")
@click.option("--format", "fmt", type=click.Choice(["csv", "xlsx", "json"]), default=None,
              help="Défaut : d'après l'extension du fichier.")
@click.option("--stage", default=None)
@click.pass_context
def export_(ctx: click.Context, query: tuple[str, ...], target: str, fmt: str | None,
            stage: str | None) -> None:
    """Write the deals of the contacts of QUERY, one row per deal."""
    path = Path(target)
    fmt = fmt or {".xlsx": "xlsx", ".json": "json"}.get(path.suffix.lower(), "csv")
    if not path.parent.exists():
        fail(_("impossible d'écrire {path} : le dossier n'existe pas").format(path=path))
    with opened(_db(ctx), readonly=True) as db:
        compiled = compile_query(db, " ".join(query))
        partial = path.with_name(path.name + ".partial")
        with partial.open("wb") as handle:
            written = export_deals(db, compiled, fmt, handle, stage=stage)
        partial.replace(path)
    out.print(_("{n} affaire(s) écrite(s) dans {path}").format(n=written, path=path),
              markup=False)


@deal.command("import")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Vérifier et dire ce qui serait importé.")
@click.pass_context
def import_(ctx: click.Context, file: Path, dry_run: bool) -> None:
    """Import a deals file (CSV or xlsx), matched to contacts by n° de fiche, e-mail, or
    name and company. All or nothing; undo with: qualif import DB --undo last."""
    with opened(_db(ctx)) as db:
        result = import_deals(db, file, dry_run=dry_run)
    if dry_run:
        out.print(_("à importer : {summary}").format(summary=result.summary()), markup=False)
    else:
        out.print(_("import n° {batch} : {summary}").format(batch=result.batch_id,
                                                           summary=result.summary()),
                  markup=False)
    if result.ignored_columns:
        tell(_("colonnes ignorées : {names}").format(names=", ".join(result.ignored_columns)))


# -- the stage table and the lists ------------------------------------------------------------


@deal.command()
@click.pass_context
def stages(ctx: click.Context) -> None:
    """The stage table, in order: id, label, default probability, kind."""
    with opened(_db(ctx), readonly=True) as db:
        found = stage_table.list_stages(db)
    table = Table(show_edge=False, pad_edge=False, header_style="bold")
    for title in ("#", "id", _("Étape"), _("Probabilité"), _("Type")):
        table.add_column(title)
    for stage in found:
        table.add_row(str(stage.position), stage.id, stage.label, f"{stage.probability} %",
                      stage_table.KINDS[stage.kind])
    out.print(table)


@deal.group()
def stage() -> None:
    """Edit the stage table: add, edit, delete."""


@stage.command("add")
@click.argument("label")
@click.option("--probability", default="50", show_default=True)
@click.option("--kind", type=click.Choice(["open", "won", "lost"]), default="open",
              show_default=True)
@click.option("--after", default=None, help="Placer après cette étape.")
@click.pass_context
@bad_values_are_usage
def stage_add(ctx: click.Context, label: str, probability: str, kind: str,
              after: str | None) -> None:
    """Add a stage."""
    with opened(_db(ctx)) as db:
        created = stage_table.add_stage(db, label, probability=probability, kind=kind,
                                        after=after)
    out.print(_("étape « {label} » ajoutée (id {id})").format(label=created.label,
                                                            id=created.id), markup=False)


@stage.command("edit")
@click.argument("name")
@click.option("--label", default=None)
@click.option("--probability", default=None)
@click.option("--kind", type=click.Choice(["open", "won", "lost"]), default=None)
@click.option("--position", type=click.IntRange(min=1), default=None)
@click.pass_context
@bad_values_are_usage
def stage_edit(ctx: click.Context, name: str, label: str | None, probability: str | None,
               kind: str | None, position: int | None) -> None:
    """Rename, re-weight, re-kind or move a stage."""
    with opened(_db(ctx)) as db:
        changed = stage_table.update_stage(db, name, label=label, probability=probability,
                                           kind=kind, position=position)
    out.print(_("étape {id} : {label}, {p} %, {kind}").format(
        id=changed.id, label=changed.label, p=changed.probability,
        kind=stage_table.KINDS[changed.kind]), markup=False)


@stage.command("delete")
@click.argument("name")
@click.pass_context
@bad_values_are_usage
def stage_delete(ctx: click.Context, name: str) -> None:
    """Delete a stage no deal is in."""
    with opened(_db(ctx)) as db:
        gone = stage_table.delete_stage(db, name)
    out.print(_("étape « {label} » supprimée").format(label=gone.label), markup=False)


def _list_command(which: str, name: str, help_text: str) -> None:
    @deal.command(name, help=help_text)
    @click.option("--add", "added", default=None, help="Ajouter une valeur.")
    @click.option("--rename", nargs=2, default=None, help="Renommer : ANCIEN NOUVEAU.")
    @click.option("--delete", "deleted", default=None, help="Retirer une valeur.")
    @click.pass_context
    @bad_values_are_usage
    def command(ctx: click.Context, added: str | None, rename: tuple[str, str] | None,
                deleted: str | None) -> None:
        with opened(_db(ctx), readonly=not (added or rename or deleted)) as db:
            if added:
                stage_table.add_choice(db, which, added)
            if rename:
                stage_table.rename_choice(db, which, rename[0], rename[1])
            if deleted:
                used = stage_table.delete_choice(db, which, deleted)
                if used:
                    tell(_("{n} affaire(s) n'ont plus de valeur").format(n=used))
            for choice in stage_table.list_choices(db, which):
                out.print(choice.label, markup=False)


_list_command("lost_reason", "reasons", "Les raisons de perte (la liste s'allonge à l'usage).")
_list_command("category", "categories", "Les catégories d'affaires (produits, prestations).")
