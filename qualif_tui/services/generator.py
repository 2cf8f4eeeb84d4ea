"""Generate N realistic, deterministic French contacts: the data of every benchmark.

``qualif init big.db --contacts 1000000 --seed 1`` must finish in about a
minute, so the load bypasses the per-row services: rows are built in chunks
and inserted with ``executemany`` inside one transaction into bare tables;
facts, full-text indexes, indexes and triggers are built once at the end
(:func:`qualif_tui.storage.migrations.finish_bulk_load`). The file is
written under a temporary name and renamed when complete, so an interrupted
run never leaves a half-built database under the real name.

Same seed and same "today" (see :mod:`.clock`) → the same file content.
"""

from __future__ import annotations

import functools
import multiprocessing
import os
import random
import sqlite3
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from qualif_tui.base.geography import departement_of_postal_code
from qualif_tui.base.text import fold
from qualif_tui.domain import bulkload, clock
from qualif_tui.domain.keys import KeySpec, bulk_define_keys
from qualif_tui.services import generated_deals
from qualif_tui.services.campaigns.samples import add_generated_campaigns, legal_basis_for
from qualif_tui.services.frenchdata import (
    ACTIVITY_TITLES,
    COMPANY_PATTERNS,
    DEAL_CATEGORIES,
    DEMO_KEYS,
    EMAIL_DOMAINS,
    FIRST_NAMES_F,
    FIRST_NAMES_M,
    HISTORY_BODIES,
    HISTORY_SUBJECTS,
    LAST_NAMES,
    STREET_NAMES,
    STREET_TYPES,
    TITLES,
    TOWNS,
    UNQUALIFIED_SHARE,
)
from qualif_tui.storage import migrations
from qualif_tui.storage.schema import contact_flags, history_fts_rowid

CHUNK = 50_000
Progress = Callable[[str, int, int], None]  # (stage, done, total)


@dataclass
class GenerationReport:
    contacts: int
    history: int
    activities: int
    deals: int
    path: Path


def _ascii(text: str) -> str:
    """Folded, without anything but letters, for e-mail local parts."""
    return "".join(c for c in fold(text) if c.isalnum())


class _Pools:
    """Precomputed choices, so the per-row loop only indexes lists."""

    def __init__(self, today: date) -> None:
        self.first_names = FIRST_NAMES_F + FIRST_NAMES_M
        self.first_ascii = [_ascii(n) for n in self.first_names]
        self.last_ascii = [_ascii(n) for n in LAST_NAMES]
        self.town_weights = [t[3] for t in TOWNS]
        self.domains = [d for d, _ in EMAIL_DOMAINS]
        self.domain_weights = [w for _, w in EMAIL_DOMAINS]
        self.days = [(today - timedelta(days=i)).isoformat() for i in range(0, 3 * 3660)]
        self.future = [(today + timedelta(days=i)).isoformat() for i in range(0, 400)]
        self.months = [f"{y}-{m:02d}" for y in range(2006, today.year + 1) for m in range(1, 13)
                       if (y, m) <= (today.year, today.month)]
        # recent cars are more common than old ones
        self.month_weights = [1 + i for i in range(len(self.months))]
        # names, towns and companies repeat: fold each spelling once
        self.fold = functools.lru_cache(maxsize=None)(fold)
        self.departement = functools.lru_cache(maxsize=None)(departement_of_postal_code)
        self.company_domain = functools.lru_cache(maxsize=None)(
            lambda company: _ascii(company)[:20] + ".fr")


def _key_columns(rng: random.Random, m: int) -> list[list[object]]:
    """One list of m stored values per demo key, ~15 % left empty (varying by key)."""
    columns: list[list[object]] = []
    for index, (_name, key_type, values) in enumerate(DEMO_KEYS):
        share = UNQUALIFIED_SHARE + (index - 2.5) * 0.02  # 10 % … 20 %, mean 15 %
        if key_type == "month":
            columns.append([])  # filled by the caller, which knows the month pool
            continue
        codes: list[object] = [None, *range(len(values))]
        total = sum(w for _, w in values)
        weights = [share * total / (1 - share), *(w for _, w in values)]
        columns.append(list(rng.choices(codes, weights, k=m)))
    return columns


def _contact_rows(rng: random.Random, pools: _Pools, start: int, m: int
                  ) -> tuple[list[tuple[object, ...]], list[tuple[object, ...]]]:
    firsts = rng.choices(range(len(pools.first_names)), k=m)
    lasts = rng.choices(range(len(LAST_NAMES)), k=m)
    towns = rng.choices(range(len(TOWNS)), pools.town_weights, k=m)
    domains = rng.choices(pools.domains, pools.domain_weights, k=m)
    key_values = _key_columns(rng, m)
    month_index = [i for i, k in enumerate(DEMO_KEYS) if k[1] == "month"]
    for i in month_index:
        months = rng.choices(pools.months, pools.month_weights, k=m)
        key_values[i] = [None if rng.random() < UNQUALIFIED_SHARE else v for v in months]
    contacts: list[tuple[object, ...]] = []
    facts: list[tuple[object, ...]] = []
    random_ = rng.random
    days = pools.days
    cached_fold = pools.fold
    departement = pools.departement
    company_domain = pools.company_domain
    for j in range(m):
        cid = start + j
        first = pools.first_names[firsts[j]]
        last = LAST_NAMES[lasts[j]]
        dept, city, postal, _w = TOWNS[towns[j]]
        company = title = ""
        if random_() < 0.3:
            company = COMPANY_PATTERNS[int(random_() * len(COMPANY_PATTERNS))].format(
                n=LAST_NAMES[int(random_() * len(LAST_NAMES))])
            title = TITLES[int(random_() * len(TITLES))]
        local = f"{pools.first_ascii[firsts[j]]}.{pools.last_ascii[lasts[j]]}"
        domain = domains[j]
        if company and random_() < 0.6:
            domain = company_domain(company)
        email = "" if random_() < 0.08 else f"{local}@{domain}"
        digits = int(random_() * 100_000_000)
        mobile = (f"0{6 + (digits & 3 == 0)} {digits // 1_000_000:02d} {digits // 10_000 % 100:02d}"
                  f" {digits // 100 % 100:02d} {digits % 100:02d}")
        phone = ""
        if random_() < 0.4:
            digits = int(random_() * 500_000_000)
            phone = (f"0{1 + digits // 100_000_000} {digits // 1_000_000 % 100:02d}"
                     f" {digits // 10_000 % 100:02d} {digits // 100 % 100:02d} {digits % 100:02d}")
        if len(postal) == 5 and postal.endswith("000") and dept not in ("75",):
            postal = postal[:2] + f"{int(random_() * 10) * 10:03d}" if random_() < 0.3 else postal
        address_line = f"{1 + int(random_() * 120)} {STREET_TYPES[int(random_() * len(STREET_TYPES))]} {STREET_NAMES[int(random_() * len(STREET_NAMES))]}"
        birthday = ""
        if random_() < 0.35:
            birthday = f"{1940 + int(random_() * 65)}-{1 + int(random_() * 12):02d}-{1 + int(random_() * 28):02d}"
        created = days[365 + int(random_() * 2920)] + "T09:00:00"
        norm_first, norm_last, norm_company = cached_fold(first), cached_fold(last), cached_fold(company)
        optout = int(random_() < 0.03)
        contacts.append((
            cid, first, last, company, title, email, mobile, phone,
            _e164(mobile), _e164(phone), address_line, postal, city, "France", birthday,
            optout, legal_basis_for(cid, company), created, created,
            f"{norm_last or norm_company}\x1f{norm_first}\x1f{norm_company}",
            f"{norm_first} {norm_last}", norm_company, cached_fold(city), email.lower(),
        ))
        flags = contact_flags(email, phone, mobile, optout, 0, company, birthday)
        facts.append((cid, departement(postal), created[:10], flags,
                      *(column[j] for column in key_values)))
    return contacts, facts


def _e164(number: str) -> str:
    if not number:
        return ""
    digits = number.replace(" ", "")
    return "+33" + digits[1:]


_CONTACT_COLUMNS = (
    "id, first_name, last_name, company, title, email, mobile, phone, mobile_e164, phone_e164,"
    " address, postal_code, city, country, birthday, email_optout, legal_basis, created, updated,"
    " sort_key, norm_name, norm_company, norm_city, norm_email"
)

_HISTORY_KINDS = ("call", "email", "meeting", "note", "letter")
_HISTORY_KIND_WEIGHTS = (40, 25, 15, 15, 5)
_HISTORY_COUNTS = (0, 1, 2, 3, 4, 5, 6, 8)
_HISTORY_COUNT_WEIGHTS = (10, 14, 18, 20, 16, 11, 7, 4)  # mean ≈ 3


# E-mails of the history go one way or the other (history.direction), as an archive's
# would; the messages received set the contact's last inbound contact.
_INBOUND_SHARE = 0.45


def _history_rows(rng: random.Random, pools: _Pools, start: int, m: int,
                  directions: random.Random) -> Iterator[tuple[object, ...]]:
    """History rows; ``directions`` draws the e-mails' ways apart from ``rng``, so adding
    them left every other generated value as it was."""
    counts = rng.choices(_HISTORY_COUNTS, _HISTORY_COUNT_WEIGHTS, k=m)
    random_ = rng.random
    way = directions.random
    days = pools.days
    subjects = {k: HISTORY_SUBJECTS[k] for k in _HISTORY_KINDS}
    for j in range(m):
        count = counts[j]
        if not count:
            continue
        kinds = rng.choices(_HISTORY_KINDS, _HISTORY_KIND_WEIGHTS, k=count)
        for kind in kinds:
            options = subjects[kind]
            happened = f"{days[int(random_() * 1095)]}T{8 + int(random_() * 11):02d}:{int(random_() * 60):02d}:00"
            body = HISTORY_BODIES[int(random_() * len(HISTORY_BODIES))] if random_() < 0.3 else ""
            direction = ("in" if way() < _INBOUND_SHARE else "out") if kind == "email" else None
            yield (start + j, kind, happened, options[int(random_() * len(options))], body,
                   happened, direction)


def _activity_rows(rng: random.Random, pools: _Pools, seed: int, start: int, m: int
                   ) -> tuple[list[tuple[object, ...]], list[tuple[int, int]]]:
    """At most one activity per contact, so the contact's id can number it:
    ids stay unique across chunks made in parallel, and the zero-padded uids
    arrive in index order (an append, not a random B-tree insert)."""
    activities: list[tuple[object, ...]] = []
    links: list[tuple[int, int]] = []
    random_ = rng.random
    for j in range(m):
        if random_() >= 0.5:
            continue
        kind = ("call", "meeting", "todo")[int(random_() * 3)]
        offset = int(random_() * 135) - 45
        day = pools.days[-offset] if offset <= 0 else pools.future[offset]
        if kind == "todo":
            starts, due = None, day
        else:
            starts, due = f"{day}T{8 + int(random_() * 10):02d}:{(0, 15, 30, 45)[int(random_() * 4)]:02d}", None
        status = "open"
        done_at = None
        if offset < 0 and random_() < 0.7:
            status = "done"
            done_at = f"{day}T18:00:00"
        priority = (1, 2, 2, 2, 3)[int(random_() * 5)]
        alarm = 15 if kind == "meeting" else None
        titles = ACTIVITY_TITLES[kind]
        activity_id = start + j
        activities.append((
            activity_id, f"gen-{seed}-{activity_id:09d}@qualif", kind,
            titles[int(random_() * len(titles))],
            starts, 60 if kind == "meeting" else None, due, priority, alarm, status, done_at,
            pools.days[400], pools.days[400],
        ))
        links.append((activity_id, start + j))
    return activities, links


def demo_key_specs() -> list[KeySpec]:
    """The car-dealer keys of DESIGN.md; "Mise en service" reminds of the 4-year check."""
    return [
        KeySpec(name, key_type, tuple(v for v, _ in values),
                remind=key_type == "month",
                remind_lead_days=30 if key_type == "month" else 0,
                remind_after_months=48 if key_type == "month" else 0)
        for name, key_type, values in DEMO_KEYS
    ]


# Rows arrive in contact order and history ids ascend: these indexes grow by
# appending during the load, which is cheaper than building them at the end.
_EARLY_INDEXES = ("history_contact", "history_activity", "history_import_batch",
                  "activity_contacts_contact", "deals_contact", "contacts_import_batch",
                  "contacts_custom", "deal_moves_deal", "quotes_contact", "quote_lines_quote")


def generate_database(
    path: str | os.PathLike[str],
    contacts: int,
    seed: int = 1,
    *,
    progress: Progress | None = None,
    overwrite: bool = False,
) -> GenerationReport:
    """Write a new qualif file of ``contacts`` generated contacts at ``path``."""
    if contacts < 0:
        raise ValueError("the number of contacts cannot be negative")
    with bulkload.new_file(path, overwrite=overwrite, early_indexes=_EARLY_INDEXES) as conn:
        report = _generate_into(conn, contacts, seed, progress or (lambda *_: None))
    report.path = Path(path)
    return report


@dataclass
class _Chunk:
    """A chunk of rows as a serialized in-memory SQLite database (one table per
    target table, columns in the order of :data:`_TARGETS`): the loading process
    copies it with INSERT … SELECT, in C, instead of unpickling and binding
    millions of Python values — that process is the bottleneck of the load."""

    database: bytes
    history: int
    activities: int
    deals: int


# chunk table → the target table and columns its rows go to ("{keys}": key columns)
_TARGETS = {
    "contacts": f"contacts({_CONTACT_COLUMNS})",
    "facts": "contact_facts(contact_id, dept, last_contact, next_activity, deals, revenue,"
             " open_deals, last_purchase, created, updated, flags, last_inbound{keys})",
    "history": "history(contact_id, kind, happened_at, subject, body, created, direction)",
    "activities": "activities(id, uid, kind, title, starts_at, duration_min, due, priority,"
                  " alarm_min, status, done_at, created, updated)",
    "links": "activity_contacts(activity_id, contact_id)",
    "deals": generated_deals.DEAL_TARGET,
    "moves": generated_deals.MOVE_TARGET,
    "quotes": generated_deals.QUOTE_TARGET,
    "lines": generated_deals.LINE_TARGET,
}
_EMAIL_COLUMN = 5  # of contacts, in _CONTACT_COLUMNS order
_NORM_EMAIL_COLUMN = _CONTACT_COLUMNS.count(",")


def _serialized(tables: dict[str, list[Any]]) -> bytes:
    conn = sqlite3.connect(":memory:")
    try:
        for name, rows in tables.items():
            width = len(rows[0]) if rows else len(_TARGETS[name].split(","))
            conn.execute(f"CREATE TABLE {name}({', '.join(f'c{i}' for i in range(width))})")
            conn.executemany(f"INSERT INTO {name} VALUES ({', '.join('?' * width)})", rows)
        conn.commit()
        return conn.serialize()
    finally:
        conn.close()


_POOLS: dict[str, _Pools] = {}


def _generate_chunk(task: tuple[int, int, int, int, str]) -> _Chunk:
    """One chunk of rows, from its own seeded generator: the same whichever
    process makes it, so the output does not depend on scheduling."""
    seed, index, start, m, today = task
    pools = _POOLS.get(today)
    if pools is None:
        pools = _POOLS[today] = _Pools(date.fromisoformat(today))
    rng = random.Random(f"qualif:{seed}:{index}")
    contacts, facts = _contact_rows(rng, pools, start, m)
    history = list(_history_rows(rng, pools, start, m,
                                 random.Random(f"qualif:{seed}:{index}:directions")))
    activities, links = _activity_rows(rng, pools, seed, start, m)
    source = next(i for i, k in enumerate(DEMO_KEYS) if k[0] == "Source")
    values = DEMO_KEYS[source][2]
    sources = {int(str(row[0])): values[int(str(row[4 + source]))][0] for row in facts
               if row[4 + source] is not None}
    deals = generated_deals.deal_rows(rng, date.fromisoformat(today), start, m, sources)
    facts = _with_derived_facts(facts, history, activities, links, deals.deals)
    tables: dict[str, list[Any]] = {"contacts": contacts, "facts": facts, "history": history,
              "activities": activities, "links": links, "deals": deals.deals,
              "moves": deals.moves, "quotes": deals.quotes, "lines": deals.lines}
    return _Chunk(_serialized(tables), len(history), len(activities), len(deals.deals))


def _with_derived_facts(facts: list[tuple[object, ...]], history: list[tuple[object, ...]],
                        activities: list[tuple[object, ...]], links: list[tuple[int, int]],
                        deals: list[tuple[object, ...]]) -> list[tuple[object, ...]]:
    """Add last contact, next activity and deal figures to each facts row.

    Computed here, in the worker, so the loader skips the set-based
    derivation (several seconds at 1M contacts). Same rules as the triggers.
    """
    last: dict[object, str] = {}
    inbound: dict[object, str] = {}
    for contact_id, _kind, happened, *_rest, direction in history:
        day = str(happened)[:10]
        if day > last.get(contact_id, ""):
            last[contact_id] = day
        if direction == "in" and day > inbound.get(contact_id, ""):
            inbound[contact_id] = day
    when = {row[0]: str(row[4] or row[6])[:10] for row in activities if row[9] == "open"}
    upcoming: dict[object, str] = {}
    for activity_id, contact_id in links:
        day = when.get(activity_id, "")
        if day and (contact_id not in upcoming or day < upcoming[contact_id]):
            upcoming[contact_id] = day
    won: dict[object, int] = {}
    revenue: dict[object, float] = {}
    open_deals: dict[object, int] = {}
    purchase: dict[object, str] = {}
    for _id, contact_id, _title, stage, amount, _p, _e, closed, *_rest in deals:
        if stage == "won":
            won[contact_id] = won.get(contact_id, 0) + 1
            revenue[contact_id] = revenue.get(contact_id, 0.0) + float(amount)  # type: ignore[arg-type]
            if str(closed) > purchase.get(contact_id, ""):
                purchase[contact_id] = str(closed)
        elif stage != "lost":
            open_deals[contact_id] = open_deals.get(contact_id, 0) + 1
    # created and updated are the same day for a generated contact
    return [
        (cid, dept, last.get(cid), upcoming.get(cid), won.get(cid, 0), revenue.get(cid, 0.0),
         open_deals.get(cid, 0), purchase.get(cid), day, day, flags, inbound.get(cid), *keys)
        for cid, dept, day, flags, *keys in facts
    ]


def _chunks(tasks: list[tuple[int, int, int, int, str]]) -> Iterator[_Chunk]:
    """Chunks in order; with several cores, made by worker processes while
    this one inserts the previous chunk."""
    # The loader needs about half the CPU of the generation, so workers take
    # every core and share them with it.
    workers = min(len(tasks) - 1, os.cpu_count() or 1, 4)
    if workers < 1:
        yield from map(_generate_chunk, tasks)
        return
    # fork: the workers need no re-import of the caller's main module (which
    # "spawn" requires to be import-safe); the generator runs before any thread.
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if "fork" in methods else "spawn")
    with context.Pool(workers) as pool:
        yield from pool.imap(_generate_chunk, tasks)


def _unique_emails(conn: sqlite3.Connection, counts: dict[str, int]) -> None:
    """Number repeated addresses (jean.martin2@…) so every e-mail is unique.

    Chunks are made apart, so only the loader, which sees them in order, can
    tell a repeat; it rewrites the repeats in the attached chunk before copying.
    """
    email, norm = f"c{_EMAIL_COLUMN}", f"c{_NORM_EMAIL_COLUMN}"
    fixes = []
    for rowid, address in conn.execute(f"SELECT rowid, {email} FROM chunk.contacts"
                                       f" WHERE {email} != ''"):
        seen = counts.get(address, 0)
        counts[address] = seen + 1
        if seen:
            local, _, domain = address.partition("@")
            unique = f"{local}{seen + 1}@{domain}"
            fixes.append((unique, unique, rowid))
    conn.executemany(f"UPDATE chunk.contacts SET {email} = ?, {norm} = ? WHERE rowid = ?", fixes)


# Issue 16's data: duplicates for the scan, custom fields for the query language.
PLANTED_EVERY = 400       # contact ids divisible by this are a second card of the one before
CUSTOM_EVERY = 50         # one contact in 50 has a custom field "Budget véhicule"


def _plant_duplicates(conn: sqlite3.Connection) -> None:
    """Make every PLANTED_EVERY-th contact of the chunk a second card of the one
    before it: same name, company and town (one in two with the same mobile too),
    its own e-mail address, keys and history — as an import of the same person
    twice would. Columns are the chunk's c0…: see _CONTACT_COLUMNS and _TARGETS."""
    conn.execute(
        "UPDATE chunk.contacts AS d SET c1 = p.c1, c2 = p.c2, c3 = p.c3, c4 = p.c4,"
        " c11 = p.c11, c12 = p.c12, c19 = p.c19, c20 = p.c20, c21 = p.c21, c22 = p.c22,"
        f" c6 = CASE WHEN d.c0 % {2 * PLANTED_EVERY} = 0 THEN p.c6 ELSE d.c6 END,"
        f" c8 = CASE WHEN d.c0 % {2 * PLANTED_EVERY} = 0 THEN p.c8 ELSE d.c8 END"
        f" FROM chunk.contacts AS p WHERE p.c0 = d.c0 - 1 AND d.c0 % {PLANTED_EVERY} = 0")
    # the département of the town, and the "has a company" flag (16) of the facts
    conn.execute(
        "UPDATE chunk.facts AS d SET c1 = p.c1, c10 = (d.c10 & ~16) | (p.c10 & 16)"
        f" FROM chunk.facts AS p WHERE p.c0 = d.c0 - 1 AND d.c0 % {PLANTED_EVERY} = 0")


def _add_custom_fields(conn: sqlite3.Connection, first: int, last: int) -> None:
    """One contact in CUSTOM_EVERY gets "Budget véhicule" (8 000 to 59 000), as an
    imported column kept as a custom field would be (budget_vehicule>30000)."""
    conn.execute(
        "UPDATE main.contacts SET custom = json_object('Budget véhicule',"
        " (8 + (id * 7919) % 52) || ' 000') WHERE id BETWEEN ? AND ? AND id % ? = 7",
        (first, last, CUSTOM_EVERY))


def _number_quotes(conn: sqlite3.Connection, counters: dict[int, int]) -> None:
    """Give the attached chunk's quotes their numbers (D2026-0001…), per year of
    issue, following on from the chunks before."""
    fixes = []
    numbers: dict[int, str] = {}  # quote id → number, for the versions that follow
    for rowid, quote_id, issued, version, previous in conn.execute(
            "SELECT rowid, c0, c5, c15, c16 FROM chunk.quotes ORDER BY rowid"):
        if previous is not None and previous in numbers:  # -V2: the same number, no new one
            number = f"{numbers[previous].split('-V')[0]}-V{version}"
        else:
            year = int(str(issued)[:4])
            counters[year] = counters.get(year, 0) + 1
            number = f"D{year}-{counters[year]:04d}"
        numbers[int(quote_id)] = number
        fixes.append((number, rowid))
    conn.executemany("UPDATE chunk.quotes SET c1 = ? WHERE rowid = ?", fixes)


def _generate_into(conn: sqlite3.Connection, n: int, seed: int, progress: Progress
                   ) -> GenerationReport:
    today = clock.today()
    columns = bulk_define_keys(conn, demo_key_specs())
    keys = "".join(f", {column}" for column in columns)
    email_counts: dict[str, int] = {}
    totals = {"history": 0, "activities": 0, "deals": 0}
    tasks = [(seed, index, start, min(CHUNK, n + 1 - start), today.isoformat())
             for index, start in enumerate(range(1, n + 1, CHUNK))]
    conn.executemany("INSERT INTO deal_choices(id, list, label, norm_label, position)"
                     " VALUES (?, 'category', ?, ?, ?)",
                     [(generated_deals.CATEGORY_IDS[label], label, fold(label), position)
                      for position, label in enumerate(DEAL_CATEGORIES, start=1)])
    quote_numbers: dict[int, int] = {}
    conn.execute("COMMIT")  # the keys; chunks are attached outside transactions
    for chunk, (_s, _i, start, m, _t) in zip(_chunks(tasks), tasks, strict=True):
        # Each chunk in a freshly attached schema, outside any transaction:
        # deserializing over a schema already read made SQLite read stale pages
        # of the previous chunk. Committing per chunk costs nothing here (no
        # journal, no fsync, and a failed run is discarded).
        conn.execute("ATTACH ':memory:' AS chunk")
        conn.deserialize(chunk.database, name="chunk")
        conn.execute("BEGIN")
        _unique_emails(conn, email_counts)
        _plant_duplicates(conn)
        _number_quotes(conn, quote_numbers)
        last_history = conn.execute("SELECT coalesce(max(id), 0) FROM main.history").fetchone()[0]
        for table, target in _TARGETS.items():
            conn.execute(f"INSERT INTO main.{target.format(keys=keys)} SELECT * FROM chunk.{table}")
        # Full text as the chunks arrive: the loader has idle time while the
        # workers generate, which the 'rebuild' at the end could not use.
        conn.execute("INSERT INTO contacts_fts(rowid, first_name, last_name, company, email, city)"
                     " SELECT c0, c1, c2, c3, c5, c12 FROM chunk.contacts")
        conn.execute("INSERT INTO history_fts(rowid, subject, body)"
                     f" SELECT {history_fts_rowid()}, subject, body FROM main.history"
                     " WHERE id > ?", (last_history,))
        conn.execute("INSERT INTO deals_fts(rowid, title, notes)"
                     f" SELECT {history_fts_rowid()}, title, notes FROM main.deals"
                     " WHERE id >= ?", (2 * start,))
        totals["history"] += chunk.history
        totals["activities"] += chunk.activities
        totals["deals"] += chunk.deals
        _add_custom_fields(conn, start, start + m - 1)
        conn.execute("COMMIT")
        conn.execute("DETACH chunk")
        progress("contacts", start + m - 1, n)
    conn.execute("BEGIN")
    add_generated_campaigns(conn, n, today)
    progress("indexes", 0, 1)
    conn.executemany("INSERT INTO quote_counters(year, last) VALUES (?, ?)",
                     sorted(quote_numbers.items()))
    conn.execute("INSERT INTO meta(key, value) VALUES ('generated', ?)",
                 (f"seed={seed} contacts={n} today={today.isoformat()}",))
    migrations.finish_bulk_load(conn, columns, derive_facts=False, build_fulltext=False)
    progress("indexes", 1, 1)
    return GenerationReport(n, totals["history"], totals["activities"], totals["deals"], Path())
