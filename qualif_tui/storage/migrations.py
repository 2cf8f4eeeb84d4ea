"""Schema versions, recorded in ``PRAGMA user_version``.

Version 0 is an empty file. Each step moves a file one version up inside one
transaction, so a failed upgrade leaves the file as it was. A file newer than
:data:`LATEST_VERSION` is refused by :func:`~.database.open_database`.

To change the schema after a release: append a function to ``_STEPS`` that
upgrades from the previous version; never edit a released step.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

from qualif_tui.storage import schema


def _v1_initial(conn: sqlite3.Connection) -> None:
    _executescript(conn, schema.TABLES + schema.INDEXES + schema.TRIGGERS)


def _v2_history_hits_carry_their_contact(conn: sqlite3.Connection) -> None:
    """history_fts rowids become (contact_id << 32) | id (see schema.TABLES), and
    the history_owner index, which mapped hits to contacts, goes.

    A file made at version 1 indexed history by its id alone; the index is
    rebuilt from the history (about a minute at 3 000 000 entries)."""
    old = conn.execute("SELECT sql FROM sqlite_schema WHERE name = 'history_fts'").fetchone()
    if old is None or "history_fts_source" in old[0]:
        return  # created by a later schema.TABLES (a new file): nothing to convert
    for trigger in ("history_ai", "history_ad", "history_au"):
        conn.execute(f"DROP TRIGGER IF EXISTS {trigger}")
    conn.execute("DROP TABLE history_fts")
    # it mapped full-text hits to their contacts: the rowids now carry them
    conn.execute("DROP INDEX IF EXISTS history_owner")
    _executescript(conn, schema.HISTORY_FULLTEXT)
    conn.execute("INSERT INTO history_fts(history_fts) VALUES ('rebuild')")
    _executescript(conn, schema.HISTORY_TRIGGERS)


def _campaigns(conn: sqlite3.Connection) -> None:
    """The campaign tables (schema.CAMPAIGN_TABLES) and their indexes, for files
    made before campaigns existed (a new file has them from step 1)."""
    for statement in split_statements(schema.CAMPAIGN_TABLES + schema.CAMPAIGN_INDEXES):
        conn.execute(statement.replace("CREATE TABLE ", "CREATE TABLE IF NOT EXISTS ", 1)
                     .replace("CREATE INDEX ", "CREATE INDEX IF NOT EXISTS ", 1))


def _mail_archives(conn: sqlite3.Connection) -> None:
    """E-mails from mail archives: history gets message_id and direction, contact_facts
    last_inbound (the latest message from the contact), with their indexes and the
    triggers keeping last_inbound right (see schema.MAIL_INDEXES, MAIL_TRIGGERS).

    Adding nullable columns rewrites no row, whatever the size of the file; a file
    made by a later schema.TABLES already has everything and is left as it is."""
    for table, column in (("history", "message_id"), ("history", "direction"),
                          ("contact_facts", "last_inbound")):
        if column not in {row[1] for row in conn.execute(f"PRAGMA table_info({table})")}:
            conn.execute(f"ALTER TABLE {table} ADD COLUMN {column} TEXT")
    existing = {row[0] for row in conn.execute("SELECT name FROM sqlite_schema")}
    for statement in split_statements(schema.MAIL_INDEXES + schema.MAIL_TRIGGERS):
        words = statement.split()
        name = words[words.index("INDEX") + 1] if "INDEX" in words[:4] else words[2]
        if name not in existing:
            conn.execute(statement)


def _contacts_with_keys(conn: sqlite3.Connection) -> None:
    """The contacts_with_keys view (schema.contacts_with_keys_sql), for Datasette,
    sqlite-utils and the sqlite3 shell: made from the file's keys, whatever its age
    (made again if present: the same statement for the same keys)."""
    refresh_contacts_with_keys(conn)


def _deals_pipeline_and_quotes(conn: sqlite3.Connection) -> None:
    """The pipeline and quotes (issue 12): an editable stage table, the user's
    lists (lost reasons, categories), every field of a deal, its other contacts,
    its moves between stages, quotes and their lines, deals in the full text,
    and ``contact_facts.last_purchase``.

    ``deals`` had a CHECK naming the six stages: an editable stage table needs it
    gone, and SQLite cannot drop a CHECK, so the table is rebuilt from
    ``schema.TABLES`` (:func:`rebuild_table`, SQLite's documented procedure;
    sqlite-utils' ``transform()`` keeps every CHECK it finds). Each part checks
    first, so the step does nothing on a file whose v1 already made them.
    """
    tables = table_statements()
    for name in ("deal_stages", "deal_choices"):
        if not _exists(conn, "table", name):
            conn.execute(tables[name])
            for statement in split_statements(schema.TABLES):
                if statement.startswith(f"INSERT INTO {name}("):
                    conn.execute(statement)
    old = conn.execute("SELECT sql FROM sqlite_schema WHERE type = 'table' AND name = 'deals'"
                       ).fetchone()[0]
    if "lost_reason_id" not in old:
        rebuild_table(conn, "deals", tables["deals"])
    for name in ("deal_contacts", "deal_moves", "quote_counters", "quotes", "quote_lines"):
        if not _exists(conn, "table", name):
            conn.execute(tables[name])
    # one move per deal, into the stage it is in: the funnel needs a first stage
    conn.execute("INSERT INTO deal_moves(deal_id, from_stage, to_stage, moved_at)"
                 " SELECT id, NULL, stage, substr(created, 1, 10) FROM deals"
                 " WHERE id NOT IN (SELECT deal_id FROM deal_moves)")
    columns = {row[1] for row in conn.execute("PRAGMA table_info(contact_facts)")}
    if "last_purchase" not in columns:
        conn.execute("ALTER TABLE contact_facts ADD COLUMN last_purchase TEXT")
        conn.execute(
            "UPDATE contact_facts SET last_purchase = d.last FROM (SELECT contact_id,"
            f" max(closed_at) AS last FROM deals WHERE stage IN {schema.WON_STAGES}"
            " GROUP BY contact_id) AS d WHERE contact_facts.contact_id = d.contact_id")
    if not _exists(conn, "table", "deals_fts"):
        _executescript(conn, schema.DEALS_FULLTEXT)
        conn.execute("INSERT INTO deals_fts(deals_fts) VALUES ('rebuild')")
    # the deal triggers of this version (facts by stage kind, full text)
    for name in statements_named(schema.DEALS_TRIGGERS):
        conn.execute(f"DROP TRIGGER IF EXISTS {name}")
    _executescript(conn, schema.DEALS_TRIGGERS)
    ours = ("deals", "deal_contacts", "deal_moves", "quotes", "quote_lines")
    for name, statement in index_statements().items():
        if (name.startswith(tuple(f"{t}_" for t in ours)) or name == "facts_last_purchase") \
                and not _exists(conn, "index", name):
            conn.execute(statement)


def _exists(conn: sqlite3.Connection, kind: str, name: str) -> bool:
    return conn.execute("SELECT 1 FROM sqlite_schema WHERE type = ? AND name = ?",
                        (kind, name)).fetchone() is not None


def rebuild_table(conn: sqlite3.Connection, table: str, create_sql: str) -> None:
    """Give ``table`` the definition ``create_sql`` (its ``CREATE TABLE`` of
    ``schema.TABLES``), keeping its rows: the columns both have are copied, new ones
    take their default.

    For changes ALTER TABLE cannot make (a CHECK, a foreign key). The old table is
    renamed aside with ``legacy_alter_table`` on (references to it elsewhere keep
    naming ``table``), the new one is made from ``create_sql`` as it is — so the file
    holds the same SQL as a new file, which the schema check compares — the rows
    copied, the old table dropped; then the indexes of ``schema.INDEXES`` on it and
    the triggers and views that mention it are made again. Runs in the caller's
    transaction. Dropping the old table deletes its rows first, which fires the ON
    DELETE actions of tables that reference it: rebuild a table before tables
    referencing it exist, or keep their rows aside.
    """
    aside = f"{table}__old"
    old_columns = [row[1] for row in conn.execute(f"PRAGMA table_info({table})")]
    dependants = conn.execute(
        "SELECT type, name, sql FROM sqlite_schema WHERE type IN ('trigger', 'view')"
        " AND sql IS NOT NULL AND (tbl_name = ? OR sql LIKE ?)", (table, f"%{table}%")).fetchall()
    for kind, name, _sql in dependants:
        conn.execute(f"DROP {kind.upper()} IF EXISTS {name}")
    legacy = conn.execute("PRAGMA legacy_alter_table").fetchone()[0]
    conn.execute("PRAGMA legacy_alter_table = ON")
    try:
        conn.execute(f"ALTER TABLE {table} RENAME TO {aside}")
    finally:
        conn.execute(f"PRAGMA legacy_alter_table = {int(legacy)}")
    conn.execute(create_sql)
    new_columns = {row[1] for row in conn.execute(f"PRAGMA table_info({table})")}
    shared = ", ".join(c for c in old_columns if c in new_columns)
    conn.execute(f"INSERT INTO {table}({shared}) SELECT {shared} FROM {aside}")
    conn.execute(f"DROP TABLE {aside}")
    for statement in index_statements().values():
        words = statement.split()
        if words[words.index("ON") + 1].split("(")[0] == table:
            conn.execute(statement)
    for _kind, _name, sql in dependants:
        conn.execute(sql)


def _erasure_marks(conn: sqlite3.Connection) -> None:
    """The triggers that mark a deletion for the full-text merge that makes it real
    (schema.ERASURE_TRIGGERS, storage/erasure.py), for files made before them."""
    present = {row[0] for row in conn.execute(
        "SELECT name FROM sqlite_schema WHERE type = 'trigger' AND name LIKE 'erasure_%'")}
    for statement in split_statements(schema.ERASURE_TRIGGERS):
        if statement.split()[2] not in present:
            conn.execute(statement)


def _clean_file(conn: sqlite3.Connection) -> None:
    """Undoable merges and key edits (``operations``), dismissed duplicate pairs,
    the custom field names (kept by triggers) and the partial indexes of
    invalid e-mails and postal codes (see schema.CLEAN_FILE_TABLES).

    A new file got them from schema.TABLES at step 1: nothing is made twice."""
    _executescript(conn, schema.CLEAN_FILE_TABLES)
    existing = {row[0] for row in conn.execute(
        "SELECT name FROM sqlite_schema WHERE type IN ('index', 'trigger')")}
    for statement in split_statements(schema.CLEAN_FILE_INDEXES + schema.CLEAN_FILE_TRIGGERS):
        words = statement.split()
        name = words[words.index("INDEX" if words[1] == "INDEX" else "TRIGGER") + 1]
        if name not in existing:
            conn.execute(statement)
    _executescript(conn, schema.FILL_CUSTOM_FIELDS)


def _facet_store(conn: sqlite3.Connection) -> None:
    """The table where the query engine keeps its bitmaps for one-shot commands
    (schema.FACET_STORE, query/stored_facets.py), for files made before it."""
    conn.execute(split_statements(schema.FACET_STORE)[0]
                 .replace("CREATE TABLE ", "CREATE TABLE IF NOT EXISTS ", 1))


def _card_prefix_indexes(conn: sqlite3.Connection) -> None:
    """The cards' full-text index gets prefix indexes for one and two letters
    (schema.TABLES, contacts_fts prefix='1 2'): rebuilt from the contacts, about
    20 s at 1 000 000 contacts. A file made with them is left as it is."""
    old = conn.execute("SELECT sql FROM sqlite_schema WHERE name = 'contacts_fts'").fetchone()
    if old is None or "prefix" in old[0]:
        return
    conn.execute("DROP TABLE contacts_fts")  # its triggers name it again once it is back
    statement = next(s for s in split_statements(schema.TABLES)
                     if "VIRTUAL TABLE contacts_fts" in s)
    conn.execute(statement)
    conn.execute("INSERT INTO contacts_fts(contacts_fts) VALUES ('rebuild')")


_STEPS: list[Callable[[sqlite3.Connection], None]] = [
    _v1_initial,
    _v2_history_hits_carry_their_contact,
    _campaigns,
    _mail_archives,
    _contacts_with_keys,
    _deals_pipeline_and_quotes,
    _erasure_marks,
    _clean_file,
    _facet_store,
    _card_prefix_indexes,
]
LATEST_VERSION = len(_STEPS)


def _executescript(conn: sqlite3.Connection, script: str) -> None:
    # sqlite3.executescript() would COMMIT first; run statement by statement
    # so the caller's transaction stays whole.
    for statement in split_statements(script):
        conn.execute(statement)


def split_statements(script: str) -> list[str]:
    """Split a script into complete statements (trigger bodies included)."""
    statements: list[str] = []
    current = ""
    for line in script.splitlines(keepends=True):
        current += line
        if sqlite3.complete_statement(current):
            if current.strip():
                statements.append(current.strip())
            current = ""
    if current.strip():
        raise ValueError(f"incomplete SQL statement: {current.strip()[:80]}")
    return statements


def migrate(conn: sqlite3.Connection, from_version: int) -> None:
    for version in range(from_version + 1, LATEST_VERSION + 1):
        conn.execute("BEGIN IMMEDIATE")
        try:
            _STEPS[version - 1](conn)
            conn.execute(f"PRAGMA user_version = {version}")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")


def create_for_bulk_load(conn: sqlite3.Connection, early_indexes: tuple[str, ...] = ()) -> None:
    """Tables only: a loader fills them, then calls :func:`finish_bulk_load`.

    ``early_indexes``: indexes to build now and keep up during the load — worth
    it for keys the rows arrive in order of (an append to the b-tree, no sort).
    """
    _executescript(conn, schema.TABLES)
    statements = index_statements()
    for name in early_indexes:
        conn.execute(statements[name])


def index_statements() -> dict[str, str]:
    """Every index of :data:`schema.INDEXES`, by name."""
    return statements_named(schema.INDEXES)


def table_statements() -> dict[str, str]:
    """Every CREATE TABLE of :data:`schema.TABLES`, by table name."""
    return {name: sql for name, sql in statements_named(schema.TABLES).items()
            if _without_comment_lines(sql).upper().startswith("CREATE TABLE")}


def _without_comment_lines(sql: str) -> str:
    return "\n".join(line for line in sql.splitlines() if not line.lstrip().startswith("--")
                     ).strip()


def statements_named(script: str) -> dict[str, str]:
    """The CREATE statements of a script (tables, indexes, triggers, views), by name."""
    found = {}
    for statement in split_statements(script):
        words = " ".join(line for line in statement.splitlines()
                         if not line.lstrip().startswith("--")).split()
        if not words or words[0].upper() != "CREATE":
            continue
        for kind in ("TABLE", "INDEX", "TRIGGER", "VIEW"):
            if kind in words:
                found[words[words.index(kind) + 1].split("(")[0]] = statement
                break
    return found


def finish_bulk_load(conn: sqlite3.Connection, key_columns: list[str], *,
                     derive_facts: bool = True, build_fulltext: bool = True) -> None:
    """Derive facts and full-text indexes, then build indexes and triggers.

    Building indexes once after the rows are in is several times faster than
    maintaining them row by row during the load. A loader that computed the
    contact facts itself passes ``derive_facts=False``, one that filled the
    full-text tables as it went ``build_fulltext=False``.
    """
    if derive_facts:
        _executescript(conn, schema.BULK_DERIVE_FACTS)
    if build_fulltext:
        _executescript(conn, schema.BULK_BUILD_FULLTEXT)
    existing = {row[0] for row in conn.execute("SELECT name FROM sqlite_schema WHERE type = 'index'")}
    for name, statement in index_statements().items():
        if name not in existing:
            conn.execute(statement)
    for column in key_columns:
        conn.execute(key_index_sql(column))
    _executescript(conn, schema.TRIGGERS)
    refresh_contacts_with_keys(conn)
    _executescript(conn, schema.FILL_CUSTOM_FIELDS)
    # Sampled statistics: enough for the planner, a fraction of a full ANALYZE.
    conn.execute("PRAGMA analysis_limit = 2000")
    conn.execute("ANALYZE")
    conn.execute(f"PRAGMA user_version = {LATEST_VERSION}")


def refresh_contacts_with_keys(conn: sqlite3.Connection) -> None:
    """Make the contacts_with_keys view again from the keys in ``qual_keys``.

    Called wherever the keys change (a column added or dropped): the view names
    every key's column, and SQLite refuses to drop a column a view reads."""
    conn.execute("DROP VIEW IF EXISTS contacts_with_keys")
    conn.execute(schema.contacts_with_keys_sql(keys_of(conn)))


def keys_of(conn: sqlite3.Connection) -> list[tuple[int, str, str]]:
    """(id, name, type) of the file's qualification keys, in their order: what the
    contacts_with_keys view is made of."""
    return [(int(r[0]), str(r[1]), str(r[2])) for r in conn.execute(
        "SELECT id, name, type FROM qual_keys ORDER BY position, id")]


def key_index_sql(column: str) -> str:
    return f"CREATE INDEX IF NOT EXISTS facts_{column} ON contact_facts({column})"


def add_key_column(conn: sqlite3.Connection, key_id: int, key_type: str, *, index: bool = True) -> str:
    """Add the contact_facts column of a new qualification key; return its name."""
    column = schema.key_column(key_id)
    affinity = schema.KEY_COLUMN_AFFINITY[key_type]
    conn.execute(f"ALTER TABLE contact_facts ADD COLUMN {column} {affinity}")
    if index:
        conn.execute(key_index_sql(column))
    refresh_contacts_with_keys(conn)  # the key's row is in qual_keys already
    return column


def drop_key_column(conn: sqlite3.Connection, key_id: int) -> None:
    column = schema.key_column(key_id)
    conn.execute("DROP VIEW IF EXISTS contacts_with_keys")  # it reads the column
    conn.execute(f"DROP INDEX IF EXISTS facts_{column}")
    conn.execute(f"ALTER TABLE contact_facts DROP COLUMN {column}")
    refresh_contacts_with_keys(conn)  # without the key, whose row is gone or going
