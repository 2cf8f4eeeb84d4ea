"""Mail import figures: a generated archive into a generated file, and a big timeline.

    python benchmarks/mail_bench.py --keep /work/data/mail      # reuses F.db / archive.mbox

Prints: preview and write times, messages/s, peak resident memory of the import
(a child process, so the figure is the import's alone), the timeline of the contact
with 5 000 e-mails, and for scale the standard library's way (``mailbox.mbox`` and
``email`` with policy default) on the first 10 000 messages.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

CHILD = r"""
import json, sys, time
from pathlib import Path
from qualif_tui.storage import open_database
from qualif_tui.services.mailimport import plan_mail_import, apply_mail_plan, MailOptions
db = open_database(sys.argv[1])
t0 = time.monotonic()
plan = plan_mail_import(db, [Path(sys.argv[2])], MailOptions(own_addresses=["moi@atelier-exemple.fr"]))
t1 = time.monotonic()
result = apply_mail_plan(db, plan, plan.chosen("min:3"))
t2 = time.monotonic()
plan.close(); db.close()
import resource
usage = resource.getrusage(resource.RUSAGE_SELF)
print(json.dumps({"preview": t1 - t0, "write": t2 - t1, "messages": plan.messages,
                  "entries": result.entries, "created": result.created,
                  "contacts": result.contacts, "peak_kb": usage.ru_maxrss,
                  "cpu": usage.ru_utime + usage.ru_stime}))
"""


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--keep", type=Path, required=True, help="folder for the files")
    parser.add_argument("--messages", type=int, default=100_000)
    parser.add_argument("--contacts", type=int, default=100_000)
    args = parser.parse_args()
    args.keep.mkdir(parents=True, exist_ok=True)
    base = args.keep / f"{args.contacts}.db"
    if not base.exists():
        subprocess.run([sys.executable, "-m", "qualif_tui", "init", str(base), "--contacts",
                        str(args.contacts), "--seed", "1"], check=True)
    archive = args.keep / f"archive-{args.messages}.mbox"
    from mail_archive import write_archive

    heavy = write_archive(base, archive, args.messages) if not archive.exists() else None
    work = args.keep / "import.db"
    shutil.copy(base, work)
    # the schema upgrade of a file made before mail import, apart from the import
    from qualif_tui.storage import open_database

    started = time.monotonic()
    open_database(work).close()
    upgrade = time.monotonic() - started
    started = time.monotonic()
    child = subprocess.run([sys.executable, "-c", CHILD, str(work), str(archive)],
                           capture_output=True, text=True, cwd=ROOT)
    wall = time.monotonic() - started
    if child.returncode:
        sys.exit(child.stderr)
    figures = json.loads(child.stdout)
    # the import process's own figures (not the generator's, when it ran just before)
    peak = figures["peak_kb"] / 1024
    cpu = figures["cpu"]  # what the import cost, whatever else the machine ran
    print(f"archive {archive.stat().st_size / 1e6:.0f} MB, {figures['messages']} messages;"
          f" file {args.contacts} contacts (schema upgrade before: {upgrade:.1f} s)")
    print(f"import: {wall:.1f} s wall (preview {figures['preview']:.1f} s + write"
          f" {figures['write']:.1f} s), {figures['messages'] / wall:,.0f} messages/s,"
          f" {figures['entries']} entries on {figures['contacts']} contacts,"
          f" {figures['created']} created; peak memory {peak:.0f} MB; CPU {cpu:.1f} s"
          f" (load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)")
    db = open_database(work)
    from qualif_tui.domain.history import list_entries

    if heavy is None:
        contact = db.scalar("SELECT contact_id FROM history WHERE message_id IS NOT NULL"
                            " GROUP BY contact_id ORDER BY count(*) DESC LIMIT 1")
    else:
        contact = db.scalar("SELECT id FROM contacts WHERE norm_email = ?", (heavy,))
    mails = db.scalar("SELECT count(*) FROM history WHERE contact_id = ? AND kind = 'email'",
                      (contact,))
    times = []
    for _ in range(7):
        started = time.perf_counter()
        list_entries(db, int(contact), limit=300)
        times.append(time.perf_counter() - started)
    print(f"timeline of #{contact} ({mails} e-mails): {statistics.median(times) * 1000:.1f} ms"
          " (median of 7, the 300 newest entries the card shows)")
    print(f"  in the app (entries read and the list painted): {_timeline_in_app(db, int(contact)):.0f}"
          " ms (median of 5)")
    db.close()
    import email
    import email.policy
    import mailbox

    started = time.monotonic()
    for index, message in enumerate(mailbox.mbox(str(archive), create=False).itervalues()):
        parsed = email.message_from_bytes(message.as_bytes(), policy=email.policy.default)
        body = parsed.get_body(("plain", "html"))
        if body is not None:
            body.get_content()
        str(parsed["from"]), str(parsed["to"]), str(parsed["subject"]), parsed["date"]
        if index == 9_999:
            break
    stdlib = time.monotonic() - started
    print(f"for scale: mailbox.mbox + email (policy default), parse only: {stdlib:.1f} s for"
          f" 10 000 messages, {10_000 / stdlib:,.0f} messages/s")


def _timeline_in_app(db: object, contact: int) -> float:
    """The card's history pane of ``contact`` filled and painted, headless, 160×48."""
    from textual.app import App, ComposeResult

    from qualif_tui.domain.history import list_entries
    from qualif_tui.tui.timeline import ENTRY_LIMIT, Timeline

    class Host(App[None]):
        def compose(self) -> ComposeResult:
            yield Timeline(db)  # type: ignore[arg-type]

    async def measure() -> float:
        times = []
        async with Host().run_test(size=(160, 48)) as pilot:
            pane = pilot.app.query_one(Timeline)
            for _ in range(5):
                pane.clear_contact()
                await pilot.pause()
                started = time.perf_counter()
                pane.show(contact, list_entries(db, contact, limit=ENTRY_LIMIT))  # type: ignore[arg-type]
                await pilot.pause()
                times.append(time.perf_counter() - started)
        return statistics.median(times) * 1000

    return asyncio.run(measure())


if __name__ == "__main__":
    main()
