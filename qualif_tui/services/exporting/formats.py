"""The table of export formats: ``--format NAME`` → a writer.

A writer takes the contacts of a query (a :class:`ContactStream`), a binary
stream and the options, and returns an :class:`ExportResult`. Adding a format
is one entry in :data:`EXPORT_FORMATS`, e.g. the agenda of the selected
contacts::

    EXPORT_FORMATS["ics"] = ExportFormat("ics", "iCalendar", ".ics", write_ics)
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from qualif_tui.base.i18n import _
from qualif_tui.query import CompiledQuery
from qualif_tui.services.exporting.rows import ContactStream
from qualif_tui.services.exporting.vcard import write_vcards
from qualif_tui.services.exporting.writers import (
    ExportError,
    ExportOptions,
    ExportResult,
    write_csv,
    write_emails,
    write_json,
    write_xlsx,
)
from qualif_tui.storage import Database
from qualif_tui.storage.files import atomic_file, inspect_target
from qualif_tui.storage.space import describe_write_error


class TargetExists(ExportError):
    """The export's file exists: replace it only once the user said so."""


Writer = Callable[[ContactStream, IO[bytes], ExportOptions], ExportResult]


@dataclass(frozen=True)
class ExportFormat:
    name: str
    label: str
    suffix: str         # the usual file name ending, to guess --format from -o
    write: Writer
    binary: bool = False  # not for a terminal


def write_ics(stream: ContactStream, out: IO[bytes], options: ExportOptions) -> ExportResult:
    """The agenda (not contacts) as iCalendar, between --from and --to."""
    from qualif_tui.domain.ical import export_ics

    if not stream.query.is_everything:
        raise ExportError(_("l'export iCalendar écrit l'agenda, pas des contacts : ne donnez pas de QUERY (choisissez les dates avec --from et --to)"))
    report = export_ics(stream.db, out, options.date_from, options.date_to)
    return ExportResult(report.total, [_("{events} événement(s) et {todos} tâche(s) dans l'agenda").format(events=report.events, todos=report.todos)])


EXPORT_FORMATS: dict[str, ExportFormat] = {
    "csv": ExportFormat("csv", "CSV", ".csv", write_csv),
    "vcf": ExportFormat("vcf", "vCard", ".vcf", write_vcards),
    "xlsx": ExportFormat("xlsx", "Excel workbook", ".xlsx", write_xlsx, binary=True),
    "json": ExportFormat("json", "JSON", ".json", write_json),
    "emails": ExportFormat("emails", "mailing list (Name <address>)", ".txt", write_emails),
    "ics": ExportFormat("ics", "iCalendar (the agenda)", ".ics", write_ics),
}


def format_for_name(filename: str) -> ExportFormat | None:
    """The format a file name's ending suggests (``clients.vcf`` → vcf)."""
    lowered = filename.lower()
    for fmt in EXPORT_FORMATS.values():
        if lowered.endswith(fmt.suffix) and fmt.name != "emails":
            return fmt
    return None


def export_contacts(db: Database, query: CompiledQuery, fmt: str, out: IO[bytes],
                    options: ExportOptions | None = None,
                    progress: Callable[[int], object] | None = None) -> ExportResult:
    """Write the contacts of ``query`` to ``out`` in format ``fmt`` (``progress``: told
    how many contacts were read so far, every few thousand)."""
    return EXPORT_FORMATS[fmt].write(ContactStream(db, query, progress), out,
                                     options or ExportOptions())


def export_to_file(db: Database, query: CompiledQuery, fmt: str, target: Path,
                   options: ExportOptions | None = None,
                   progress: Callable[[int], object] | None = None, *,
                   overwrite: bool = False) -> ExportResult:
    """Export to the file ``target``, written beside it and renamed when complete:
    a failed export never leaves half a file under the name asked for.

    Never writes over the database, a link to it, its journal or a backup
    (:class:`ExportError`); an existing file is replaced only with
    ``overwrite`` (:class:`TargetExists` otherwise: ask the user, then retry
    with ``overwrite=True``; :func:`~qualif_tui.storage.files.inspect_target`
    tells beforehand).
    """
    target = Path(target).expanduser()
    status = inspect_target(db.path, target)
    if status.forbidden:
        raise ExportError(status.forbidden)
    if status.exists and not overwrite:
        raise TargetExists(_("{target} existe déjà").format(target=target))
    folder = target.parent if str(target.parent) else Path(".")
    if not folder.is_dir():
        raise ExportError(_("impossible d'écrire {target} : le dossier {folder} n'existe pas")
                          .format(target=target, folder=folder))
    try:
        with atomic_file(target) as stream:
            return export_contacts(db, query, fmt, stream, options, progress)
    except OSError as error:
        raise ExportError(describe_write_error(target, error)) from None
