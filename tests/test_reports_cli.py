"""``qualif report``: the JSON of the contract, every format, bad input (exit 2, one line)."""

from __future__ import annotations

import csv
import hashlib
import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from qualif_tui.cli import main


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def demo(demo_file: Path, tmp_path: Path) -> str:
    copy = tmp_path / "demo.db"
    copy.write_bytes(demo_file.read_bytes())
    return str(copy)


def test_json_shape_of_the_contract(demo: str) -> None:
    code, out, err = run("report", demo, "--by", "source", "-m", "contacts,revenue",
                         "--measure", "conversion", "--format", "json")
    assert code == 0, err
    report = json.loads(out)
    assert report["by"] == ["source"] and report["measures"] == ["contacts", "revenue",
                                                                  "conversion"]
    total = int(run("query", demo, "--count")[1])
    assert sum(r["contacts"] for r in report["rows"]) == total == report["total"]["contacts"]
    assert all(set(r["group"]) == {"source"} for r in report["rows"])
    assert report["rows"][-1]["group"] == {"source": None}  # no value: its own row, last
    assert sum(r["revenue"] for r in report["rows"]) == report["total"]["revenue"] > 0


def test_query_crosstab_and_period(demo: str) -> None:
    code, out, err = run("report", demo, "profil:client", "--by", "region", "--by", "profil",
                         "--period", "2026", "-m", "revenue", "--format", "json")
    assert code == 0, err
    report = json.loads(out)
    assert report["period"] == {"from": "2026-01-01", "to": "2026-12-31"}
    assert all(r["group"]["profil"] == "client" for r in report["rows"])
    clients = int(run("query", demo, "profil:client", "--count")[1])
    code, out, _ = run("report", demo, "profil:client", "--by", "profil", "--format", "json")
    assert json.loads(out)["total"]["contacts"] == clients


def test_table_csv_chart_and_xlsx(demo: str, tmp_path: Path) -> None:
    code, out, err = run("report", demo, "--by", "source", "-m", "contacts,revenue")
    assert code == 0, err
    assert "foire/salon" in out and "(non renseigné)" in out and "Total" in out
    code, out, _ = run("report", demo, "--by", "source", "--format", "csv")
    rows = list(csv.reader(io.StringIO(out)))
    assert rows[0] == ["Source", "Contacts"] and rows[-1][0] == "Total"
    code, out, _ = run("report", demo, "--by", "source", "-m", "revenue", "--format", "chart")
    assert code == 0 and "█" in out
    target = tmp_path / "ca.xlsx"
    code, _out, err = run("report", demo, "--by", "source", "--by", "profil", "-m",
                          "contacts,revenue", "--format", "xlsx", "-o", str(target))
    assert code == 0, err
    book = load_workbook(target)
    assert len(book.sheetnames) == 2  # the crosstab as a matrix, then the detail
    detail = book[book.sheetnames[1]]
    assert detail.cell(2, 1).value == "Source" and detail._charts  # type: ignore[attr-defined]  # the chart data is there


def test_other_reports(demo: str) -> None:
    for args in (["funnel"], ["funnel", "--period", "2026"], ["inactive", "--months", "3"],
                 ["completeness"], ["trend", "-m", "contacts", "--months", "24"],
                 ["trend", "profil:client"]):
        code, out, err = run("report", demo, *args, "--format", "json")
        assert code == 0, (args, err)
        assert json.loads(out)["report"] == args[0]
        code, out, err = run("report", demo, *args)
        assert code == 0 and out.strip(), (args, err)


def test_bad_input_is_one_line_and_exit_2(demo: str, tmp_path: Path) -> None:
    before = hashlib.sha256(Path(demo).read_bytes()).hexdigest()
    cases = [
        (["--by", "sourc"], "vouliez-vous dire « source »"),
        (["--by", "source", "-m", "marge"], "mesure inconnue"),
        (["--by", "created:week"], "découpage inconnu"),
        ([], "il faut --by"),
        (["--by", "source", "--period", "demain"], "période illisible"),
        (["--by", "source", "--format", "xlsx"], "-o"),
        (["profil:(client", "--by", "source"], "requête invalide"),
        (["--by", "won", "-m", "pipeline"], "pipeline"),
        (["trend", "-m", "revenue,deals"], "une seule mesure"),
        (["inactive", "--without", "personne"], "personne"),
    ]
    for args, message in cases:
        code, out, err = run("report", demo, *args)
        assert code == 2, (args, code, err)
        assert message in err and "Traceback" not in err, (args, err)
    assert hashlib.sha256(Path(demo).read_bytes()).hexdigest() == before


def test_many_values_get_top_n_and_an_empty_result_says_so(demo: str) -> None:
    code, out, _ = run("report", demo, "--by", "city", "--top", "5", "--format", "json")
    report = json.loads(out)
    assert len(report["rows"]) <= 7 and any(r.get("other") for r in report["rows"])
    assert sum(r["contacts"] for r in report["rows"]) == report["total"]["contacts"]
    code, out, _ = run("report", demo, "zzzzzz", "--by", "source")
    assert code == 0 and "aucun contact ne correspond" in out
