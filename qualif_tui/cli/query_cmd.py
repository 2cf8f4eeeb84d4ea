"""``qualif query``: run a query, print a count, a table, CSV or JSON."""

from __future__ import annotations

import csv
import json
import sys
from collections.abc import Iterable

import click

from qualif_tui.cli.common import QueryCommand, database_argument, opened
from qualif_tui.cli.output import err, out, plain
from qualif_tui.domain.keys import format_value, list_keys
from qualif_tui.query import SORTS, ContactRow, compile_query, count, iter_rows
from qualif_tui.query import explain as explain_query


@click.command(cls=QueryCommand)
@database_argument
@click.argument("query", nargs=-1, type=click.UNPROCESSED)
@click.option("--count", "count_only", is_flag=True, help="Print only the number of contacts.")
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table",
              show_default=True)
@click.option("--limit", type=click.IntRange(min=0), default=None,
              help="At most N contacts (default: 100 for a table, all otherwise).")
@click.option("--sort", type=click.Choice(list(SORTS)), default="name", show_default=True)
@click.option("--explain", is_flag=True,
              help="Print how the query runs (criteria, SQL, SQLite's plans) instead.")
def query(db: str, query: tuple[str, ...], count_only: bool, fmt: str, limit: int | None,
          sort: str, explain: bool) -> None:
    """List the contacts matching QUERY (every contact if empty).

    \b
    qualif query my.db 'profil:client region:occitanie'
    qualif query my.db 'source:"foire/salon" -profil:concurrent' --count
    qualif query my.db 'segment:"Clients Occitanie" last_contact<6m'
    qualif query my.db 'mise_en_service:2010..2012 dept:31,81' --explain

    \b
    key:value  key:v1,v2  key>N  key<=N  key:A..B (numbers, dates: 2024, 2024-06,
    2024-06-15, or 30d 8w 6m 2y before today)  -key:value  NOT …  a OR b  ( … )
    has:key  missing:key  dept:31  region:occitanie  segment:"name"
    a word or "a phrase" (full text: names, company, e-mail, city, history)
    """
    text = " ".join(query)
    with opened(db, readonly=True) as database:
        compiled = compile_query(database, text)
        for warning in compiled.warnings:
            err.print(f"qualif: warning: {warning}", markup=False)
        if explain:
            for line in explain_query(database, compiled, sort=sort):
                out.print(line, markup=False, highlight=False)
            return
        if count_only:
            plain(str(count(database, compiled)))
            return
        if fmt == "table" and limit is None:
            limit = 100
        rows = iter_rows(database, compiled, sort=sort, limit=limit)
        if fmt == "json":
            _print_json(rows)
        elif fmt == "csv":
            _print_csv(rows, [k.name for k in list_keys(database)])
        else:
            total = count(database, compiled)
            _print_table(list(rows), [k.name for k in list_keys(database)], total)


def _print_json(rows: Iterable[ContactRow]) -> None:
    # Streamed one object at a time: a million contacts never sit in memory.
    write = sys.stdout.write
    write("[")
    for index, row in enumerate(rows):
        write(("\n  " if index == 0 else ",\n  ") + json.dumps(row.as_json(), ensure_ascii=False))
    write("\n]\n")


def _print_csv(rows: Iterable[ContactRow], key_names: list[str]) -> None:
    # redirected to a file, this CSV opens in a spreadsheet: cells guarded like export's
    from qualif_tui.services.exporting.tables import guard

    writer = csv.writer(sys.stdout)
    writer.writerow([guard(h) for h in ["id", "first_name", "last_name", "company", "email",
                                        "phone", "mobile", "postal_code", "city", *key_names]])
    for row in rows:
        writer.writerow([row.id, *(guard(v) for v in (
            row.first_name, row.last_name, row.company, row.email, row.phone, row.mobile,
            row.postal_code, row.city, *(format_value(row.keys.get(k)) for k in key_names)))])


def _print_table(rows: list[ContactRow], key_names: list[str], total: int) -> None:
    from rich.table import Table  # only tables need it (counts and JSON answer faster)

    table = Table(show_edge=False, pad_edge=False, header_style="bold")
    table.add_column("Nom", overflow="ellipsis", no_wrap=True, min_width=14, max_width=28)
    table.add_column("Société", overflow="ellipsis", no_wrap=True, max_width=20)
    table.add_column("Ville", overflow="ellipsis", no_wrap=True, min_width=8, max_width=18)
    table.add_column("Dép.", no_wrap=True, min_width=3)
    for title in key_names:
        table.add_column(title, overflow="ellipsis", no_wrap=True, max_width=16)
    for row in rows:
        table.add_row(row.name, row.company, row.city, row.dept or "",
                      *(format_value(row.keys.get(k)) for k in key_names))
    out.print(table)
    shown = f"{len(rows)} of {total}" if len(rows) < total else str(total)
    out.print(f"{shown} contacts", markup=False, style="dim")
