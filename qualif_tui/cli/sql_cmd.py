"""``qualif sql``: any SELECT on the file, read-only, as a table, CSV or JSON."""

from __future__ import annotations

import base64
import csv
import json
import sys
from typing import Any

import click
from rich.table import Table

from qualif_tui.base.i18n import _
from qualif_tui.cli.common import database_argument
from qualif_tui.cli.output import fail, out
from qualif_tui.storage.readonly_sql import (
    SqlFailed,
    SqlRefused,
    describe_file,
    reading,
    run_sql,
)

TABLE_ROWS = 1000  # a table is built in memory: past this, say so and stop


@click.command()
@database_argument
@click.argument("sql", required=False)
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table",
              show_default=True)
@click.option("--param", "params", multiple=True, metavar="VALUE",
              help="Valeur d'un ? de la requête, dans l'ordre (répétable).")
@click.option("--schema", is_flag=True,
              help="Lister les tables et vues lisibles, avec leurs colonnes.")
def sql(db: str, sql: str | None, fmt: str, params: tuple[str, ...], schema: bool) -> None:
    """Lire le fichier en SQL (SELECT seulement : rien n'y est jamais écrit).

    \b
    qualif sql my.db "SELECT city, count(*) FROM contacts GROUP BY city ORDER BY 2 DESC"
    qualif sql my.db "SELECT * FROM contacts_with_keys WHERE Profil = ?" --param client
    qualif sql my.db "SELECT * FROM contacts_with_keys" --format csv > contacts.csv
    qualif sql my.db --schema

    \b
    La vue contacts_with_keys montre chaque contact avec une colonne par clé de
    qualification, sous son nom (voir le README).
    """
    if schema == (sql is not None):
        raise click.UsageError(_("donnez une requête SQL, ou --schema"))
    with reading(db) as database:
        if schema:
            _print_schema(database)
            return
        assert sql is not None
        try:
            result = run_sql(database, sql, params)
            if fmt == "json":
                _print_json(result.columns, result.rows)
            elif fmt == "csv":
                _print_csv(result.columns, result.rows)
            else:
                _print_table(result.columns, result.rows)
        except (SqlRefused, SqlFailed) as error:
            fail(str(error), 2)


def _plain(value: Any) -> Any:
    """A BLOB as base64 (as sqlite-utils writes it), anything else as it is."""
    if isinstance(value, bytes):
        return {"$base64": True, "encoded": base64.b64encode(value).decode("ascii")}
    return value


def _print_json(columns: list[str], rows: Any) -> None:
    # one object at a time: a million rows never sit in memory
    write = sys.stdout.write
    write("[")
    for index, row in enumerate(rows):
        item = {name: _plain(value) for name, value in zip(columns, row, strict=True)}
        write(("\n  " if index == 0 else ",\n  ") + json.dumps(item, ensure_ascii=False))
    write("\n]\n" if columns else "]\n")


def _print_csv(columns: list[str], rows: Any) -> None:
    writer = csv.writer(sys.stdout)
    writer.writerow(columns)
    for row in rows:
        writer.writerow([base64.b64encode(v).decode("ascii") if isinstance(v, bytes) else v
                         for v in row])


def _print_table(columns: list[str], rows: Any) -> None:
    table = Table(show_edge=False, pad_edge=False, header_style="bold")
    for name in columns:
        table.add_column(name, overflow="fold")
    shown = 0
    for row in rows:
        if shown == TABLE_ROWS:
            out.print(table)
            out.print(_("… arrêté à {n} lignes : --format csv ou json pour tout avoir, ou LIMIT")
                      .format(n=TABLE_ROWS), markup=False, style="dim")
            return
        table.add_row(*("" if v is None else f"<{len(v)} octets>" if isinstance(v, bytes)
                        else str(v) for v in row))
        shown += 1
    if columns:
        out.print(table)
    out.print(_("{n} ligne(s)").format(n=shown), markup=False, style="dim")


def _print_schema(database: Any) -> None:
    for relation in describe_file(database):
        columns = ", ".join(f"{name} {kind}".rstrip() for name, kind in relation.columns)
        out.print(f"{relation.kind} {relation.name} ({columns})", markup=False)
