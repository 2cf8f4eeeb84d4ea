"""The file's settings travel with it: JSON values in meta, by dotted name."""

from __future__ import annotations

from pathlib import Path

from qualif_tui.domain.settings import all_settings, get_setting, set_setting
from qualif_tui.storage import open_database


def test_settings_round_trip_and_survive_reopening(tmp_path: Path) -> None:
    path = tmp_path / "s.db"
    db = open_database(path, create=True)
    assert get_setting(db, "company.siret", "none") == "none"
    with db.transaction():
        set_setting(db, "company.siret", "123 456 789 00012")
        set_setting(db, "mail.own_addresses", ["moi@exemple.fr", "Moi@Gmail.com"])
        set_setting(db, "company.vat_exempt", True)
    db.close()
    db = open_database(path)
    assert get_setting(db, "company.siret") == "123 456 789 00012"
    assert get_setting(db, "mail.own_addresses") == ["moi@exemple.fr", "Moi@Gmail.com"]
    assert all_settings(db, "company.") == {"company.siret": "123 456 789 00012",
                                            "company.vat_exempt": True}
    db.close()
