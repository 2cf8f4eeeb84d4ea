"""Your details (the quotes' header) edited in the app: ``I`` on the pipeline or in the
quote editor. A bad SIRET stays beside its field and nothing is written (the other
fields changed with it neither); a logo is read from a PNG and kept as its bytes.
Slow typing and one burst give the same result."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import Static

from qualif_tui.domain.issuer import load_issuer, save_issuer
from qualif_tui.storage import Database
from qualif_tui.tui.app import QualifApp
from qualif_tui.tui.issuer_form import FIELDS, IssuerForm
from qualif_tui.tui.pipeline_screen import PipelineScreen
from qualif_tui.tui.quote_editor import QuoteEditor

from .burst import burst, keys_of
from .conftest import settle
from .test_deals_app import shown

PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00"
       b"\x00\x90wS\xde\x00\x00\x00\x0cIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00"
       b"\x00\x00\x00IEND\xaeB`\x82")


def to_field(name: str, start: str = "name") -> list[str]:
    """From the field ``start`` (the first: Nom) to ``name``, then its text cleared:
    ↵ from field to field, Tab past the check box (where ↵ and space tick it)."""
    steps = ["tab" if FIELDS[i] == "vat_exempt" else "enter"
             for i in range(FIELDS.index(start), FIELDS.index(name))]
    return [*steps, "home", "ctrl+k"]


async def press(pilot: object, fast: bool, *parts: str | list[str]) -> None:
    if fast:
        await burst(pilot, *parts)  # type: ignore[arg-type]
        return
    for key in keys_of(*parts):
        await pilot.press(key)  # type: ignore[attr-defined]
        await settle(pilot)  # type: ignore[arg-type]


@pytest.mark.parametrize("fast", [False, True])
async def test_a_bad_siret_is_refused_then_a_good_one_saved(app_db: Database,
                                                           fast: bool) -> None:
    save_issuer(app_db, {"name": "Claire Fabre", "siret": "", "trade_name": ""})
    before = load_issuer(app_db)
    app = QualifApp(app_db, cursor_blink=False)
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        await press(pilot, fast, "p", "I", ["enter"], "Atelier Fabre", to_field("siret", "trade_name"),
                    "732 829 320 00075", ["ctrl+s"])
        form = app.screen
        assert isinstance(form, IssuerForm)
        error = " ".join(shown(form.query_one("#error-siret", Static)).split())
        assert "SIRET" in error and "clé de contrôle" in error
        assert load_issuer(app_db) == before  # the trade name was not written either
        await press(pilot, fast, ["backspace"], "4", ["ctrl+s"])
        assert isinstance(app.screen, PipelineScreen)
        after = load_issuer(app_db)
        assert (after.trade_name, after.siret) == ("Atelier Fabre", "73282932000074")
        assert after.name == "Claire Fabre"
        assert any("Coordonnées enregistrées" in n.message for n in app._notifications)


async def test_the_address_on_two_lines_and_the_logo(app_db: Database, tmp_path: Path) -> None:
    (tmp_path / "logo.png").write_bytes(PNG)
    (tmp_path / "notes.txt").write_text("pas une image")
    app = QualifApp(app_db, cursor_blink=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await burst(pilot, "p", "I", to_field("address"), "2 rue des Lilas", "enter",
                    "Bâtiment B", to_field("logo", "address2"), str(tmp_path / "notes.txt"),
                    ["ctrl+s"])
        form = app.screen
        assert isinstance(form, IssuerForm)
        assert "ni un PNG ni un JPEG" in " ".join(shown(form.query_one("#error-logo", Static)).split())
        assert "Lilas" not in load_issuer(app_db).address
        await burst(pilot, "home", ["ctrl+k"], str(tmp_path / "logo.png"), ["ctrl+s"])
        assert isinstance(app.screen, PipelineScreen)
        issuer = load_issuer(app_db)
        assert issuer.address == "2 rue des Lilas\nBâtiment B"
        assert issuer.logo_bytes == PNG
        # "-" takes the logo away; the address stays
        await burst(pilot, "I", to_field("logo"), "-", ["ctrl+s"])
        assert load_issuer(app_db).logo_bytes is None
        assert load_issuer(app_db).address == "2 rue des Lilas\nBâtiment B"


async def test_from_the_quote_editor(app_db: Database) -> None:
    app = QualifApp(app_db, cursor_blink=False)
    quote_id = int(app_db.scalar("SELECT min(id) FROM quotes"))
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        app.push_screen(QuoteEditor(app_db, quote_id))
        await settle(pilot)
        await burst(pilot, "I", to_field("phone"), "05 61 00 00 00", ["ctrl+s"])
        assert isinstance(app.screen, QuoteEditor)
        assert load_issuer(app_db).phone == "05 61 00 00 00"
