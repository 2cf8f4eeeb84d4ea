"""One-shot commands at scale, timed as a user (or a script, or ``watch``) runs them.

    python benchmarks/cli_bench.py /path/to/1m.db [--runs 5]

Each figure is a whole process, from exec to exit: ``qualif query … --count``,
``qualif query … --format json --limit 50`` and ``qualif segment … list`` over
the questions of the README's performance table (``bench.py``), beside the best
hand-written one-shot alternative: a Python process that opens the file with
``sqlite3`` and runs the hand SQL of ``bench.py`` (codes looked up beforehand,
planner steered) — what a script written for this one question would cost.
Median wall time and median CPU time (user + system) of ``--runs`` runs; on a
shared machine the CPU time is the steadier of the two.

The file gets the ten segments of ``bench.py`` (saved if missing) and its stored
bitmaps (query/stored_facets.py) refreshed once, as ``qualif init``, an import
or the app leave them.
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import BENCH_SEGMENTS, _query_questions  # benchmarks/ is the script's folder

from qualif_tui.query import QueryEngine, compile_query, stored_facets
from qualif_tui.services import segments
from qualif_tui.storage import open_database

QUALIF = shutil.which("qualif") or str(Path(sys.executable).with_name("qualif"))
SHORT_WORDS = ["d", "du", "de", "la"]


def timed(args: list[str], runs: int) -> tuple[float, float]:
    """(median wall, median CPU) in seconds of ``runs`` whole processes."""
    walls, cpus = [], []
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.perf_counter()
        done = subprocess.run(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                              text=True)
        walls.append(time.perf_counter() - started)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
        if done.returncode:
            raise SystemExit(f"{' '.join(args)}: {done.stderr.strip()}")
    return statistics.median(walls), statistics.median(cpus)


def hand_sql(path: Path, sql: str, params: tuple[object, ...], runs: int) -> tuple[float, float]:
    script = ("import json, sqlite3, sys\n"
              f"c = sqlite3.connect('file:{path}?mode=ro', uri=True)\n"
              "print(c.execute(sys.argv[1], json.loads(sys.argv[2])).fetchall()[:1])\n")
    return timed([sys.executable, "-c", script, sql, json.dumps(list(params))], runs)


def show(figure: tuple[float, float]) -> str:
    wall, cpu = figure
    return f"{wall:.2f} / {cpu:.2f} s"


def prepare(path: Path) -> list[tuple[str, str, list[tuple[str, tuple[object, ...]]],
                                      list[tuple[str, tuple[object, ...]]]]]:
    with open_database(path) as db:
        for name, text in BENCH_SEGMENTS.items():
            if segments.find_segment(db, name) is None:
                segments.save_segment(db, name, text)
        stored_facets.refresh(db, force=True)
        return _query_questions(db)


def short_words_in_process(path: Path) -> list[tuple[str, int, float]]:
    """count + first page of 50 of a short bare word, in a fresh engine on the
    stored bitmaps (what a one-shot process does after its imports)."""
    found = []
    for word in SHORT_WORDS:
        with open_database(path, readonly=True) as db:
            stored_facets.enable(db)
            engine = QueryEngine.of(db)
            started = time.perf_counter()
            compiled = compile_query(db, word)
            total = engine.count(compiled)
            engine.fetch_page(compiled, limit=50)
            found.append((word, total, time.perf_counter() - started))
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("db", type=Path)
    parser.add_argument("--runs", type=int, default=5)
    options = parser.parse_args()
    path, runs = options.db.resolve(), options.runs
    questions = prepare(path)
    timed([QUALIF, "query", str(path), "--count"], 2)  # the page cache, as a user's second run
    print(f"{path.name}, median of {runs} whole processes, wall / CPU\n")
    print("| question | `query --count` | `--format json --limit 50` | hand SQL one-shot count |")
    print("|---|---|---|---|")
    for label, text, counts, _pages in questions:
        count = timed([QUALIF, "query", str(path), text, "--count"], runs)
        page = timed([QUALIF, "query", str(path), text, "--format", "json", "--limit", "50"],
                     runs)
        sql, params = counts[0]
        hand = hand_sql(path, sql, params, runs)
        print(f"| {label} `{text}` | {show(count)} | {show(page)} | {show(hand)} |")
    print(f"| (f) `segment list` (10 segments) | {show(timed([QUALIF, 'segment', str(path), 'list'], runs))} | | |")
    for word in SHORT_WORDS:
        count = timed([QUALIF, "query", str(path), word, "--count"], runs)
        page = timed([QUALIF, "query", str(path), word, "--format", "json", "--limit", "50"],
                     runs)
        print(f"| short word `{word}` | {show(count)} | {show(page)} | |")
    print("\nIn the process (imports done), count + first page of a short word:")
    for word, total, seconds in short_words_in_process(path):
        print(f"- `{word}`: {total} contacts, {seconds * 1000:.0f} ms")


if __name__ == "__main__":
    main()
