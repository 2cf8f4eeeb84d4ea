"""``qualif init``, ``check`` and ``backup``: the file itself."""

from __future__ import annotations

import time
from pathlib import Path

import click
from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeElapsedColumn

from qualif_tui.cli.common import database_argument, opened
from qualif_tui.cli.output import err, fail, out
from qualif_tui.storage import backup_database, check_database, open_database


@click.command()
@database_argument
@click.option("--demo", is_flag=True, help="Fill it with the demo data (a car dealership).")
@click.option("--contacts", "count", type=click.IntRange(min=0), default=None,
              help="Generate N realistic contacts (benchmarks, trials).")
@click.option("--seed", type=int, default=1, show_default=True,
              help="Seed of the generator: the same seed gives the same contacts.")
@click.option("--force", is_flag=True, help="Replace DB if it exists.")
def init(db: str, demo: bool, count: int | None, seed: int, force: bool) -> None:
    """Create a database file at DB (empty, demo, or generated)."""
    path = Path(db)
    if demo and count is not None:
        raise click.UsageError("choose --demo or --contacts, not both")
    if path.exists() and not force:
        fail(f"{path} already exists (use --force to replace it)")
    started = time.perf_counter()
    if demo:
        from qualif_tui.services.demo import build_demo

        build_demo(path, overwrite=force)
    elif count is not None:
        _generate(path, count, seed, force)
    else:
        if force and path.exists():
            path.unlink()
        open_database(path, create=True).close()
    with opened(db) as database:
        contacts = database.scalar("SELECT count(*) FROM contacts")
    elapsed = time.perf_counter() - started
    err.print(f"qualif: {path} ready, {contacts} contacts ({elapsed:.1f} s)", markup=False)


def _generate(path: Path, count: int, seed: int, force: bool) -> None:
    from qualif_tui.services.generator import generate_database

    columns = (TextColumn("{task.description}"), BarColumn(), TaskProgressColumn(),
               TimeElapsedColumn())
    with Progress(*columns, console=err, transient=True, disable=count < 20_000) as progress:
        contacts_task = progress.add_task("contacts", total=count)
        index_task = progress.add_task("indexes", total=1, visible=False)

        def advance(stage: str, done: int, total: int) -> None:
            if stage == "contacts":
                progress.update(contacts_task, completed=done)
            else:
                progress.update(index_task, visible=True, completed=done)

        generate_database(path, count, seed, progress=advance, overwrite=force)


@click.command()
@database_argument
def check(db: str) -> None:
    """Check integrity (full), foreign keys and the schema version."""
    # no quick check on open: the full check below reports the details
    with opened(db, readonly=True, quick_check=False) as database:
        report = check_database(database)
    out.print(f"file: {report.path}", markup=False)
    out.print(f"schema version: {report.schema_version}", markup=False)
    out.print("integrity: " + ("ok" if report.integrity == ["ok"] else "DAMAGED"), markup=False)
    for line in report.integrity if report.integrity != ["ok"] else []:
        out.print(f"  {line}", markup=False)
    out.print("foreign keys: " + ("ok" if not report.foreign_keys else "BROKEN"), markup=False)
    for line in report.foreign_keys:
        out.print(f"  {line}", markup=False)
    out.print("rows: " + ", ".join(f"{n} {table}" for table, n in report.counts.items()),
              markup=False)
    if not report.ok:
        fail(f"{report.path} has problems: restore a backup (qualif backup makes them)")


@click.command()
@database_argument
@click.argument("dest", required=False, type=click.Path(path_type=str))
def backup(db: str, dest: str | None) -> None:
    """Write a consistent copy of DB (default: beside it, stamped with the time)."""
    with opened(db, readonly=True) as database:
        target = backup_database(database, dest)
    out.print(str(target), markup=False)
