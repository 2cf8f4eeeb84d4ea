"""The catalogues: extract the marked strings, compile them, check them.

    python scripts/i18n.py extract   # add new msgids to the .po files (make i18n)
    python scripts/i18n.py compile   # .po → .mo (the .mo files are committed)
    python scripts/i18n.py check     # CI: every msgid translated, every .mo current
    python scripts/i18n.py todo      # the msgids still without English, with where

Two catalogues, standard gettext (read at run time by ``gettext`` alone):

- ``qualif_tui/locale/en/LC_MESSAGES/qualif.po``: qualif's own strings, written in
  French in the code, with their English. A msgid is a string literal in
  ``_("…")``, ``N_("…")``, ``ngettext("…", "…", n)``, the description of a
  ``Key(…)``/``Binding(…)``, a click ``help=``, or the docstring of a click
  command (what ``--help`` prints).
- ``qualif_tui/locale/fr/LC_MESSAGES/click.po``: click's own English strings
  ("Usage:", "Show this message and exit.", "No such option") in French, so that
  ``--help`` and usage errors speak one language.

Extraction reads the code's syntax tree (no import, no babel extractor); babel
writes and compiles the catalogues (a dev dependency: the app reads ``.mo`` files
with the standard library).
"""

from __future__ import annotations

import argparse
import ast
import inspect
import io
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "qualif_tui"
LOCALE = PACKAGE / "locale"
QUALIF_PO = LOCALE / "en" / "LC_MESSAGES" / "qualif.po"
CLICK_PO = LOCALE / "fr" / "LC_MESSAGES" / "click.po"

MARKERS = {"_", "N_"}
CLICK_DECORATORS = {"option", "argument", "command", "group", "version_option",
                    "help_option", "password_option", "confirmation_option"}
CLICK_TEXTS = ("help", "short_help", "epilog", "prompt", "message")


@dataclass
class Message:
    msgid: str
    plural: str | None = None
    places: list[tuple[str, int]] = field(default_factory=list)

    @property
    def key(self) -> str | tuple[str, str]:
        return self.msgid if self.plural is None else (self.msgid, self.plural)


def _literal(node: ast.AST | None) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return None


def _name(func: ast.AST) -> str:
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return ""


def _strings_of(tree: ast.AST) -> Iterator[tuple[str, str | None, int]]:
    """(msgid, plural, line) of every marked string of one module."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            name = _name(node.func)
            args = node.args
            if name in MARKERS and args:
                text = _literal(args[0])
                if text:
                    yield text, None, node.lineno
            elif name == "ngettext" and len(args) >= 2:
                singular, plural = _literal(args[0]), _literal(args[1])
                if singular and plural:
                    yield singular, plural, node.lineno
            elif name in ("Key", "Binding", "described"):
                index = 3 if name == "Key" else 2
                text = _literal(args[index]) if len(args) > index else None
                for keyword in node.keywords:
                    if keyword.arg == "description":
                        text = _literal(keyword.value)
                if text:
                    yield text, None, node.lineno
            elif name in ("work", "run_worker"):  # a worker's description says what is busy
                for keyword in node.keywords:
                    text = _literal(keyword.value)
                    if keyword.arg == "description" and text:
                        yield text, None, node.lineno
            elif name in CLICK_DECORATORS:
                for keyword in node.keywords:
                    text = _literal(keyword.value)
                    if keyword.arg in CLICK_TEXTS and text:
                        yield inspect.cleandoc(text), None, node.lineno
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and any(
                isinstance(d, ast.Call) and _name(d.func) in ("command", "group")
                for d in node.decorator_list):
            doc = ast.get_docstring(node, clean=True)
            if doc:
                yield doc, None, node.lineno


def extract(files: Iterable[Path] | None = None) -> dict[str | tuple[str, str], Message]:
    """Every msgid of the package, with the places that use it."""
    found: dict[str | tuple[str, str], Message] = {}
    for path in sorted(files if files is not None else PACKAGE.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        where = (path.relative_to(ROOT).as_posix() if path.is_relative_to(ROOT)
                 else f"{path.parent.name}/{path.name}")
        for msgid, plural, line in _strings_of(tree):
            message = Message(msgid, plural)
            found.setdefault(message.key, message).places.append((where, line))
    return found


def click_messages() -> dict[str | tuple[str, str], Message]:
    """click's own gettext strings (its source marks them with ``_``/``ngettext``)."""
    import click

    return extract(Path(click.__file__).parent.glob("*.py"))


def read(path: Path, locale: str) -> Catalog:
    if not path.exists():
        return Catalog(locale=locale, domain=path.stem)
    with path.open("rb") as handle:
        return read_po(handle, locale=locale)


def _rewrite(path: Path, locale: str, project: str,
             messages: dict[str | tuple[str, str], Message]) -> list[str]:
    """Writes ``path`` with ``messages``, keeping the translations it had; returns the
    msgids still untranslated."""
    old = read(path, locale)
    new = Catalog(locale=locale, domain=path.stem, project=project, version="",
                  copyright_holder="qualif", charset="utf-8")
    missing = []
    for key, message in sorted(messages.items(), key=lambda item: item[1].msgid):
        before = old.get(message.msgid)
        string: str | tuple[str, ...] = ""
        if before is not None and before.string and (before.pluralizable == bool(message.plural)):
            string = tuple(before.string) if isinstance(before.string, (list, tuple)) \
                else before.string
        if message.plural is not None:
            string = string if isinstance(string, tuple) else ("", "")
        # files without line numbers: a line moved is no change to the catalogue
        places: Any = sorted({(file, None) for file, _line in message.places})
        new.add(key, string, locations=places)
        if not string or (isinstance(string, tuple) and not all(string)):
            missing.append(message.msgid)
    path.parent.mkdir(parents=True, exist_ok=True)
    buffer = io.BytesIO()
    write_po(buffer, new, width=0, omit_header=False, include_lineno=False,
             sort_output=True, ignore_obsolete=True)
    path.write_bytes(_stable_header(buffer.getvalue()))
    return missing


def _stable_header(po: bytes) -> bytes:
    """Without the dates babel writes, so that an unchanged catalogue stays unchanged."""
    lines = [line for line in po.split(b"\n")
             if not line.startswith((b'"POT-Creation-Date', b'"PO-Revision-Date',
                                     b'"Generated-By'))]
    return b"\n".join(lines)


def compiled(path: Path, locale: str) -> bytes:
    catalog = read(path, locale)
    # the .po has no dates (see _stable_header): the same .po gives the same bytes
    catalog.creation_date = catalog.revision_date = datetime(2026, 1, 1, tzinfo=UTC)
    buffer = io.BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    return buffer.getvalue()


def catalogues() -> list[tuple[Path, str]]:
    return [(QUALIF_PO, "en"), (CLICK_PO, "fr")]


def untranslated(path: Path, locale: str,
                 messages: dict[str | tuple[str, str], Message]) -> list[Message]:
    """The messages of the code that ``path`` does not translate."""
    catalog = read(path, locale)
    missing = []
    for message in messages.values():
        entry = catalog.get(message.msgid)
        string = entry.string if entry is not None else None
        if not string or (isinstance(string, tuple) and not all(string)):
            missing.append(message)
    return missing


def describe(missing: list[Message], path: Path) -> str:
    lines = [f"{len(missing)} string(s) shown to users have no translation in "
             f"{path.relative_to(ROOT)}: run `python scripts/i18n.py extract`, fill their "
             "msgstr there, then `python scripts/i18n.py compile`:"]
    for message in missing:
        where = ", ".join(f"{file}:{line}" for file, line in message.places[:3])
        lines.append(f"  msgid {message.msgid!r}"
                     + (f" (plural {message.plural!r})" if message.plural else "")
                     + f"  — {where}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("action", choices=["extract", "compile", "check", "todo"])
    action = parser.parse_args(argv).action
    sources = {QUALIF_PO: extract(), CLICK_PO: click_messages()}
    if action == "extract":
        for path, locale in catalogues():
            missing = _rewrite(path, locale, path.stem, sources[path])
            print(f"{path.relative_to(ROOT)}: {len(sources[path])} msgids, "
                  f"{len(missing)} without translation")
        return 0
    if action == "compile":
        for path, locale in catalogues():
            path.with_suffix(".mo").write_bytes(compiled(path, locale))
        return 0
    if action == "todo":
        for path, locale in catalogues():
            left = untranslated(path, locale, sources[path])
            if left:
                print(describe(left, path))
        return 0
    status = 0
    for path, locale in catalogues():
        left = untranslated(path, locale, sources[path])
        if left:
            print(describe(left, path), file=sys.stderr)
            status = 1
        mo = path.with_suffix(".mo")
        if not mo.exists() or mo.read_bytes() != compiled(path, locale):
            print(f"{mo.relative_to(ROOT)} is stale: python scripts/i18n.py compile",
                  file=sys.stderr)
            status = 1
    return status


if __name__ == "__main__":
    sys.exit(main())
