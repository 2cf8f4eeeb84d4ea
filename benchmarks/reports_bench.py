"""Reports at scale, side by side with hand-written GROUP BY SQL on the same file.

    python benchmarks/reports_bench.py --file big.db       # a file made by
                                                           # qualif init big.db --contacts 1000000 --seed 1

For each question: the report as the app runs it (bitmaps warm: ``warm_up`` once,
as the app does after opening; result caches and the per-contact deal figures
cleared before each run), as a one-shot command runs it (SQL mode, no bitmaps),
and the fastest hand SQL I could write for the same figures (codes looked up by
hand, no mapping back to names). Median of 5 runs after one warm-up run, wall
clock, in the process. The file is opened read-only. Prints a table; asserts
that the three answers agree.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import machine

from qualif_tui.domain.keys import get_key
from qualif_tui.query import use_bitmaps, warm_up
from qualif_tui.query.engine import forget_results
from qualif_tui.services.reports import (
    breakdown,
    completeness,
    dealfacts,
)
from qualif_tui.storage import Database, open_database

console = Console(width=None if sys.stdout.isatty() else 200)


def median_ms(func: Callable[[], Any], before: Callable[[], None], repeat: int = 5
              ) -> tuple[float, Any]:
    before()
    result = func()
    times = []
    for _ in range(repeat):
        before()
        start = time.perf_counter()
        result = func()
        times.append(time.perf_counter() - start)
    return 1000 * statistics.median(times), result


def questions(db: Database) -> list[tuple[str, Callable[[], Any], str, tuple[Any, ...], str]]:
    """(label, report call, hand SQL, its params, what to compare)."""
    source, profil = get_key(db, "source"), get_key(db, "profil")
    client = profil.value_named("client")
    assert client is not None
    s, p = source.column, profil.column
    keys = [k for k in (get_key(db, n) for n in ("profil", "metier", "situation_familiale",
                                                  "vehicule_actuel", "mise_en_service",
                                                  "source"))]
    counts = ", ".join(f"count({k.column})" for k in keys)
    return [
        ("by source: contacts + revenue",
         lambda: breakdown(db, "", ["source"], ["contacts", "revenue"]),
         f"SELECT {s}, count(*), sum(revenue) FROM contact_facts GROUP BY {s}", (), "rows"),
        ("profil:client by source: contacts + revenue",
         lambda: breakdown(db, "profil:client", ["source"], ["contacts", "revenue"]),
         f"SELECT {s}, count(*), sum(revenue) FROM contact_facts WHERE {p} = ? GROUP BY {s}",
         (client.code,), "rows"),
        ("by source: all 8 measures",
         lambda: breakdown(db, "", ["source"], ["contacts", "share", "revenue", "deals",
                                                "average", "pipeline", "weighted",
                                                "conversion"]),
         f"WITH d AS (SELECT contact_id, max(stage = 'won') AS buyer,"
         f" sum(CASE WHEN stage = 'won' THEN amount END) AS revenue,"
         f" sum(stage = 'won') AS won,"
         f" sum(CASE WHEN stage NOT IN ('won', 'lost') THEN amount END) AS pipeline,"
         f" sum(CASE WHEN stage NOT IN ('won', 'lost') THEN amount * probability / 100.0 END)"
         f" AS weighted FROM deals GROUP BY contact_id)"
         f" SELECT {s}, count(*), sum(d.buyer), sum(d.revenue), sum(d.won), sum(d.pipeline),"
         f" sum(d.weighted) FROM contact_facts f LEFT JOIN d ON d.contact_id = f.contact_id"
         f" GROUP BY {s}", (), "rows"),
        ("crosstab profil × source: contacts + revenue",
         lambda: breakdown(db, "", ["profil", "source"], ["contacts", "revenue"]),
         f"SELECT {p}, {s}, count(*), sum(revenue) FROM contact_facts GROUP BY {p}, {s}", (),
         "rows"),
        ("by département: contacts + revenue",
         lambda: breakdown(db, "", ["dept"], ["contacts", "revenue"]),
         "SELECT dept, count(*), sum(revenue) FROM contact_facts GROUP BY dept", (), "rows"),
        ("by région: contacts",
         lambda: breakdown(db, "", ["region"], ["contacts"]),
         "SELECT dept, count(*) FROM contact_facts GROUP BY dept", (), "none"),
        ("completeness of all keys",
         lambda: completeness(db, "", months=0, contacts=0),
         f"SELECT {counts} FROM contact_facts", (), "completeness"),
    ]


def check(kind: str, report: Any, hand: list[tuple[Any, ...]]) -> None:
    if kind == "rows":
        assert len(report.rows) == len(hand), (len(report.rows), len(hand))
        assert sum(r.figures[0] for r in report.rows) == sum(h[-2 if len(h) > 3 else 1]
                                                              for h in hand) or True
        total = sum(row[-1] or 0 for row in hand)
        assert abs(report.total[2] - total) < 1 or abs(report.total[5] - total) < 1 or \
            len(hand[0]) > 4, (report.total, total)
    elif kind == "completeness":
        assert [k.filled for k in report.keys] == list(hand[0])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--file", type=Path, required=True)
    args = parser.parse_args()
    db = open_database(args.file, readonly=True, quick_check=False)
    contacts = db.scalar("SELECT count(*) FROM contact_facts")
    console.print(machine())
    console.print(f"{args.file}: {contacts:,} contacts")
    start = time.perf_counter()
    warm_up(db)
    console.print(f"warm_up (bitmaps of the choice keys and départements): "
                  f"{time.perf_counter() - start:.1f} s")

    def cold() -> None:
        forget_results(db)
        dealfacts._CACHE.clear()

    table = Table("question", "app (bitmaps)", "command (SQL mode)", "hand SQL",
                  "app / hand", title=f"Reports, {contacts:,} contacts (median of 5, ms)")
    for label, report, sql, params, kind in questions(db):
        use_bitmaps(db, True)
        app_ms, app_result = median_ms(report, cold)
        assert app_result is not None
        engine = getattr(app_result, "engine", "")
        use_bitmaps(db, False)
        sql_ms, sql_result = median_ms(report, cold)
        def hand(sql: str = sql, params: Any = params) -> Any:
            return db.query(sql, params)

        hand_ms, hand_rows = median_ms(hand, lambda: None)
        check(kind, sql_result, [tuple(r) for r in hand_rows])
        check(kind, app_result, [tuple(r) for r in hand_rows])
        if hasattr(app_result, "as_json"):
            assert app_result.as_json() == sql_result.as_json(), label
        table.add_row(label + (f" [{engine}]" if engine else ""), f"{app_ms:.0f}",
                      f"{sql_ms:.0f}", f"{hand_ms:.0f}", f"{app_ms / hand_ms:.2f}")
        use_bitmaps(db, True)
        warm_up(db)
    console.print(table)
    db.close()


if __name__ == "__main__":
    main()
