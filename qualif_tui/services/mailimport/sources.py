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
from typing import BinaryIO

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


def read_mbox(path: Path, index: int, block: int = _BLOCK) -> Iterator[RawMail | Unreadable]:
    """The messages of an mbox file, one at a time (mboxo and mboxrd: a ``>From ``
    line loses one ``>``). A message starts at a "From " line that follows an empty
    line (or starts the file) and carries a time, so an unquoted "From " in a
    body, the mboxo writers' flaw, rarely splits a message.

    The file is read ``block`` bytes at a time and separators are found with
    ``bytes.find`` (a Python loop over lines took a fifth of the preview)."""
    try:
        mtime = plausible(datetime.fromtimestamp(path.stat().st_mtime))
    except (OSError, OverflowError, ValueError):
        mtime = None
    with path.open("rb") as handle:
        scan = _Scan(handle, block)
        line_start = scan.skip_blank_lines()
        if line_start is None:
            return
        number = 0
        while True:
            line = scan.line_at(line_start)
            if not _FROM_LINE.match(line):
                yield Unreadable(index, 0, line_start, _(
                    "le fichier ne commence pas par une ligne « From » : pas une boîte mbox"))
                return
            number += 1
            body_start = line_start + len(line)
            kept, dropped, end = scan.until_separator(body_start)
            data = b"".join(kept)
            if b">From " in data:
                data = _QUOTED_FROM.sub(rb"\1", data)
            if end is None:  # the end of the file
                size = scan.position
                yield RawMail(index, number, body_start, size - body_start, data, dropped,
                              envelope_date(line), mtime, not scan.ends_with_newline)
                return
            yield RawMail(index, number, body_start, end - body_start, data, dropped,
                          envelope_date(line), mtime, False)
            line_start = end


class _Scan:
    """A window on a file read block by block; offsets are the file's."""

    def __init__(self, handle: BinaryIO, block: int) -> None:
        self.handle = handle
        self.block = block
        self.buffer = b""
        self.base = 0            # file offset of buffer[0]
        self.eof = False
        self.ends_with_newline = True

    @property
    def position(self) -> int:
        """The file offset just past the buffer."""
        return self.base + len(self.buffer)

    def _more(self, keep_from: int) -> bool:
        """Drop the buffer before file offset ``keep_from`` and read a block."""
        if self.eof:
            return False
        chunk = self.handle.read(self.block)
        cut = max(0, keep_from - self.base)
        self.buffer = self.buffer[cut:] + chunk
        self.base += cut
        if not chunk:
            self.eof = True
            self.ends_with_newline = self.buffer.endswith(b"\n") or not self.buffer
            return False
        return True

    def skip_blank_lines(self) -> int | None:
        """The offset of the first line that is not blank (None: nothing but blanks)."""
        self._more(0)
        while True:
            stripped = self.buffer.lstrip(b"\r\n")
            if stripped:
                return self.base + len(self.buffer) - len(stripped)
            if not self._more(self.position):
                return None

    def line_at(self, offset: int) -> bytes:
        """The whole line starting at ``offset`` (with its newline when it has one)."""
        while True:
            start = offset - self.base
            end = self.buffer.find(b"\n", start)
            if end >= 0:
                return self.buffer[start:end + 1]
            if not self._more(offset):
                return self.buffer[offset - self.base:]

    def until_separator(self, start: int) -> tuple[list[bytes], int, int | None]:
        """The bytes from ``start`` up to the next "From " line after an empty line:
        kept (up to MAX_KEPT), the number dropped, and that line's offset (None: the
        file ended first)."""
        kept: list[bytes] = []
        kept_size = dropped = 0
        search = start
        taken = start            # bytes before this offset are in kept or dropped
        while True:
            index = self.buffer.find(b"\nFrom ", search - self.base)
            while index >= 0:
                before = self.buffer[max(0, index - 2):index]
                if not (before.endswith(b"\n") or before == b"\n\r"):  # no empty line before
                    index = self.buffer.find(b"\nFrom ", index + 1)
                    continue
                line_end = self.buffer.find(b"\n", index + 1)
                if line_end < 0 and not self.eof:
                    break  # the candidate line is not all here yet
                line = self.buffer[index + 1:line_end + 1 if line_end >= 0 else None]
                if _FROM_LINE.match(line):
                    end = self.base + index + 1
                    kept_size, dropped = _take(kept, kept_size, dropped,
                                               self.buffer[taken - self.base:index + 1])
                    return kept, dropped, end
                index = self.buffer.find(b"\nFrom ", index + 1)
            # no separator in the buffer: keep what cannot start one, read on
            last_newline = self.buffer.rfind(b"\n")
            hold = self.base + max(taken - self.base, last_newline - 2, 0) if index < 0 else \
                self.base + max(taken - self.base, index - 2)
            kept_size, dropped = _take(kept, kept_size, dropped,
                                       self.buffer[taken - self.base:hold - self.base])
            taken = hold
            search = hold
            # two bytes more are kept: they say whether the line before a "From " is empty
            if not self._more(hold - 2):
                kept_size, dropped = _take(kept, kept_size, dropped,
                                           self.buffer[taken - self.base:])
                return kept, dropped, None


def _take(kept: list[bytes], size: int, dropped: int, data: bytes) -> tuple[int, int]:
    """Keep ``data`` up to MAX_KEPT bytes in all; count the rest as dropped."""
    room = MAX_KEPT - size
    if len(data) <= room:
        if data:
            kept.append(data)
        return size + len(data), dropped
    if room > 0:
        kept.append(data[:room])
    return size + max(room, 0), dropped + len(data) - max(room, 0)


def read_mbox_at(handle: BinaryIO, offset: int, length: int) -> tuple[bytes, int]:
    """One message of an open mbox again, by its place (the write, after the preview)."""
    handle.seek(offset)
    kept = handle.read(min(length, MAX_KEPT))
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
