"""Importing contacts from the files French users have: CSV of any origin, vCard, xlsx.

    plan = plan_import(db, [Path("contacts.csv")], ImportOptions(on_duplicate="merge"))
    result = apply_plan(db, plan)            # one transaction, one batch
    undo_batch(db, result.batch_id)          # or undo_batch(db, "last")

Modules, in the order a file goes through them: :mod:`.sniff` (bytes, kind,
encoding, separator), :mod:`.csvfile` / :mod:`.xlsx` / :mod:`.vcard` (records
with line numbers), :mod:`.headers` (which column goes where),
:mod:`.tabular` and :mod:`.normalize` (values), :mod:`.keyvalues`
(qualification keys), :mod:`.matching` (duplicates), :mod:`.plan` (what
would happen, told by :mod:`.summary`), :mod:`.batch` (writing, undo). :mod:`.formats` is the table
of file kinds.
"""

from qualif_tui.services.importing.batch import (
    BatchInfo,
    ImportResult,
    UndoResult,
    WorkedOn,
    apply_plan,
    get_batch,
    list_batches,
    undo_batch,
)
from qualif_tui.services.importing.formats import (
    IMPORT_FORMATS,
    ImportFormat,
    ImportOutcome,
    format_of,
)
from qualif_tui.services.importing.headers import MappingError
from qualif_tui.services.importing.model import ImportRefused, Incoming, Notice, ParsedFile, Problem
from qualif_tui.services.importing.normalize import phone_e164
from qualif_tui.services.importing.plan import ImportOptions, ImportPlan, Merge, Skip, plan_import
from qualif_tui.services.importing.sniff import SourceError, read_source
from qualif_tui.services.importing.summary import FileSummary, PlanSummary, summarize_plan

__all__ = [
    "IMPORT_FORMATS",
    "BatchInfo",
    "FileSummary",
    "ImportFormat",
    "ImportOptions",
    "ImportOutcome",
    "ImportPlan",
    "ImportRefused",
    "ImportResult",
    "Incoming",
    "MappingError",
    "Merge",
    "Notice",
    "ParsedFile",
    "PlanSummary",
    "Problem",
    "Skip",
    "SourceError",
    "UndoResult",
    "WorkedOn",
    "apply_plan",
    "format_of",
    "get_batch",
    "list_batches",
    "phone_e164",
    "plan_import",
    "read_source",
    "summarize_plan",
    "undo_batch",
]
