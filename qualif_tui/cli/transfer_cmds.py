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
from qualif_tui.cli.output import err, escape, fail, out, tell
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
@click.option("--dry-run", is_flag=True, help="Montrer ce qui serait créé, fusionné et ignoré,"
                                              " et où va chaque colonne ; ne rien écrire.")
@click.option("--mapping", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Une correspondance de colonnes pour les feuilles insolites : des lignes "
                   "'Colonne = cible' (un champ comme email ou Prénom, un nom de clé, note, "
                   "custom ou ignore).")
@click.option("--on-duplicate", type=click.Choice(["skip", "merge"]), default="skip",
              show_default=True, help="Que faire d'un contact déjà dans le fichier (même "
                                      "e-mail, sinon même nom et société, sinon même "
                                      "téléphone) : l'ignorer, ou compléter les champs vides "
                                      "du contact existant.")
@click.option("--phone-region", default="FR", show_default=True, metavar="CC",
              help="Pays des numéros de téléphone écrits sans +indicatif (pour reconnaître les"
                   " doublons).")
@click.option("--list", "list_batches", is_flag=True, help="Lister les imports passés (lots).")
@click.option("--undo", metavar="BATCH|last", default=None,
              help="Annuler un lot d'import : ses contacts, fusions et notes s'en vont.")
@click.option("--force", is_flag=True, help="Avec --undo : annuler même si les contacts "
                                            "importés ont été travaillés depuis (leur nouvel "
                                            "historique part aussi).")
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
              help="Valeurs absentes de la liste d'une clé : refuser l'import en les listant,"
                     " les ajouter à la liste, ou prendre la valeur suggérée (sans suggestion :"
                     " laissée vide, le texte gardé en champ libre).")
@click.option("--map-value", "map_values", multiple=True, metavar="KEY:VALUE=EXISTING",
              help="Décider pour une valeur : « Profil:Clientèle=client » (prendre client),"
                     " « Profil:Clientèle= » (laisser vide), « Profil:Clientèle=+ » (ajouter).")
def import_(db: str, files: tuple[str, ...], dry_run: bool, mapping: Path | None,
            on_duplicate: str, phone_region: str, list_batches: bool, undo: str | None,
            force: bool, create_contacts: str, skip_bad: bool, me: tuple[str, ...],
            excerpt: int | None, new_values: str, map_values: tuple[str, ...]) -> None:
    """Importer des contacts de FILE... (CSV, vCard 2.1/3.0/4.0, xlsx) dans DB, et des archives
    de courrier (mbox, Maildir ou dossiers Thunderbird, .eml, Outlook .msg) dans
    l'historique des contacts qu'elles concernent.

    \b
    qualif import contacts.db export-outlook.csv --dry-run
    qualif import contacts.db telephone.vcf carnet.xlsx --on-duplicate merge
    qualif import contacts.db --list
    qualif import contacts.db --undo last
    qualif import contacts.db ~/.thunderbird/x.default/Mail --dry-run --create-contacts min:3
    qualif import contacts.db --me moi@exemple.fr --me moi@gmail.com --excerpt 4000

    Tout ou rien : un fichier aux lignes cassées est refusé (fichier, ligne, colonne de
    chaque problème) et DB reste exactement tel qu'il était. Chaque import est un lot
    que --undo reprend.
    """
    if list_batches or undo:
        if files:
            raise click.UsageError(_("--list et --undo ne prennent pas de FILE"))
        if list_batches and undo:
            raise click.UsageError(_("choisissez --list ou --undo"))
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
        raise click.UsageError(_("donnez au moins un FILE à importer (ou --list / --undo)"))
    from qualif_tui.cli import import_mail

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
        err.print("[bold red]qualif:[/] " + escape(_("import refusé, la base n'a pas changé :")),
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
        out.print(_("essai : rien n'a été écrit"), markup=False, style="dim")
    elif result.batch_id is None:
        out.print(_("rien de nouveau : la base contient déjà tous les contacts du ou des fichiers"),
                  markup=False)
    else:
        out.print(_("import n° {batch} fait ; pour le reprendre : qualif import {db} --undo {batch}")
                  .format(batch=result.batch_id, db=db_name), markup=False)


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
        table = Table(title=_("{source} : colonnes").format(source=parsed.source), title_justify="left", show_edge=False,
                      header_style="bold")
        table.add_column(_("Colonne"))
        table.add_column(_("Va dans"))
        for use in parsed.columns:
            table.add_row(use.column, use.target)
        out.print(table)


def _print_examples(plan: ImportPlan) -> None:
    if plan.creates:
        out.print(_("créerait {n} :").format(n=len(plan.creates)), markup=False)
        for record in plan.creates[:_EXAMPLES]:
            out.print(f"  {record.source}:{record.line}  {record.label}", markup=False)
        _more(len(plan.creates))
    if plan.merges:
        out.print(_("compléterait {n} contact(s) existant(s) :").format(n=len(plan.merges)),
                  markup=False)
        for merge in plan.merges[:_EXAMPLES]:
            what = [*merge.fields, *(plan.keys[k].name for k in merge.keys), *merge.custom]
            if merge.notes:
                what.append(_("{n} note(s)").format(n=len(merge.notes)))
            out.print(f"  {merge.record.source}:{merge.record.line}  → {merge.label}:"
                      f" {', '.join(what)}", markup=False)
        _more(len(plan.merges))
    if plan.skips:
        out.print(_("ignorerait {n} doublon(s) :").format(n=len(plan.skips)), markup=False)
        for skip in plan.skips[:_EXAMPLES]:
            out.print(f"  {skip.record.source}:{skip.record.line}  {skip.record.label}:"
                      f" {skip.reason}", markup=False)
        _more(len(plan.skips))


def _more(total: int) -> None:
    if total > _EXAMPLES:
        out.print(_("  … et {n} de plus").format(n=total - _EXAMPLES), markup=False, style="dim")


def _print_summary(plan: ImportPlan, dry_run: bool) -> None:
    table = Table(title=_("Import (essai)") if dry_run else _("Import"), title_justify="left",
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
        err.print(_("qualif : {n} valeur(s) gardée(s) en champs libres :").format(n=len(notices)),
                  markup=False)
        for notice in notices[:20]:
            err.print(f"  {notice.describe()}", markup=False)
        if len(notices) > 20:
            err.print(_("  … et {n} de plus").format(n=len(notices) - 20), markup=False)


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
        out.print(_("aucun import pour l'instant"), markup=False)
        return
    table = Table(show_edge=False, header_style="bold")
    mail = any(batch.entries for batch in batches)  # the column only when there are some
    titles = {"#": "#", "date": _("date"), "files": _("fichiers"), "created": _("créés"),
              "merged": _("fusionnés"), "skipped": _("ignorés"), "e-mails": _("e-mails"),
              "undone": _("annulé")}
    for name, title in titles.items():
        if name != "e-mails" or mail:
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
    out.print(_("en annuler un : qualif import {db} --undo NUMÉRO (ou --undo last)").format(db=db_name),
              markup=False, style="dim")


def _undo(database: Any, which: str, force: bool) -> None:
    result = importing.undo_batch(database, which, force=force)
    # the deleted contacts' words leave the full-text index too (issue 9)
    complete_erasure(database, notify=tell if result.deleted > 10_000 else None)
    refresh_bitmaps(database)
    out.print(_("import n° {batch} annulé : {deleted} contact(s) supprimé(s), {reverted} fusion(s)"
                " défaite(s)").format(batch=result.batch_id, deleted=result.deleted,
                                      reverted=result.reverted)
              + (_(", {n} affaire(s) supprimée(s)").format(n=result.deals) if result.deals else "")
              + (_(", {n} e-mail(s) retiré(s)").format(n=result.entries) if result.entries
                 else ""), markup=False)
    if result.removed_values:
        out.print(_("valeurs de clés retirées : ") + "; ".join(
            f"{k}: {', '.join(v)}" for k, v in result.removed_values.items()), markup=False)
    if result.kept_changes:
        err.print(_("qualif : modifiés depuis l'import, laissés tels quels : ")
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
              help="Format de sortie (par défaut : d'après la fin du nom de fichier de -o).")
@click.option("-o", "--output", default="-", show_default=True, metavar="FILE|-",
              help="Où écrire ; - est la sortie standard.")
@click.option("--excel-fr", is_flag=True, help="CSV pour les anciens Excel français : cp1252 "
                                               "et ';'.")
@click.option("--separator", type=click.Choice([";", ",", "tab"]), default=";",
              show_default=True, help="Séparateur de cellules CSV (';' est ce qu'attend Excel "
                                      "en français).")
@click.option("--vcard-version", type=click.Choice(["3.0", "4.0"]), default="3.0",
              show_default=True)
@click.option("--from", "date_from", metavar="DATE", default=None,
              help="iCalendar : à partir de ce jour (2026-12-01, 1/12, lundi, +3d…).")
@click.option("--to", "date_to", metavar="DATE", default=None,
              help="iCalendar : jusqu'à ce jour, inclus.")
@click.option("--force", is_flag=True,
              help="Remplacer FILE s'il existe (jamais la base, son journal ou une sauvegarde).")
def export(db: str, query: tuple[str, ...], fmt: str | None, output: str, excel_fr: bool,
           separator: str, vcard_version: str, date_from: str | None, date_to: str | None,
           force: bool) -> None:
    """Exporter les contacts que QUERY trouve (tous les contacts si vide).

    \b
    qualif export contacts.db --format csv -o contacts.csv
    qualif export contacts.db 'profil:client' -o clients.vcf --vcard-version 4.0
    qualif export contacts.db 'profil:prospect' --format emails    # pour un champ Cci
    qualif export contacts.db -o agenda.ics --from 2026-12-01 --to 2026-12-31
    """
    if fmt is None:
        guessed = exporting.format_for_name(output) if output != "-" else None
        if guessed is None:
            raise click.UsageError(_("choisissez un --format ({formats}) ou un -o FILE qui finit par l'un d'eux")
                                   .format(formats=", ".join(exporting.EXPORT_FORMATS)))
        fmt = guessed.name
    chosen = exporting.EXPORT_FORMATS[fmt]
    if output == "-" and chosen.binary and sys.stdout.isatty():
        fail(_("{format} est binaire : donnez -o FILE, ou redirigez la sortie").format(
            format=chosen.label))
    if (date_from or date_to) and fmt != "ics":
        raise click.UsageError(_("--from et --to choisissent les dates d'un export iCalendar"))
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
            err.print(_("qualif : attention : {warning}").format(warning=warning), markup=False)
        if output == "-":
            result = exporting.export_contacts(database, compiled, fmt, sys.stdout.buffer, options)
            sys.stdout.buffer.flush()
        else:
            result = exporting.export_to_file(database, compiled, fmt, Path(output), options,
                                              overwrite=force)
    for message in result.messages:
        err.print(f"qualif: {message}", markup=False)
    if fmt == "ics":
        done = _("qualif : {n} élément(s) écrit(s)").format(n=result.written)
    else:
        done = _("qualif : {n} contact(s) écrit(s)").format(n=result.written)
    where = "" if output == "-" else _(" dans {output}").format(output=output)
    err.print(f"{done}{where} ({chosen.label})", markup=False)


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
