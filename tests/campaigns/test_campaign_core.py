"""Campaigns in the core: who receives them and why not, responses, ROI, chains."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from qualif_tui.domain.activities import get_activity
from qualif_tui.domain.contacts import create_contact, get_contact, update_contact
from qualif_tui.domain.deals import add_deal
from qualif_tui.domain.errors import NotFound, ValidationError
from qualif_tui.domain.legal_basis import basis_of, may_email, normalise_legal_basis
from qualif_tui.query import QueryError, compile_query, count
from qualif_tui.services.campaigns import chains, core, responses, roi
from qualif_tui.services.segments import save_segment
from qualif_tui.storage import Database, migrations, open_database
from qualif_tui.storage.migrations import LATEST_VERSION


def _recipients(db: Database, campaign: core.Campaign) -> set[int]:
    return {r[0] for r in db.query("SELECT contact_id FROM campaign_recipients"
                                   " WHERE campaign_id = ?", (campaign.id,))}


def test_email_campaign_leaves_out_whom_it_must_and_says_why(
        keyed_db: Database, people: dict[str, int]) -> None:
    report = core.create_campaign(keyed_db, "Salon 2026", "", channel="email", cost="1 200,50")
    campaign = report.campaign
    assert campaign.cost == 1200.5 and campaign.channel == "email"
    assert _recipients(keyed_db, campaign) == {people[n] for n in (
        "consent", "customer", "b2b", "rejected")}
    why = {e.contact_id: e.reason for e in core.exclusions(keyed_db, campaign)}
    assert why == {people["private_no_basis"]: "legal_basis", people["optout"]: "optout",
                   people["no_email"]: "no_address", people["duplicate"]: "duplicate"}
    assert report.matched == 8 and report.recipients == 4
    text = "\n".join(report.lines())
    assert "4 destinataire(s) sur 8" in text and "base légale" in text and "opt-out" in text
    duplicate = next(e for e in core.exclusions(keyed_db, campaign) if e.reason == "duplicate")
    assert f"#{people['consent']}" in duplicate.detail  # the address it repeats


def test_recipients_are_frozen_when_the_campaign_is_made(
        keyed_db: Database, people: dict[str, int]) -> None:
    save_segment(keyed_db, "Prospects", "profil:prospect")
    campaign = core.create_campaign(keyed_db, "Prospects juin", 'segment:"Prospects"',
                                    channel="letter").campaign
    before = _recipients(keyed_db, campaign)
    assert before == {people[n] for n in ("consent", "b2b", "private_no_basis", "no_email")}
    newcomer = create_contact(keyed_db, {"last_name": "Nouveau", "address": "1 rue Neuve",
                                         "postal_code": "31000", "city": "Toulouse"},
                              {"Profil": "prospect"})
    assert count(keyed_db, compile_query(keyed_db, 'segment:"Prospects"')) == 6
    assert newcomer not in _recipients(keyed_db, campaign)
    assert _recipients(keyed_db, campaign) == before


def test_letter_and_phone_channels_have_their_own_reasons(
        keyed_db: Database, people: dict[str, int]) -> None:
    letters = core.create_campaign(keyed_db, "Courrier", "", channel="courrier").campaign
    assert letters.channel == "letter"
    out = {e.contact_id: e.reason for e in core.exclusions(keyed_db, letters)}
    assert out == {people["duplicate"]: "no_address"}  # no postal address; opt-out is e-mail's
    update_contact(keyed_db, people["b2b"], {"mobile": "06 12 34 56 78", "phone_optout": True})
    update_contact(keyed_db, people["consent"], {"mobile": "0612345678"})
    phoning = core.create_campaign(keyed_db, "Phoning", "", channel="téléphone").campaign
    assert _recipients(keyed_db, phoning) == {people["consent"]}
    reasons = {e.contact_id: e.reason for e in core.exclusions(keyed_db, phoning)}
    assert reasons.pop(people["b2b"]) == "optout"  # the same number, but refused calls
    assert set(reasons.values()) == {"no_address"}


def test_bad_input_is_refused_and_nothing_is_written(keyed_db: Database,
                                                    people: dict[str, int]) -> None:
    core.create_campaign(keyed_db, "Salon", "", channel="email")
    with pytest.raises(ValidationError, match="existe déjà"):
        core.create_campaign(keyed_db, "salon", "", channel="email")
    with pytest.raises(ValidationError, match="canal inconnu"):
        core.create_campaign(keyed_db, "X", "", channel="fax")
    with pytest.raises(ValidationError):
        core.create_campaign(keyed_db, "X", "", channel="email", cost="beaucoup")
    with pytest.raises(QueryError):
        core.create_campaign(keyed_db, "X", "profl:client", channel="email")
    with pytest.raises(NotFound, match="pas de campagne"):
        core.get_campaign(keyed_db, "Inconnue")
    assert [c.name for c in core.list_campaigns(keyed_db)] == ["Salon"]


def test_legal_basis_is_normalised_and_queryable(keyed_db: Database,
                                                 people: dict[str, int]) -> None:
    assert normalise_legal_basis(" Opt-in ") == "consentement"
    assert normalise_legal_basis("Intérêt légitime") == "intérêt légitime"
    assert normalise_legal_basis("formulaire papier") == "formulaire papier"
    assert basis_of("consentement (formulaire du salon 2025)") == "consentement"
    assert may_email("", "SARL Dupont") and not may_email("", "")
    assert not may_email("intérêt légitime", "") and may_email("contrat", "")
    assert get_contact(keyed_db, people["customer"]).legal_basis == "contrat"
    assert count(keyed_db, compile_query(keyed_db, "legal_basis:consentement")) == 5
    assert count(keyed_db, compile_query(keyed_db, "base_legale:contrat")) == 1
    assert count(keyed_db, compile_query(keyed_db, "-has:legal_basis")) == 2


def test_responses_one_by_one_and_an_unsubscribe_sets_the_opt_out(
        keyed_db: Database, people: dict[str, int]) -> None:
    campaign = core.create_campaign(keyed_db, "Salon", "", channel="email").campaign
    recipient = responses.set_response(keyed_db, campaign, people["consent"], "devis")
    assert recipient.response == "quote" and recipient.response_label == "devis"
    responses.set_response(keyed_db, campaign, people["customer"], "unsubscribe")
    assert get_contact(keyed_db, people["customer"]).email_optout
    tally = responses.tally(keyed_db, campaign)
    assert tally.responded == 2 and tally.responses["none"] == 2
    with pytest.raises(ValidationError, match="réponse inconnue"):
        responses.set_response(keyed_db, campaign, people["b2b"], "peut-être")
    with pytest.raises(NotFound, match="pas destinataire"):
        responses.set_response(keyed_db, campaign, people["optout"], "devis")
    # the unsubscribed one is out of the next e-mail campaign
    later = core.create_campaign(keyed_db, "Relance", "", channel="email").campaign
    assert people["customer"] not in _recipients(keyed_db, later)


def test_responses_from_a_csv(keyed_db: Database, people: dict[str, int],
                              tmp_path: Path) -> None:
    campaign = core.create_campaign(keyed_db, "Salon", "", channel="email").campaign
    good = tmp_path / "reponses.csv"
    good.write_text("e-mail;réponse\nhelene@exemple.fr;rendez-vous\nZOE@inconnu.fr;NPAI\n"
                    "personne@ailleurs.fr;devis\nnoel@oeillet.fr;commande\n", encoding="utf-8")
    result = responses.import_responses(keyed_db, campaign, good)
    assert result.applied == 3 and result.unknown == [(4, "personne@ailleurs.fr")]
    states = {r.contact_id: r.response for r in responses.list_recipients(keyed_db, campaign)}
    assert states[people["consent"]] == "meeting" and states[people["rejected"]] == "bounced"
    assert states[people["b2b"]] == "order"
    bad = tmp_path / "mauvais.csv"
    bad.write_text("cedric@exemple.fr,désinscrit\nnoel@oeillet.fr,peut-être\n", encoding="utf-8")
    with pytest.raises(ValidationError, match=r"mauvais.csv, ligne 2.*peut-être"):
        responses.import_responses(keyed_db, campaign, bad)
    # all or nothing: the first line was not applied
    assert not get_contact(keyed_db, people["customer"]).email_optout


def test_roi_counts_deals_won_by_recipients_within_the_window(
        keyed_db: Database, people: dict[str, int]) -> None:
    campaign = core.create_campaign(keyed_db, "Salon", "", channel="email", cost=1000,
                                    day="2026-09-01").campaign
    add_deal(keyed_db, people["consent"], "Berline", amount=24000, stage="won")
    keyed_db.execute("UPDATE deals SET closed_at = '2026-10-15' WHERE contact_id = ?",
                     (people["consent"],))
    add_deal(keyed_db, people["b2b"], "Utilitaires", amount=50000, stage="won")
    keyed_db.execute("UPDATE deals SET closed_at = '2026-12-31' WHERE contact_id = ?",
                     (people["b2b"],))  # 121 days after: outside 90
    add_deal(keyed_db, people["optout"], "Hors campagne", amount=9000, stage="won")
    keyed_db.execute("UPDATE deals SET closed_at = '2026-09-10' WHERE contact_id = ?",
                     (people["optout"],))  # not a recipient
    responses.set_response(keyed_db, campaign, people["consent"], "commande")
    report = roi.roi_report(keyed_db)
    [line] = report.campaigns
    figures = line.figures
    assert (figures.recipients, figures.deals, figures.revenue, figures.cost) == (4, 1, 24000, 1000)
    assert figures.responded == 1 and figures.responses["order"] == 1
    assert figures.roi == pytest.approx(23.0) and figures.net == 23000
    wider = roi.roi_report(keyed_db, days=150).campaigns[0].figures
    assert wider.deals == 2 and wider.revenue == 74000
    by_source = report.by_source
    assert by_source["foire/salon"].revenue == 24000 and by_source["foire/salon"].recipients == 2
    assert by_source["web"].recipients == 1 and by_source["prospection"].recipients == 1
    assert sum(f.cost for f in by_source.values()) == pytest.approx(1000)
    assert report.as_json()["campaigns"][0]["roi"] == 23.0


def test_follow_up_chain_in_one_transaction_and_responders_taken_out(
        keyed_db: Database, people: dict[str, int]) -> None:
    campaign = core.create_campaign(keyed_db, "Salon", "", channel="email",
                                    day="2026-11-20").campaign
    responses.set_response(keyed_db, campaign, people["b2b"], "devis")
    report = chains.apply_chain(keyed_db, campaign, ["J+0 e-mail", "J+10 appel",
                                                     "J+30 courrier: Relance tarif"])
    assert (report.recipients, report.skipped, report.activities) == (3, 1, 9)
    rows = keyed_db.query("SELECT ca.contact_id, ca.position, a.kind, a.title, a.due"
                          " FROM campaign_activities ca JOIN activities a ON a.id = ca.activity_id"
                          " ORDER BY ca.contact_id, ca.position")
    assert {r[0] for r in rows} == {people[n] for n in ("consent", "customer", "rejected")}
    first = [r for r in rows if r[0] == people["consent"]]
    assert [(r[2], r[4]) for r in first] == [("todo", "2026-11-20"), ("call", "2026-11-30"),
                                            ("todo", "2026-12-20")]
    assert first[2][3] == "Relance tarif" and "Appel" in first[1][3]
    # a response takes the recipient out of what is still to do
    responses.set_response(keyed_db, campaign, people["consent"], "rendez-vous")
    left = keyed_db.scalar("SELECT count(*) FROM campaign_activities WHERE contact_id = ?",
                           (people["consent"],))
    assert left == 0
    assert keyed_db.scalar("SELECT count(*) FROM campaign_activities") == 6
    with pytest.raises(ValidationError, match="déjà une chaîne"):
        chains.apply_chain(keyed_db, campaign, ["J+5 appel"])
    before = keyed_db.scalar("SELECT count(*) FROM activities")
    with pytest.raises(ValidationError, match="illisible"):
        chains.apply_chain(keyed_db, campaign, ["J+5 appel", "demain peut-être"], replace=True)
    assert keyed_db.scalar("SELECT count(*) FROM activities") == before  # nothing half-done
    activity = keyed_db.scalar("SELECT activity_id FROM campaign_activities LIMIT 1")
    assert get_activity(keyed_db, activity).contacts


def test_deleting_a_campaign_keeps_the_timeline_and_erasing_a_contact_drops_its_rows(
        keyed_db: Database, people: dict[str, int]) -> None:
    from qualif_tui.domain.contacts import delete_contact
    from qualif_tui.services.campaigns.sending import mark_all_sent

    campaign = core.create_campaign(keyed_db, "Portes ouvertes", "", channel="event").campaign
    assert mark_all_sent(keyed_db, campaign) == len(_recipients(keyed_db, campaign))
    delete_contact(keyed_db, people["consent"])
    chains.apply_chain(keyed_db, campaign, ["J+7 appel"])
    assert people["consent"] not in _recipients(keyed_db, campaign)
    entries = keyed_db.scalar("SELECT count(*) FROM history WHERE kind = 'campaign'")
    core.delete_campaign(keyed_db, "portes ouvertes")
    assert keyed_db.scalar("SELECT count(*) FROM campaign_recipients") == 0
    assert keyed_db.scalar("SELECT count(*) FROM campaign_activities") == 0
    assert keyed_db.scalar("SELECT count(*) FROM activities WHERE status = 'open'") == 0
    assert keyed_db.scalar("SELECT count(*) FROM history WHERE kind = 'campaign'") == entries


def test_an_older_file_gets_the_campaign_tables(db_path: Path, db: Database) -> None:
    db.close()
    conn = sqlite3.connect(db_path)
    for table in ("campaign_activities", "campaign_steps", "campaign_exclusions",
                  "campaign_recipients", "campaigns"):
        conn.execute(f"DROP TABLE {table}")
    # the version just before the campaigns step, wherever merges have put it
    before = migrations._STEPS.index(migrations._campaigns)
    conn.execute(f"PRAGMA user_version = {before}")
    conn.commit()
    conn.close()
    with open_database(db_path) as upgraded:
        assert upgraded.schema_version == LATEST_VERSION
        contact = create_contact(upgraded, {"last_name": "Ancien", "email": "a@b.fr",
                                            "company": "SARL Ancien"})
        report = core.create_campaign(upgraded, "Première", "", channel="email")
        assert report.recipients == 1 and contact in _recipients(upgraded, report.campaign)
