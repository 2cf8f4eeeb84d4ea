"""Is the file's schema the one this code made? Triggers and views nobody expects are refused.

A qualif-looking file can carry a planted ``CREATE TRIGGER … AFTER INSERT ON
segments BEGIN UPDATE contacts SET email = 'attacker@…'; END`` that runs on the
next ``segment save``, or a trigger with an endless recursive CTE that hangs
every write. So the schema of a file not known sound is compared, names and
SQL, with the one the code expects — made by running the migrations on an
in-memory database, so that every table, index, view and trigger another
module adds through ``storage/schema.py`` and ``_STEPS`` is expected with no
list to keep up to date here.

Tables are compared by their columns (an upgraded file's ALTER TABLE spells them
otherwise than a new file's CREATE TABLE), everything else by its SQL. What is
allowed beyond it: the ``k<id>`` columns of ``contact_facts`` and their
``facts_k<id>`` indexes (one per qualification key), the ``contacts_with_keys``
view as ``schema.contacts_with_keys_sql`` makes it for the file's own keys (its
columns are the keys; made for other keys — qual_keys written by another program
— it is "stale": reported, not refused, and made again by a writable open),
SQLite's own tables
(``sqlite_stat1``…), and the full-text shadow tables' SQL (it depends on the
SQLite version that made them). An unknown or altered trigger or view is
refused on open (:class:`UnexpectedSchema`); ``qualif check`` reports every
difference. Until the schema is verified the connection runs with
``PRAGMA trusted_schema = OFF``.
"""

from __future__ import annotations

import functools
import re
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from qualif_tui.base.i18n import _
from qualif_tui.storage import migrations, schema

_COMMENT = re.compile(r"--[^\n]*|/\*.*?\*/", re.DOTALL)
_KEY_COLUMN = re.compile(r"k\d+ (?:INTEGER|REAL|TEXT)  None 0$")
_COLUMNS = "COLUMNS: "
_KEY_INDEX = re.compile(r"CREATE INDEX (facts_k(\d+)) ON contact_facts\s*\(\s*k\2\s*\)$",
                        re.IGNORECASE)
_SQLITE_OWN = re.compile(r"sqlite_(stat\d|sequence|autoindex_.*)$")
_SHADOW = ("_data", "_idx", "_docsize", "_config", "_content")
_BLOCKING = ("trigger", "view")
_KIND = {"trigger": "déclencheur", "view": "vue", "table": "table", "index": "index"}


class UnexpectedSchema(Exception):
    """A trigger or view the code did not make (the message says which, and what to do)."""


@dataclass(frozen=True)
class Difference:
    kind: str      # table, index, view, trigger
    name: str
    what: str      # "unknown", "altered", "missing", "stale"

    @property
    def blocking(self) -> bool:
        """Code could run from it: refused on open."""
        return self.kind in _BLOCKING and self.what not in ("missing", "stale")

    def describe(self) -> str:
        words = {"unknown": _("{kind} inconnu(e) « {name} »"),
                 "altered": _("{kind} modifié(e) « {name} »"),
                 "missing": _("{kind} manquant(e) « {name} »"),
                 "stale": _("{kind} « {name} » faite pour d'autres clés (refaite à "
                            "la prochaine ouverture en écriture)")}
        return words[self.what].format(kind=_KIND.get(self.kind, self.kind), name=self.name)


def normalise(sql: str | None) -> str:
    text = _COMMENT.sub(" ", sql or "")
    text = re.sub(r"\bIF NOT EXISTS\b", " ", text, flags=re.IGNORECASE)
    text = " ".join(text.split())
    return re.sub(r"\s*([(),])\s*", r"\1", text)


def _shape(conn: sqlite3.Connection, kind: str, name: str, sql: str | None) -> str:
    """What is compared: a plain table by its columns (an upgraded file's ALTER TABLE
    writes them in another order and spelling than a new file's CREATE TABLE), any
    other object by its SQL."""
    text = normalise(sql)
    if kind != "table" or text.upper().startswith("CREATE VIRTUAL TABLE"):
        return text
    columns = sorted(
        f"{row[1]} {str(row[2]).upper()} {'NOT NULL' if row[3] else ''} {row[4]} {row[5]}"
        for row in conn.execute(f'PRAGMA table_xinfo("{name}")'))
    return _COLUMNS + " | ".join(columns)


@functools.lru_cache(maxsize=8)
def expected_schema(version: int = migrations.LATEST_VERSION) -> dict[tuple[str, str], str]:
    """(type, name) → the shape (see :func:`_shape`) of each object of a file at
    ``version`` made by this code."""
    conn = sqlite3.connect(":memory:", isolation_level=None)
    try:
        conn.execute("BEGIN")
        for step in migrations._STEPS[:version]:  # what migrate() runs, up to that version
            step(conn)
        return {(row[0], row[1]): _shape(conn, row[0], row[1], row[2])
                for row in conn.execute("SELECT type, name, sql FROM sqlite_schema").fetchall()}
    finally:
        conn.close()


def _shadow_of_fulltext(name: str, expected: dict[tuple[str, str], str]) -> bool:
    return any(name.endswith(s) and ("table", name[:-len(s)]) in expected
               and "VIRTUAL TABLE" in expected[("table", name[:-len(s)])].upper()
               for s in _SHADOW)


def _contact_facts_with_keys(actual: str, expected: str) -> bool:
    """``contact_facts`` as made, plus ``k<id>`` columns added by ALTER TABLE."""
    wanted = set(expected.removeprefix(_COLUMNS).split(" | "))
    found = actual.removeprefix(_COLUMNS).split(" | ")
    extra = [c for c in found if c not in wanted]
    return wanted <= set(found) and all(_KEY_COLUMN.match(c) for c in extra)


def compare(conn: sqlite3.Connection, version: int | None = None) -> list[Difference]:
    """The differences between the file's schema and the expected one."""
    if version is None:
        version = int(conn.execute("PRAGMA user_version").fetchone()[0])
    expected = expected_schema(min(version, migrations.LATEST_VERSION))
    found: list[Difference] = []
    seen: set[tuple[str, str]] = set()
    for kind, name, sql in conn.execute("SELECT type, name, sql FROM sqlite_schema").fetchall():
        key = (str(kind), str(name))
        seen.add(key)
        if _SQLITE_OWN.match(key[1]):
            continue
        text = _shape(conn, key[0], key[1], sql)
        want = expected.get(key)
        if key == ("view", "contacts_with_keys") and want is not None:
            if text != normalise(schema.contacts_with_keys_sql(_keys_or_none(conn))):
                # made by this code for other keys, or planted: either way a view
                # qualif never reads and remakes on the next writable open
                found.append(Difference(key[0], key[1], "stale"))
            continue
        if want is None:
            if kind == "index" and _KEY_INDEX.match(text):
                continue
            found.append(Difference(key[0], key[1], "unknown"))
        elif text != want:
            if key == ("table", "contact_facts") and _contact_facts_with_keys(text, want):
                continue
            if kind == "table" and _shadow_of_fulltext(key[1], expected):
                continue
            found.append(Difference(key[0], key[1], "altered"))
    for key in expected:
        if key not in seen and not _SQLITE_OWN.match(key[1]):
            found.append(Difference(key[0], key[1], "missing"))
    return found


def _keys_or_none(conn: sqlite3.Connection) -> list[tuple[int, str, str]]:
    try:
        return migrations.keys_of(conn)
    except sqlite3.Error:  # no qual_keys table: the view cannot be the expected one
        return []


def remake_stale_view(conn: sqlite3.Connection) -> None:
    """Make contacts_with_keys again if it was made for other keys (writable files)."""
    if any(d.what == "stale" for d in compare(conn)):
        conn.execute("BEGIN IMMEDIATE")
        try:
            migrations.refresh_contacts_with_keys(conn)
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")


def refuse_planted(conn: sqlite3.Connection, path: Path) -> None:
    """Raise :class:`UnexpectedSchema` for a trigger or view the code did not make."""
    blocking = [d for d in compare(conn) if d.blocking]
    if not blocking:
        return
    names = ", ".join(d.describe() for d in blocking[:3])
    if len(blocking) > 3:
        names += _(" (et {n} autres)").format(n=len(blocking) - 3)
    first = blocking[0]
    drop = f"DROP {first.kind.upper()} \"{first.name}\""
    raise UnexpectedSchema(_(
        "{path} contient du code que qualif n'y a pas mis ({names}) : fichier refusé. Un"
        " autre programme l'a modifié ; restaurez une sauvegarde, ou, si vous savez d'où il"
        " vient, retirez-le (sqlite3 {path} '{drop}')").format(path=path, names=names,
                                                              drop=drop))
