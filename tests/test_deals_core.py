"""Deals in the core: every field, stage moves and their history, win/lose/reopen,
the editable stage table, bad input (nothing written), delete and undo."""

from __future__ import annotations

import pytest

from qualif_tui.domain import deals as D
from qualif_tui.domain import stages as S
from qualif_tui.domain.contacts import create_contact, delete_contact, restore_contact
from qualif_tui.domain.errors import NotFound, ValidationError
from qualif_tui.domain.history import list_entries
from qualif_tui.domain.keys import define_key, set_qualification
from qualif_tui.storage import Database


@pytest.fixture
def contact(db: Database) -> int:
    return create_contact(db, {"first_name": "Hélène", "last_name": "Lefèvre",
                               "company": "Garage Lefèvre", "email": "helene@lefevre.fr"})


def facts(db: Database, contact_id: int) -> tuple[object, ...]:
    row = db.query("SELECT deals, revenue, open_deals, last_purchase FROM contact_facts"
                   " WHERE contact_id = ?", (contact_id,))[0]
    return tuple(row)


def subjects(db: Database, contact_id: int) -> list[str]:
    return [e.subject.replace("\xa0", " ") for e in list_entries(db, contact_id)
            if e.subject.startswith("Affaire")]


def snapshot(db: Database) -> list[tuple[object, ...]]:
    return [tuple(r) for table in ("deals", "deal_moves", "history", "deal_choices")
            for r in db.query(f"SELECT * FROM {table} ORDER BY 1")]


def test_the_french_default_stages_in_order(db: Database) -> None:
    stages = S.list_stages(db)
    assert [s.id for s in stages] == ["lead", "qualified", "proposal", "negotiation", "won",
                                      "lost"]
    assert [s.label for s in stages] == ["Piste", "Qualifiée", "Proposition", "Négociation",
                                         "Gagnée", "Perdue"]
    assert [s.kind for s in stages] == ["open"] * 4 + ["won", "lost"]
    assert S.get_stage(db, "NEGOCIATION").id == "negotiation"
    with pytest.raises(NotFound, match="vouliez-vous dire"):
        S.get_stage(db, "propositon")


def test_a_deal_with_every_field(db: Database, contact: int) -> None:
    define_key(db, "Source", "choice", ["foire/salon", "web"])
    set_qualification(db, contact, "source", "web")
    colleague = create_contact(db, {"first_name": "Marc", "last_name": "Roy",
                                    "company": "garage lefevre"})
    deal_id = D.add_deal(db, contact, "  Flotte   utilitaires ", "12 500,50", stage="proposition",
                         expected_close="15/12/2026", category="Véhicules neufs", cost="9 000",
                         notes="Trois Berlingo", others=[colleague])
    deal = D.get_deal(db, deal_id)
    assert (deal.title, deal.stage, deal.amount, deal.probability) == (
        "Flotte utilitaires", "proposal", 12500.5, 50)
    assert (deal.expected_close, deal.category, deal.cost, deal.margin) == (
        "2026-12-15", "Véhicules neufs", 9000.0, 3500.5)
    assert (deal.source, deal.notes, deal.others) == ("web", "Trois Berlingo", (colleague,))
    assert deal.weighted == 6250.25
    # the colleague sees it on their card too; the revenue is the contact's alone
    assert [d.id for d in D.list_deals(db, colleague)] == [deal_id]
    assert facts(db, contact) == (0, 0.0, 1, None)
    assert facts(db, colleague) == (0, 0.0, 0, None)
    assert subjects(db, contact) == ["Affaire créée : Flotte utilitaires (Proposition, 12 500,50 €)"]
    assert deal.as_json()["contact_id"] == contact


def test_stage_moves_write_history_and_moves(db: Database, contact: int) -> None:
    deal_id = D.add_deal(db, contact, "Flotte", 12000, stage="proposal")
    D.step_deal(db, deal_id, 1)
    assert D.get_deal(db, deal_id).probability == 75  # the stage's default
    D.step_deal(db, deal_id, -1)
    D.move_deal(db, deal_id, "negotiation", probability=80)
    won = D.win_deal(db, deal_id, amount="13 000")
    assert (won.stage, won.amount, won.probability, won.closed_at) == (
        "won", 13000.0, 100, "2026-11-20")
    assert facts(db, contact) == (1, 13000.0, 0, "2026-11-20")
    assert subjects(db, contact) == [
        "Affaire Flotte : Négociation → Gagnée, 13 000 €",
        "Affaire Flotte : Proposition → Négociation, 12 000 €",
        "Affaire Flotte : Négociation → Proposition, 12 000 €",
        "Affaire Flotte : Proposition → Négociation, 12 000 €",
        "Affaire créée : Flotte (Proposition, 12 000 €)",
    ]
    moves = [tuple(r) for r in db.query("SELECT from_stage, to_stage FROM deal_moves"
                                        " WHERE deal_id = ? ORDER BY id", (deal_id,))]
    assert moves == [(None, "proposal"), ("proposal", "negotiation"),
                     ("negotiation", "proposal"), ("proposal", "negotiation"),
                     ("negotiation", "won")]
    with pytest.raises(ValidationError, match="dernière"):
        D.step_deal(db, deal_id, 1)


def test_lose_with_a_reason_the_list_grows_and_reopen_clears_it(db: Database,
                                                               contact: int) -> None:
    deal_id = D.add_deal(db, contact, "Flotte", 12000, stage="negotiation")
    lost = D.lose_deal(db, deal_id, reason="PRIX")
    assert (lost.stage, lost.lost_reason, lost.probability) == ("lost", "Prix", 0)
    D.lose_deal(db, D.add_deal(db, contact, "Autre", 500), reason="Trop tard")
    assert "Trop tard" in [c.label for c in S.list_choices(db, "lost_reason")]
    with pytest.raises(ValidationError, match="rouvrez"):
        D.step_deal(db, deal_id, 1)
    back = D.reopen_deal(db, deal_id)
    assert (back.stage, back.lost_reason, back.closed_at) == ("negotiation", None, None)
    assert subjects(db, contact)[0] == "Affaire Flotte : Perdue → Négociation, 12 000 € (rouverte)"
    assert "(raison : Prix)" in subjects(db, contact)[3]
    with pytest.raises(ValidationError, match="déjà en cours"):
        D.reopen_deal(db, deal_id)


def test_edit_lists_every_change_in_one_entry(db: Database, contact: int) -> None:
    deal_id = D.add_deal(db, contact, "Flotte", 12000)
    D.update_deal(db, deal_id, {"title": "Flotte 2027", "amount": "14 000", "probability": 30,
                                "expected_close": "2027-01-31", "notes": "relancer"})
    assert subjects(db, contact)[0] == (
        "Affaire Flotte 2027 : titre « Flotte » → « Flotte 2027 », montant 12 000 € → 14 000 €,"
        " probabilité 10 % → 30 %, clôture prévue — → 31/01/2027, notes modifiées")
    before = len(subjects(db, contact))
    D.update_deal(db, deal_id, {"amount": 14000})  # no change, no entry
    assert len(subjects(db, contact)) == before


@pytest.mark.parametrize(("kwargs", "field", "message"), [
    ({"amount": -5}, "amount", "négatif"),
    ({"amount": "1e12"}, "amount", "hors de proportion"),
    ({"amount": "douze"}, "amount", "n'est pas un nombre"),
    ({"amount": "12,345"}, "amount", "2 décimales"),
    ({"probability": 120}, "probability", "0 à 100"),
    ({"probability": "-1"}, "probability", "0 à 100"),
    ({"stage": "won", "amount": 0}, "amount", "gagnée a besoin d'un montant"),
    ({"expected_close": "31/02/2026"}, "expected_close", "31/02/2026 n'existe pas"),
    ({"expected_close": "demain"}, "expected_close", "n'est pas une date"),
    ({"cost": -1}, "cost", "négatif"),
])
def test_bad_input_names_the_field_and_writes_nothing(db: Database, contact: int,
                                                      kwargs: dict[str, object], field: str,
                                                      message: str) -> None:
    before = snapshot(db)
    args: dict[str, object] = {"amount": 100, **kwargs}
    amount = args.pop("amount")
    with pytest.raises(ValidationError, match=message) as caught:
        D.add_deal(db, contact, "Essai", amount, **args)  # type: ignore[arg-type]
    assert caught.value.field == field
    assert snapshot(db) == before


def test_bad_edits_write_nothing(db: Database, contact: int) -> None:
    deal_id = D.add_deal(db, contact, "Flotte", 12000, stage="won")
    other = create_contact(db, {"last_name": "Martin", "company": "Boulangerie"})
    before = snapshot(db)
    with pytest.raises(ValidationError, match="gagnée a besoin"):
        D.update_deal(db, deal_id, {"amount": 0, "title": "Autre"})
    with pytest.raises(ValidationError, match="titre"):
        D.update_deal(db, deal_id, {"title": "  "})
    with pytest.raises(ValidationError, match="champ inconnu"):
        D.update_deal(db, deal_id, {"colour": "red"})
    with pytest.raises(NotFound):
        D.add_deal(db, 999, "x", 1)
    with pytest.raises(ValidationError, match="même société"):
        D.update_deal(db, deal_id, {"others": [other]})
    assert snapshot(db) == before


def test_delete_and_undo(db: Database, contact: int) -> None:
    deal_id = D.add_deal(db, contact, "Flotte", 12000, stage="won")
    gone = D.delete_deal(db, deal_id)
    assert facts(db, contact) == (0, 0.0, 0, None)
    assert subjects(db, contact)[0] == "Affaire supprimée : Flotte (Gagnée, 12 000 €)"
    D.restore_deal(db, gone)
    assert D.get_deal(db, deal_id).amount == 12000
    assert facts(db, contact) == (1, 12000.0, 0, "2026-11-20")


def test_editable_stage_table(db: Database, contact: int) -> None:
    demo = S.add_stage(db, "Démonstration", probability=60, after="proposal")
    assert demo.id == "demonstration"
    assert [s.id for s in S.list_stages(db)][:5] == ["lead", "qualified", "proposal",
                                                     "demonstration", "negotiation"]
    S.update_stage(db, "demonstration", label="Démo faite", probability="65 %")
    deal_id = D.add_deal(db, contact, "Flotte", 12000, stage="démo faite")
    assert D.get_deal(db, deal_id).probability == 65
    assert D.step_deal(db, deal_id, 1).stage == "negotiation"
    with pytest.raises(ValidationError, match="existe déjà"):
        S.add_stage(db, "proposition")
    D.move_deal(db, deal_id, "demonstration")
    with pytest.raises(ValidationError, match="déplacez-les"):
        S.delete_stage(db, "demonstration")
    with pytest.raises(ValidationError, match="seule étape gagnée"):
        S.update_stage(db, "won", kind="open")
    # a second "won" stage: deals there count as revenue at once
    signed = S.add_stage(db, "Signée", probability=100, kind="won")
    D.move_deal(db, deal_id, signed.id)
    assert facts(db, contact)[:2] == (1, 12000.0)
    S.update_stage(db, "signee", kind="open")  # no longer won: the facts follow
    assert facts(db, contact)[:3] == (0, 0.0, 1)
    S.update_stage(db, "lead", position=3)
    assert [s.id for s in S.list_stages(db)][:3] == ["qualified", "proposal", "lead"]


def test_deleting_a_contact_takes_its_deals_and_undo_brings_them_back(db: Database,
                                                                     contact: int) -> None:
    deal_id = D.add_deal(db, contact, "Flotte", 12000, stage="won")
    assert D.owned_counts(db, contact) == (1, 0)
    snap = delete_contact(db, contact)
    assert not db.query("SELECT 1 FROM deals")
    restore_contact(db, snap)
    assert D.get_deal(db, deal_id).amount == 12000
    assert facts(db, contact)[:2] == (1, 12000.0)
