"""The issuer form's save: details and logo in one transaction, all or nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

from qualif_tui.domain.errors import ValidationError
from qualif_tui.domain.issuer import load_issuer, update_issuer
from qualif_tui.storage import Database

JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 32


def test_details_and_logo_together(db: Database, tmp_path: Path) -> None:
    (tmp_path / "l.jpg").write_bytes(JPEG)
    saved = update_issuer(db, {"name": "Jeanne Exemple", "siret": "732 829 320 00074"},
                          logo=tmp_path / "l.jpg")
    assert (saved.name, saved.siret, saved.logo_bytes) == ("Jeanne Exemple", "73282932000074",
                                                           JPEG)
    assert update_issuer(db, {}, remove_logo=True).logo_bytes is None
    assert load_issuer(db).name == "Jeanne Exemple"


@pytest.mark.parametrize(("changes", "logo", "field"), [
    ({"name": "X", "siret": "123"}, None, "siret"),
    ({"name": "X"}, "absent.png", "logo"),
    ({"name": "X", "vat_number": "FR00732829320"}, "l.jpg", "vat_number"),
])
def test_one_bad_value_writes_nothing(db: Database, tmp_path: Path,
                                      changes: dict[str, str], logo: str | None,
                                      field: str) -> None:
    (tmp_path / "l.jpg").write_bytes(JPEG)
    before = load_issuer(db)
    with pytest.raises(ValidationError) as refused:
        update_issuer(db, changes, logo=str(tmp_path / logo) if logo else None)
    assert refused.value.field == field
    assert load_issuer(db) == before
