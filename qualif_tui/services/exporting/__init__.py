"""Exporting the contacts a query selects: CSV, vCard, xlsx, JSON, a mailing list.

    result = export_contacts(db, compile_query(db, "profil:client"), "csv", stream)

:mod:`.rows` streams every field of the selected contacts in constant memory;
:mod:`.writers` and :mod:`.vcard` write them; :mod:`.formats` is the table of
formats the command line offers.
"""

from qualif_tui.services.exporting.formats import (
    EXPORT_FORMATS,
    ExportFormat,
    TargetExists,
    export_contacts,
    export_to_file,
    format_for_name,
)
from qualif_tui.services.exporting.rows import ContactStream, ExportRow
from qualif_tui.services.exporting.writers import ExportError, ExportOptions, ExportResult, mailbox

__all__ = [
    "EXPORT_FORMATS",
    "ContactStream",
    "ExportError",
    "ExportFormat",
    "ExportOptions",
    "ExportResult",
    "ExportRow",
    "TargetExists",
    "export_contacts",
    "export_to_file",
    "format_for_name",
    "mailbox",
]
