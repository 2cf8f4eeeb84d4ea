"""``qualif deal`` / ``qualif quote`` / ``qualif contact delete`` as the contract says,
bad input (one line naming the field, exit 2, nothing written), PDF read back."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from pypdf import PdfReader

from qualif_tui.cli import main


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def demo(demo_file: Path, tmp_path: Path) -> str:
    copy = tmp_path / "demo.db"
    copy.write_bytes(demo_file.read_bytes())
    return str(copy)


def digest(path: str) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def test_deal_add_list_move_won_lost_delete(demo: str) -> None:
    code, out, err = run("deal", demo, "add", "1", "Flotte utilitaires", "--amount", "12 500",
                         "--stage", "proposition", "--close", "31/12/2026",
                         "--probability", "60")
    assert code == 0, err
    deal_id = out.strip()
    assert deal_id.isdigit() and "Flotte utilitaires" in err
    code, out, _ = run("deal", demo, "list", "id:1", "--format", "json")
    deals = json.loads(out)
    mine = next(d for d in deals if d["id"] == int(deal_id))
    assert {"id", "contact_id", "title", "stage", "amount", "probability", "expected_close",
            "closed_at"} <= set(mine)
    assert (mine["stage"], mine["amount"], mine["probability"], mine["expected_close"]) == (
        "proposal", 12500.0, 60, "2026-12-31")
    assert run("deal", demo, "move", deal_id, "Négociation")[0] == 0
    code, out, _ = run("deal", demo, "won", deal_id, "--amount", "13000")
    assert code == 0 and "Gagnée" in out
    code, out, _ = run("deal", demo, "show", deal_id, "--format", "json")
    shown = json.loads(out)
    assert shown["stage"] == "won" and [m["to"] for m in shown["moves"]] == [
        "proposal", "negotiation", "won"]
    code, out, _ = run("query", demo, "id:1", "--format", "json")
    assert json.loads(out)[0]["revenue"] >= 13000
    code, out, _ = run("deal", demo, "lost", deal_id, "--reason", "Délai")
    assert code == 0 and "Délai" in out
    assert run("deal", demo, "reopen", deal_id)[0] == 0
    assert run("deal", demo, "delete", deal_id)[0] == 0
    code, _, err = run("deal", demo, "show", deal_id)
    assert code == 1 and "pas d'affaire" in err


@pytest.mark.parametrize(("args", "field"), [
    (["--amount", "-5"], "montant"),
    (["--amount", "1e12"], "montant"),
    (["--amount", "5", "--probability", "120"], "probabilité"),
    (["--amount", "5", "--close", "31/02/2026"], "clôture prévue"),
    (["--amount", "0", "--stage", "won"], "montant"),
    (["--amount", "5", "--stage", "gagnee_pas"], "étape"),
])
def test_bad_deal_input_exits_2_and_writes_nothing(demo: str, args: list[str],
                                                   field: str) -> None:
    before = digest(demo)
    code, out, err = run("deal", demo, "add", "1", "Essai", *args)
    assert code in (1, 2) and out == ""
    assert field in err and "Traceback" not in err and len(err.strip().splitlines()) == 1
    if field != "étape":
        assert code == 2
    assert digest(demo) == before


def test_quote_new_lines_show_json_send_accept_pdf(demo: str, tmp_path: Path) -> None:
    code, out, err = run("quote", demo, "new", "1")
    assert code == 0, err
    quote_id, number = out.split()
    assert number.startswith("D2026-")
    for args in (["Forfait révision", "--qty", "1", "--price", "33,33"],
                 ["Forfait révision", "--qty", "1", "--price", "33.33"],
                 ["Forfait révision", "--qty", "1", "--price", "33.33", "--unit", "forfait"],
                 ["Pneus hiver", "--qty", "4", "--price", "89,90", "--vat", "5.5"]):
        assert run("quote", demo, "add-line", quote_id, *args)[0] == 0
    code, out, _ = run("quote", demo, "show", number, "--format", "json")
    shown = json.loads(out)
    assert {"id", "number", "status", "lines", "total_ht", "total_vat", "total_ttc"} <= set(shown)
    assert [line["total_ht"] for line in shown["lines"]] == [33.33, 33.33, 33.33, 359.6]
    # 99,99 at 20 % → 20,00; 359,60 at 5,5 % → 19,778 → 19,78
    assert (shown["total_ht"], shown["total_vat"], shown["total_ttc"]) == (459.59, 39.78, 499.37)
    target = tmp_path / "devis.pdf"
    code, out, err = run("quote", demo, "pdf", quote_id, "-o", str(target))
    assert code == 0, err
    text = " ".join(page.extract_text() for page in PdfReader(target).pages).replace("\xa0", " ")
    assert number in text and "499,37 €" in text and "Pneus hiver" in text
    assert "Garage Fabre Automobiles" in text  # the demo's issuer
    assert run("quote", demo, "send", quote_id)[0] == 0
    code, out, _ = run("quote", demo, "accept", quote_id)
    assert code == 0 and "gagnée" in out
    code, out, _ = run("quote", demo, "list", "id:1", "--format", "json")
    assert any(q["number"] == number and q["status"] == "accepted" for q in json.loads(out))


def test_bad_quote_input(demo: str, tmp_path: Path) -> None:
    quote_id = run("quote", demo, "new", "1")[1].split()[0]
    before = digest(demo)
    for args, field in ((["X", "--qty", "1", "--price", "10", "--vat", "19"], "TVA"),
                        (["X", "--qty", "-1", "--price", "10"], "quantité"),
                        (["X", "--qty", "1", "--price", "-10"], "prix unitaire")):
        code, out, err = run("quote", demo, "add-line", quote_id, *args)
        assert code == 2 and field in err and out == ""
    code, _, err = run("quote", demo, "send", quote_id)
    assert code == 2 and "aucune ligne" in err
    code, _, err = run("quote", demo, "pdf", quote_id, "-o", str(tmp_path / "x.pdf"))
    assert code == 2 and "aucune ligne" in err and not (tmp_path / "x.pdf").exists()
    assert digest(demo) == before


def test_forecast_funnel_stages_and_lists(demo: str) -> None:
    code, out, _ = run("deal", demo, "forecast", "--months", "3", "--format", "json")
    rows = json.loads(out)
    assert [r["month"] for r in rows][:3] == ["2026-11", "2026-12", "2027-01"]
    assert rows[-2]["month"] == "late" and rows[-1]["month"] == "undated"
    code, out, _ = run("deal", demo, "funnel", "--format", "json")
    steps = json.loads(out)
    assert [s["stage"] for s in steps] == ["lead", "qualified", "proposal", "negotiation", "won"]
    assert steps[0]["reached"] >= steps[-1]["reached"] > 0
    code, out, _ = run("deal", demo, "stage", "add", "Démonstration", "--probability", "60",
                       "--after", "proposal")
    assert code == 0 and "demonstration" in out
    code, out, _ = run("deal", demo, "stages")
    assert out.index("Proposition") < out.index("Démonstration") < out.index("Négociation")
    assert run("deal", demo, "stage", "delete", "won")[0] == 2
    code, out, _ = run("deal", demo, "reasons", "--add", "Trop cher à l'entretien")
    assert code == 0 and "Trop cher à l'entretien" in out


def test_contact_delete_refuses_without_force(demo: str) -> None:
    owner = json.loads(run("deal", demo, "list", "--format", "json", "--limit", "1")[1])[0]
    before = digest(demo)
    code, _, err = run("contact", demo, "delete", str(owner["contact_id"]))
    assert code == 2 and "--force" in err and "affaire" in err
    assert digest(demo) == before
    code, out, _ = run("contact", demo, "delete", str(owner["contact_id"]), "--force")
    assert code == 0 and "supprimé" in out


def test_export_and_import_deals_round_trip(demo: str, tmp_path: Path) -> None:
    target = tmp_path / "affaires.csv"
    code, out, _ = run("deal", demo, "export", "profil:client", "-o", str(target))
    assert code == 0
    exported = int(out.split()[0])
    assert exported > 0
    text = target.read_text(encoding="utf-8-sig")
    assert text.splitlines()[0].startswith("N° affaire;N° fiche;Contact;Société;E-mail;Affaire")
    for fmt in ("xlsx", "json"):
        path = tmp_path / f"affaires.{fmt}"
        assert run("deal", demo, "export", "-o", str(path))[0] == 0 and path.stat().st_size
    # the export comes back in: as many deals again, one batch, undone in one go
    code, out, err = run("deal", demo, "import", str(target), "--dry-run")
    assert code == 0 and f"{exported} affaire(s)" in out, err
    before = int(json.loads(run("deal", demo, "list", "--format", "json")[1]).__len__())
    code, out, _ = run("deal", demo, "import", str(target))
    assert code == 0
    after = len(json.loads(run("deal", demo, "list", "--format", "json")[1]))
    assert after == before + exported
    code, out, _ = run("import", demo, "--undo", "last")
    assert code == 0 and f"{exported} affaire(s) supprimée(s)" in out
    assert len(json.loads(run("deal", demo, "list", "--format", "json")[1])) == before


def test_a_bad_deals_file_is_refused_whole(demo: str, tmp_path: Path) -> None:
    source = tmp_path / "bad.csv"
    source.write_text("E-mail;Affaire;Montant HT;Étape;Clôture prévue\n"
                      "nobody@nowhere.example;Flotte;1000;proposition;\n"
                      ";Sans contact;500;piste;\n"
                      f"{_email_of(demo)};Bonne;-5;piste;31/02/2027\n", encoding="utf-8")
    before = digest(demo)
    code, out, err = run("deal", demo, "import", str(source))
    assert code == 1 and out == ""
    assert "ligne 2" in err and "aucun contact ne correspond" in err
    assert "ligne 4" in err and "négatif" in err
    assert digest(demo) == before


def _email_of(demo: str) -> str:
    rows = json.loads(run("query", demo, "has:email", "--format", "json", "--limit", "1")[1])
    return str(rows[0]["email"])
