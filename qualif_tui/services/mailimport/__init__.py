"""E-mail archives into the contacts' timelines: mbox, Maildir, .eml and Outlook .msg.

    with plan_mail_import(db, [Path("Inbox"), Path("Sent")]) as plan:   # reads, writes nothing
        chosen = plan.chosen("min:3")            # correspondents to create (``--create-contacts``)
        print(plan.summary(chosen))              # entries, contacts, in/out…
        result = apply_mail_plan(db, plan, chosen)   # one transaction, one batch
    undo_batch(db, result.batch_id)              # from services.importing

Modules, in the order a message goes through them: :mod:`.sources` (which
files are mail, streaming readers), :mod:`.message` and :mod:`.headers` (the
bytes of one message, decoded), :mod:`.outlook` (.msg), :mod:`.plan` (the
preview: who is in the archive, which contacts they are), :mod:`.correspondents`
(names and companies of the others), :mod:`.write` (the batch), :mod:`.text`
(bodies as the timeline shows them), :mod:`.settings` (the user's addresses and
the excerpt length, kept in the file).
"""

from qualif_tui.services.mailimport.message import BadMail
from qualif_tui.services.mailimport.plan import (
    DEFAULT_EXCERPT,
    EXCERPT_CHARS,
    OWN_ADDRESSES,
    Correspondent,
    MailOptions,
    MailPlan,
    MailProgress,
    Summary,
    excerpt_chars,
    own_addresses,
    parse_create,
    plan_mail_import,
)
from qualif_tui.services.mailimport.settings import (
    MailSettings,
    load_mail_settings,
    parse_addresses,
    save_mail_settings,
)
from qualif_tui.services.mailimport.sources import is_mail_source
from qualif_tui.services.mailimport.write import (
    ArchiveChanged,
    MailImportResult,
    apply_mail_plan,
    human_size,
)

__all__ = [
    "DEFAULT_EXCERPT",
    "EXCERPT_CHARS",
    "OWN_ADDRESSES",
    "ArchiveChanged",
    "BadMail",
    "Correspondent",
    "MailImportResult",
    "MailOptions",
    "MailPlan",
    "MailProgress",
    "MailSettings",
    "Summary",
    "apply_mail_plan",
    "excerpt_chars",
    "human_size",
    "is_mail_source",
    "load_mail_settings",
    "own_addresses",
    "parse_addresses",
    "parse_create",
    "plan_mail_import",
    "save_mail_settings",
]
