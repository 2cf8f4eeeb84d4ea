"""The demo database, built from the readable files in ``sample_data/``.

The files are dated around an anchor day (``demo.json``); loading shifts every
date by (today − anchor) rounded to whole weeks, so whenever the demo is opened its agenda has items
overdue since yesterday, calls today and meetings this week.
"""

from __future__ import annotations

import csv
import io
import json
import os
import sqlite3
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from importlib import resources
from pathlib import Path
from typing import Any

from qualif_tui.base.geography import departement_of_postal_code
from qualif_tui.base.text import fold
from qualif_tui.domain import bulkload, clock
from qualif_tui.domain.contacts import FIELDS, clean_fields, derived_columns
from qualif_tui.domain.keys import KeySpec, bulk_define_keys, list_keys
from qualif_tui.storage import Database, migrations, open_database


def _read(name: str) -> str:
    # A source checkout (or editable install) reads ./sample_data directly; an
    # installed wheel carries the same files as the package qualif_tui.sample_data.
    checkout = Path(__file__).resolve().parents[2] / "sample_data" / name
    if checkout.is_file():
        return checkout.read_text(encoding="utf-8")
    return resources.files("qualif_tui.sample_data").joinpath(name).read_text(encoding="utf-8")


def demo_mailbox() -> Path:
    """The demo's small mail archive (``sample_data/mail/concession.mbox``: the
    dealership's mailbox with demo contacts), where this install keeps it, for the app's
    import screen to propose it on the demo."""
    checkout = Path(__file__).resolve().parents[2] / "sample_data" / "mail" / "concession.mbox"
    if checkout.is_file():
        return checkout
    return Path(str(resources.files("qualif_tui.sample_data").joinpath("mail/concession.mbox")))


def _csv(name: str) -> Iterator[dict[str, str]]:
    yield from csv.DictReader(io.StringIO(_read(name)))


class _Shift:
    """Moves a date or date-time text by a whole number of days."""

    def __init__(self, anchor: date, today: date) -> None:
        # Whole weeks, so a weekly meeting stays on its weekday (BYDAY=MO).
        self.delta = timedelta(weeks=round((today - anchor).days / 7))

    def __call__(self, text: str) -> str | None:
        if not text:
            return None
        if "T" in text:
            return (datetime.fromisoformat(text) + self.delta).isoformat(timespec="seconds"
                                                                         if text.count(":") == 2
                                                                         else "minutes")
        return (date.fromisoformat(text) + self.delta).isoformat()


def build_demo(path: str | os.PathLike[str], *, overwrite: bool = False) -> Path:
    """Write the demo database at ``path``; returns the path."""
    meta = json.loads(_read("demo.json"))
    shift = _Shift(date.fromisoformat(meta["anchor"]), clock.today())
    with bulkload.new_file(path, overwrite=overwrite) as conn:
        specs = [KeySpec(k["name"], k["type"], tuple(k.get("values", ())),
                         remind=bool(k.get("remind")),
                         remind_lead_days=int(k.get("remind_lead_days", 0)),
                         remind_after_months=int(k.get("remind_after_months", 0)))
                 for k in meta["keys"]]
        columns = bulk_define_keys(conn, specs)
        _load_contacts(conn, Path(path), shift)
        _load_custom_and_invalid(conn, meta)
        _load_history(conn, shift)
        _load_activities(conn, shift)
        _load_deals(conn, shift, meta.get("deal_categories", []))
        _load_quotes(conn, shift)
        for name, value in meta.get("issuer", {}).items():
            conn.execute("INSERT INTO meta(key, value) VALUES (?, ?)",
                         (f"settings.company.{name}", json.dumps(value, ensure_ascii=False)))
        stamp = clock.stamp()
        for segment in meta.get("segments", []):
            conn.execute(
                "INSERT INTO segments(name, norm_name, query, kind, created, updated)"
                " VALUES (?, ?, ?, 'dynamic', ?, ?)",
                (segment["name"], fold(segment["name"]), segment["query"], stamp, stamp))
        conn.execute("INSERT INTO meta(key, value) VALUES ('demo', ?)", (meta["anchor"],))
        migrations.finish_bulk_load(conn, columns)
    _load_campaigns(Path(path), shift)
    return Path(path)


def _load_campaigns(path: Path, shift: _Shift) -> None:
    """Campaigns go through the real services (their exclusions are the ones a user
    sees), once the file is complete."""
    from qualif_tui.services.campaigns.samples import load_demo_campaigns

    try:
        spec = json.loads(_read("campaigns.json"))
    except FileNotFoundError:
        return
    with open_database(path, quick_check=False) as db:
        load_demo_campaigns(db, spec, shift)


def _load_contacts(conn: sqlite3.Connection, path: Path, shift: _Shift) -> None:
    keys = list_keys(Database(conn, path))
    facts_sql = (f"INSERT INTO contact_facts(contact_id, dept{''.join(', ' + k.column for k in keys)})"
                 f" VALUES (?, ?{', ?' * len(keys)})")
    for row in _csv("contacts.csv"):
        fields = clean_fields({name: row[name] for name in FIELDS if name in row})
        values: dict[str, Any] = {name: "" for name in FIELDS}
        values.update({"email_optout": 0, "phone_optout": 0})
        values.update(fields)
        created = shift(row["created"]) or clock.stamp()
        record = {**values, **derived_columns(values), "id": int(row["ref"]),
                  "created": created, "updated": created}
        conn.execute(f"INSERT INTO contacts({', '.join(record)})"
                     f" VALUES ({', '.join(':' + k for k in record)})", record)
        conn.execute(facts_sql, (int(row["ref"]), departement_of_postal_code(values["postal_code"]),
                                 *(k.encode(row.get(k.name, "")) for k in keys)))


def _load_custom_and_invalid(conn: sqlite3.Connection, meta: dict[str, Any]) -> None:
    """Custom fields an import kept (Budget, Parrain: ``budget>20000`` in the query
    language) and e-mails kept though invalid (``invalid:email``): issue 16."""
    conn.executemany("UPDATE contacts SET custom = ? WHERE id = ?",
                     [(json.dumps(fields, ensure_ascii=False), int(ref))
                      for ref, fields in meta.get("custom_fields", {}).items()])
    conn.executemany("UPDATE contacts SET email = ?, norm_email = lower(?) WHERE id = ?",
                     [(row["email"], row["email"], int(row["ref"]))
                      for row in meta.get("kept_invalid", [])])


def _load_history(conn: sqlite3.Connection, shift: _Shift) -> None:
    conn.executemany(
        "INSERT INTO history(contact_id, kind, happened_at, subject, body, created)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        [(int(r["contact_ref"]), r["kind"], shift(r["happened_at"]), r["subject"], r["body"],
          shift(r["happened_at"])) for r in _csv("history.csv")])


def _load_activities(conn: sqlite3.Connection, shift: _Shift) -> None:
    stamp = clock.stamp()
    for r in _csv("activities.csv"):
        status = r["status"] or "open"
        starts = shift(r["starts_at"])
        conn.execute(
            "INSERT INTO activities(id, uid, kind, title, location, starts_at, duration_min, due,"
            " priority, alarm_min, rrule, status, done_at, created, updated)"
            " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            (int(r["ref"]), f"demo-{r['ref']}@qualif", r["kind"], r["title"], r["location"], starts,
             int(r["duration_min"]) if r["duration_min"] else None, shift(r["due"]),
             int(r["priority"] or 2), int(r["alarm_min"]) if r["alarm_min"] else None,
             r["rrule"], status, (starts or shift(r["due"])) if status == "done" else None,
             stamp, stamp))
        for ref in filter(None, r["contact_refs"].split()):
            conn.execute("INSERT INTO activity_contacts(activity_id, contact_id) VALUES (?, ?)",
                         (int(r["ref"]), int(ref)))


_PATH = ("lead", "qualified", "proposal", "negotiation")


def _load_deals(conn: sqlite3.Connection, shift: _Shift, categories: list[str]) -> None:
    """The deals, their categories and lost reasons, and the stages each went through
    (spread between its creation and its close, or today)."""
    stamp = clock.stamp()
    for position, label in enumerate(categories, start=1):
        conn.execute("INSERT INTO deal_choices(list, label, norm_label, position)"
                     " VALUES ('category', ?, ?, ?)", (label, fold(label), position))
    choices = {(r[0], r[1]): r[2] for r in conn.execute(
        "SELECT list, norm_label, id FROM deal_choices")}
    for r in _csv("deals.csv"):
        created = shift(r["created"]) or stamp[:10]
        closed = shift(r["closed_at"])
        cursor = conn.execute(
            "INSERT INTO deals(id, contact_id, title, stage, amount, probability, expected_close,"
            " closed_at, created, updated, cost, category_id, notes, lost_reason_id)"
            " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            (int(r["ref"]), int(r["contact_ref"]), r["title"], r["stage"], float(r["amount"]),
             int(r["probability"]), shift(r["expected_close"]), closed, f"{created}T10:00:00",
             f"{(closed or created)}T10:00:00", float(r["cost"]) if r["cost"] else None,
             choices.get(("category", fold(r["category"]))), r["notes"],
             choices.get(("lost_reason", fold(r["lost_reason"])))))
        end = closed or clock.today().isoformat()
        last = r["lost_from"] if r["stage"] == "lost" else r["stage"]
        path = list(_PATH[:_PATH.index(last) + 1]) if last in _PATH else list(_PATH)
        if r["stage"] in ("won", "lost"):
            path.append(r["stage"])
        days = (date.fromisoformat(end) - date.fromisoformat(created)).days
        previous = None
        for step, stage in enumerate(path):
            day = date.fromisoformat(created) + timedelta(days=days * step // max(1, len(path) - 1))
            conn.execute("INSERT INTO deal_moves(deal_id, from_stage, to_stage, moved_at)"
                         " VALUES (?,?,?,?)", (cursor.lastrowid, previous, stage, day.isoformat()))
            previous = stage


def _load_quotes(conn: sqlite3.Connection, shift: _Shift) -> None:
    """Quotes numbered per year in the order they were issued, lines, totals, counters."""
    from qualif_tui.domain.quote_totals import compute_totals

    lines: dict[str, list[dict[str, str]]] = {}
    for line in _csv("quote_lines.csv"):
        lines.setdefault(line["quote_ref"], []).append(line)
    rows = sorted(_csv("quotes.csv"), key=lambda q: (shift(q["issued"]) or "", int(q["ref"])))
    counters: dict[int, int] = {}
    numbers: dict[str, str] = {}
    stamp = clock.stamp()
    for q in rows:
        issued = shift(q["issued"]) or stamp[:10]
        if q["version"] == "1":
            year = int(issued[:4])
            counters[year] = counters.get(year, 0) + 1
            numbers[q["deal_ref"]] = f"D{year}-{counters[year]:04d}"
            number = numbers[q["deal_ref"]]
            previous = None
        else:
            number = f"{numbers[q['deal_ref']]}-V{q['version']}"
            previous = conn.execute("SELECT id FROM quotes WHERE number = ?",
                                    (numbers[q["deal_ref"]],)).fetchone()[0]
        own = lines.get(q["ref"], [])
        totals = compute_totals((ln["quantity"], ln["unit_price"], ln["vat_rate"],
                                 ln["discount"]) for ln in own)
        decided = shift(q["decided_at"])
        cursor = conn.execute(
            "INSERT INTO quotes(number, contact_id, deal_id, title, issued, valid_days, status,"
            " version, previous_id, total_ht, total_vat, total_ttc, sent_at, decided_at,"
            " created, updated) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            (number, int(q["contact_ref"]), int(q["deal_ref"]), q["title"], issued,
             int(q["valid_days"]), q["status"], int(q["version"]), previous,
             float(totals.total_ht), float(totals.total_vat), float(totals.total_ttc), issued,
             decided, f"{issued}T10:00:00", f"{decided or issued}T10:00:00"))
        conn.executemany(
            "INSERT INTO quote_lines(quote_id, position, designation, quantity, unit, unit_price,"
            " vat_rate, discount) VALUES (?,?,?,?,?,?,?,?)",
            [(cursor.lastrowid, position, ln["designation"], float(ln["quantity"]), ln["unit"],
              float(ln["unit_price"]), float(ln["vat_rate"]), float(ln["discount"]))
             for position, ln in enumerate(own, start=1)])
    conn.executemany("INSERT INTO quote_counters(year, last) VALUES (?, ?)", counters.items())
