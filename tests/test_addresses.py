"""The addresses of a target for a BCC field, and who is left out and why (issue 11)."""

from __future__ import annotations

from qualif_tui.domain.contacts import create_contact
from qualif_tui.query import compile_query
from qualif_tui.services.addresses import address_list
from qualif_tui.storage import Database


def test_addresses_leave_out_no_address_opt_out_and_repeats(db: Database) -> None:
    create_contact(db, {"first_name": "Zoé", "last_name": "Adam", "email": "zoe@a.fr"})
    create_contact(db, {"last_name": "Sans", "phone": "0612345678"})
    create_contact(db, {"last_name": "Refus", "email": "r@a.fr", "email_optout": True})
    create_contact(db, {"last_name": "Double", "email": "ZOE@a.fr"})
    create_contact(db, {"company": "Garage, Martin & fils", "email2": "contact@garage.fr"})
    found = address_list(db, compile_query(db, ""))
    assert found.addresses == ["Zoé Adam <zoe@a.fr>",
                               '"Garage, Martin & fils" <contact@garage.fr>']
    assert (found.no_address, found.opted_out, found.repeated) == (1, 1, 1)
    assert found.text() == 'Zoé Adam <zoe@a.fr>; "Garage, Martin & fils" <contact@garage.fr>'
    assert found.text("lines").splitlines() == found.addresses
    assert found.summary() == ("2 adresses ; 3 laissé(s) de côté : 1 sans adresse, "
                               "1 a refusé les e-mails, 1 adresse en double")


def test_addresses_of_a_query_only(db: Database) -> None:
    create_contact(db, {"last_name": "Un", "email": "un@a.fr", "city": "Albi"})
    create_contact(db, {"last_name": "Deux", "email": "deux@a.fr", "city": "Rodez"})
    found = address_list(db, compile_query(db, "city:albi"))
    assert found.addresses == ["Un <un@a.fr>"]
    assert found.summary() == "1 adresse"
    assert address_list(db, compile_query(db, "city:nulle")).addresses == []
