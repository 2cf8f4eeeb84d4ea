"""Reading a file's bytes and finding out what they are: kind, encoding, separator.

Encoding, in this order (generic detectors misread short French files — one
took a cp1252 sheet for cp1250 and turned "Hélène" into "Hélčne"):

1. a byte-order mark (UTF-8, UTF-16 LE/BE) — Excel's "CSV UTF-8" and
   "Unicode text" exports carry one;
2. strict UTF-8;
3. UTF-8 with a few bad bytes (many valid multi-byte sequences, a handful of
   invalid ones): the bad bytes are reported by line and column rather than
   guessed, since decoding the whole file as cp1252 would garble every accent;
4. a French 8-bit code page: cp1252 (Windows, French Excel), mac_roman (old
   Mac Excel), cp850 (DOS). Each candidate decodes the text; the one whose
   non-ASCII characters look like French (é, è, à, ç… inside words) wins, and
   cp1252 wins ties. Not latin-1: bytes 0x80–0x9F hold €, œ and ’ in cp1252.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from pathlib import Path

from qualif_tui.base.i18n import _
from qualif_tui.services.importing.model import Problem

# Whole files are read into memory; beyond this, ask for a split.
MAX_BYTES = 512 * 1024 * 1024

BOMS = (
    (b"\xef\xbb\xbf", "utf-8-sig", "UTF-8 (BOM)"),
    (b"\xff\xfe", "utf-16-le", "UTF-16 LE (BOM)"),
    (b"\xfe\xff", "utf-16-be", "UTF-16 BE (BOM)"),
)
LEGACY = ("cp1252", "mac_roman", "cp850")
SEPARATORS = (";", ",", "\t", "|")
SEPARATOR_NAMES = {";": "';'", ",": "','", "\t": "tab", "|": "'|'", "": _("aucun (une colonne)")}

_FRENCH_LOWER = set("éèêëàâäçùûüôöîïœæÿ")
_FRENCH_UPPER = set("ÉÈÊËÀÂÄÇÙÛÜÔÖÎÏŒÆŸ")
_GOOD_SYMBOLS = set("€’‘“”«»°²–—…·\u00a0\u202f")
_UTF8_SEQUENCE = re.compile(rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}")


class SourceError(Exception):
    """The file cannot be read at all (missing, a folder, empty, binary…)."""


@dataclass(frozen=True)
class Source:
    path: Path
    name: str       # as the user gave it, for messages
    data: bytes

    @property
    def suffix(self) -> str:
        return self.path.suffix.lower()


def read_source(path: Path, name: str | None = None) -> Source:
    """The bytes of ``path``, or a SourceError saying plainly why not."""
    shown = name or str(path)
    if not path.exists():
        raise SourceError(_("{shown} : fichier introuvable").format(shown=shown))
    if path.is_dir():
        raise SourceError(_("{shown} : c'est un dossier, pas un fichier").format(shown=shown))
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise SourceError(_("{shown} : {value:.0f} Mo, c'est plus que ce que qualif importe d'un coup ({value2} Mo) : découpez le fichier").format(shown=shown, value=size / 1000000.0, value2=MAX_BYTES // (1024 * 1024)))
        data = path.read_bytes()
    except PermissionError:
        raise SourceError(_("{shown} : permission refusée").format(shown=shown)) from None
    except OSError as error:
        raise SourceError(_("{shown} : illisible ({strerror})").format(shown=shown, strerror=error.strerror)) from None
    if not data.strip(b" \t\r\n\x00\xef\xbb\xbf\xff\xfe"):
        raise SourceError(_("{shown} : le fichier est vide").format(shown=shown))
    return Source(path, shown, data)


def is_zip(data: bytes) -> bool:
    return data[:4] == b"PK\x03\x04"


def refuse_unknown_binary(source: Source) -> None:
    """Raise a clear SourceError for the binary files people try by mistake."""
    head = source.data[:8]
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise SourceError(_("{name} : un ancien fichier Excel .xls (ou autre Office 97) : ouvrez-le dans Excel ou LibreOffice et enregistrez-le en .xlsx ou CSV").format(name=source.name))
    if head.startswith(b"%PDF"):
        raise SourceError(_("{name} : un fichier PDF, pas un CSV, vCard ou xlsx").format(name=source.name))
    if head.startswith(b"SQLite format 3"):
        raise SourceError(_("{name} : une base SQLite, pas un CSV, vCard ou xlsx").format(name=source.name))
    if is_zip(source.data):
        raise SourceError(_("{name} : une archive zip qui n'est pas un classeur .xlsx (un .ods ou un .docx ?) : enregistrez-la en .xlsx ou CSV").format(name=source.name))
    if _looks_binary(source.data):
        raise SourceError(_("{name} : un fichier binaire, pas un CSV, vCard ou xlsx").format(name=source.name))


def _looks_binary(data: bytes) -> bool:
    if any(data.startswith(bom) for bom, _, _ in BOMS[1:]) or _utf16_without_bom(data):
        return False
    head = data[:65536]
    if b"\x00" in head:
        return True
    controls = sum(1 for b in head if b < 32 and b not in (9, 10, 12, 13))
    return controls > len(head) // 100 + 1


def _utf16_without_bom(data: bytes) -> str | None:
    head = data[:4096]
    if len(head) < 8:
        return None
    even_nul = head[0::2].count(0) / len(head[0::2])
    odd_nul = head[1::2].count(0) / len(head[1::2])
    if odd_nul > 0.4 and even_nul < 0.05:
        return "utf-16-le"
    if even_nul > 0.4 and odd_nul < 0.05:
        return "utf-16-be"
    return None


# -- encoding -------------------------------------------------------------------


@dataclass(frozen=True)
class Decoded:
    text: str
    encoding: str           # a human label: "UTF-8", "cp1252 (Windows)"…
    problems: tuple[Problem, ...] = ()


def decode_text(source: Source) -> Decoded:
    data = source.data
    for bom, codec, label in BOMS:
        if data.startswith(bom):
            return _strict(source, data[len(bom):], codec.replace("-sig", ""), label)
    utf16 = _utf16_without_bom(data)
    if utf16:
        label = "UTF-16 LE" if utf16.endswith("le") else "UTF-16 BE"
        return _strict(source, data, utf16, label + " (no BOM)")
    try:
        return Decoded(data.decode("utf-8"), "UTF-8")
    except UnicodeDecodeError:
        pass
    if _mostly_utf8(data):
        return Decoded(data.decode("utf-8", errors="replace"), "UTF-8",
                       tuple(_bad_utf8_bytes(source, data)))
    best = max(LEGACY, key=lambda codec: (_frenchness(data, codec), codec == "cp1252"))
    text = data.decode(best, errors="strict" if best != "cp1252" else "replace")
    problems: tuple[Problem, ...] = ()
    if best == "cp1252" and "\ufffd" in text:
        problems = tuple(_undefined_cp1252(source, data))
    labels = {"cp1252": "cp1252 (Windows)", "mac_roman": "mac_roman (old Mac)",
              "cp850": "cp850 (DOS)"}
    return Decoded(text, labels[best], problems)


def _strict(source: Source, data: bytes, codec: str, label: str) -> Decoded:
    try:
        return Decoded(data.decode(codec), label)
    except UnicodeDecodeError as error:
        text = data.decode(codec, errors="replace")
        line = data[:error.start].decode(codec, errors="replace").count("\n") + 1
        return Decoded(text, label, (Problem(source.name, line,
                                             _("des octets qui ne sont pas du texte {label} valide").format(label=label)),))


def _mostly_utf8(data: bytes) -> bool:
    valid = len(_UTF8_SEQUENCE.findall(data))
    high = sum(1 for b in data if b >= 0x80)
    invalid = high - sum(len(m) for m in _UTF8_SEQUENCE.findall(data))
    return valid >= 3 and valid > 2 * invalid


def _bad_utf8_bytes(source: Source, data: bytes) -> list[Problem]:
    problems: list[Problem] = []
    position = 0
    while position < len(data) and len(problems) < 50:
        try:
            data[position:].decode("utf-8")
            break
        except UnicodeDecodeError as error:
            at = position + error.start
            problems.append(_byte_problem(source, data, at, "UTF-8"))
            position = at + 1
    return problems


def _undefined_cp1252(source: Source, data: bytes) -> list[Problem]:
    problems = []
    for match in re.finditer(rb"[\x81\x8d\x8f\x90\x9d]", data):
        problems.append(_byte_problem(source, data, match.start(), "cp1252"))
        if len(problems) >= 50:
            break
    return problems


def _byte_problem(source: Source, data: bytes, at: int, codec: str) -> Problem:
    line_start = data.rfind(b"\n", 0, at) + 1
    line = data.count(b"\n", 0, at) + 1
    column = len(data[line_start:at].decode("utf-8", errors="replace")) + 1
    return Problem(source.name, line,
                   _("l'octet 0x{value:02X} au caractère {column} n'est pas du texte {codec} (enregistrez de nouveau le fichier en UTF-8)").format(value=data[at], column=column, codec=codec))


def _frenchness(data: bytes, codec: str) -> float:
    """How French the non-ASCII characters of ``data`` look once decoded with ``codec``."""
    try:
        text = data.decode(codec)
    except UnicodeDecodeError:
        text = data.decode(codec, errors="replace")
    score = 0.0
    for index, char in enumerate(text):
        if ord(char) < 128:
            continue
        before = text[index - 1] if index else " "
        after = text[index + 1] if index + 1 < len(text) else " "
        in_word = before.isalpha() or after.isalpha()
        if char in _FRENCH_LOWER:
            score += 2 if in_word else 0.5
        elif char in _FRENCH_UPPER:
            # capitals with accents start words or fill all-caps words
            score += 1 if (before.isupper() or after.isupper() or not before.isalpha()) else -1
        elif char in _GOOD_SYMBOLS:
            score += 0.5
        elif char == "\ufffd" or ord(char) < 160:
            score -= 5
        else:
            score -= 2
    return score


# -- separator ------------------------------------------------------------------


def detect_separator(text: str) -> str:
    """The separator that splits the first records into the most consistent columns.

    Each candidate parses up to 50 records; it needs at least two columns in
    the header; the one whose records most often have the header's width wins
    (then the wider header, then the order ``;`` ``,`` tab ``|``). ``""`` when
    no candidate splits the header: a one-column file.
    """
    sample = _first_records_text(text, 50)
    best: tuple[float, int, int] = (0.0, 0, 0)
    chosen = ""
    for rank, candidate in enumerate(SEPARATORS):
        if candidate not in sample:
            continue
        try:
            rows = [r for r in csv.reader(io.StringIO(sample), delimiter=candidate) if any(r)]
        except csv.Error:
            continue
        if not rows or len(rows[0]) < 2:
            continue
        width = len(rows[0])
        body = rows[1:] or rows
        consistent = sum(1 for r in body if len(r) == width or _trailing_empty(r, width)) / len(body)
        score = (consistent, width, -rank)
        if score > best:
            best, chosen = score, candidate
    return chosen


def _trailing_empty(row: list[str], width: int) -> bool:
    return len(row) > width and not any(cell.strip() for cell in row[width:])


def _first_records_text(text: str, records: int) -> str:
    """The beginning of ``text`` holding about ``records`` lines (quotes may span lines)."""
    end = 0
    for _record in range(records + 1):
        found = text.find("\n", end)
        if found < 0:
            return text
        end = found + 1
        if end > 200_000:
            break
    return text[:end]
