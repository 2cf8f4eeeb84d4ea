"""``qualif report``: revenue by source and every report of that shape, in the terminal.

A thin face over :mod:`qualif_tui.services.reports`: it reads the options,
calls the report, and prints the table, CSV, JSON, bars, or writes an xlsx.
"""

from __future__ import annotations

import json
import sys
from typing import Any

import click
from rich.table import Table as RichTable
from rich.text import Text

from qualif_tui.base.i18n import _
from qualif_tui.cli.common import QueryCommand, database_argument, opened
from qualif_tui.cli.output import err, fail, out
from qualif_tui.services import reports as svc
from qualif_tui.services.reports.render import bar, chart_values, row_label, write_csv, write_xlsx

REPORTS = ("funnel", "inactive", "completeness", "trend")
FORMATS = ("table", "csv", "json", "xlsx", "chart")


@click.command(cls=QueryCommand)
@database_argument
@click.argument("words", nargs=-1, type=click.UNPROCESSED)
@click.option("--by", "by", multiple=True, metavar="FIELD",
              help="Regrouper par une clé, dept, region, city, company, postal_code[:N], une"
                   " date avec :year/:quarter/:month (created, last_contact, won), ou un champ"
                   " des affaires (deal_category, lost_reason). Deux fois : tableau croisé.")
@click.option("--measure", "-m", "measures", multiple=True, metavar="M",
              help="contacts (défaut), share, revenue, deals, average, pipeline, weighted,"
                   " conversion, lost, lost_amount ; plusieurs fois ou séparées par des"
                   " virgules. trend : revenue, deals, contacts, reached.")
@click.option("--period", metavar="P", help="2026, 2026-06, 2026-T2, 12m… (affaires comptées).")
@click.option("--from", "start", metavar="DATE", help="Début de période.")
@click.option("--to", "end", metavar="DATE", help="Fin de période.")
@click.option("--top", type=click.IntRange(min=0), default=svc.DEFAULT_TOP, show_default=True,
              help="Champs à valeurs libres : les N plus fréquentes, le reste dans (autres)"
                   " (0 : toutes).")
@click.option("--months", type=click.IntRange(min=1), default=None,
              help="inactive : mois sans activité (12) ; trend : mois montrés (12) ;"
                   " completeness : mois de création (12).")
@click.option("--without", type=click.Choice(svc.WITHOUT), default="both", show_default=True,
              help="inactive : sans achat (purchase), sans contact (contact), ni l'un ni"
                   " l'autre (both), l'un ou l'autre (any).")
@click.option("--limit", type=click.IntRange(min=0), default=None,
              help="inactive, completeness : contacts listés au plus (100, 20).")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="table", show_default=True)
@click.option("--output", "-o", "output", type=click.Path(dir_okay=False), default=None,
              help="Écrire dans un fichier (obligatoire pour xlsx).")
def report(db: str, words: tuple[str, ...], by: tuple[str, ...], measures: tuple[str, ...],
           period: str | None, start: str | None, end: str | None, top: int,
           months: int | None, without: str, limit: int | None, fmt: str,
           output: str | None) -> None:
    """Rapports sur les contacts d'une recherche : CA par source, et tout ce qui s'y ramène.

    \b
    qualif report my.db --by source --measure contacts,revenue
    qualif report my.db 'profil:client' --by region --by source -m revenue
    qualif report my.db --by won:month -m revenue --period 2026 --format chart
    qualif report my.db --by city --top 10 --format json
    qualif report my.db --by deal_category -m revenue,pipeline,lost_amount
    qualif report my.db --by lost_reason -m lost,lost_amount --period 2026
    qualif report my.db funnel [QUERY] [--period 2026]
    qualif report my.db inactive [QUERY] [--months 12] [--without both]
    qualif report my.db completeness [QUERY]
    qualif report my.db trend [QUERY] [-m revenue|deals|contacts|reached] [--months 24]
    """
    kind = words[0] if words and words[0] in REPORTS else ""
    text = " ".join(words[1:] if kind else words)
    names = [m.strip() for given in measures for m in given.split(",") if m.strip()]
    if fmt == "xlsx" and not output:
        fail(_("--format xlsx écrit un fichier : ajouter -o rapport.xlsx"), 2)
    try:
        chosen = svc.parse_period(period, start, end)
        with opened(db, readonly=True) as database:
            if kind == "":
                if not by:
                    fail(_("il faut --by FIELD, ou un rapport : {names}").format(
                        names=", ".join(REPORTS)), 2)
                result: Any = svc.breakdown(database, text, list(by), names or ["contacts"],
                                            chosen, top=top or None)
                tables = [result.table()]
                if len(result.by) == 2:
                    tables.insert(0, result.pivot())
            elif kind == "funnel":
                result = svc.funnel(database, text, chosen)
                tables = [result.table()]
            elif kind == "inactive":
                result = svc.inactive_clients(database, text, months=months or 12,
                                              without=without, limit=100 if limit is None
                                              else limit)
                tables = [result.table()]
            elif kind == "completeness":
                result = svc.completeness(database, text, months=months or 12,
                                          contacts=20 if limit is None else limit)
                tables = [result.table(), result.months_table(), result.contacts_table()]
            else:
                if len(names) > 1:
                    fail(_("trend : une seule mesure à la fois"), 2)
                result = svc.trend(database, text, names[0] if names else "revenue",
                                   months or 12)
                tables = [result.table()]
    except svc.ReportError as error:
        fail(str(error), 2)
    _emit(result, tables, fmt, output, chart_table=tables[-1] if kind == "" else tables[0])


def _emit(result: Any, tables: list[svc.Table], fmt: str, output: str | None,
          chart_table: svc.Table) -> None:
    if fmt == "xlsx":
        assert output is not None
        write_xlsx(tables, output)
        err.print(_("qualif : rapport écrit dans {path}").format(path=output), markup=False)
        return
    if output:
        with open(output, "w", encoding="utf-8-sig" if fmt == "csv" else "utf-8",
                  newline="") as stream:
            _write(result, tables, fmt, stream, chart_table)
        err.print(_("qualif : rapport écrit dans {path}").format(path=output), markup=False)
        return
    _write(result, tables, fmt, sys.stdout, chart_table)


def _write(result: Any, tables: list[svc.Table], fmt: str, stream: Any,
           chart_table: svc.Table) -> None:
    if fmt == "json":
        stream.write(json.dumps(result.as_json(), ensure_ascii=False, indent=2) + "\n")
    elif fmt == "csv":
        for index, table in enumerate(tables):
            if index:
                stream.write("\n")
            write_csv(table, stream)
    elif stream is sys.stdout:
        if fmt == "chart":
            _print_chart(chart_table)
        else:
            for table in tables:
                _print_table(table)
    else:
        from rich.console import Console

        console = Console(file=stream, width=120, highlight=False, soft_wrap=True)
        for table in tables:
            console.print(_rich_table(table))


def _rich_table(table: svc.Table) -> RichTable:
    grid = RichTable(title=table.title, title_justify="left", title_style="bold",
                     show_edge=False, pad_edge=False, header_style="bold")
    for index, column in enumerate(table.columns):
        width = _width(table, column, index)
        grid.add_column(column.label, justify="left" if column.unit == "text" else "right",
                        overflow="ellipsis", no_wrap=True, min_width=width,
                        max_width=40 if column.unit == "text" else max(width, 12))
    for row in table.rows:
        style = "dim" if row.kind in ("null", "other") else ""
        grid.add_row(*(table.formatted(row, c) for c in table.columns), style=style)
    if table.total is not None:
        grid.add_section()
        grid.add_row(*(table.formatted(table.total, c) for c in table.columns), style="bold")
    return grid


def _width(table: svc.Table, column: svc.Column, index: int) -> int:
    """The least width a column is given: figures are never cut."""
    body = [*table.rows, *([table.total] if table.total else [])]
    widest = max([len(table.formatted(r, column)) for r in body] or [0])
    if column.unit != "text":
        return max(widest, min(len(column.label), 8), 3)
    return max(3, min(widest, 24 if index < table.label_columns else 12))


def _print_table(table: svc.Table) -> None:
    shown, dropped = _fitting(table, out.width)
    if shown is None:
        out.print(Text(_("{title} : trop large pour {width} colonnes (--format xlsx ou csv)")
                       .format(title=table.title, width=out.width), style="dim italic"))
        out.print()
        return
    out.print(_rich_table(shown))
    notes = list(table.notes)
    if dropped:
        notes.append(_("colonnes omises à cette largeur : {names} (--format csv ou xlsx pour"
                       " tout)").format(names=", ".join(dropped)))
    for note in notes:
        out.print(Text(note, style="dim italic"))
    out.print()


def _fitting(table: svc.Table, width: int) -> tuple[svc.Table | None, list[str]]:
    """The table with as many columns as fit ``width``: the columns naming the rows
    and the first figure always; others are left out as they say they can be
    (``Column.spare``), else from the right, text first.
    None when even those do not fit (a wide matrix)."""
    columns = list(table.columns)
    dropped: list[str] = []

    def least() -> int:
        return sum(3 + _width(table, c, table.columns.index(c)) for c in columns)

    keep = {c.name for c in table.columns[:table.label_columns]}
    figures = [c for c in table.columns if c.unit != "text"]
    if figures:
        keep.add(figures[0].name)
    if table.chart:
        keep.add(table.chart)
    while least() > width:
        spare = [c for c in columns if c.name not in keep]
        if not spare:
            return None, []
        text = [c for c in spare if c.unit == "text"]
        gone = max(spare, key=lambda c: c.spare) if any(c.spare for c in spare) \
            else (text or spare)[-1]
        columns.remove(gone)
        dropped.insert(0, gone.label)
    if not dropped:
        return table, []
    return svc.Table(table.title, columns, table.rows, table.total, table.notes, table.chart,
                     table.label_columns, table.cursor), dropped


def _print_chart(table: svc.Table) -> None:
    values = chart_values(table)
    column = next((c for c in table.columns if c.name == table.chart), None)
    if column is None or not values:
        _print_table(table)
        return
    out.print(Text(f"{table.title} — {column.label}", style="bold"))
    labels = [row_label(table, row) for row, _v in values]
    texts = [table.formatted(row, column) for row, _v in values]
    label_width = min(30, max(len(s) for s in labels))
    value_width = max(len(s) for s in texts)
    width = max(10, out.width - label_width - value_width - 4)
    biggest = max(v for _r, v in values)
    for (row, value), label, shown in zip(values, labels, texts, strict=True):
        line = Text(label[:label_width].ljust(label_width) + " ",
                    style="dim" if row.kind in ("null", "other") else "")
        line.append(bar(value, biggest, width).ljust(width), style="cyan")
        line.append(" " + shown.rjust(value_width))
        out.print(line)
    for note in table.notes:
        out.print(Text(note, style="dim italic"))
