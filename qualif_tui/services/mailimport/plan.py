"""The preview of a mail import: every message read once, nothing written.

Reading keeps nothing per message in memory: each message's place, date,
subject and addresses go to a scratch SQLite file (:class:`Staging`, in the
temporary folder, deleted on :meth:`MailPlan.close`); only the per-address
counts stay in memory (one entry per distinct address). Bodies are not read
here: :mod:`.write` reads the messages it writes again, by their place.
"""

from __future__ import annotations

import os
import sqlite3
import tempfile
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from qualif_tui.base.i18n import _
from qualif_tui.domain import clock
from qualif_tui.domain.settings import get_setting
from qualif_tui.services.importing.model import Problem
from qualif_tui.services.importing.plan import no_cycle_collection
from qualif_tui.services.mailimport.correspondents import guess_name
from qualif_tui.services.mailimport.headers import Address
from qualif_tui.services.mailimport.message import BadMail, MailHeaders, read_headers
from qualif_tui.services.mailimport.outlook import read_msg
from qualif_tui.services.mailimport.sources import (
    MailFile,
    RawMail,
    Unreadable,
    file_time,
    find_mail_files,
    read_mbox,
    read_message_file,
)
from qualif_tui.storage import Database

OWN_ADDRESSES = "mail.own_addresses"
EXCERPT_CHARS = "mail.excerpt_chars"
DEFAULT_EXCERPT = 2000
# An address in at least this share of the messages is the user's (when inferred).
_OWN_SHARE = 0.25


@dataclass(frozen=True)
class MailProgress:
    stage: str        # "lecture" or "écriture"
    messages: int     # messages read (or written) so far
    done: int         # bytes read (lecture) or messages written (écriture)
    total: int


Progress = Callable[[MailProgress], None]


@dataclass
class MailOptions:
    own_addresses: Sequence[str] | None = None  # None: the file's setting, else inferred
    skip_bad: bool = False      # write the readable messages when some are not
    excerpt_chars: int | None = None             # None: the file's setting (2 000)


@dataclass
class Correspondent:
    """An address of the archive, with what the archive says about it."""

    id: int
    email: str
    name: str = ""
    messages: int = 0           # messages it is in (From, To or Cc)
    sent: int = 0               # messages it wrote
    personal: int = 0           # of them, messages not from a list or a robot
    first: str = ""             # date of its first and last message, YYYY-MM-DD
    last: str = ""
    contacts: tuple[int, ...] = ()   # contacts with this address (e-mail or second e-mail)

    @property
    def bulk(self) -> bool:
        """Seen only in lists, newsletters and automatic messages, or a no-reply address."""
        return self.personal == 0 or Address(self.email).noreply

    @property
    def first_name(self) -> str:
        return guess_name(self.name, self.email).first_name

    @property
    def last_name(self) -> str:
        return guess_name(self.name, self.email).last_name

    @property
    def company(self) -> str:
        return guess_name(self.name, self.email).company

    @property
    def label(self) -> str:
        guess = guess_name(self.name, self.email)
        who = f"{guess.first_name} {guess.last_name}".strip()
        return f"{who} <{self.email}>" if who else self.email


def parse_create(text: str) -> str:
    """Check a ``--create-contacts`` value: ``all``, ``none`` or ``min:N``."""
    value = text.strip().lower()
    if value in ("all", "none", "tous", "aucun"):
        return {"tous": "all", "aucun": "none"}.get(value, value)
    if value.startswith("min:") and value[4:].strip().isdigit() and int(value[4:]) >= 1:
        return f"min:{int(value[4:])}"
    raise ValueError(_("« {value} » : attendu all, none ou min:N (N ≥ 1)").format(value=text))


@dataclass
class Summary:
    """What writing would do, for a choice of own addresses and contacts to create."""

    entries: int                 # history entries to write
    contacts: int                # existing contacts they go to
    inbound: int                 # of the entries on existing contacts: from them
    outbound: int                # … and from the user
    created: int                 # contacts to create
    created_entries: int         # of the entries, those on the contacts to create
    already: int                 # entries already in the file (an earlier import)


class Staging:
    """The scratch file of a preview: one row per message, one per (message, address)."""

    def __init__(self) -> None:
        handle, name = tempfile.mkstemp(prefix="qualif-mail-", suffix=".db")
        os.close(handle)
        self.path = Path(name)
        self.conn = sqlite3.connect(name, check_same_thread=False)
        self.conn.executescript("""
            PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF; PRAGMA cache_size = -8000;
            CREATE TABLE messages (
                n INTEGER PRIMARY KEY, key TEXT NOT NULL UNIQUE, file INTEGER, number INTEGER,
                offset INTEGER, length INTEGER, happened_at TEXT, date_source TEXT,
                subject TEXT, sender INTEGER);
            CREATE TABLE parties (n INTEGER, address INTEGER, role INTEGER);
            CREATE TABLE done (n INTEGER, contact INTEGER);
            BEGIN;
        """)

    def close(self) -> None:
        try:
            self.conn.close()
        finally:
            self.path.unlink(missing_ok=True)


ROLE_FROM, ROLE_TO, ROLE_CC = 0, 1, 2


@dataclass
class MailPlan:
    """What a mail import would do; :meth:`summary` for a given choice."""

    files: list[MailFile]
    skipped_files: list[str]
    staging: Staging
    addresses: list[Correspondent]
    bad: list[Problem] = field(default_factory=list)
    messages: int = 0            # messages read
    repeated: int = 0            # the same message again in the archive (by Message-ID)
    own: list[str] = field(default_factory=list)
    own_source: str = "none"     # setting, given, inferred, none
    excerpt_chars: int = DEFAULT_EXCERPT
    excerpt_given: bool = False  # given for this import: kept as the file's setting
    skip_bad: bool = False
    stamps: dict[str, tuple[int, int]] = field(default_factory=dict)  # path → (size, mtime)
    elapsed: float = 0.0
    _existing: dict[tuple[int, ...], tuple[int, int, int, int, int]] = field(
        default_factory=dict)

    # -- who is who -------------------------------------------------------------------
    def by_email(self, email: str) -> Correspondent | None:
        for correspondent in self.addresses:
            if correspondent.email == email:
                return correspondent
        return None

    def own_ids(self, own: Iterable[str] | None = None) -> set[int]:
        wanted = {a.strip().lower() for a in (self.own if own is None else own)}
        return {c.id for c in self.addresses if c.email in wanted}

    def candidates(self, own: Iterable[str] | None = None, *, bulk: bool = False
                   ) -> list[Correspondent]:
        """Addresses with no contact (not the user's), most messages first; ``bulk``:
        those left out by default (lists, newsletters, no-reply) instead."""
        mine = self.own_ids(own)
        found = [c for c in self.addresses
                 if not c.contacts and c.id not in mine and c.bulk == bulk]
        found.sort(key=lambda c: (-c.messages, c.last, c.email))
        return found

    def chosen(self, create: str, own: Iterable[str] | None = None) -> list[Correspondent]:
        """The correspondents a ``--create-contacts`` value picks (lists left out)."""
        create = parse_create(create)
        if create == "none":
            return []
        candidates = self.candidates(own)
        if create == "all":
            return candidates
        least = int(create[4:])
        return [c for c in candidates if c.messages >= least]

    # -- what writing would do --------------------------------------------------------
    def summary(self, chosen: Iterable[Correspondent] = (), own: Iterable[str] | None = None
                ) -> Summary:
        """Entries on existing contacts are counted in the scratch file (once per set of
        own addresses); each created contact gets one entry per message it is in."""
        mine = tuple(sorted(self.own_ids(own)))
        counts = self._existing.get(mine)
        if counts is None:
            counts = self._existing[mine] = self._count_existing(set(mine))
        entries, contacts, inbound, outbound, already = counts
        picked = [c for c in chosen if not c.contacts and c.id not in mine]
        created_entries = sum(c.messages for c in picked)
        return Summary(entries + created_entries, contacts, inbound, outbound,
                       len(picked), created_entries, already)

    def _count_existing(self, mine: set[int]) -> tuple[int, int, int, int, int]:
        conn = self.staging.conn
        conn.execute("DROP TABLE IF EXISTS targets")
        conn.execute("CREATE TEMP TABLE targets (address INTEGER, contact INTEGER)")
        conn.executemany("INSERT INTO targets VALUES (?, ?)", (
            (c.id, contact) for c in self.addresses if c.id not in mine
            for contact in c.contacts))
        conn.execute("DROP TABLE IF EXISTS own")
        conn.execute("CREATE TEMP TABLE own (address INTEGER PRIMARY KEY)")
        conn.executemany("INSERT INTO own VALUES (?)", ((i,) for i in mine))
        row = conn.execute("""
            SELECT count(*), count(DISTINCT contact),
                   coalesce(sum(direction = 'in' AND NOT already), 0),
                   coalesce(sum(direction = 'out' AND NOT already), 0),
                   coalesce(sum(already), 0)
              FROM (SELECT p.n, t.contact,
                           CASE WHEN m.sender IN (SELECT address FROM own) THEN 'out'
                                WHEN max(p.address = m.sender) THEN 'in' ELSE 'cc' END
                               AS direction,
                           EXISTS (SELECT 1 FROM done d WHERE d.n = p.n
                                   AND d.contact = t.contact) AS already
                      FROM parties p JOIN targets t ON t.address = p.address
                      JOIN messages m ON m.n = p.n
                     GROUP BY p.n, t.contact)
        """).fetchone()
        total, _contacts, inbound, outbound, already = (int(v or 0) for v in row)
        touched = conn.execute("""
            SELECT count(DISTINCT t.contact) FROM parties p
              JOIN targets t ON t.address = p.address
             WHERE NOT EXISTS (SELECT 1 FROM done d WHERE d.n = p.n AND d.contact = t.contact)
        """).fetchone()[0]
        return total - already, int(touched or 0), inbound, outbound, already

    def close(self) -> None:
        self.staging.close()

    def __enter__(self) -> MailPlan:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def own_addresses(db: Database) -> list[str]:
    """The user's own addresses, as set in the file (``mail.own_addresses``)."""
    value = get_setting(db, OWN_ADDRESSES, [])
    return [str(a).strip().lower() for a in value if str(a).strip()] if isinstance(
        value, list) else []


def excerpt_chars(db: Database) -> int:
    value = get_setting(db, EXCERPT_CHARS, DEFAULT_EXCERPT)
    return value if isinstance(value, int) and value >= 0 else DEFAULT_EXCERPT


def plan_mail_import(db: Database, paths: Sequence[Path], options: MailOptions | None = None,
                     progress: Progress | None = None, names: Sequence[str] | None = None
                     ) -> MailPlan:
    """Read every message of ``paths`` (files or folders) and say what importing them
    would do. The caller closes the plan (it holds a scratch file)."""
    options = options or MailOptions()
    started = time.monotonic()
    skipped: list[str] = []
    files: list[MailFile] = []
    for index, path in enumerate(paths):
        label = names[index] if names else str(path)
        if not path.exists():
            raise FileNotFoundError(_("{name} : fichier ou dossier introuvable").format(
                name=label))
        files.extend(find_mail_files(path, label, skipped))
    plan = MailPlan(files, skipped, Staging(), [], skip_bad=options.skip_bad)
    plan.excerpt_given = options.excerpt_chars is not None
    plan.excerpt_chars = (max(0, options.excerpt_chars) if options.excerpt_chars is not None
                          else excerpt_chars(db))
    try:
        with no_cycle_collection():
            _Reader(db, plan, progress).read_all()
        _decide_own(db, plan, options)
    except BaseException:
        plan.close()
        raise
    plan.elapsed = time.monotonic() - started
    return plan


def _decide_own(db: Database, plan: MailPlan, options: MailOptions) -> None:
    if options.own_addresses:
        plan.own = sorted({a.strip().lower() for a in options.own_addresses if a.strip()})
        plan.own_source = "given"
        return
    stored = own_addresses(db)
    if stored:
        plan.own, plan.own_source = stored, "setting"
        return
    plan.own = infer_own(plan)
    plan.own_source = "inferred" if plan.own else "none"


def infer_own(plan: MailPlan) -> list[str]:
    """The user's address, when none is set: the one in the most messages (the user
    is in every message of their own mailbox, From or To), if in a quarter of them."""
    if not plan.messages:
        return []
    best = max((c for c in plan.addresses if not c.bulk), default=None,
               key=lambda c: (c.messages, c.sent))
    if best is None or best.messages < max(2, plan.messages * _OWN_SHARE):
        return []
    return [best.email]


class _Reader:
    """One pass over the archive, into the plan's scratch file."""

    def __init__(self, db: Database, plan: MailPlan, progress: Progress | None) -> None:
        self.db = db
        self.plan = plan
        self.progress = progress
        self.by_email: dict[str, Correspondent] = {}
        self.total = sum(_size(f.path) for f in plan.files)
        self.done_bytes = 0
        self.last_report = 0.0
        self.check_done = bool(db.scalar(
            "SELECT 1 FROM history WHERE message_id IS NOT NULL LIMIT 1"))
        self.message_rows: list[tuple[object, ...]] = []
        self.party_rows: list[tuple[int, int, int]] = []
        self.done_rows: list[tuple[int, int]] = []
        self.pending_keys: set[str] = set()
        self.n = 0

    def read_all(self) -> None:
        for index, mail_file in enumerate(self.plan.files):
            try:
                stat = mail_file.path.stat()
                self.plan.stamps[str(mail_file.path)] = (stat.st_size, stat.st_mtime_ns)
            except OSError:
                pass
            if mail_file.kind == "mbox":
                try:
                    for item in read_mbox(mail_file.path, index):
                        self._take(mail_file, item)
                except OSError as error:
                    self._bad(mail_file, 0, 0, _("illisible ({why})").format(
                        why=error.strerror or error.__class__.__name__))
            elif mail_file.kind == "msg":
                self._take_msg(index, mail_file)
            else:
                self._take(mail_file, read_message_file(mail_file.path, index))
            self.done_bytes += _size(mail_file.path)
            self._report(force=True)
        self._flush()
        conn = self.plan.staging.conn
        conn.execute("CREATE INDEX parties_n ON parties(n)")
        conn.execute("CREATE INDEX done_n ON done(n, contact)")
        conn.commit()
        self.plan.addresses = list(self.by_email.values())

    def _take(self, mail_file: MailFile, item: RawMail | Unreadable) -> None:
        if isinstance(item, Unreadable):
            self._bad(mail_file, item.number, item.offset, item.reason)
            return
        if item.cut:
            self._bad(mail_file, item.number, item.offset, _(
                "message tronqué : le fichier s'arrête au milieu"))
            return
        try:
            headers = read_headers(item.data)
        except BadMail as error:
            self._bad(mail_file, item.number, item.offset, str(error))
            return
        date, source = _dated(headers, item)
        self._stage(item.file, item.number, item.offset, item.length, headers, date, source)
        if mail_file.kind == "mbox" and self.n % 500 == 0:
            self._report(extra=item.offset + item.length)

    def _take_msg(self, index: int, mail_file: MailFile) -> None:
        try:
            headers, _body = read_msg(mail_file.path)
        except BadMail as error:
            self._bad(mail_file, 1, 0, str(error))
            return
        if headers.date is not None:
            date, source = headers.date, "date"
        else:
            date, source = _dated(headers, RawMail(index, 1, 0, 0, b"",
                                                   file_time=file_time(mail_file.path)))
        self._stage(index, 1, 0, 0, headers, date, source)

    def _bad(self, mail_file: MailFile, number: int, offset: int, reason: str) -> None:
        if mail_file.kind == "mbox" and number:
            where = _("{file}, message {n} (octet {offset})").format(
                file=mail_file.label, n=number, offset=offset)
        else:
            where = mail_file.label
        self.plan.bad.append(Problem(where, None, reason))

    def _stage(self, file: int, number: int, offset: int, length: int, headers: MailHeaders,
               date: datetime, source: str) -> None:
        plan = self.plan
        conn = plan.staging.conn
        if headers.key in self.pending_keys or conn.execute(
                "SELECT 1 FROM messages WHERE key = ?", (headers.key,)).fetchone():
            plan.repeated += 1
            return
        self.pending_keys.add(headers.key)
        self.n += 1
        n = self.n
        plan.messages += 1
        day = date.date().isoformat()
        sender = self._address(headers.sender, day, headers.bulk, sent=True) \
            if headers.sender else None
        self.message_rows.append((n, headers.key, file, number, offset, length,
                                  clock.stamp(date), source, headers.subject[:500],
                                  sender.id if sender else None))
        if sender is not None:
            self.party_rows.append((n, sender.id, ROLE_FROM))
        for role, group in ((ROLE_TO, headers.to), (ROLE_CC, headers.cc)):
            for address in group:
                stat = self._address(address, day, headers.bulk)
                self.party_rows.append((n, stat.id, role))
        if self.check_done:
            for (contact,) in self.db.query(
                    "SELECT contact_id FROM history WHERE message_id = ?", (headers.key,)):
                self.done_rows.append((n, int(contact)))
        if len(self.message_rows) >= 2000:
            self._flush()

    def _address(self, address: Address, day: str, bulk: bool, *, sent: bool = False
                 ) -> Correspondent:
        stat = self.by_email.get(address.email)
        if stat is None:
            stat = Correspondent(len(self.by_email), address.email, address.name,
                                 contacts=self._contacts_of(address.email))
            self.by_email[address.email] = stat
        elif address.name and not stat.name:
            stat.name = address.name
        stat.messages += 1
        stat.sent += sent
        stat.personal += not bulk
        if not stat.first or day < stat.first:
            stat.first = day
        if day > stat.last:
            stat.last = day
        return stat

    def _contacts_of(self, email: str) -> tuple[int, ...]:
        rows = self.db.query(
            "SELECT id FROM contacts WHERE norm_email = ? AND norm_email != ''"
            " UNION SELECT id FROM contacts WHERE lower(trim(email2)) = ? AND email2 != ''",
            (email, email))
        return tuple(sorted(int(r[0]) for r in rows))

    def _flush(self) -> None:
        conn = self.plan.staging.conn
        conn.executemany("INSERT INTO messages VALUES (?,?,?,?,?,?,?,?,?,?)", self.message_rows)
        conn.executemany("INSERT INTO parties VALUES (?,?,?)", self.party_rows)
        conn.executemany("INSERT INTO done VALUES (?,?)", self.done_rows)
        self.message_rows, self.party_rows, self.done_rows = [], [], []
        self.pending_keys.clear()

    def _report(self, *, force: bool = False, extra: int = 0) -> None:
        if self.progress is None:
            return
        now = time.monotonic()
        if not force and now - self.last_report < 0.1:
            return
        self.last_report = now
        self.progress(MailProgress(_("lecture"), self.plan.messages + len(self.plan.bad),
                                   min(self.total, self.done_bytes + extra), self.total))


def _dated(headers: MailHeaders, raw: RawMail) -> tuple[datetime, str]:
    """The message's date and where it came from: its Date header, else the mbox
    "From " line, else the newest Received header, else the file's time."""
    if headers.date is not None:
        return headers.date, "date"
    if raw.envelope_date is not None:
        return raw.envelope_date, "from_line"
    if headers.received is not None:
        return headers.received, "received"
    if raw.file_time is not None:
        return raw.file_time, "file"
    return clock.now(), "none"


def _size(path: Path) -> int:
    try:
        return path.stat().st_size if path.is_file() else 0
    except OSError:
        return 0
