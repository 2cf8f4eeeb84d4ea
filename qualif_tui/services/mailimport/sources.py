"""Where messages come from: mbox files, Maildir folders, .eml and Outlook .msg files,
and folders holding them (a Thunderbird profile's ``Mail/``), recognised by content.

Readers stream: an mbox of any size is read block by block and yields one
message at a time, each kept up to :data:`MAX_KEPT` bytes (the rest of a huge
attachment is counted, not held), so memory stays flat whatever the archive.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from qualif_tui.base.i18n import _
from qualif_tui.services.mailimport.headers import plausible
from qualif_tui.services.mailimport.message import looks_like_message

MAX_KEPT = 8 * 1024 * 1024
_BLOCK = 1024 * 1024
_PEEK = 65536
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_MSG_STREAM = "__substg1.0_".encode("utf-16-le")
# "From " lines: "From - Tue Apr 07 14:00:00 2026" (Thunderbird), "From jeanne@x.fr
# Tue Apr  7 14:00:00 2026", Gmail's "From 1234@xxx Tue Apr 07 12:00:00 +0000 2026".
_FROM_LINE = re.compile(rb"^From \S*\s+.*\d{1,2}:\d\d")
_QUOTED_FROM = re.compile(rb"^>(>*From )", re.MULTILINE)
_ASCTIME = re.compile(r"(\w{3})\s+(\w{3})\s+(\d{1,2})\s+(\d{1,2}):(\d\d)(?::(\d\d))?"
                      r"(?:\s+[+-]\d{4})?\s+(\d{4})")
_MONTHS = {m: i for i, m in enumerate(
    ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), 1)}
# Thunderbird's index and settings files beside its mbox files.
_IGNORED_SUFFIXES = (".msf", ".dat", ".json", ".sqlite", ".html", ".js", ".txt", ".xml",
                     ".log", ".bak", ".lock")


@dataclass(frozen=True)
class MailFile:
    path: Path
    kind: str          # mbox, maildir, eml, msg
    label: str         # as shown to the user


@dataclass
class RawMail:
    """One message's bytes and where they were."""

    file: int                  # index in the plan's list of MailFiles
    number: int                # 1-based, in its file
    offset: int                # of the message in the file (mbox; 0 otherwise)
    length: int                # bytes in the file (kept + dropped)
    data: bytes
    dropped: int = 0           # bytes beyond MAX_KEPT, not kept
    envelope_date: datetime | None = None   # of the mbox "From " line
    file_time: datetime | None = None
    cut: bool = False          # the file ends inside this message


@dataclass(frozen=True)
class Unreadable:
    file: int
    number: int
    offset: int
    reason: str


def kind_of_file(path: Path) -> str | None:
    """``mbox``, ``eml`` or ``msg`` from a file's first bytes (its name only breaks
    ties: an empty ``.mbox``, a ``.msg`` that is not one); None: not mail."""
    try:
        with path.open("rb") as handle:
            head = handle.read(_PEEK)
    except OSError:
        return "eml" if path.suffix.lower() in (".eml", ".msg") else None
    suffix = path.suffix.lower()
    if suffix == ".msg" or (head.startswith(_OLE_MAGIC) and _MSG_STREAM in head):
        return "msg"
    stripped = head.lstrip(b"\xef\xbb\xbf\r\n")
    if stripped.startswith(b"From ") and _FROM_LINE.match(stripped.split(b"\n", 1)[0]):
        return "mbox"
    if suffix == ".mbox":
        return "mbox"
    if suffix == ".eml" or (suffix not in _IGNORED_SUFFIXES and looks_like_message(stripped)):
        return "eml"
    return None


def is_mail_source(path: Path) -> bool:
    """Whether ``qualif import`` hands ``path`` to the mail importer: a file whose
    content is mail (mbox, a message, an Outlook .msg), or a folder holding one (a
    Maildir, a Thunderbird profile's ``Mail/``)."""
    if path.is_dir():
        for folder, dirs, files in os.walk(path):
            dirs.sort()
            here = Path(folder)
            if here.name in ("cur", "new") and (files or dirs):
                return True
            for name in sorted(files):
                if not name.startswith(".") and not name.lower().endswith(_IGNORED_SUFFIXES) \
                        and kind_of_file(here / name) is not None:
                    return True
        return False
    return path.is_file() and kind_of_file(path) is not None


def find_mail_files(path: Path, label: str, skipped: list[str]) -> list[MailFile]:
    """The mail files of ``path``: itself, or every mail file under a folder (Maildir
    ``cur``/``new``, Thunderbird ``.sbd`` subfolders), in a stable order. Files that
    are not mail (``.msf`` indexes, settings) go to ``skipped``."""
    if not path.is_dir():
        kind = kind_of_file(path)
        if kind is None:
            skipped.append(label)
            return []
        return [MailFile(path, kind, label)]
    found: list[MailFile] = []
    for folder, dirs, files in os.walk(path, onerror=None):
        dirs.sort()
        here = Path(folder)
        if here.name == "tmp" and (here.parent / "cur").is_dir():
            dirs.clear()
            continue  # a Maildir's messages being delivered
        maildir = here.name in ("cur", "new") and (
            (here.parent / "cur").is_dir() or (here.parent / "new").is_dir())
        if maildir:  # every entry is a message: a folder here is one that cannot be read
            files = [*files, *dirs]
            dirs.clear()
        for name in sorted(files):
            file = here / name
            shown = os.path.join(label, os.path.relpath(file, path))
            if maildir:
                found.append(MailFile(file, "maildir", shown))
                continue
            if name.startswith(".") or name.lower().endswith(_IGNORED_SUFFIXES):
                skipped.append(shown)
                continue
            kind = kind_of_file(file)
            if kind is None:
                skipped.append(shown)
            else:
                found.append(MailFile(file, kind, shown))
    return found


def envelope_date(line: bytes) -> datetime | None:
    """The date of an mbox "From " line (asctime, as mail programs write it)."""
    found = _ASCTIME.search(line.decode("ascii", "replace"))
    if not found:
        return None
    _day, month, day, hour, minute, second, year = found.groups()
    number = _MONTHS.get(month.lower())
    if number is None:
        return None
    try:
        return plausible(datetime(int(year), number, int(day), int(hour), int(minute),
                                  int(second or 0)))
    except ValueError:
        return None


def file_time(path: Path) -> datetime | None:
    """When a message file was written: a Maildir name starts with the delivery
    time (``1712345678.M1P2.host``), else the file's modification time."""
    stamp = path.name.split(".", 1)[0]
    try:
        if stamp.isdigit() and 9 <= len(stamp) <= 11:
            return plausible(datetime.fromtimestamp(int(stamp)))
        return plausible(datetime.fromtimestamp(path.stat().st_mtime))
    except (OSError, OverflowError, ValueError):
        return None


def read_mbox(path: Path, index: int) -> Iterator[RawMail | Unreadable]:
    """The messages of an mbox file, one at a time (mboxo and mboxrd: a ``>From ``
    line loses one ``>``). A message starts at a "From " line that follows an empty
    line (or starts the file) and carries a time, so an unquoted "From " in a
    body, the mboxo writers' flaw, rarely splits a message."""
    try:
        mtime = plausible(datetime.fromtimestamp(path.stat().st_mtime))
    except (OSError, OverflowError, ValueError):
        mtime = None
    with path.open("rb") as handle:
        number = 0
        offset = 0              # of the current line
        start = -1              # of the current message's first byte after its From line
        kept: list[bytes] = []
        kept_size = 0
        dropped = 0
        envelope: datetime | None = None
        previous_blank = True
        last_line = b""
        for line in handle:
            if (line[:5] == b"From " and previous_blank and _FROM_LINE.match(line)):
                if start >= 0:
                    yield _mbox_message(index, number, start, offset, kept, dropped, envelope,
                                        mtime, False)
                number += 1
                start = offset + len(line)
                kept, kept_size, dropped = [], 0, 0
                envelope = envelope_date(line)
            elif start < 0:
                if line.strip():
                    yield Unreadable(index, 0, offset, _(
                        "le fichier ne commence pas par une ligne « From » : pas une boîte mbox"))
                    return
            elif kept_size < MAX_KEPT:
                kept.append(line)
                kept_size += len(line)
            else:
                dropped += len(line)
            previous_blank = line in (b"\n", b"\r\n")
            offset += len(line)
            last_line = line
        if start >= 0:
            yield _mbox_message(index, number, start, offset, kept, dropped, envelope, mtime,
                                not last_line.endswith(b"\n"))


def _mbox_message(index: int, number: int, start: int, end: int, kept: list[bytes],
                  dropped: int, envelope: datetime | None, mtime: datetime | None,
                  cut: bool) -> RawMail:
    data = b"".join(kept)
    if b">From " in data:
        data = _QUOTED_FROM.sub(rb"\1", data)
    return RawMail(index, number, start, end - start, data, dropped, envelope, mtime, cut)


def read_mbox_at(path: Path, offset: int, length: int) -> tuple[bytes, int]:
    """One message of an mbox again, by its place (for the write, after the preview)."""
    with path.open("rb") as handle:
        handle.seek(offset)
        data = handle.read(min(length, MAX_KEPT))
    kept = data
    if b">From " in kept:
        kept = _QUOTED_FROM.sub(rb"\1", kept)
    return kept, max(0, length - MAX_KEPT)


def read_message_file(path: Path, index: int) -> RawMail | Unreadable:
    """A file holding one message (.eml, a Maildir entry)."""
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_KEPT)
            size = os.fstat(handle.fileno()).st_size
    except IsADirectoryError:
        return Unreadable(index, 1, 0, _("un dossier à la place d'un message"))
    except PermissionError:
        return Unreadable(index, 1, 0, _("lecture refusée (droits du fichier)"))
    except OSError as error:
        return Unreadable(index, 1, 0, _("illisible ({why})").format(
            why=error.strerror or error.__class__.__name__))
    if not data.strip():
        return Unreadable(index, 1, 0, _("fichier vide"))
    return RawMail(index, 1, 0, size, data, max(0, size - len(data)), None, file_time(path))
