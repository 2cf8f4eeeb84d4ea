"""``qualif quote DB …``: quotes (devis), their lines, statuses, PDF, and the issuer.

    qualif quote DB new CONTACT_ID [--deal ID]          prints the new id and its number
    qualif quote DB add-line ID DESIGNATION --qty Q --price P [--vat 20|10|5.5|2.1|0] [--unit U]
    qualif quote DB show ID [--format table|json] | send ID | accept ID | refuse ID
    qualif quote DB list [QUERY] [--status S] | pdf ID -o FILE
    qualif quote DB edit-line LINE_ID … | remove-line LINE_ID | edit ID …
    qualif quote DB duplicate ID [--contact C] | version ID | delete ID
    qualif quote DB issuer [--name …]                   the details printed on every quote

A quote is named by its id or its number (``D2026-0001``).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click
from rich.table import Table

from qualif_tui.base.i18n import _
from qualif_tui.cli.common import QueryCommand, opened
from qualif_tui.cli.deal_cmd import DbGroup, bad_values_are_usage, euros
from qualif_tui.cli.output import err, out, tell
from qualif_tui.domain import quotes as core
from qualif_tui.domain.issuer import LABELS, load_issuer, save_issuer, set_logo
from qualif_tui.domain.money import format_day, format_quantity, format_rate
from qualif_tui.query import compile_query
from qualif_tui.services.deals_io import iter_quotes
from qualif_tui.services.quote_pdf import write_quote_pdf

VATS = ["20", "10", "5.5", "5,5", "2.1", "2,1", "0"]


def _db(ctx: click.Context) -> str:
    return str(ctx.obj)


@click.group(cls=DbGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.argument("db", type=click.Path(dir_okay=False, path_type=str))
@click.pass_context
def quote(ctx: click.Context, db: str) -> None:
    """Quotes: numbered per year (D2026-0001), lines, totals, PDF.

    \b
    qualif quote my.db issuer --name "Jeanne Exemple" --siret "732 829 320 00074" --vat-exempt
    qualif quote my.db new 12 --deal 7
    qualif quote my.db add-line 3 "Audit du site" --qty 2 --price 450 --unit jour
    qualif quote my.db show D2026-0003
    qualif quote my.db pdf 3 -o devis.pdf
    qualif quote my.db send 3 ; qualif quote my.db accept 3
    """
    ctx.obj = db


def _show_line(found: core.Quote) -> str:
    return _("devis {number} ({status}) : {ht} HT, {ttc} TTC").format(
        number=found.number, status=found.state_label(), ht=euros(found.total_ht),
        ttc=euros(found.total_ttc))


@quote.command()
@click.argument("contact_id", type=int)
@click.option("--deal", "deal_id", type=int, default=None, help="L'affaire du devis.")
@click.option("--title", default="", help="Objet (défaut : le titre de l'affaire).")
@click.option("--valid", "valid_days", default="30", show_default=True,
              help="Validité en jours.")
@click.option("--date", "issued", default=None, help="Date du devis (défaut : aujourd'hui).")
@click.option("--notes", default="", help="Texte imprimé sous les lignes.")
@click.pass_context
@bad_values_are_usage
def new(ctx: click.Context, contact_id: int, deal_id: int | None, title: str, valid_days: str,
        issued: str | None, notes: str) -> None:
    """A new draft quote for CONTACT_ID; prints its id and number."""
    with opened(_db(ctx)) as db:
        created = core.new_quote(db, contact_id, deal_id=deal_id, title=title,
                                 valid_days=valid_days, issued=issued, notes=notes)
    out.print(f"{created.id} {created.number}", markup=False)


@quote.command("add-line")
@click.argument("which")
@click.argument("designation")
@click.option("--qty", "quantity", default="1", show_default=True)
@click.option("--price", required=True, help="Prix unitaire HT.")
@click.option("--vat", default=None, help="Taux de TVA : 20, 10, 5.5, 2.1 ou 0 (défaut : 20).")
@click.option("--unit", default="", help="Unité (jour, heure, forfait…).")
@click.option("--discount", default="0", help="Remise en %.")
@click.option("--position", type=click.IntRange(min=1), default=None)
@click.pass_context
@bad_values_are_usage
def add_line(ctx: click.Context, which: str, designation: str, quantity: str, price: str,
             vat: str | None, unit: str, discount: str, position: int | None) -> None:
    """Add a line to a draft quote."""
    with opened(_db(ctx)) as db:
        found = core.find_quote(db, which)
        line = core.add_line(db, found.id, designation, quantity=quantity, unit_price=price,
                             vat=vat, unit=unit, discount=discount, position=position)
        found = core.get_quote(db, found.id)
    out.print(_("ligne n° {id} : {total} HT — {summary}").format(
        id=line.id, total=euros(line.total_ht), summary=_show_line(found)), markup=False)


@quote.command("edit-line")
@click.argument("line_id", type=int)
@click.option("--designation", default=None)
@click.option("--qty", "quantity", default=None)
@click.option("--price", default=None)
@click.option("--vat", default=None)
@click.option("--unit", default=None)
@click.option("--discount", default=None)
@click.pass_context
@bad_values_are_usage
def edit_line(ctx: click.Context, line_id: int, designation: str | None, quantity: str | None,
              price: str | None, vat: str | None, unit: str | None,
              discount: str | None) -> None:
    """Change a line of a draft quote."""
    changes = {name: value for name, value in (
        ("designation", designation), ("quantity", quantity), ("unit_price", price),
        ("vat", vat), ("unit", unit), ("discount", discount)) if value is not None}
    if not changes:
        raise click.UsageError(_("rien à changer : donnez au moins une option (--price …)"))
    with opened(_db(ctx)) as db:
        line = core.update_line(db, line_id, changes)
        found = core.get_quote(db, line.quote_id)
    out.print(_show_line(found), markup=False)


@quote.command("remove-line")
@click.argument("line_id", type=int)
@click.pass_context
@bad_values_are_usage
def remove_line(ctx: click.Context, line_id: int) -> None:
    """Remove a line of a draft quote."""
    with opened(_db(ctx)) as db:
        found = core.get_quote(db, core.delete_line(db, line_id))
    out.print(_show_line(found), markup=False)


@quote.command()
@click.argument("which")
@click.option("--title", default=None)
@click.option("--valid", "valid_days", default=None)
@click.option("--date", "issued", default=None)
@click.option("--notes", default=None)
@click.option("--deal", "deal_id", type=int, default=None)
@click.pass_context
@bad_values_are_usage
def edit(ctx: click.Context, which: str, title: str | None, valid_days: str | None,
         issued: str | None, notes: str | None, deal_id: int | None) -> None:
    """Change a draft quote's object, date, validity, notes or deal."""
    changes = {name: value for name, value in (
        ("title", title), ("valid_days", valid_days), ("issued", issued), ("notes", notes),
        ("deal_id", deal_id)) if value is not None}
    with opened(_db(ctx)) as db:
        found = core.update_quote(db, core.find_quote(db, which).id, changes)
    out.print(_show_line(found), markup=False)


@quote.command()
@click.argument("which")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table",
              show_default=True)
@click.pass_context
def show(ctx: click.Context, which: str, fmt: str) -> None:
    """A quote: its lines and totals (HT, VAT per rate, TTC)."""
    with opened(_db(ctx), readonly=True) as db:
        found = core.find_quote(db, which)
    if fmt == "json":
        out.print(json.dumps(found.as_json(), ensure_ascii=False, indent=2), markup=False)
        return
    out.print(_("Devis {number} — {contact} (fiche n° {id})").format(
        number=found.number, contact=found.contact_name, id=found.contact_id), markup=False,
        style="bold")
    details = [_("état : {status}").format(status=found.state_label()),
               _("date : {day}").format(day=format_day(found.issued)),
               _("valable jusqu'au {day}").format(day=format_day(found.valid_until))]
    if found.deal_id:
        details.append(_("affaire n° {id}").format(id=found.deal_id))
    if found.replaced_by:
        details.append(_("remplacé par {number}").format(number=found.replaced_by))
    out.print(" · ".join(details), markup=False)
    if found.title:
        out.print(_("objet : {title}").format(title=found.title), markup=False)
    table = Table(show_edge=False, pad_edge=False, header_style="bold")
    for title, justify in (("#", "right"), (_("Ligne"), "right"), (_("Désignation"), "left"),
                           (_("Qté"), "right"), (_("Unité"), "left"), (_("PU HT"), "right"),
                           (_("TVA"), "right"), (_("Remise"), "right"),
                           (_("Total HT"), "right")):
        table.add_column(title, justify=justify)  # type: ignore[arg-type]
    for line in found.lines:
        table.add_row(str(line.position), str(line.id), line.designation,
                      format_quantity(line.quantity), line.unit, euros(line.unit_price),
                      format_rate(line.vat_rate),
                      format_rate(line.discount) if line.discount else "", euros(line.total_ht))
    out.print(table)
    totals = found.vat_parts()
    out.print(f"{_('Total HT'):>28} {euros(totals.total_ht):>16}", markup=False)
    for part in totals.vat:
        label = _("TVA {rate}").format(rate=format_rate(part.rate))
        out.print(f"{label:>28} {euros(part.vat):>16}", markup=False)
    out.print(f"{_('Total TTC'):>28} {euros(totals.total_ttc):>16}", markup=False, style="bold")


def _status_command(name: str, action: Any, help_text: str) -> None:
    @quote.command(name, help=help_text)
    @click.argument("which")
    @click.pass_context
    @bad_values_are_usage
    def command(ctx: click.Context, which: str) -> None:
        with opened(_db(ctx)) as db:
            found = core.find_quote(db, which)
            was_expired = found.state() == "expired"
            done = action(db, found.id)
        if was_expired and done.status == "accepted":
            tell(_("le devis {number} avait expiré le {day}").format(
                number=done.number, day=format_day(done.valid_until)))
        out.print(_show_line(done), markup=False)
        if done.status == "accepted" and done.deal_id:
            out.print(_("affaire n° {id} gagnée : {amount} HT").format(
                id=done.deal_id, amount=euros(done.total_ht)), markup=False)


_status_command("send", core.send_quote, "Mark a draft quote sent (today).")
_status_command("accept", core.accept_quote,
                "Accepted: its deal is won at the quote's HT total (a deal is created if none).")
_status_command("refuse", core.refuse_quote, "Refused by the client.")
_status_command("version", core.new_version,
                "A new version of the quote (D2026-0001-V2), same lines, as a draft.")


@quote.command()
@click.argument("which")
@click.option("--contact", "contact_id", type=int, default=None,
              help="Pour un autre contact (défaut : le même).")
@click.pass_context
@bad_values_are_usage
def duplicate(ctx: click.Context, which: str, contact_id: int | None) -> None:
    """A copy with a new number, as a draft dated today."""
    with opened(_db(ctx)) as db:
        copy = core.duplicate_quote(db, core.find_quote(db, which).id, contact_id)
    out.print(f"{copy.id} {copy.number}", markup=False)


@quote.command()
@click.argument("which")
@click.pass_context
@bad_values_are_usage
def delete(ctx: click.Context, which: str) -> None:
    """Delete a draft (a sent quote is refused instead)."""
    with opened(_db(ctx)) as db:
        gone = core.delete_quote(db, core.find_quote(db, which).id)
    out.print(_("devis {number} supprimé").format(number=gone.number), markup=False)


@quote.command()
@click.argument("which")
@click.option("-o", "--output", "target", required=True, help="Le fichier PDF à écrire.")
@click.pass_context
@bad_values_are_usage
def pdf(ctx: click.Context, which: str, target: str) -> None:
    """Write the quote as an A4 PDF."""
    with opened(_db(ctx), readonly=True) as db:
        found = core.find_quote(db, which)
        if not load_issuer(db).is_set:
            err.print(_("qualif: vos coordonnées ne sont pas renseignées : qualif quote DB"
                        " issuer --name …"), markup=False)
        path = write_quote_pdf(db, found.id, target)
    out.print(_("devis {number} écrit dans {path}").format(number=found.number, path=path),
              markup=False)


@quote.command("list", cls=QueryCommand)
@click.argument("query", nargs=-1, type=click.UNPROCESSED)
@click.option("--status", type=click.Choice(list(core.STATUSES)), default=None)
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table",
              show_default=True)
@click.option("--limit", type=click.IntRange(min=0), default=100, show_default=True)
@click.pass_context
def list_(ctx: click.Context, query: tuple[str, ...], status: str | None, fmt: str,
          limit: int) -> None:
    """The quotes of the contacts matching QUERY, newest first."""
    with opened(_db(ctx), readonly=True) as db:
        compiled = compile_query(db, " ".join(query))
        found = list(iter_quotes(db, compiled, status=status, limit=limit))
    if fmt == "json":
        out.print(json.dumps([{"id": q.id, "number": q.number, "contact_id": q.contact_id,
                               "contact": q.contact_name, "deal_id": q.deal_id,
                               "title": q.title, "date": q.issued, "status": q.state(),
                               "total_ht": q.total_ht, "total_ttc": q.total_ttc}
                              for q in found], ensure_ascii=False, indent=2), markup=False)
        return
    table = Table(show_edge=False, pad_edge=False, header_style="bold")
    table.add_column(_("N°"), justify="right", no_wrap=True, min_width=3)
    table.add_column(_("Numéro"), no_wrap=True, min_width=10)
    table.add_column(_("Date"), no_wrap=True, min_width=10)
    table.add_column(_("Contact"), no_wrap=True, overflow="ellipsis", max_width=22)
    table.add_column(_("Objet"), no_wrap=True, overflow="ellipsis", max_width=28)
    table.add_column(_("État"), no_wrap=True, min_width=8)
    table.add_column(_("Total HT"), justify="right", no_wrap=True, min_width=12)
    for q in found:
        table.add_row(str(q.id), q.number, format_day(q.issued), q.contact_name, q.title,
                      q.state_label(), euros(q.total_ht))
    out.print(table)
    out.print(_("{n} devis").format(n=len(found)), markup=False, style="dim")


_ISSUER_OPTIONS = ("name", "trade_name", "address", "postal_code", "city", "email", "phone",
                   "siret", "vat_number", "payment_terms", "iban")


def _issuer_options(func: Any) -> Any:
    for name in reversed(_ISSUER_OPTIONS):
        func = click.option(f"--{name.replace('_', '-')}", name, default=None,
                            help=LABELS[name].capitalize() + ".")(func)
    return func


@quote.command()
@_issuer_options
@click.option("--vat-exempt/--no-vat-exempt", "vat_exempt", default=None,
              help="Micro-entrepreneur : « TVA non applicable, art. 293 B du CGI ».")
@click.option("--logo", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Un PNG ou JPEG imprimé en tête des devis.")
@click.option("--no-logo", is_flag=True, help="Retirer le logo.")
@click.pass_context
@bad_values_are_usage
def issuer(ctx: click.Context, /, vat_exempt: bool | None, logo: Path | None, no_logo: bool,
           **fields: str | None) -> None:
    """Your details, printed on every quote (kept in the file: they travel with it)."""
    changes: dict[str, Any] = {k: v for k, v in fields.items() if v is not None}
    if vat_exempt is not None:
        changes["vat_exempt"] = vat_exempt
    writing = bool(changes) or logo is not None or no_logo
    with opened(_db(ctx), readonly=not writing) as db:
        if changes:
            save_issuer(db, changes)
        if logo is not None or no_logo:
            set_logo(db, None if no_logo else logo)
        details = load_issuer(db)
    for name in (*_ISSUER_OPTIONS[:9], "vat_exempt", *_ISSUER_OPTIONS[9:]):
        value = getattr(details, name)
        shown = (_("oui") if value else _("non")) if isinstance(value, bool) else value
        out.print(f"{LABELS[name]:28} {str(shown).replace(chr(10), ' / ') or '—'}",
                  markup=False)
    out.print(f"{_('logo'):28} {_('oui') if details.logo else '—'}", markup=False)
