"""``qualif init``, ``check`` and ``backup``: the file itself."""

from __future__ import annotations

import time
from pathlib import Path

import click
from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeElapsedColumn

from qualif_tui.base.i18n import _
from qualif_tui.cli.common import CURRENT, database_argument, opened
from qualif_tui.cli.output import err, fail, out
from qualif_tui.storage import backup_database, check_database, open_database
from qualif_tui.storage.files import backups_folder, list_backups
from qualif_tui.storage.integrity import damage_message, restore_advice


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
    CURRENT["db"] = db  # a full disk is told about this file's folder
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
        if contacts:
            from qualif_tui.query.stored_facets import refresh

            refresh(database, force=True)  # one-shot queries count on them from the start
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
    """Check integrity (full), foreign keys, the schema and the schema version."""
    # no quick check on open: the full check below reports the details
    with opened(db, readonly=True, quick_check=False, verify_schema=False) as database:
        report = check_database(database)
    problems = report.problems
    out.print(_("fichier : {path}").format(path=report.path), markup=False)
    out.print(_("version du schéma : {version}").format(version=report.schema_version),
              markup=False)
    if problems:
        out.print(_("intégrité : ENDOMMAGÉ ({n} problème(s))").format(n=len(problems)),
                  markup=False)
    else:
        out.print(_("intégrité : ok"), markup=False)
    for line in problems[:_SHOWN]:
        out.print(f"  {line}", markup=False)
    if len(problems) > _SHOWN:
        out.print(_("  … et {n} autres").format(n=len(problems) - _SHOWN), markup=False)
    out.print(_("clés étrangères : ") + ("ok" if not report.foreign_keys else _("CASSÉES")),
              markup=False)
    for line in report.foreign_keys[:_SHOWN]:
        out.print(f"  {line}", markup=False)
    out.print(_("schéma : ") + ("ok" if not report.schema else _("INATTENDU")), markup=False)
    for line in report.schema[:_SHOWN]:
        out.print(f"  {line}", markup=False)
    out.print(_("lignes : ") + ", ".join(f"{n} {table}" for table, n in report.counts.items()
                                        if n >= 0), markup=False)
    out.print(_("dernière vérification complète réussie : {when}").format(
        when=report.last_full_check or _("jamais")), markup=False)
    backups = list_backups(report.path)
    out.print(_("sauvegardes : {n} dans {folder}").format(
        n=len(backups), folder=backups_folder(report.path)), markup=False)
    for backup_file in backups[:_SHOWN]:
        out.print(f"  {backup_file.path.name}", markup=False)
    if not report.ok:
        if problems:
            fail(damage_message(report.path, problems))
        if report.schema:
            fail(_("{path} contient des éléments que qualif ne connaît pas ({what}) : {advice}")
                 .format(path=report.path, what="; ".join(report.schema[:_SHOWN]),
                         advice=restore_advice(report.path)))
        fail(_("{path} a des problèmes : {advice}").format(path=report.path,
                                                           advice=restore_advice(report.path)))


_SHOWN = 5


@click.command()
@database_argument
@click.argument("dest", required=False, type=click.Path(path_type=str))
def backup(db: str, dest: str | None) -> None:
    """Write a consistent copy of DB (default: in its backups folder, STEM-backups/)."""
    with opened(db, readonly=True) as database:
        target = backup_database(database, dest)
    out.print(str(target), markup=False)
