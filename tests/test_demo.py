"""The demo database built from sample_data/."""

from __future__ import annotations

from qualif_tui.domain.activities import contact_activities
from qualif_tui.domain.keys import list_keys
from qualif_tui.storage import Database, check_database


def test_demo_has_the_dealership_keys_and_contacts(demo_db: Database) -> None:
    assert demo_db.scalar("SELECT count(*) FROM contacts") == 300
    names = [k.name for k in list_keys(demo_db)]
    assert names == ["Profil", "Métier", "Situation familiale", "Véhicule actuel",
                     "Mise en service", "Source"]
    profil = list_keys(demo_db)[0]
    assert [v.value for v in profil.values] == ["client", "prospect", "suspect", "prescripteur",
                                                "concurrent", "partenaire"]
    assert check_database(demo_db).ok


def test_demo_dates_are_shifted_to_today(demo_db: Database) -> None:
    # the fixed clock says 2026-11-20, the anchor of the files: agenda has
    # overdue items before today and upcoming ones after
    assert demo_db.scalar("SELECT count(*) FROM activities WHERE status = 'open'"
                          " AND coalesce(starts_at, due) < '2026-11-20'") > 0
    assert demo_db.scalar("SELECT count(*) FROM activities WHERE status = 'open'"
                          " AND coalesce(starts_at, due) >= '2026-11-20'") > 0
    assert demo_db.scalar("SELECT max(happened_at) FROM history") < "2026-11-20"


def test_demo_mostly_occitanie_with_accents(demo_db: Database) -> None:
    share = demo_db.scalar("SELECT avg(dept IN ('09','11','12','30','31','32','34','46','48',"
                           "'65','66','81','82')) FROM contact_facts")
    assert share > 0.5
    assert demo_db.scalar("SELECT count(*) FROM contacts WHERE first_name GLOB '*[éèëïç]*'") > 10


def test_demo_activities_link_contacts(demo_db: Database) -> None:
    cid = demo_db.scalar("SELECT contact_id FROM activity_contacts ac JOIN activities a"
                         " ON a.id = ac.activity_id WHERE a.status = 'open' LIMIT 1")
    assert contact_activities(demo_db, cid)


def test_demo_opt_outs_are_the_few_marked_ones(demo_db: Database) -> None:
    # "0" in the CSV is no: only a handful of the 300 refused mailings
    optouts = demo_db.scalar("SELECT sum(email_optout) FROM contacts")
    assert 0 < optouts < 40


def test_demo_weekly_meeting_keeps_its_weekday(demo_db: Database) -> None:
    from datetime import date

    start = demo_db.scalar("SELECT starts_at FROM activities WHERE rrule LIKE '%BYDAY=MO%'")
    assert date.fromisoformat(start[:10]).weekday() == 0
