"""Benchmarks on generated data: prints tables of figures, asserts nothing.

    python benchmarks/bench.py                    # 100k and 1M contacts (several minutes)
    python benchmarks/bench.py --sizes 100000     # quicker
    python benchmarks/bench.py --keep /tmp/bench  # keep (and reuse) the generated files
    python benchmarks/bench.py --keep /work/bench-data --sizes 1000000 --only tui
                                                  # the app on an existing (read-only) file

Each section is a function taking the generated files and returning rows for
one table; sections are listed in SECTIONS. Figures are wall-clock seconds on
the machine that runs it; the machine is printed first.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date, datetime
from datetime import time as dt_time
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

from rich.console import Console
from rich.table import Table

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from qualif_tui.query import compile_query, count
from qualif_tui.services.generator import generate_database
from qualif_tui.storage import open_database

# wide tables even when the output is a file (figures are read from it)
console = Console(width=None if sys.stdout.isatty() else 200)
Rows = list[tuple[str, ...]]
T = TypeVar("T")


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as handle:
            for line in handle:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return (f"{cpu}, {os.cpu_count()} cores, Python {platform.python_version()},"
            f" SQLite {__import__('sqlite3').sqlite_version}, {platform.system()}")


def timed(func: Callable[[], T], repeat: int = 5) -> tuple[float, T]:
    """Median wall time of ``repeat`` runs (the first warms the cache)."""
    result = func()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        result = func()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


# -- sections --------------------------------------------------------------


def section_generate(files: dict[int, Path], generation: dict[int, float]) -> tuple[str, list[str], Rows]:
    rows: Rows = []
    for size, path in files.items():
        with open_database(path) as db:
            start = time.perf_counter()
            db.scalar("PRAGMA quick_check")
            first = time.perf_counter() - start  # from disk if the file is not cached
            start = time.perf_counter()
            db.scalar("PRAGMA quick_check")
            warm = time.perf_counter() - start
            compiled = compile_query(db, "")
            count_time, total = timed(partial(count, db, compiled))
        rows.append((f"{size:,}".replace(",", " "),
                     f"{generation[size]:.1f} s" if size in generation else "(reused)",
                     f"{path.stat().st_size / 1e6:.0f} MB", f"{first:.2f} s / {warm:.2f} s",
                     ms(count_time), str(total)))
    return ("Foundation: generate, open, count",
            ["contacts", "init --contacts N", "file size", "quick_check: first / warm",
             "query --count (all)", "count"], rows)


def _fresh_with_keys_of(source: Path, target: Path) -> None:
    """An empty file with the same qualification keys (and values) as ``source``."""
    from qualif_tui.domain.keys import define_key, list_keys

    with open_database(source, readonly=True) as src, open_database(target, create=True) as dst:
        for key in list_keys(src):
            define_key(dst, key.name, key.type, [v.value for v in key.values])


def _export_csv(db: object, target: Path) -> int:
    from qualif_tui.services.exporting import export_contacts

    with target.open("wb") as out:
        return export_contacts(db, compile_query(db, ""), "csv", out).written  # type: ignore[arg-type]


def section_import_export(files: dict[int, Path], generation: dict[int, float]
                          ) -> tuple[str, list[str], Rows]:
    """CSV export of every contact (streamed), and re-import of a 100 000-row export
    into a fresh file with the same keys; sqlite-utils on the same rows for scale."""
    from qualif_tui.services.importing import ImportOptions, apply_plan, plan_import

    rows: Rows = []
    folder = Path(tempfile.mkdtemp(prefix="qualif-io-"))
    for size, path in files.items():
        csv_path = folder / f"export-{size}.csv"
        times, cpu = [], []
        # the file is opened (and quick-checked, see the table above) once, outside the timing
        with open_database(path, readonly=True) as source:
            for _ in range(3):
                start, start_cpu = time.perf_counter(), time.process_time()
                written = _export_csv(source, csv_path)
                times.append(time.perf_counter() - start)
                cpu.append(time.process_time() - start_cpu)
        rows.append((f"export {size:,} contacts → CSV".replace(",", " "),
                     f"{statistics.median(times):.1f} s", f"CPU {statistics.median(cpu):.1f} s",
                     f"{written} rows, {csv_path.stat().st_size / 1e6:.0f} MB"))
        if size > 100_000:
            csv_path.unlink()
            continue
        times, cpu = [], []
        for run in range(3):
            target = folder / f"import-{size}-{run}.db"
            _fresh_with_keys_of(path, target)
            with open_database(target) as db:
                start, start_cpu = time.perf_counter(), time.process_time()
                result = apply_plan(db, plan_import(db, [csv_path], ImportOptions()))
                times.append(time.perf_counter() - start)
                cpu.append(time.process_time() - start_cpu)
            target.unlink()
        rows.append((f"import {size:,}-row CSV → fresh file".replace(",", " "),
                     f"{statistics.median(times):.1f} s", f"CPU {statistics.median(cpu):.1f} s",
                     f"{result.created} created, {result.skipped} duplicates skipped"))
        rows += _sqlite_utils_rows(path, folder)
        csv_path.unlink()
    folder.rmdir()
    return ("Import and export", ["what", "wall time (median of 3)", "", "result"], rows)


def _sqlite_utils_rows(source: Path, folder: Path) -> Rows:
    """The same contact rows written by sqlite-utils, and by one executemany, for scale."""
    import sqlite3

    import sqlite_utils

    with open_database(source, readonly=True) as db:
        records = [dict(r) for r in db.query("SELECT * FROM contacts")]
    columns = list(records[0])
    rows: Rows = []
    for label, how in (("sqlite-utils insert_all (default)", "default"),
                       ("sqlite-utils insert_all inside db.atomic()", "atomic"),
                       ("executemany in one transaction", "executemany")):
        target = folder / f"su-{how}.db"
        conn = sqlite3.connect(target)
        conn.execute("PRAGMA synchronous = FULL")
        start = time.perf_counter()
        if how == "executemany":
            conn.execute(f"CREATE TABLE contacts({', '.join(columns)})")
            with conn:
                conn.executemany(f"INSERT INTO contacts VALUES ({', '.join('?' * len(columns))})",
                                 [tuple(r.values()) for r in records])
        else:
            database = sqlite_utils.Database(conn)
            if how == "atomic":
                with database.atomic():
                    database.table("contacts").insert_all(records)
            else:
                database.table("contacts").insert_all(records)
        elapsed = time.perf_counter() - start
        conn.close()
        target.unlink()
        rows.append((f"  {label}, {len(records):,} rows".replace(",", " "), f"{elapsed:.1f} s",
                     "", "bare table: no index, trigger or check"))
    return rows


def _generated_today(db: object) -> date:
    text = db.get_meta("generated") or ""  # type: ignore[attr-defined]
    for part in text.split():
        if part.startswith("today="):
            return date.fromisoformat(part[6:])
    return date.today()


async def _first_paint(db: object, kind: str) -> float:
    """Seconds from pushing the agenda screen until its view's widgets render their
    first lines (the compositor asks a widget for its lines only to paint them)."""
    from textual.app import App

    from qualif_tui.tui.agenda import AgendaScreen
    from qualif_tui.tui.agenda.screen import AgendaList, MonthCell

    painted: list[float] = []

    def spy(cls: Any) -> Callable[[], None]:  # a widget class, its method replaced
        original = cls.render_lines

        def render_lines(self: object, crop: object) -> object:
            if not painted:
                painted.append(time.perf_counter())
            return original(self, crop)

        cls.render_lines = render_lines

        def restore() -> None:
            cls.render_lines = original
        return restore

    class Host(App[None]):
        pass

    restores = [spy(AgendaList), spy(MonthCell)]
    try:
        app = Host()
        async with app.run_test(size=(160, 48)) as pilot:
            start = time.perf_counter()
            app.push_screen(AgendaScreen(db, kind=kind))  # type: ignore[arg-type]
            while not painted:
                await pilot.pause(0.001)
            return painted[0] - start
    finally:
        for restore in restores:
            restore()


def section_agenda(files: dict[int, Path], generation: dict[int, float]
                   ) -> tuple[str, list[str], Rows]:
    """Opening the agenda: the core's view computation, then the screen's first paint."""
    import asyncio

    from qualif_tui.domain import clock
    from qualif_tui.domain.agenda.views import build_view, task_list

    rows: Rows = []
    for size, path in files.items():
        with open_database(path, readonly=True) as db:
            today = _generated_today(db)
            clock.freeze(datetime.combine(today, dt_time(10, 30)))
            try:
                activities = db.scalar("SELECT count(*) FROM activities")
                figures = []
                for kind in ("day", "week", "month"):
                    seconds, _ = timed(partial(build_view, db, kind))
                    figures.append(ms(seconds))
                tasks, _ = timed(partial(task_list, db))
                paints = []
                for kind in ("week", "month"):
                    samples = sorted(asyncio.run(_first_paint(db, kind)) for _ in range(3))
                    paints.append(ms(samples[1]))
            finally:
                clock.freeze(None)
        rows.append((f"{size:,}".replace(",", " "), f"{activities:,}".replace(",", " "),
                     *figures, ms(tasks), *paints))
    return ("Agenda: view computation (core) and first paint of the screen",
            ["contacts", "activities", "day view", "week view", "month view", "task list",
             "week: first paint", "month: first paint"], rows)




# -- query engine ----------------------------------------------------------------------

# Ten segments a user might keep; (f) counts them all at once.
BENCH_SEGMENTS = {
    "Clients Occitanie": "profil:client region:occitanie",
    "Salon Midi-Pyrénées": 'profil:client,prospect region:"midi-pyrenees" source:"foire/salon"',
    "Prospects à relancer": "profil:prospect last_contact<6m",
    "Contrôle des 4 ans": "mise_en_service:2021..2022",
    "À qualifier": "missing:profil OR missing:source",
    "Artisans du Tarn": "metier:artisan,commerçant dept:81,82",
    "SUV et électriques": "vehicule_actuel:électrique,SUV -profil:concurrent",
    "Familles": 'situation_familiale:"couple avec enfants" mise_en_service<2018',
    "Web": "source:web,facebook has:email",
    "Gros comptes": "revenue>=30000 OR open_deals>=1",
}


def _query_questions(db: object) -> list[tuple[str, str, list[tuple[str, tuple[object, ...]]],
                                                list[tuple[str, tuple[object, ...]]]]]:
    """(label, query, hand-written count SQLs, hand-written first-page SQLs).

    The hand-written SQL is the best I found for each question on this schema
    (codes looked up once, planner steered); the figure kept is the fastest
    variant.
    """
    from qualif_tui.base.geography import departements_of, find_region
    from qualif_tui.domain.keys import get_key

    profil, source = get_key(db, "profil"), get_key(db, "source")  # type: ignore[arg-type]
    client = profil.value_named("client").code  # type: ignore[union-attr]
    prospect = profil.value_named("prospect").code  # type: ignore[union-attr]
    salon = source.value_named("foire/salon").code  # type: ignore[union-attr]
    occitanie = departements_of(find_region("occitanie"))  # type: ignore[arg-type]
    marks = ", ".join("?" * len(occitanie))
    k1, k6 = profil.column, source.column
    cols = ("c.id, c.first_name, c.last_name, c.company, c.email, c.phone, c.mobile,"
            " c.postal_code, c.city, c.email_optout, f.*")

    def walk(condition: str) -> str:
        # the sort index read in order, facts probed per row (no Bloom filter)
        return (f"SELECT {cols} FROM (SELECT c.id AS pid FROM contacts c INDEXED BY contacts_sort"
                f" WHERE EXISTS (SELECT 1 FROM contact_facts f WHERE f.contact_id = c.id AND"
                f" {condition}) ORDER BY c.sort_key, c.id LIMIT 50) p"
                " JOIN contacts c ON c.id = p.pid JOIN contact_facts f ON f.contact_id = c.id"
                " ORDER BY c.sort_key, c.id")

    def listed(ids_sql: str) -> str:
        return (f"SELECT {cols} FROM contacts c JOIN contact_facts f ON f.contact_id = c.id"
                f" WHERE c.id IN ({ids_sql}) ORDER BY c.sort_key, c.id LIMIT 50")

    from qualif_tui.domain import clock
    from qualif_tui.query.values import parse_period
    year_ago, half_year_ago = (parse_period(t).first.isoformat() for t in ("1y", "6m"))
    del clock
    # history_fts rowids carry their contact in their high 32 bits (see the schema)
    fts = ("SELECT rowid FROM contacts_fts WHERE contacts_fts MATCH ?1 UNION"
           " SELECT rowid >> 32 FROM history_fts WHERE history_fts MATCH ?1")
    fts_owner = ("SELECT rowid FROM contacts_fts WHERE contacts_fts MATCH ?1 UNION"
                 " SELECT DISTINCT rowid >> 32 FROM history_fts WHERE history_fts MATCH ?1")
    crossed = f"{k1} IN (?, ?) AND {k6} = ? AND dept IN ({marks})"
    crossed_params = (client, prospect, salon, *occitanie)
    return [
        ("(a) one key", "profil:client",
         [(f"SELECT count(*) FROM contact_facts WHERE {k1} = ?", (client,))],
         [(walk(f"f.{k1} = ?"), (client,))]),
        ("(b) 3 crossed incl. région",
         'profil:client,prospect region:occitanie source:"foire/salon"',
         [(f"SELECT count(*) FROM contact_facts WHERE {crossed}", crossed_params),
          (f"SELECT count(*) FROM contact_facts NOT INDEXED WHERE {crossed}", crossed_params)],
         [(walk(crossed.replace(k1, "f." + k1)), crossed_params),
          (listed(f"SELECT contact_id FROM contact_facts WHERE {crossed}"), crossed_params)]),
        ("(c) negation", "-profil:client",
         [(f"SELECT (SELECT count(*) FROM contact_facts)"
           f" - (SELECT count(*) FROM contact_facts WHERE {k1} = ?)", (client,))],
         [(walk(f"f.{k1} IS NOT ?"), (client,))]),
        ("(d) date range", "last_contact:1y..6m",
         [("SELECT count(*) FROM contact_facts WHERE last_contact >= ? AND last_contact <= ?",
           (year_ago, half_year_ago))],
         [(walk("f.last_contact >= ? AND f.last_contact <= ?"), (year_ago, half_year_ago)),
          (listed("SELECT contact_id FROM contact_facts WHERE last_contact >= ? AND"
                  " last_contact <= ?"), (year_ago, half_year_ago))]),
        ("(e) bare word (a name)", "dupont",
         [(f"SELECT count(*) FROM ({f})", ('"dupont"*',)) for f in (fts, fts_owner)],
         [(listed(f), ('"dupont"*',)) for f in (fts, fts_owner)]),
        ("(e') bare word (9 % of history)", "devis",
         [(f"SELECT count(*) FROM ({f})", ('"devis"*',)) for f in (fts, fts_owner)],
         [(listed(fts), ('"devis"*',)), (listed(fts_owner), ('"devis"*',)),
          (f"SELECT {cols} FROM contacts c INDEXED BY contacts_sort JOIN contact_facts f"
           f" ON f.contact_id = c.id WHERE c.id IN ({fts}) ORDER BY c.sort_key, c.id LIMIT 50",
           ('"devis"*',))]),
    ]


def section_query(files: dict[int, Path], generation: dict[int, float]
                  ) -> tuple[str, list[str], Rows]:
    """Counts and first pages: the engine (bitmaps warm, results not cached; and the SQL
    mode one-shot commands use) against the best hand-written SQL for each question."""
    from qualif_tui.query import fetch_page, use_bitmaps, warm_up
    from qualif_tui.query.engine import QueryEngine, forget_results
    from qualif_tui.services import segments

    rows: Rows = []
    for size, path in files.items():
        label = f"{size:,}".replace(",", " ")
        with open_database(path) as db:
            for name, text in BENCH_SEGMENTS.items():
                segments.save_segment(db, name, text, replace=True)
            start = time.perf_counter()
            warm_up(db)
            built = time.perf_counter() - start

            def fresh_count(compiled: object, db: object = db) -> int:
                forget_results(db)  # type: ignore[arg-type]
                return count(db, compiled)  # type: ignore[arg-type]

            def fresh_page(compiled: object, db: object = db) -> object:
                forget_results(db)  # type: ignore[arg-type]
                return fetch_page(db, compiled, limit=50)  # type: ignore[arg-type]

            for title, text, hand_counts, hand_pages in _query_questions(db):
                compiled = compile_query(db, text)
                use_bitmaps(db, True)
                t_count, matches = timed(partial(fresh_count, compiled))
                t_page, _ = timed(partial(fresh_page, compiled))
                use_bitmaps(db, False)
                s_count, _ = timed(partial(fresh_count, compiled), repeat=3)
                s_page, _ = timed(partial(fresh_page, compiled), repeat=3)
                h_count = min(timed(partial(db.query, q, p), repeat=3)[0]
                              for q, p in hand_counts)
                h_page = min(timed(partial(db.query, q, p), repeat=3)[0]
                             for q, p in hand_pages)
                rows.append((label, f"{title}: {text}", str(matches), ms(t_count), ms(t_page),
                             ms(h_count), ms(h_page), f"{t_count / h_count:.2f}",
                             f"{t_page / h_page:.2f}", ms(s_count), ms(s_page)))
            # (f) ten saved segments counted together
            use_bitmaps(db, True)
            warm_up(db)

            def all_segments(db: object = db) -> dict[str, int]:
                forget_results(db)  # type: ignore[arg-type]
                return segments.count_segments(db)  # type: ignore[arg-type]

            t_all, counts = timed(all_segments)
            t_cached, _ = timed(partial(segments.count_segments, db))
            use_bitmaps(db, False)
            s_all, _ = timed(all_segments, repeat=3)
            hand = 0.0
            for name in BENCH_SEGMENTS:
                clause = compile_query(db, BENCH_SEGMENTS[name])
                variants = [f"SELECT count(*) FROM contacts c JOIN contact_facts f"
                            f" ON f.contact_id = c.id WHERE {clause.where}",
                            f"SELECT count(*) FROM contacts c JOIN contact_facts f NOT INDEXED"
                            f" ON f.contact_id = c.id WHERE {clause.where}"]
                hand += min(timed(partial(db.query, q, clause.params), repeat=3)[0]
                            for q in variants)
            rows.append((label, "(f) 10 saved segments counted together",
                         str(sum(counts.values())), ms(t_all), f"cached: {ms(t_cached)}",
                         ms(hand), "", f"{t_all / hand:.2f}", "", ms(s_all), ""))
            use_bitmaps(db, True)
            warm_up(db)
            facets = QueryEngine.of(db).state.facets
            memory = facets.memory() / 1e6 if facets is not None else 0.0
            compile_time, _ = timed(partial(
                compile_query, db, 'profil:client,prospect region:occitanie source:"foire/salon"'))
            rows.append((label, f"warm_up (bitmaps of the keys, départements, flags): {built:.2f} s,"
                         f" bitmaps in memory {memory:.1f} MB, compile {ms(compile_time)}",
                         "", "", "", "", "", "", "", "", ""))
    return ("Query engine: count and first page of 50 (median of 5; bitmaps warm, result"
            " caches cleared before each run)",
            ["contacts", "question", "matches", "count", "first page", "hand SQL count",
             "hand SQL page", "count ÷ hand", "page ÷ hand", "SQL mode count",
             "SQL mode page"], rows)


def section_tui(files: dict[int, Path], generation: dict[int, float]) -> tuple[str, list[str], Rows]:
    """The Textual app, headless (benchmarks/tui_bench.py in fresh processes, median of 3)."""
    import json
    import subprocess

    script = Path(__file__).resolve().parent / "tui_bench.py"
    rows: Rows = []
    for size, path in files.items():
        runs: list[dict[str, object]] = []
        while len(runs) < 3:
            done = subprocess.run([sys.executable, str(script), str(path), "--json"],
                                  capture_output=True, text=True)
            if done.returncode:
                console.print(f"[red]tui_bench failed, retrying:[/] {done.stderr[-500:]}")
                continue
            runs.append(json.loads(done.stdout.strip().splitlines()[-1]))

        def median(name: str, runs: list[dict[str, object]] = runs) -> float:
            return statistics.median(float(r[name]) for r in runs)  # type: ignore[arg-type]

        query = str(runs[0]["query"]) or "(empty query)"
        rows.append((f"{size:,}".replace(",", " "), f"{median('launch_s'):.2f} s",
                     f"{query}: {ms(median('query_s'))}", ms(median("pagedown_s")),
                     ms(median("pagedown_max_s")), f"{median('rss_mb'):.0f} MB",
                     str(runs[0]["rows_held"])))
    return ("TUI (headless, 160×48): launch to first painted list ≤ 1 s, query ≤ 150 ms,"
            " PageDown ≤ 50 ms, RSS ≤ 150 MB",
            ["contacts", "launch → list", "query + Enter → list & count", "PageDown (median)",
             "PageDown (worst of 30)", "RSS", "rows held"], rows)


SECTIONS: list[Callable[..., tuple[str, list[str], Rows]]] = [
    section_generate,
    section_query,
    section_import_export,
    section_agenda,
    section_tui,
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100000,1000000",
                        help="comma-separated contact counts (default: 100000,1000000)")
    parser.add_argument("--keep", type=Path, default=None,
                        help="folder to keep generated files in (reused when present)")
    parser.add_argument("--only", default="", help="run only sections whose name contains this")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",") if s]
    folder = args.keep or Path(tempfile.mkdtemp(prefix="qualif-bench-"))
    folder.mkdir(parents=True, exist_ok=True)
    console.print(f"[bold]machine:[/] {machine()}")
    files: dict[int, Path] = {}
    generation: dict[int, float] = {}
    for size in sizes:
        path = folder / f"bench-{size}.db"
        if not path.exists():
            console.print(f"generating {size} contacts…")
            start = time.perf_counter()
            generate_database(path, size, seed=1)
            generation[size] = time.perf_counter() - start
        files[size] = path
    for section in SECTIONS:
        if args.only and args.only not in section.__name__:
            continue
        title, headers, rows = section(files, generation)
        table = Table(title=title, title_justify="left")
        for header in headers:
            table.add_column(header)
        for row in rows:
            table.add_row(*row)
        console.print(table)
    if args.keep is None:
        for path in files.values():
            path.unlink()
        folder.rmdir()


if __name__ == "__main__":
    main()
