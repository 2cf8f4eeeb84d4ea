"""Quotes in the core: numbering (also from two processes at once), lines, statuses
with computed expiry, accepting wins the deal, duplicates and versions, the issuer."""

from __future__ import annotations

import multiprocessing
from datetime import datetime
from pathlib import Path

import pytest

from qualif_tui.domain import clock
from qualif_tui.domain import deals as D
from qualif_tui.domain import quotes as Q
from qualif_tui.domain.contacts import create_contact
from qualif_tui.domain.errors import ValidationError
from qualif_tui.domain.issuer import load_issuer, save_issuer
from qualif_tui.storage import Database, open_database


@pytest.fixture
def contact(db: Database) -> int:
    return create_contact(db, {"first_name": "Noël", "last_name": "Garçon",
                               "company": "Œuvres Sociales"})


def test_numbers_follow_per_year_and_never_come_back(db: Database, contact: int) -> None:
    first = Q.new_quote(db, contact)
    second = Q.new_quote(db, contact)
    assert (first.number, second.number) == ("D2026-0001", "D2026-0002")
    Q.delete_quote(db, second.id)
    assert Q.new_quote(db, contact).number == "D2026-0003"
    assert Q.new_quote(db, contact, issued="02/01/2027").number == "D2027-0001"
    assert Q.find_quote(db, "d2026-0001").id == first.id


def _create_many(path: str, count: int, queue: multiprocessing.Queue) -> None:  # type: ignore[type-arg]
    clock.freeze(datetime(2026, 11, 20, 10, 30))
    db = open_database(path, quick_check=False)
    numbers = [Q.new_quote(db, 1).number for _ in range(count)]
    db.close()
    queue.put(numbers)


def test_two_processes_never_get_the_same_number(db_path: Path, db: Database,
                                                 contact: int) -> None:
    assert contact == 1
    db.close()
    context = multiprocessing.get_context("spawn")
    queue: multiprocessing.Queue = context.Queue()  # type: ignore[type-arg]
    workers = [context.Process(target=_create_many, args=(str(db_path), 25, queue))
               for _ in range(2)]
    for worker in workers:
        worker.start()
    numbers = queue.get(timeout=120) + queue.get(timeout=120)
    for worker in workers:
        worker.join(timeout=60)
        assert worker.exitcode == 0
    assert len(numbers) == len(set(numbers)) == 50
    assert sorted(numbers) == [f"D2026-{n:04d}" for n in range(1, 51)]


def test_lines_and_totals_kept_on_the_quote(db: Database, contact: int) -> None:
    quote = Q.new_quote(db, contact, title="Entretien flotte")
    for _ in range(3):
        Q.add_line(db, quote.id, "Révision", unit_price="33,33", unit="forfait")
    line = Q.add_line(db, quote.id, "Pneus", quantity=4, unit_price="89.90", vat="20",
                      discount="5")
    quote = Q.get_quote(db, quote.id)
    assert [ln.total_ht for ln in quote.lines] == [33.33, 33.33, 33.33, 341.62]
    assert (quote.total_ht, quote.total_vat, quote.total_ttc) == (441.61, 88.32, 529.93)
    Q.update_line(db, line.id, {"quantity": 2})
    Q.move_line(db, line.id, -1)
    quote = Q.get_quote(db, quote.id)
    assert [ln.designation for ln in quote.lines] == ["Révision", "Révision", "Pneus",
                                                      "Révision"]
    assert quote.total_ht == 270.80  # 99,99 + 2 × 89,90 − 5 % (170,81)
    Q.delete_line(db, line.id)
    assert Q.get_quote(db, quote.id).total_ht == 99.99
    json = Q.get_quote(db, quote.id).as_json()
    assert {"id", "number", "status", "lines", "total_ht", "total_vat", "total_ttc"} <= set(json)
    assert set(json["lines"][0]) >= {"designation", "quantity", "unit_price", "vat_rate",
                                     "total_ht"}


@pytest.mark.parametrize(("changes", "field"), [
    ({"vat": "19,6"}, "vat"),
    ({"quantity": 0}, "quantity"),
    ({"quantity": "-2"}, "quantity"),
    ({"unit_price": "-10"}, "unit_price"),
    ({"unit_price": "1e10"}, "unit_price"),
    ({"discount": 120}, "discount"),
    ({"designation": "  "}, "designation"),
])
def test_bad_lines_are_refused_and_write_nothing(db: Database, contact: int,
                                                 changes: dict[str, object], field: str) -> None:
    quote = Q.new_quote(db, contact)
    before = [tuple(r) for r in db.query("SELECT * FROM quote_lines")]
    args: dict[str, object] = {"designation": "Pose", "quantity": 1, "unit_price": 10}
    args.update(changes)
    designation = str(args.pop("designation"))
    with pytest.raises(ValidationError) as caught:
        Q.add_line(db, quote.id, designation, **args)  # type: ignore[arg-type]
    assert caught.value.field == field
    assert [tuple(r) for r in db.query("SELECT * FROM quote_lines")] == before


def test_statuses_and_computed_expiry(db: Database, contact: int) -> None:
    quote = Q.new_quote(db, contact, valid_days=30)
    with pytest.raises(ValidationError, match="aucune ligne"):
        Q.send_quote(db, quote.id)
    Q.add_line(db, quote.id, "Audit", unit_price=1500)
    sent = Q.send_quote(db, quote.id)
    assert (sent.status, sent.state(), sent.valid_until) == ("sent", "sent", "2026-12-20")
    clock.freeze(datetime(2026, 12, 21, 9, 0))
    assert Q.get_quote(db, quote.id).state() == "expired"
    with pytest.raises(ValidationError, match="nouvelle version"):
        Q.add_line(db, quote.id, "Encore", unit_price=1)
    assert Q.refuse_quote(db, quote.id).state() == "refused"
    with pytest.raises(ValidationError, match="déjà refusé"):
        Q.accept_quote(db, quote.id)


def test_accepting_wins_the_deal_at_the_quote_total(db: Database, contact: int) -> None:
    deal_id = D.add_deal(db, contact, "Flotte", 10000, stage="negotiation")
    quote = Q.new_quote(db, contact, deal_id=deal_id)
    assert quote.title == "Flotte"
    Q.add_line(db, quote.id, "Berlingo", quantity=3, unit_price="4 100")
    Q.send_quote(db, quote.id)
    Q.accept_quote(db, quote.id)
    deal = D.get_deal(db, deal_id)
    assert (deal.stage, deal.amount, deal.closed_at) == ("won", 12300.0, "2026-11-20")
    assert db.query("SELECT revenue FROM contact_facts WHERE contact_id = ?",
                    (contact,))[0][0] == 12300.0


def test_accepting_a_quote_without_deal_creates_a_won_one(db: Database, contact: int) -> None:
    quote = Q.new_quote(db, contact, title="Formation")
    Q.add_line(db, quote.id, "Journée", quantity=2, unit_price=600)
    accepted = Q.accept_quote(db, quote.id)
    assert accepted.deal_id is not None
    deal = D.get_deal(db, accepted.deal_id)
    assert (deal.title, deal.stage, deal.amount) == ("Formation", "won", 1200.0)


def test_duplicate_and_new_version(db: Database, contact: int) -> None:
    quote = Q.new_quote(db, contact, title="Site web")
    Q.add_line(db, quote.id, "Maquettes", unit_price=800)
    Q.send_quote(db, quote.id)
    v2 = Q.new_version(db, quote.id)
    assert (v2.number, v2.version, v2.status, v2.total_ht) == ("D2026-0001-V2", 2, "draft", 800)
    assert Q.get_quote(db, quote.id).state() == "replaced"
    with pytest.raises(ValidationError, match="remplacé"):
        Q.accept_quote(db, quote.id)
    Q.add_line(db, v2.id, "Intégration", unit_price=1200)
    v3 = Q.new_version(db, v2.id)
    assert v3.number == "D2026-0001-V3"
    copy = Q.duplicate_quote(db, v3.id)
    assert (copy.number, copy.version, copy.total_ht) == ("D2026-0002", 1, 2000.0)
    other = create_contact(db, {"last_name": "Martin"})
    elsewhere = Q.duplicate_quote(db, v3.id, other)
    assert (elsewhere.contact_id, elsewhere.deal_id) == (other, None)


def test_issuer_details_and_vat_exemption(db: Database, contact: int) -> None:
    with pytest.raises(ValidationError, match="SIRET"):
        save_issuer(db, {"name": "Jeanne Exemple", "siret": "123 456 789 00011"})
    assert not load_issuer(db).is_set  # nothing written
    save_issuer(db, {"name": "Jeanne Exemple", "trade_name": "Atelier Jeanne",
                     "siret": "732 829 320 00074", "vat_exempt": True,
                     "address": "12 rue des Lilas\nBâtiment B", "city": "Albi",
                     "postal_code": "81000"})
    issuer = load_issuer(db)
    assert issuer.lines()[:3] == ["Atelier Jeanne", "Jeanne Exemple", "12 rue des Lilas"]
    assert "TVA non applicable, art. 293 B du CGI" in issuer.lines()
    quote = Q.new_quote(db, contact)
    assert Q.add_line(db, quote.id, "Conseil", unit_price=500).vat_rate == 0
    with pytest.raises(ValidationError, match="franchise"):
        Q.add_line(db, quote.id, "Conseil", unit_price=500, vat=20)
    with pytest.raises(ValidationError, match="clé"):
        save_issuer(db, {"vat_number": "FR00732829320"})
    assert save_issuer(db, {"vat_number": "FR 44 732829320"}).vat_number == "FR44732829320"
