"""What every reader produces and every later stage consumes.

A reader turns one file into :class:`Incoming` contacts (fields already
normalised, key values as text, leftovers as custom fields and notes) plus
:class:`Problem` (the file is broken: the import is refused) and
:class:`Notice` (a value could not go where it belonged and was kept
elsewhere: the import goes on and says so).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from qualif_tui.base.i18n import _
from qualif_tui.domain.errors import QualifError

# Problems listed in a refusal; the rest are counted.
MAX_LISTED = 20


@dataclass(frozen=True)
class Problem:
    """Something that makes a file unusable as it is (the import is refused)."""

    source: str
    line: int | None
    message: str
    column: str = ""

    def describe(self) -> str:
        where = self.source
        if self.line is not None:
            where += _(", ligne {line}").format(line=self.line)
        if self.column:
            where += _(", colonne {column}").format(column=self.column)
        return f"{where}: {self.message}"


@dataclass(frozen=True)
class Notice:
    """A value kept somewhere other than where it was meant to go (import goes on)."""

    source: str
    line: int | None
    message: str
    column: str = ""

    def describe(self) -> str:
        return Problem(self.source, self.line, self.message, self.column).describe()


class ImportRefused(QualifError):
    """The files cannot be imported; ``problems`` says where and why."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        listed = problems[:MAX_LISTED]
        more = len(problems) - len(listed)
        lines = [p.describe() for p in listed]
        if more:
            lines.append(_("… et {more} problème(s) de plus").format(more=more))
        head = _("import refusé, rien n'a été écrit :") if lines else \
            _("import refusé, rien n'a été écrit")
        super().__init__(head + ("\n" if lines else "") + "\n".join(lines))

    @property
    def lines(self) -> list[str]:
        listed = [p.describe() for p in self.problems[:MAX_LISTED]]
        more = len(self.problems) - MAX_LISTED
        if more > 0:
            listed.append(_("… et {more} problème(s) de plus").format(more=more))
        return listed


@dataclass(slots=True)
class Incoming:
    """One contact as a file describes it.

    ``fields`` holds values for contact columns (an e-mail address or a postal
    code that is not valid is kept too, and flagged on the card); ``keys`` maps a
    key id to the text (or list of texts, for multi-choice) found for it;
    ``custom`` keeps every value that has no column (by column or property
    name); ``notes`` become history entries.
    """

    source: str
    line: int
    fields: dict[str, str] = field(default_factory=dict)
    keys: dict[int, Any] = field(default_factory=dict)
    custom: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def keep(self, name: str, value: str) -> None:
        """Put ``value`` in the custom fields under ``name`` (a new name if taken)."""
        value = value.strip()
        if not value:
            return
        if self.custom.get(name) == value:
            return
        candidate, n = name, 2
        while candidate in self.custom:
            if self.custom[candidate] == value:
                return
            candidate = f"{name} ({n})"
            n += 1
        self.custom[candidate] = value

    @property
    def label(self) -> str:
        """How reports name this contact."""
        name = " ".join(p for p in (self.fields.get("first_name", ""),
                                    self.fields.get("last_name", "")) if p)
        return name or self.fields.get("company", "") or self.fields.get("email", "") or "(sans nom)"


@dataclass(frozen=True)
class ColumnUse:
    """Where one column of a tabular file goes (for --dry-run and the summary)."""

    column: str
    target: str          # human description: "Prénom", "clé Profil", "note", "champ libre"
    kept_as_custom: bool = False
    filled: bool = True  # some row has a value in it


@dataclass
class ParsedFile:
    """One file read: its contacts and what the reader found out about it."""

    path: Path
    source: str                     # the name reports use
    format: str                     # "csv", "vcard", "xlsx"
    encoding: str = ""
    separator: str = ""
    profile: str = ""               # "Outlook (français)", "Google Contacts"…
    columns: list[ColumnUse] = field(default_factory=list)
    records: list[Incoming] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    notices: list[Notice] = field(default_factory=list)
    dropped: dict[str, int] = field(default_factory=dict)  # what was not imported, and how often

    @property
    def unmapped(self) -> list[str]:
        return [c.column for c in self.columns if c.kept_as_custom and c.filled]
