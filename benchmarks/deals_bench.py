"""Deals, pipeline and forecast on a generated file, side by side with hand SQL.

    python benchmarks/deals_bench.py FILE.db [--json]

On a file made by ``qualif init FILE --contacts N --seed 1`` (≈ 0.2 N deals):

* query fields — each new field's count with the bitmaps warm (``warm_up``, as
  the app does) and the counts and id lists forgotten before each run; beside
  it the fastest hand-written SQL count of the same contacts;
* pipeline — :func:`~qualif_tui.services.pipeline.pipeline` (stage totals and
  the first 50 cards of each stage), for every contact and for a query; hand
  SQL: the totals alone in one GROUP BY;
* forecast — 12 months; hand SQL: one GROUP BY month;
* pipeline screen — the real app headless (160×48), from the key ``p`` to the
  first frame written with the columns and their cards, median of 5; beside it
  what the screen reads for that frame (the totals and the first page of each
  column), read alone.

Medians of 5 runs after one warming run. Nothing is written to the file.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any, TypeVar

from dateutil.relativedelta import relativedelta

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from qualif_tui.domain import clock
from qualif_tui.query import compile_query, count, warm_up
from qualif_tui.query.engine import forget_results
from qualif_tui.services.pipeline import forecast, pipeline
from qualif_tui.storage import Database, open_database
from qualif_tui.tui.deal_rows import PAGE

T = TypeVar("T")

# field query → hand SQL counting the same contacts (the stage table's defaults)
FIELDS: list[tuple[str, str, tuple[Any, ...]]] = [
    ("deal_stage:proposal", "SELECT count(DISTINCT contact_id) FROM deals"
     " WHERE stage = 'proposal'", ()),
    ("deal_amount>5000", "SELECT count(DISTINCT contact_id) FROM deals WHERE amount > 5000", ()),
    ("expected_close:{next_month}", "SELECT count(DISTINCT contact_id) FROM deals"
     " WHERE expected_close >= ? AND expected_close < ?"
     " AND stage IN ('lead', 'qualified', 'proposal', 'negotiation')", ("{m0}", "{m1}")),
    ("won:{year}", "SELECT count(DISTINCT contact_id) FROM deals WHERE closed_at >= ?"
     " AND closed_at < ? AND stage = 'won'", ("{y0}", "{y1}")),
    ("lost_reason:prix", "SELECT count(DISTINCT contact_id) FROM deals"
     " WHERE lost_reason_id = 1", ()),
    ("last_purchase<12m", "SELECT count(*) FROM contact_facts WHERE last_purchase < ?",
     ("{ago}",)),
    ("open_deals>0", "SELECT count(*) FROM contact_facts WHERE open_deals > 0", ()),
    ("revenue>10000", "SELECT count(*) FROM contact_facts WHERE revenue > 10000", ()),
]


def timed(func: Callable[[], T], repeat: int = 5, before: Callable[[], object] | None = None
          ) -> tuple[float, T]:
    """Median wall time of ``repeat`` runs after a warming one (``before`` each, untimed)."""
    if before:
        before()
    result = func()
    times = []
    for _ in range(repeat):
        if before:
            before()
        start = time.perf_counter()
        result = func()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def generated_today(db: Database) -> date:
    meta = db.get_meta("generated") or ""
    for part in meta.split():
        if part.startswith("today="):
            return date.fromisoformat(part[6:])
    return clock.today()


def fill(value: str, today: date) -> str:
    next_month = date(today.year + (today.month == 12), today.month % 12 + 1, 1)
    after = date(next_month.year + (next_month.month == 12), next_month.month % 12 + 1, 1)
    return value.format(next_month=next_month.strftime("%Y-%m"), m0=next_month.isoformat(),
                        m1=after.isoformat(), year=today.year, y0=f"{today.year}-01-01",
                        y1=f"{today.year + 1}-01-01",
                        ago=(today - relativedelta(months=12)).isoformat())


def query_fields(db: Database, today: date) -> list[dict[str, Any]]:
    rows = []
    for text, sql, params in FIELDS:
        text = fill(text, today)
        compiled = compile_query(db, text)
        seconds, found = timed(lambda c=compiled: count(db, c),  # type: ignore[misc]
                               before=lambda: forget_results(db))
        hand_params = tuple(fill(p, today) for p in params)
        hand, expected = timed(lambda s=sql, p=hand_params: db.scalar(s, p))  # type: ignore[misc]
        assert found == expected, (text, found, expected)
        rows.append({"query": text, "matches": found, "count_ms": seconds * 1000,
                     "hand_sql_ms": hand * 1000})
    return rows


def pipeline_figures(db: Database, today: date) -> list[dict[str, Any]]:
    rows = []
    opened = ("lead", "qualified", "proposal", "negotiation")
    marks = ", ".join("?" * len(opened))
    for text in ("", "profil:client"):
        compiled = compile_query(db, text)
        seconds, result = timed(lambda c=compiled: pipeline(db, c, today=today),  # type: ignore[misc]
                                before=lambda: forget_results(db))
        months, _ = timed(lambda c=compiled: forecast(db, c, months=12, today=today),  # type: ignore[misc]
                          before=lambda: forget_results(db))
        if text:
            totals_sql = (f"SELECT d.stage, count(*), total(d.amount) FROM deals d"
                          f" JOIN contact_facts f ON f.contact_id = d.contact_id"
                          f" WHERE d.stage IN ({marks}) AND ({compiled.where}) GROUP BY d.stage")
            params: tuple[Any, ...] = (*opened, *compiled.params)
        else:
            totals_sql = (f"SELECT stage, count(*), total(amount) FROM deals"
                          f" WHERE stage IN ({marks}) GROUP BY stage")
            params = opened
        hand, _ = timed(lambda s=totals_sql, p=params: db.query(s, p))  # type: ignore[misc]
        forecast_sql = (f"SELECT substr(expected_close, 1, 7) AS m, count(*), total(amount),"
                        f" total(amount * probability) / 100 FROM deals"
                        f" WHERE stage IN ({marks}) AND expected_close >= ? AND expected_close < ?"
                        f" GROUP BY m")
        start = today.replace(day=1).isoformat()
        end = date(today.year + 1, today.month, 1).isoformat()
        hand_forecast, _ = timed(lambda s=forecast_sql, p=(*opened, start, end):  # type: ignore[misc]
                                 db.query(s, p))
        rows.append({"query": text or "(tous)", "open_deals": result.count,
                     "pipeline_ms": seconds * 1000, "hand_totals_ms": hand * 1000,
                     "forecast_ms": months * 1000,
                     "hand_forecast_ms": hand_forecast * 1000 if not text else None})
    return rows


async def _screen_paint(path: Path) -> float:
    """From the key ``p`` to the frame that shows the columns with their cards: the
    app's ``_display`` (what writes a frame to the terminal) is watched for the first
    frame of the pipeline screen drawn after every column has its deals."""
    from qualif_tui.tui.app import QualifApp
    from qualif_tui.tui.deal_rows import DealRows
    from qualif_tui.tui.pipeline_screen import PipelineScreen

    db = open_database(path, readonly=True, quick_check=False)
    app = QualifApp(db, cursor_blink=False, verify=False)
    painted: list[float] = []
    display = app._display

    def watched(screen: Any, renderable: Any) -> None:
        display(screen, renderable)
        if not painted and renderable is not None and isinstance(screen, PipelineScreen):
            columns = list(screen.query(".stage-cards").results(DealRows))
            if screen.data is not None and columns and all(
                    c.source is not None for c in columns):
                painted.append(time.perf_counter())

    app._display = watched  # type: ignore[method-assign]
    async with app.run_test(size=(160, 48)) as pilot:
        for _ in range(1200):  # the list and the bitmaps first, as a user would wait
            await pilot.pause(0.05)
            if not any(w.is_running for w in app.workers):
                break
        start = time.perf_counter()
        await pilot.press("p")
        for _ in range(2000):
            if painted:
                break
            await pilot.pause(0.005)
        assert painted, "the pipeline was never painted"
    db.close()
    return painted[0] - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("file", type=Path)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--no-app", action="store_true", help="skip the headless app")
    args = parser.parse_args()
    db = open_database(args.file, readonly=True, quick_check=False)
    today = generated_today(db)
    clock.freeze(clock.start_of(today))
    started = time.perf_counter()
    warm_up(db)
    report: dict[str, Any] = {
        "file": str(args.file),
        "contacts": db.scalar("SELECT count(*) FROM contacts"),
        "deals": db.scalar("SELECT count(*) FROM deals"),
        "quotes": db.scalar("SELECT count(*) FROM quotes"),
        "warm_up_s": time.perf_counter() - started,
        "fields": query_fields(db, today),
        "pipeline": pipeline_figures(db, today),
        "screen_reads_ms": timed(lambda: pipeline(db, None, cards=PAGE, recent=False,
                                                  today=today))[0] * 1000,
    }
    db.close()
    if not args.no_app:
        report["screen_ms"] = statistics.median(
            asyncio.run(_screen_paint(args.file)) for _ in range(5)) * 1000
    if args.json:
        print(json.dumps(report, indent=2, ensure_ascii=False))
        return
    print(f"{report['contacts']} contacts, {report['deals']} deals, {report['quotes']} quotes"
          f" (bitmaps warm in {report['warm_up_s']:.1f} s)")
    for row in report["fields"]:
        print(f"  {row['query']:28} {row['matches']:>8}  count {row['count_ms']:6.1f} ms"
              f"   hand SQL {row['hand_sql_ms']:6.1f} ms")
    for row in report["pipeline"]:
        hand = row["hand_forecast_ms"]
        print(f"  pipeline {row['query']:14} {row['open_deals']:>7} open"
              f"  {row['pipeline_ms']:6.1f} ms (hand totals {row['hand_totals_ms']:6.1f} ms)"
              f"  forecast {row['forecast_ms']:6.1f} ms"
              + (f" (hand {hand:6.1f} ms)" if hand is not None else ""))
    if "screen_ms" in report:
        print(f"  pipeline screen, p → columns painted: {report['screen_ms']:.0f} ms"
              f" (its reads alone {report['screen_reads_ms']:.0f} ms)")


if __name__ == "__main__":
    main()
