"""``qualif import`` and ``qualif export``: files in, files out.

Thin over :mod:`qualif_tui.services.importing` and :mod:`qualif_tui.services.exporting`;
the file kinds come from their format tables, so a new kind (``ics``) is
one entry there and shows up here.
"""

from __future__ import annotations

import contextlib
import io
import os
import sys
from collections.abc import Iterator, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any

import click
from rich.progress import (
    BarColumn,
    Progress,
    TaskID,
    TaskProgressColumn,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table

from qualif_tui.base.i18n import _
from qualif_tui.cli.common import QueryCommand, database_argument, opened
from qualif_tui.cli.output import err, fail, out, tell
from qualif_tui.domain.errors import QualifError
from qualif_tui.domain.keys import list_keys
from qualif_tui.query import compile_query
from qualif_tui.query.stored_facets import refresh as refresh_bitmaps
from qualif_tui.services import exporting, importing
from qualif_tui.services.importing.newvalues import NewValuesRefused, parse_value_map
from qualif_tui.services.importing.plan import ImportPlan
from qualif_tui.storage.erasure import complete_erasure
from qualif_tui.storage.files import inspect_target

# Files bigger than this show a progress bar (a few thousand rows).
_PROGRESS_BYTES = 400_000
_EXAMPLES = 10


# -- import ----------------------------------------------------------------------------


@click.command("import")
@database_argument
@click.argument("files", nargs=-1, metavar="[FILE]...", type=click.Path(path_type=str))
@click.option("--dry-run", is_flag=True, help="Show what would be created, merged and skipped,"
              " and where each column goes; write nothing.")
@click.option("--mapping", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="A column map for odd sheets: lines 'Column = target' (a field such as"
                   " email or Prénom, a key name, note, custom or ignore).")
@click.option("--on-duplicate", type=click.Choice(["skip", "merge"]), default="skip",
              show_default=True, help="What to do with a contact already in the file (same"
                                      " e-mail, else same name and company, else same phone):"
                                      " skip it, or fill the existing contact's empty fields.")
@click.option("--phone-region", default="FR", show_default=True, metavar="CC",
              help="Country of phone numbers written without +CC (for duplicate matching).")
@click.option("--list", "list_batches", is_flag=True, help="List the past imports (batches).")
@click.option("--undo", metavar="BATCH|last", default=None,
              help="Undo an import batch: its contacts, merges and notes go away.")
@click.option("--force", is_flag=True, help="With --undo: undo even if the imported contacts"
                                            " were worked on since (their new history goes too).")
# mail archives (mbox, Maildir, .eml, .msg): see qualif_tui/cli/import_mail.py
@click.option("--create-contacts", "create_contacts", default="none", show_default=True,
              metavar="all|none|min:N", callback=lambda _c, _p, v: _create_choice(v),
              help="Courrier : créer une fiche pour les correspondants sans fiche (tous, aucun,"
                   " ou ceux d'au moins N messages ; listes et no-reply laissés de côté).")
@click.option("--skip-bad", is_flag=True, help="Courrier : importer les messages lisibles et"
                                               " laisser ceux qui ne le sont pas (listés).")
@click.option("--me", multiple=True, metavar="ADRESSE", help="Courrier : votre adresse (répétable),"
              " qui dit si un message est reçu ou envoyé ; gardée dans le fichier (sans FILE :"
              " seulement garder ce réglage).")
@click.option("--excerpt", type=click.IntRange(min=0), default=None, metavar="N",
              help="Courrier : caractères du texte gardés par message (2 000 ; 0 : tout) ;"
                   " gardé dans le fichier.")
@click.option("--new-values", type=click.Choice(["refuse", "add", "map"]), default="refuse",
              show_default=True,
              help=_("Valeurs absentes de la liste d'une clé : refuser l'import en les listant,"
                     " les ajouter à la liste, ou prendre la valeur suggérée (sans suggestion :"
                     " laissée vide, le texte gardé en champ libre)."))
@click.option("--map-value", "map_values", multiple=True, metavar="KEY:VALUE=EXISTING",
              help=_("Décider pour une valeur : « Profil:Clientèle=client » (prendre client),"
                     " « Profil:Clientèle= » (laisser vide), « Profil:Clientèle=+ » (ajouter)."))
def import_(db: str, files: tuple[str, ...], dry_run: bool, mapping: Path | None,
            on_duplicate: str, phone_region: str, list_batches: bool, undo: str | None,
            force: bool, create_contacts: str, skip_bad: bool, me: tuple[str, ...],
            excerpt: int | None, new_values: str, map_values: tuple[str, ...]) -> None:
    """Import contacts from FILE... (CSV, vCard 2.1/3.0/4.0, xlsx) into DB, and e-mail
    archives (mbox, Maildir or Thunderbird folders, .eml, Outlook .msg) into the
    history of the contacts they involve.

    \b
    qualif import contacts.db export-outlook.csv --dry-run
    qualif import contacts.db telephone.vcf carnet.xlsx --on-duplicate merge
    qualif import contacts.db --list
    qualif import contacts.db --undo last
    qualif import contacts.db ~/.thunderbird/x.default/Mail --dry-run --create-contacts min:3
    qualif import contacts.db --me moi@exemple.fr --me moi@gmail.com --excerpt 4000

    All or nothing: a file with broken rows is refused (file, line, column of
    each problem) and DB is left exactly as it was. Each import is a batch
    that --undo takes back.
    """
    if list_batches or undo:
        if files:
            raise click.UsageError("--list and --undo take no FILE")
        if list_batches and undo:
            raise click.UsageError("choose --list or --undo")
        with opened(db) as database:
            if list_batches:
                _print_batches(database, db)
            else:
                _undo(database, undo or "", force)
        return
    from qualif_tui.cli import import_mail

    if not files and (me or excerpt is not None) and not dry_run:
        with opened(db) as database:  # the mail settings alone, for the next imports
            import_mail.mail_settings(database, me, excerpt)
        return
    if not files:
        raise click.UsageError("give at least one FILE to import (or --list / --undo)")

    mail = [name for name in files if import_mail.is_mail(name)]
    contact_files, other = _split_by_format([name for name in files if name not in mail])
    with opened(db) as database:
        value_map = parse_value_map(map_values, list_keys(database)) if map_values else {}
        options = importing.ImportOptions(on_duplicate=on_duplicate, region=phone_region.upper(),
                                          mapping=mapping, new_values=new_values,
                                          value_map=value_map)
        if mail:
            import_mail.import_mail(database, db, mail, dry_run=dry_run, create=create_contacts,
                                    skip_bad=skip_bad, me=me, excerpt=excerpt)
        for fmt, paths in other.items():
            assert fmt.run is not None
            outcome = fmt.run(database, [Path(p) for p in paths],
                              {"dry_run": dry_run, "db_name": db})
            _print_outcome(outcome)
        if contact_files:
            _import_contacts(database, db, contact_files, options, dry_run)


def _create_choice(value: str) -> str:
    from qualif_tui.services.mailimport import parse_create

    try:
        return parse_create(value)
    except ValueError as error:
        raise click.BadParameter(str(error)) from None


def _split_by_format(files: Sequence[str]
                     ) -> tuple[list[str], dict[importing.ImportFormat, list[str]]]:
    """Contact files for the shared pipeline; files of formats with their own ``run``."""
    contacts: list[str] = []
    other: dict[importing.ImportFormat, list[str]] = {}
    for name in files:
        try:
            fmt = importing.format_of(importing.read_source(Path(name), name))
        except importing.SourceError:
            contacts.append(name)  # the pipeline reports it with every other problem
            continue
        if fmt.run is not None:
            other.setdefault(fmt, []).append(name)
        else:
            contacts.append(name)
    return contacts, other


def _import_contacts(database: Any, db_name: str, files: list[str],
                     options: importing.ImportOptions, dry_run: bool) -> None:
    big = err.is_terminal and sum(_size(f) for f in files) > _PROGRESS_BYTES
    try:
        with _progress(big) as report:
            plan = importing.plan_import(database, [Path(f) for f in files], options,
                                         progress=report, names=files)
            if dry_run:
                result = None
            else:
                result = importing.apply_plan(database, plan, progress=report)
                refresh_bitmaps(database)  # many new contacts: the stored bitmaps follow
    except importing.ImportRefused as refused:
        err.print("[bold red]qualif:[/] import refused, the database was not changed:",
                  markup=True)
        for line in refused.lines:
            err.print(f"  {line}", markup=False)
        sys.exit(1)
    except NewValuesRefused as refused:
        err.print(f"[bold red]qualif:[/] {refused}", markup=True, highlight=False)
        sys.exit(1)
    _print_files(plan)
    if dry_run:
        _print_columns(plan)
        _print_examples(plan)
    _print_summary(plan, dry_run)
    if result is None:
        out.print("dry run: nothing was written", markup=False, style="dim")
    elif result.batch_id is None:
        out.print("nothing new: the database already holds every contact of the file(s)",
                  markup=False)
    else:
        out.print(f"import #{result.batch_id} done; to take it back: qualif import {db_name}"
                  f" --undo {result.batch_id}", markup=False)


def _size(name: str) -> int:
    try:
        return os.path.getsize(name)
    except OSError:
        return 0


@contextlib.contextmanager
def _progress(enabled: bool) -> Iterator[Any]:
    columns = (TextColumn("{task.description}"), BarColumn(), TaskProgressColumn(),
               TimeElapsedColumn())
    with Progress(*columns, console=err, transient=True, disable=not enabled) as progress:
        tasks: dict[str, TaskID] = {}

        def report(stage: str, done: int, total: int) -> None:
            if stage not in tasks:
                tasks[stage] = progress.add_task(stage, total=total or None)
            progress.update(tasks[stage], completed=done, total=total or None)

        yield report


def _print_files(plan: ImportPlan) -> None:
    for described in importing.summarize_plan(plan).files:
        out.print(f"{described.source} : {described.about}", markup=False)


def _print_columns(plan: ImportPlan) -> None:
    for parsed in plan.files:
        if not parsed.columns:
            continue
        table = Table(title=f"{parsed.source}: columns", title_justify="left", show_edge=False,
                      header_style="bold")
        table.add_column("Column")
        table.add_column("Goes to")
        for use in parsed.columns:
            table.add_row(use.column, use.target)
        out.print(table)


def _print_examples(plan: ImportPlan) -> None:
    if plan.creates:
        out.print(f"would create {len(plan.creates)}:", markup=False)
        for record in plan.creates[:_EXAMPLES]:
            out.print(f"  {record.source}:{record.line}  {record.label}", markup=False)
        _more(len(plan.creates))
    if plan.merges:
        out.print(f"would complete {len(plan.merges)} existing contact(s):", markup=False)
        for merge in plan.merges[:_EXAMPLES]:
            what = [*merge.fields, *(plan.keys[k].name for k in merge.keys), *merge.custom]
            if merge.notes:
                what.append(f"{len(merge.notes)} note(s)")
            out.print(f"  {merge.record.source}:{merge.record.line}  → {merge.label}:"
                      f" {', '.join(what)}", markup=False)
        _more(len(plan.merges))
    if plan.skips:
        out.print(f"would skip {len(plan.skips)} duplicate(s):", markup=False)
        for skip in plan.skips[:_EXAMPLES]:
            out.print(f"  {skip.record.source}:{skip.record.line}  {skip.record.label}:"
                      f" {skip.reason}", markup=False)
        _more(len(plan.skips))


def _more(total: int) -> None:
    if total > _EXAMPLES:
        out.print(f"  … and {total - _EXAMPLES} more", markup=False, style="dim")


def _print_summary(plan: ImportPlan, dry_run: bool) -> None:
    table = Table(title="Import" + (" (dry run)" if dry_run else ""), title_justify="left",
                  show_header=False, show_edge=False)
    table.add_column(style="bold")
    table.add_column()
    for label, value in importing.summarize_plan(plan, done=not dry_run).counts:
        table.add_row(label, value)
    out.print(table)
    if plan.value_decisions:
        out.print(_("Valeurs absentes des listes des clés :"), markup=False)
        for decision in plan.value_decisions:
            out.print(f"  {decision.describe()}", markup=False)
        if plan.unresolved and dry_run:
            out.print(_("l'import serait refusé : décidez avec --new-values add|map ou"
                        " --map-value « Clé:valeur=existante »"), markup=False, style="dim")
    notices = plan.notices
    if notices:
        err.print(f"qualif: {len(notices)} value(s) kept as custom fields:", markup=False)
        for notice in notices[:20]:
            err.print(f"  {notice.describe()}", markup=False)
        if len(notices) > 20:
            err.print(f"  … and {len(notices) - 20} more", markup=False)


def _print_outcome(outcome: importing.ImportOutcome) -> None:
    table = Table(title=outcome.title, title_justify="left", show_header=False, show_edge=False)
    table.add_column(style="bold")
    table.add_column()
    for label, value in outcome.rows:
        table.add_row(label, value)
    out.print(table)


def _print_batches(database: Any, db_name: str) -> None:
    batches = importing.list_batches(database)
    if not batches:
        out.print("no import yet", markup=False)
        return
    table = Table(show_edge=False, header_style="bold")
    mail = any(batch.entries for batch in batches)  # the column only when there are some
    for title in ("#", "date", "files", "created", "merged", "skipped", "e-mails", "undone"):
        if title != "e-mails" or mail:
            table.add_column(title)
    for batch in batches:
        created, merged, skipped = batch.counts
        names = ", ".join(Path(name).name for name in batch.source.split(", "))
        cells = [str(batch.id), batch.created.replace("T", " "), names, str(created),
                 str(merged), str(skipped)]
        if mail:
            cells.append(str(batch.entries) if batch.entries else "")
        table.add_row(*cells, (batch.undone or "").replace("T", " "))
    out.print(table)
    out.print(f"undo one with: qualif import {db_name} --undo NUMBER (or --undo last)",
              markup=False, style="dim")


def _undo(database: Any, which: str, force: bool) -> None:
    result = importing.undo_batch(database, which, force=force)
    # the deleted contacts' words leave the full-text index too (issue 9)
    complete_erasure(database, notify=tell if result.deleted > 10_000 else None)
    refresh_bitmaps(database)
    out.print(f"import #{result.batch_id} undone: {result.deleted} contact(s) deleted,"
              f" {result.reverted} merge(s) reverted"
              + (f", {result.deals} deal(s) deleted" if result.deals else "")
              + (f", {result.entries} e-mail(s) removed" if result.entries else ""), markup=False)
    if result.removed_values:
        out.print("key values removed: " + "; ".join(
            f"{k}: {', '.join(v)}" for k, v in result.removed_values.items()), markup=False)
    if result.kept_changes:
        err.print("qualif: changed since the import, left as they are: "
                  + ", ".join(result.kept_changes[:20]), markup=False)


# -- export ------------------------------------------------------------------------------


class _LiveChoice(click.Choice):  # type: ignore[type-arg]
    """The names of a format table as they are when the command runs, so a format
    registered after this module was imported (iCalendar) is accepted too."""

    def __init__(self, table: dict[str, Any]) -> None:
        self._table = table
        super().__init__(list(table))

    @property  # type: ignore[override]
    def choices(self) -> list[str]:
        return list(self._table)

    @choices.setter
    def choices(self, value: Any) -> None:
        pass  # always read from the table


@click.command("export", cls=QueryCommand)
@database_argument
@click.argument("query", nargs=-1)
@click.option("--format", "fmt", type=_LiveChoice(exporting.EXPORT_FORMATS), default=None,
              help="Output format (default: from the -o file name's ending).")
@click.option("-o", "--output", default="-", show_default=True, metavar="FILE|-",
              help="Where to write; - is the standard output.")
@click.option("--excel-fr", is_flag=True, help="CSV for old French Excel: cp1252 and ';'.")
@click.option("--separator", type=click.Choice([";", ",", "tab"]), default=";",
              show_default=True, help="CSV cell separator (';' is what French Excel expects).")
@click.option("--vcard-version", type=click.Choice(["3.0", "4.0"]), default="3.0",
              show_default=True)
@click.option("--from", "date_from", metavar="DATE", default=None,
              help="iCalendar: from this day (2026-12-01, 1/12, lundi, +3d…).")
@click.option("--to", "date_to", metavar="DATE", default=None,
              help="iCalendar: up to this day, included.")
@click.option("--force", is_flag=True,
              help="Replace FILE if it exists (never the database, its journal or a backup).")
def export(db: str, query: tuple[str, ...], fmt: str | None, output: str, excel_fr: bool,
           separator: str, vcard_version: str, date_from: str | None, date_to: str | None,
           force: bool) -> None:
    """Export the contacts matching QUERY (every contact if empty).

    \b
    qualif export contacts.db --format csv -o contacts.csv
    qualif export contacts.db 'profil:client' -o clients.vcf --vcard-version 4.0
    qualif export contacts.db 'profil:prospect' --format emails    # for a BCC field
    qualif export contacts.db -o agenda.ics --from 2026-12-01 --to 2026-12-31
    """
    if fmt is None:
        guessed = exporting.format_for_name(output) if output != "-" else None
        if guessed is None:
            raise click.UsageError("choose a --format (" + ", ".join(exporting.EXPORT_FORMATS)
                                   + ") or an -o FILE ending in one")
        fmt = guessed.name
    chosen = exporting.EXPORT_FORMATS[fmt]
    if output == "-" and chosen.binary and sys.stdout.isatty():
        fail(f"{chosen.label} is binary: give -o FILE, or redirect the output")
    if (date_from or date_to) and fmt != "ics":
        raise click.UsageError("--from and --to choose the dates of an iCalendar export")
    options = exporting.ExportOptions(excel_fr=excel_fr,
                                      separator="\t" if separator == "tab" else separator,
                                      vcard_version=vcard_version,
                                      date_from=_day(date_from, "--from"),
                                      date_to=_day(date_to, "--to"))
    if output == "-":
        _refuse_stdout_into(Path(db))
    else:
        status = inspect_target(Path(db), Path(output))
        if status.forbidden:
            fail(status.forbidden)
        if status.exists and not force:
            fail(_("{target} existe déjà : --force pour le remplacer").format(target=output))
    with opened(db, readonly=True) as database:
        compiled = compile_query(database, " ".join(query))
        for warning in compiled.warnings:
            err.print(f"qualif: warning: {warning}", markup=False)
        if output == "-":
            result = exporting.export_contacts(database, compiled, fmt, sys.stdout.buffer, options)
            sys.stdout.buffer.flush()
        else:
            result = exporting.export_to_file(database, compiled, fmt, Path(output), options,
                                              overwrite=force)
    for message in result.messages:
        err.print(f"qualif: {message}", markup=False)
    where = "" if output == "-" else f" to {output}"
    what = "item(s)" if fmt == "ics" else "contact(s)"
    err.print(f"qualif: {result.written} {what} written{where} ({chosen.label})", markup=False)


def _refuse_stdout_into(db: Path) -> None:
    """``qualif export DB >> DB`` would append a CSV to the database."""
    try:
        out_stat, db_stat = os.fstat(sys.stdout.fileno()), os.stat(db)
    except (OSError, ValueError, io.UnsupportedOperation):
        return
    if (out_stat.st_dev, out_stat.st_ino) == (db_stat.st_dev, db_stat.st_ino):
        fail(_("la sortie standard est la base de données {db} elle-même : rien n'a été"
               " écrit").format(db=db))


def _day(text: str | None, option: str) -> date | None:
    """A day typed in any form the agenda understands (natural dates included)."""
    if not text:
        return None
    from qualif_tui.domain.agenda.natural import parse_when

    try:
        value = parse_when(text).value
    except QualifError as error:
        raise click.BadParameter(str(error), param_hint=option) from None
    return value.date() if isinstance(value, datetime) else value
