"""``qualif report`` as a user runs it — a whole process, start to exit — next to hand SQL
run the same way (the ``sqlite3`` shell), on the same generated file.

    python benchmarks/report_cli_bench.py --file big.db    # qualif init big.db --contacts 1000000 --seed 1

Each command runs once to warm the page cache and let the file's open check record
itself (as any second use of a file would find it), then ``--repeat`` times; the
table gives the median wall time and the median CPU time of the child (user +
system), which a loaded machine disturbs less. Also timed: the interpreter and
the CLI starting (``qualif --version``) and opening the file to count it
(``qualif query F --count``), what every one-shot command pays before its work.
The children may write their bytecode (``PYTHONDONTWRITEBYTECODE`` is dropped), as
an installed qualif has it: else each run compiles the modules it loads again.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

from rich.console import Console
from rich.table import Table

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import machine

from qualif_tui.domain.keys import get_key
from qualif_tui.storage import open_database

console = Console(width=None if sys.stdout.isatty() else 200)
_ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def timed(command: list[str]) -> tuple[float, float]:
    """(wall seconds, CPU seconds of the child) of one run; fails loudly on an error."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, check=False, env=_ENV)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(command)}: exit {done.returncode}\n{done.stderr}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def median_run(command: list[str], repeat: int) -> tuple[float, float]:
    timed(command)  # page cache, and the open check's record
    runs = [timed(command) for _ in range(repeat)]
    return statistics.median(r[0] for r in runs), statistics.median(r[1] for r in runs)


def questions(path: Path) -> list[tuple[str, list[str], str]]:
    """(label, qualif report arguments, the hand SQL of the same figures)."""
    with open_database(path, readonly=True, quick_check=False) as db:
        source, profil = get_key(db, "source").column, get_key(db, "profil").column
        keys = [get_key(db, n).column for n in ("profil", "metier", "situation_familiale",
                                                "vehicule_actuel", "mise_en_service",
                                                "source")]
    counts = ", ".join(f"count({k})" for k in keys)
    # the report also counts the contacts with every key, and with none
    counts += f", sum({' AND '.join(f'{k} IS NOT NULL' for k in keys)})"
    counts += f", sum({' AND '.join(f'{k} IS NULL' for k in keys)})"
    return [
        ("by source: contacts + revenue (≤ 300 ms)",
         ["--by", "source", "-m", "contacts,revenue"],
         f"SELECT {source}, count(*), sum(revenue) FROM contact_facts GROUP BY 1"),
        ("crosstab profil × source (≤ 1 s)",
         ["--by", "profil", "--by", "source", "-m", "contacts,revenue"],
         f"SELECT {profil}, {source}, count(*), sum(revenue) FROM contact_facts GROUP BY 1, 2"),
        ("by département (≤ 500 ms)",
         ["--by", "dept", "-m", "contacts,revenue"],
         "SELECT dept, count(*), sum(revenue) FROM contact_facts GROUP BY 1"),
        ("completeness of all keys (≤ 500 ms)",
         ["completeness", "--months", "1", "--limit", "0"],
         f"SELECT {counts} FROM contact_facts"),
        ("by source: all 8 measures",
         ["--by", "source", "-m", "contacts,share,revenue,deals,average,pipeline,weighted,"
                                  "conversion"],
         "WITH d AS (SELECT contact_id, max(stage = 'won') AS buyer,"
         " sum(CASE WHEN stage = 'won' THEN amount END) AS revenue, sum(stage = 'won') AS won,"
         " sum(CASE WHEN stage NOT IN ('won', 'lost') THEN amount END) AS pipeline,"
         " sum(CASE WHEN stage NOT IN ('won', 'lost') THEN amount * probability / 100.0 END)"
         " AS weighted FROM deals GROUP BY contact_id)"
         f" SELECT {source}, count(*), sum(d.buyer), sum(d.revenue), sum(d.won),"
         " sum(d.pipeline), sum(d.weighted) FROM contact_facts f"
         " LEFT JOIN d ON d.contact_id = f.contact_id GROUP BY 1"),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--file", type=Path, required=True)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    qualif = shutil.which("qualif") or str(Path(sys.executable).parent / "qualif")
    sqlite = shutil.which("sqlite3")
    if sqlite is None:
        raise SystemExit("the sqlite3 shell is needed for the hand SQL")
    path = str(args.file)
    console.print(machine())
    console.print(f"{path}: {os.path.getsize(path) / 1e9:.2f} GB; load average "
                  f"{' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    start_wall, start_cpu = median_run([qualif, "--version"], args.repeat)
    open_wall, open_cpu = median_run([qualif, "query", path, "--count"], args.repeat)
    empty_wall, empty_cpu = median_run([sqlite, path, "SELECT 1"], args.repeat)
    table = Table("question", "qualif report (wall / CPU)", "sqlite3 hand SQL (wall / CPU)",
                  "ratio (CPU)",
                  title=f"One-shot commands, whole process (median of {args.repeat}, s)")
    table.add_row("start: qualif --version / sqlite3 SELECT 1",
                  f"{start_wall:.2f} / {start_cpu:.2f}", f"{empty_wall:.2f} / {empty_cpu:.2f}",
                  "")
    table.add_row("open and count: qualif query F --count", f"{open_wall:.2f} / {open_cpu:.2f}",
                  "", "")
    for label, report, sql in questions(args.file):
        wall, cpu = median_run([qualif, "report", path, *report, "--format", "json"],
                               args.repeat)
        hand_wall, hand_cpu = median_run([sqlite, path, sql], args.repeat)
        table.add_row(label, f"{wall:.2f} / {cpu:.2f}", f"{hand_wall:.2f} / {hand_cpu:.2f}",
                      f"{cpu / hand_cpu:.1f}" if hand_cpu else "")
    console.print(table)


if __name__ == "__main__":
    main()
