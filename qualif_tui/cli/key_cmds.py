"""``qualif key``: list and define the qualification keys of a file."""

from __future__ import annotations

import click
from rich.table import Table

from qualif_tui.cli.common import database_argument, opened
from qualif_tui.cli.output import err, out
from qualif_tui.domain import keys as keys_service


@click.group()
def key() -> None:
    """Qualification keys: list, add, add values."""


@key.command("list")
@database_argument
def list_(db: str) -> None:
    """Every key, its type and its allowed values, with how many contacts have one."""
    with opened(db, readonly=True) as database:
        table = Table(show_edge=False, pad_edge=False, header_style="bold")
        for title in ("Clé", "Type", "Qualifiés", "Valeurs"):
            table.add_column(title)
        total = database.scalar("SELECT count(*) FROM contacts") or 0
        for k in keys_service.list_keys(database):
            filled = database.scalar(
                f"SELECT count(*) FROM contact_facts WHERE {k.column} IS NOT NULL")
            share = f"{filled} ({100 * filled / total:.0f} %)" if total else "0"
            table.add_row(k.name, keys_service.TYPE_LABELS[k.type], share, k.allowed())
        out.print(table)


@key.command("add")
@database_argument
@click.argument("name")
@click.option("--type", "key_type", type=click.Choice(keys_service.KEY_TYPES), default="choice",
              show_default=True)
@click.option("--values", default="", help="Allowed values, comma-separated (choice keys).")
def add(db: str, name: str, key_type: str, values: str) -> None:
    """Define a new key NAME."""
    with opened(db) as database:
        created = keys_service.define_key(database, name, key_type,
                                          keys_service.split_multi(values))
        count = len(keys_service.list_keys(database))
    out.print(f"key '{created.name}' ({keys_service.TYPE_LABELS[created.type]}) added", markup=False)
    if count > keys_service.RECOMMENDED_MAX_KEYS:
        err.print(f"qualif: note: {count} keys; 4 to {keys_service.RECOMMENDED_MAX_KEYS}"
                  " keep qualifying quick", markup=False)


@key.command("add-value")
@database_argument
@click.argument("name")
@click.argument("value")
def add_value(db: str, name: str, value: str) -> None:
    """Add VALUE to the allowed values of key NAME."""
    with opened(db) as database:
        keys_service.add_value(database, name, value)
    out.print(f"'{value}' added to {name}", markup=False)
