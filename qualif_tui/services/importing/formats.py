"""The table of importable file kinds: how each is recognised and read.

A contact format has a ``read`` turning a file into a :class:`ParsedFile`;
every contact format then shares duplicate matching, the batch and undo.
A format that imports something other than contacts (iCalendar for the
agenda) gives ``run`` instead and does its own writing; the command line
calls it with the files of that kind. Adding a format is one entry in
:data:`IMPORT_FORMATS`, e.g.::

    IMPORT_FORMATS.insert(0, ImportFormat("ics", "iCalendar", (".ics",),
                                          sniff=looks_like_ics, run=import_calendar))

Formats are tried in order; CSV, the text fallback, stays last.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from qualif_tui.base.i18n import _
from qualif_tui.domain.keyheaders import parse_key_header
from qualif_tui.domain.keys import QualKey
from qualif_tui.services.importing import csvfile, sniff, tabular, vcard, xlsx
from qualif_tui.services.importing.headers import Target, norm_header, plan_columns
from qualif_tui.services.importing.keyvalues import KeyCatalog
from qualif_tui.services.importing.model import ParsedFile, Problem
from qualif_tui.services.importing.sniff import Source, SourceError
from qualif_tui.storage import Database


@dataclass
class ReadContext:
    """What a reader needs besides the file."""

    keys: Sequence[QualKey]
    catalog: KeyCatalog
    mapping: dict[str, Target] | None = None
    progress: Callable[[int], None] | None = None


@dataclass
class ImportOutcome:
    """What a ``run`` format reports, printed as a two-column table."""

    title: str
    rows: list[tuple[str, str]] = field(default_factory=list)
    batch_id: int | None = None


Reader = Callable[[Source, ReadContext], ParsedFile]
Runner = Callable[[Database, Sequence[Path], dict[str, Any]], ImportOutcome]


@dataclass(frozen=True)
class ImportFormat:
    name: str
    label: str
    suffixes: tuple[str, ...]
    sniff: Callable[[Source], bool]
    read: Reader | None = None
    run: Runner | None = None


def _read_csv(source: Source, context: ReadContext) -> ParsedFile:
    decoded = sniff.decode_text(source)
    parsed = ParsedFile(source.path, source.name, "csv", encoding=decoded.encoding)
    parsed.problems.extend(decoded.problems)
    text = decoded.text
    parsed.separator = sniff.detect_separator(text)
    table = csvfile.read_csv(text, parsed.separator, source.name, context.progress)
    parsed.problems.extend(table.problems)
    _read_table(parsed, table, context)
    return parsed


def _read_xlsx(source: Source, context: ReadContext) -> ParsedFile:
    parsed = ParsedFile(source.path, source.name, "xlsx", encoding="xlsx")
    for name, kind, values, remind in xlsx.read_key_sheet(source):
        context.catalog.declare(name, kind, values, remind)  # qualif's own export
    table = xlsx.read_xlsx(source, context.progress)
    parsed.problems.extend(table.problems)
    _read_table(parsed, table, context)
    return parsed


def _read_table(parsed: ParsedFile, table: csvfile.Table, context: ReadContext) -> None:
    if not table.header:
        raise SourceError(_("{source} : ni ligne d'en-tête ni lignes").format(source=parsed.source))
    names, declared = _declare_key_columns(table.header, context)
    mapping = {**declared, **(context.mapping or {})} if declared else context.mapping
    plan = plan_columns(names, _known_keys(context), mapping)
    parsed.profile = plan.profile
    if not plan.recognised:
        shown = ", ".join(h for h in table.header[:6] if h) or "(empty)"
        raise SourceError(
            _("{source}, ligne {header_line} : aucune colonne reconnaissable dans l'en-tête ({shown}{value}) ; nommez les colonnes (Nom, Prénom, Société, E-mail, Téléphone, Code postal…) ou donnez --mapping").format(source=parsed.source, header_line=table.header_line, shown=shown, value=', …' if len(table.header) > 6 else ''))
    if not table.rows and not table.problems:
        parsed.problems.append(Problem(parsed.source, table.header_line,
                                       _("une ligne d'en-tête mais aucun contact dessous")))
    tabular.rows_to_contacts(parsed, table, plan, context.catalog, context.progress)


def _declare_key_columns(header: list[str], context: ReadContext
                         ) -> tuple[list[str], dict[str, Target]]:
    """Headers written by qualif's own export, ``Profil (clé : choix)``, name a key
    (created if the database lacks it), whatever field such a name would mean
    otherwise ("Remarque"): the headers by key name, and those columns' targets."""
    names = []
    targets: dict[str, Target] = {}
    for text in header:
        declared = parse_key_header(text)
        if declared is None:
            names.append(text)
            continue
        key = context.catalog.declare(*declared)
        names.append(key.name)
        targets[norm_header(key.name)] = Target("key", str(key.id))
    return names, targets


def _known_keys(context: ReadContext) -> list[QualKey]:
    return [*context.keys, *context.catalog.declared.values()]


def _read_vcard(source: Source, context: ReadContext) -> ParsedFile:
    decoded = sniff.decode_text(source)
    parsed = ParsedFile(source.path, source.name, "vcard", encoding=decoded.encoding)
    parsed.problems.extend(decoded.problems)
    vcard.read_vcards(parsed, decoded.text, context.catalog)
    if not parsed.records and not parsed.problems:
        parsed.problems.append(Problem(source.name, None, _("aucune fiche dans le fichier")))
    return parsed


def _looks_like_vcard(source: Source) -> bool:
    head = source.data[:4096]
    for bom, codec, _label in sniff.BOMS:
        if head.startswith(bom):
            return vcard.is_vcard(head[len(bom):].decode(codec.replace("-sig", ""), "ignore"))
    return vcard.is_vcard(head.decode("latin-1"))


def _looks_like_text(source: Source) -> bool:
    sniff.refuse_unknown_binary(source)
    return True


def _looks_like_ics(source: Source) -> bool:
    head = source.data[:4096].lstrip(b"\xef\xbb\xbf \t\r\n").upper()
    return head.startswith(b"BEGIN:VCALENDAR") or (
        source.name.lower().endswith(".ics") and head.startswith((b"BEGIN:VEVENT", b"BEGIN:VTODO")))


def _import_calendars(db: Database, paths: Sequence[Path], options: dict[str, Any]
                      ) -> ImportOutcome:
    """iCalendar files go to the agenda (matched by UID), not to the contacts."""
    # the agenda sits beside, not below, the importers
    from qualif_tui.domain.ical import import_ics

    dry_run = bool(options.get("dry_run"))
    outcome = ImportOutcome("Agenda (iCalendar)" + (" — dry run, nothing written" if dry_run
                                                    else ""))
    with db.transaction():
        for path in paths:
            report = import_ics(db, path, dry_run=dry_run)
            outcome.rows.append((
                path.name,
                f"{report.created} created, {report.updated} updated,"
                f" {report.unchanged} unchanged"))
            outcome.rows.extend(("  note", warning) for warning in report.warnings[:20])
    return outcome


IMPORT_FORMATS: list[ImportFormat] = [
    ImportFormat("ics", "iCalendar", (".ics", ".ical", ".ifb"), sniff=_looks_like_ics,
                 run=_import_calendars),
    ImportFormat("xlsx", "Excel workbook", (".xlsx", ".xlsm"),
                 sniff=lambda s: xlsx.is_xlsx(s.data), read=_read_xlsx),
    ImportFormat("vcard", "vCard", (".vcf", ".vcard"), sniff=_looks_like_vcard, read=_read_vcard),
    ImportFormat("csv", "CSV", (".csv", ".txt", ".tsv", ".tab"), sniff=_looks_like_text,
                 read=_read_csv),
]


def format_of(source: Source) -> ImportFormat:
    """The format of a file, from its content: a vCard named .csv is still a vCard."""
    for fmt in IMPORT_FORMATS:
        if fmt.sniff(source):
            return fmt
    raise SourceError(_("{name} : pas un fichier que qualif sait importer").format(name=source.name))


def read_file(source: Source, fmt: ImportFormat, context: ReadContext) -> ParsedFile:
    if fmt.read is None:
        raise SourceError(_("{name} : les fichiers {label} ne contiennent pas de contacts").format(name=source.name, label=fmt.label))
    return fmt.read(source, context)
