"""Answering qualification keys one at a time, and undoing an answer without a trace."""

from __future__ import annotations

import pytest

from qualif_tui.domain.contacts import create_contact
from qualif_tui.domain.errors import ValidationError
from qualif_tui.domain.history import list_entries
from qualif_tui.domain.keys import contact_values, define_key, get_key, list_keys
from qualif_tui.domain.qualify import (
    answer,
    is_missing,
    missing_keys,
    qualified,
    toggle,
    undo_answer,
)
from qualif_tui.storage import Database


def test_missing_keys_in_display_order(keyed_db: Database) -> None:
    cid = create_contact(keyed_db, {"last_name": "Martin"}, {"profil": "client", "source": "web"})
    keys = list_keys(keyed_db)
    values = contact_values(keyed_db, cid)
    missing = missing_keys(values, keys)
    assert [k.name for k in missing] == ["Métier", "Situation familiale", "Véhicule actuel",
                                         "Mise en service"]
    assert qualified(values, keys) == (2, 6)
    assert is_missing(None) and is_missing([]) and is_missing("") and not is_missing("x")


def test_answer_then_undo_leaves_no_trace(keyed_db: Database) -> None:
    cid = create_contact(keyed_db, {"last_name": "Martin"}, {"profil": "prospect"})
    before = [e.subject for e in list_entries(keyed_db, cid)]
    profil = get_key(keyed_db, "profil")
    done = answer(keyed_db, cid, profil, "client")
    assert done is not None
    assert done.previous == "prospect" and done.value == "client"
    assert done.describe() == "Profil : prospect → client"
    assert contact_values(keyed_db, cid)["Profil"] == "client"
    assert [e.subject for e in list_entries(keyed_db, cid)][0] == "Profil : prospect → client"
    undo_answer(keyed_db, done)
    assert contact_values(keyed_db, cid)["Profil"] == "prospect"
    assert [e.subject for e in list_entries(keyed_db, cid)] == before


def test_answer_same_value_changes_nothing(keyed_db: Database) -> None:
    cid = create_contact(keyed_db, {"last_name": "Martin"}, {"profil": "client"})
    assert answer(keyed_db, cid, get_key(keyed_db, "profil"), "Client") is None


def test_answer_bad_value_is_refused_and_changes_nothing(keyed_db: Database) -> None:
    cid = create_contact(keyed_db, {"last_name": "Martin"})
    with pytest.raises(ValidationError):
        answer(keyed_db, cid, get_key(keyed_db, "mise en service"), "mars")
    assert contact_values(keyed_db, cid)["Mise en service"] is None


def test_toggle_multi_choice_and_undo(keyed_db: Database) -> None:
    key = define_key(keyed_db, "Centres d'intérêt", "multi", ["golf", "voile", "ski"])
    cid = create_contact(keyed_db, {"last_name": "Martin"})
    first = toggle(keyed_db, cid, key, "voile")
    second = toggle(keyed_db, cid, key, "golf")
    assert first is not None and second is not None
    assert contact_values(keyed_db, cid)["Centres d'intérêt"] == ["golf", "voile"]
    third = toggle(keyed_db, cid, key, "voile")
    assert third is not None and third.value == ["golf"]
    undo_answer(keyed_db, third)
    assert contact_values(keyed_db, cid)["Centres d'intérêt"] == ["golf", "voile"]
    with pytest.raises(ValidationError):
        toggle(keyed_db, cid, get_key(keyed_db, "profil"), "client")
    with pytest.raises(ValidationError):
        toggle(keyed_db, cid, key, "tennis")
