"""Writing a previewed mail import: one transaction, one undoable batch.

Messages are read again by their place in the archive (the preview kept no
bodies), in the order they were read, and each becomes one history entry of
kind ``email`` per matched contact. The entries go in with the row triggers of
history set aside and their effects done in bulk at the end (full-text index,
``last_contact``, ``last_inbound``), as the contact import does;
:func:`~qualif_tui.services.importing.undo_batch` takes the batch back.
"""

from __future__ import annotations

import contextlib
import json
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from qualif_tui.base.i18n import _
from qualif_tui.domain import clock
from qualif_tui.domain.contacts import create_contact
from qualif_tui.domain.errors import QualifError
from qualif_tui.domain.settings import set_setting
from qualif_tui.services.importing.model import ImportRefused
from qualif_tui.services.importing.plan import no_cycle_collection
from qualif_tui.services.mailimport.headers import describe_date_source
from qualif_tui.services.mailimport.message import Body, read_body
from qualif_tui.services.mailimport.outlook import read_msg
from qualif_tui.services.mailimport.plan import (
    EXCERPT_CHARS,
    OWN_ADDRESSES,
    ROLE_CC,
    ROLE_FROM,
    ROLE_TO,
    Correspondent,
    MailPlan,
    MailProgress,
    Progress,
    own_addresses,
)
from qualif_tui.services.mailimport.sources import RawMail, read_mbox_at, read_message_file
from qualif_tui.services.mailimport.text import excerpt, without_quoted_reply
from qualif_tui.storage import Database
from qualif_tui.storage.schema import history_fts_rowid

_CHUNK = 2000
_SHOWN_RECIPIENTS = 8
# Triggers whose work is done in bulk after the entries are in (see module doc).
_DEFERRED_TRIGGERS = ("history_ai", "history_ai_inbound", "change_log_history_ai")


class ArchiveChanged(QualifError):
    """The archive changed between the preview and the write."""


@dataclass
class MailImportResult:
    batch_id: int | None       # None: nothing new, nothing written
    entries: int
    contacts: int              # contacts that got entries (created ones included)
    created: int
    inbound: int
    outbound: int
    bad_skipped: int
    elapsed: float = 0.0


def apply_mail_plan(db: Database, plan: MailPlan, chosen: Iterable[Correspondent] = (),
                    own: Sequence[str] | None = None, progress: Progress | None = None
                    ) -> MailImportResult:
    """Write ``plan``: create the ``chosen`` correspondents, add the entries. Messages
    that could not be read refuse the import unless the plan skips them."""
    started = time.monotonic()
    if plan.bad and not plan.skip_bad:
        raise ImportRefused(plan.bad)
    own_list = sorted({a.strip().lower() for a in (plan.own if own is None else own)
                       if a.strip()})
    mine = plan.own_ids(own_list)
    picked = [c for c in chosen if not c.contacts and c.id not in mine]
    summary = plan.summary(picked, own_list)
    _check_unchanged(plan)
    if summary.entries == 0 and not picked:
        return MailImportResult(None, 0, 0, 0, 0, 0, len(plan.bad),
                                time.monotonic() - started)
    now = clock.stamp()
    with no_cycle_collection(), db.transaction():
        cursor = db.execute(
            "INSERT INTO import_batches(source, format, created) VALUES (?, 'mail', ?)",
            (", ".join(sorted({f.label for f in plan.files})), now))
        batch = int(cursor.lastrowid or 0)
        targets: dict[int, tuple[int, ...]] = {
            c.id: c.contacts for c in plan.addresses if c.contacts and c.id not in mine}
        for correspondent in picked:
            targets[correspondent.id] = (_create(db, correspondent, plan, batch),)
        counts = _Entries(db, plan, targets, mine, batch, now, progress).write()
        if own_list and (plan.own_source == "given" or not own_addresses(db)):
            set_setting(db, OWN_ADDRESSES, own_list)  # set once: the next import knows
        if plan.excerpt_given:
            set_setting(db, EXCERPT_CHARS, plan.excerpt_chars)
        result = MailImportResult(batch, counts[0], counts[1], len(picked), counts[2],
                                  counts[3], len(plan.bad))
        db.execute("UPDATE import_batches SET summary = ? WHERE id = ?", (json.dumps({
            "created": len(picked), "merged": 0, "skipped": plan.repeated + summary.already,
            "entries": result.entries, "contacts": result.contacts,
            "messages": plan.messages, "bad_skipped": len(plan.bad), "own": own_list,
            "files": [{"source": f.label, "format": f.kind} for f in plan.files[:200]],
        }, ensure_ascii=False), batch))
    result.elapsed = time.monotonic() - started
    return result


def _check_unchanged(plan: MailPlan) -> None:
    for mail_file in plan.files:
        try:
            stat = mail_file.path.stat()
        except OSError:
            raise ArchiveChanged(_("{name} a disparu depuis l'aperçu : rien n'a été écrit")
                                 .format(name=mail_file.label)) from None
        if plan.stamps.get(str(mail_file.path)) != (stat.st_size, stat.st_mtime_ns):
            raise ArchiveChanged(_("{name} a changé depuis l'aperçu (relevé du courrier ?) :"
                                   " refaites l'aperçu ; rien n'a été écrit")
                                 .format(name=mail_file.label))


def _create(db: Database, correspondent: Correspondent, plan: MailPlan, batch: int) -> int:
    fields = {"first_name": correspondent.first_name, "last_name": correspondent.last_name,
              "company": correspondent.company, "email": correspondent.email}
    source = ", ".join(sorted({Path(f.label).name for f in plan.files}))[:200]
    return create_contact(db, fields, import_batch=batch,
                          history_subject=_("Créé depuis l'archive de courrier {name}")
                          .format(name=source))


class _Entries:
    def __init__(self, db: Database, plan: MailPlan, targets: dict[int, tuple[int, ...]],
                 mine: set[int], batch: int, now: str, progress: Progress | None) -> None:
        self.db = db
        self.plan = plan
        self.targets = targets
        self.mine = mine
        self.batch = batch
        self.now = now
        self.progress = progress
        self.names = {c.id: c for c in plan.addresses}
        self.handles: dict[int, BinaryIO] = {}

    def write(self) -> tuple[int, int, int, int]:
        """Entries, contacts, inbound, outbound."""
        try:
            return self._write()
        finally:
            for handle in self.handles.values():
                handle.close()

    def _write(self) -> tuple[int, int, int, int]:
        db = self.db
        first = int(db.scalar("SELECT coalesce(max(id), 0) + 1 FROM history"))
        next_id = first
        rows: list[tuple[Any, ...]] = []
        contacts: set[int] = set()
        inbound = outbound = written = 0
        total = self.plan.messages
        last_report = 0.0
        with _deferred_triggers(db):
            for number, (message, parties, done) in enumerate(self._messages(), 1):
                n, key, file, _number, offset, length, happened, source, subject, sender = message
                wanted: dict[int, str] = {}
                for address, _role in parties:
                    if address in self.mine:
                        continue
                    for contact in self.targets.get(address, ()):
                        if contact in done:
                            continue
                        if sender is not None and sender in self.mine:
                            direction = "out"
                        elif address == sender:
                            direction = "in"
                        else:
                            direction = wanted.get(contact, "cc")
                        wanted[contact] = direction
                if wanted:
                    body = self._body(file, offset, length)
                    text = self._text(parties, source, body)
                    title = subject or _("(sans objet)")
                    for contact, direction in wanted.items():
                        rows.append((next_id, contact, "email", happened, title, text, 0,
                                     self.batch, self.now, key, direction))
                        next_id += 1
                        contacts.add(contact)
                        inbound += direction == "in"
                        outbound += direction == "out"
                    written += len(wanted)
                if len(rows) >= _CHUNK:
                    self._insert(rows)
                    rows = []
                if self.progress is not None and time.monotonic() - last_report > 0.1:
                    last_report = time.monotonic()
                    self.progress(MailProgress(_("écriture"), number, number, total))
            self._insert(rows)
            self._after(first)
        if self.progress is not None:
            self.progress(MailProgress(_("écriture"), total, total, total))
        return written, len(contacts), inbound, outbound

    def _messages(self) -> Iterator[tuple[tuple[Any, ...], list[tuple[int, int]], set[int]]]:
        conn = self.plan.staging.conn
        messages = conn.execute("SELECT * FROM messages ORDER BY n")
        parties = conn.execute("SELECT n, address, role FROM parties ORDER BY n, rowid")
        done = conn.execute("SELECT n, contact FROM done ORDER BY n")
        party = parties.fetchone()
        finished = done.fetchone()
        for message in messages:
            n = message[0]
            mine: list[tuple[int, int]] = []
            while party is not None and party[0] < n:
                party = parties.fetchone()
            while party is not None and party[0] == n:
                mine.append((party[1], party[2]))
                party = parties.fetchone()
            already: set[int] = set()
            while finished is not None and finished[0] < n:
                finished = done.fetchone()
            while finished is not None and finished[0] == n:
                already.add(finished[1])
                finished = done.fetchone()
            yield message, mine, already

    def _body(self, file: int, offset: int, length: int) -> Body:
        mail_file = self.plan.files[file]
        try:
            if mail_file.kind == "msg":
                return read_msg(mail_file.path)[1]
            if mail_file.kind == "mbox":
                handle = self.handles.get(file)
                if handle is None:
                    for other in self.handles.values():
                        other.close()  # files are read one after the other
                    self.handles = {file: mail_file.path.open("rb")}
                    handle = self.handles[file]
                data, dropped = read_mbox_at(handle, offset, length)
                return read_body(data, dropped)
            raw = read_message_file(mail_file.path, file)
        except OSError as error:
            raise ArchiveChanged(_("{name} : illisible depuis l'aperçu ({why}) ; rien n'a été"
                                   " écrit").format(name=mail_file.label,
                                                    why=error.strerror or error)) from None
        if not isinstance(raw, RawMail):
            raise ArchiveChanged(_("{name} : illisible depuis l'aperçu ({why}) ; rien n'a été"
                                   " écrit").format(name=mail_file.label, why=raw.reason))
        return read_body(raw.data, raw.dropped)

    def _text(self, parties: list[tuple[int, int]], source: str, body: Body) -> str:
        lines = []
        for role, label in ((ROLE_FROM, _("De")), (ROLE_TO, _("À")), (ROLE_CC, _("Cc"))):
            people = [self._who(a) for a, r in parties if r == role]
            if not people:
                continue
            shown = ", ".join(people[:_SHOWN_RECIPIENTS])
            if len(people) > _SHOWN_RECIPIENTS:
                shown += _(" et {n} autres").format(n=len(people) - _SHOWN_RECIPIENTS)
            lines.append(f"{label} : {shown}")
        note = describe_date_source(source)
        if note:
            lines.append(f"({note})")
        text = excerpt(without_quoted_reply(body.text), self.plan.excerpt_chars)
        parts = ["\n".join(lines)]
        if text:
            parts.append(text)
        if body.attachments:
            parts.append(_("Pièces jointes : {list}").format(list=", ".join(
                f"{a.name} ({human_size(a.size)})" for a in body.attachments[:20])))
        return "\n\n".join(parts)

    def _who(self, address: int) -> str:
        correspondent = self.names.get(address)
        if correspondent is None:
            return "?"
        if correspondent.name:
            return f"{correspondent.name} <{correspondent.email}>"
        return correspondent.email

    def _insert(self, rows: list[tuple[Any, ...]]) -> None:
        if rows:
            self.db.conn.executemany(
                "INSERT INTO history(id, contact_id, kind, happened_at, subject, body, automatic,"
                " import_batch, created, message_id, direction) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                rows)

    def _after(self, first: int) -> None:
        """What the deferred triggers would have done, in set-based statements."""
        db = self.db
        db.execute("INSERT INTO history_fts(rowid, subject, body)"
                   f" SELECT {history_fts_rowid()}, subject, body FROM history WHERE id >= ?",
                   (first,))
        db.execute("""
            UPDATE contact_facts SET last_contact = max(coalesce(last_contact, ''), h.last)
              FROM (SELECT contact_id, max(substr(happened_at, 1, 10)) AS last FROM history
                     WHERE id >= ? AND automatic = 0 GROUP BY contact_id) AS h
             WHERE contact_facts.contact_id = h.contact_id""", (first,))
        db.execute("""
            UPDATE contact_facts SET last_inbound = max(coalesce(last_inbound, ''), h.last)
              FROM (SELECT contact_id, max(substr(happened_at, 1, 10)) AS last FROM history
                     WHERE id >= ? AND direction = 'in' GROUP BY contact_id) AS h
             WHERE contact_facts.contact_id = h.contact_id""", (first,))
        db.execute("INSERT INTO change_log(contact_id) VALUES (NULL)")


@contextlib.contextmanager
def _deferred_triggers(db: Database) -> Iterator[None]:
    """Inside the import's transaction, set the row triggers of history aside; they
    are put back from their own SQL (a failure rolls everything back)."""
    names = ", ".join(f"'{name}'" for name in _DEFERRED_TRIGGERS)
    saved = db.query(f"SELECT name, sql FROM sqlite_master WHERE type = 'trigger'"
                     f" AND name IN ({names})")
    for name, _sql in saved:
        db.execute(f'DROP TRIGGER "{name}"')
    yield
    for _name, sql in saved:
        db.execute(sql)


def human_size(size: int) -> str:
    """``120 Ko``, ``2,3 Mo`` (French units)."""
    if size < 1000:
        return _("{n} o").format(n=size)
    if size < 1_000_000:
        return _("{n} Ko").format(n=round(size / 1000))
    return _("{n} Mo").format(n=f"{size / 1_000_000:.1f}".replace(".", ","))
