"""The card's deals and quotes, the quote line editor and the pipeline, driven by keys.

Keys are also pressed in one burst (no waiting between them): the result must
be what slow typing gives.
"""

from __future__ import annotations

from textual.pilot import Pilot

from qualif_tui.domain import deals as D
from qualif_tui.domain import quotes as Q
from qualif_tui.storage import Database
from qualif_tui.tui.app import QualifApp
from qualif_tui.tui.deal_forms import DealForm, LoseDialog, WinDialog
from qualif_tui.tui.deals_pane import DealList, QuoteList
from qualif_tui.tui.dialogs import ConfirmScreen
from qualif_tui.tui.pipeline_screen import PipelineScreen
from qualif_tui.tui.quote_editor import QuoteEditor

from .conftest import settle
from .helpers import main


async def type_text(pilot: Pilot[None], text: str) -> None:
    for char in text:
        await pilot.press({" ": "space", ">": "greater_than_sign", "<": "less_than_sign",
                           ",": "comma", "/": "slash", ":": "colon", "'": "apostrophe"}.get(
                               char, char))


async def search(pilot: Pilot[None], text: str) -> None:
    await pilot.press("slash")
    await type_text(pilot, text)
    await pilot.press("enter")
    await settle(pilot)


def shown(widget: object) -> str:
    """What a widget paints, line by line (NBSPs as spaces)."""
    lines = [widget.render_line(y).text  # type: ignore[attr-defined]
             for y in range(widget.size.height)]  # type: ignore[attr-defined]
    return "\n".join(lines).replace("\xa0", " ")


def deal_list(app: QualifApp) -> DealList:
    return main(app).card.query_one(DealList)


async def test_the_deals_tab_lists_and_moves_deals(app: QualifApp, app_db: Database) -> None:
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        # a query the contact stays in while its deal moves
        contact = app_db.query("SELECT contact_id FROM deals WHERE stage = 'proposal'"
                               " ORDER BY id LIMIT 1")[0][0]
        await search(pilot, f"id:{contact}")
        await pilot.press("f6")
        await settle(pilot)
        deals = deal_list(app)
        assert app.focused is deals
        deals.highlighted = next(i for i, d in enumerate(deals.deals) if d.stage == "proposal")
        deal = deals.selected
        assert deal is not None and deal.stage == "proposal"
        lines = [str(option.prompt) for option in deals._options]
        assert any("Proposition" in line and deal.title in line for line in lines)
        await pilot.press("greater_than_sign")
        await settle(pilot)
        assert D.get_deal(app_db, deal.id).stage == "negotiation"
        await pilot.press("less_than_sign")
        await settle(pilot)
        assert D.get_deal(app_db, deal.id).stage == "proposal"
        # won: the amount is asked, Enter keeps it
        await pilot.press("w")
        await settle(pilot)
        assert isinstance(app.screen, WinDialog)
        await pilot.press("enter")
        await settle(pilot)
        assert D.get_deal(app_db, deal.id).stage == "won"
        history = app_db.query("SELECT subject FROM history WHERE contact_id = ?"
                               " ORDER BY id DESC LIMIT 1", (deal.contact_id,))[0][0]
        assert "→ Gagnée" in history


async def test_new_deal_form_then_lose_it_with_a_reason(app: QualifApp, app_db: Database) -> None:
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        contact_id = main(app).current_contact_id
        assert contact_id is not None
        await pilot.press("f6", "ctrl+n")
        await settle(pilot)
        assert isinstance(app.screen, DealForm)
        await type_text(pilot, "Flotte de trois utilitaires")
        await pilot.press("tab")
        await type_text(pilot, "-5")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, DealForm)  # refused, the form stays
        error = str(app.screen.query_one("#error-amount").render())
        assert "négatif" in error
        amount = app.screen.query_one("#field-amount")
        amount.value = "36 900"  # type: ignore[attr-defined]
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert not isinstance(app.screen, DealForm)
        created = [d for d in D.list_deals(app_db, contact_id) if d.title.startswith("Flotte")]
        assert len(created) == 1 and created[0].amount == 36900 and created[0].stage == "lead"
        deals = deal_list(app)
        deals.highlighted = next(i for i, d in enumerate(deals.deals) if d.id == created[0].id)
        await pilot.press("l")
        await settle(pilot)
        assert isinstance(app.screen, LoseDialog)
        await pilot.press("1")  # the first reason: Prix
        await settle(pilot)
        lost = D.get_deal(app_db, created[0].id)
        assert (lost.stage, lost.lost_reason) == ("lost", "Prix")
        # delete it, then u brings it back
        deals.highlighted = next(i for i, d in enumerate(deals.deals) if d.id == lost.id)
        await pilot.press("delete")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("o")
        await settle(pilot)
        assert not app_db.query("SELECT 1 FROM deals WHERE id = ?", (lost.id,))
        main(app).contact_list.focus()
        await pilot.press("u")
        await settle(pilot)
        assert D.get_deal(app_db, lost.id).lost_reason == "Prix"


LINES = ["Audit du parc", "2", "jour", "450", "20", "0",
         "Formation des conducteurs", "3", "heure", "33,33", "5,5", "10"]


async def _quote_by_keys(app: QualifApp, app_db: Database, burst: bool) -> Q.Quote:
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        await search(pilot, "deal_stage:negotiation")
        await pilot.press("f6", "q")
        await settle(pilot)
        editor = app.screen
        assert isinstance(editor, QuoteEditor)
        quote_id = editor.quote_id
        await pilot.press("a")
        for value in LINES:
            await type_text(pilot, value)
            await pilot.press("enter")
            if not burst:
                await settle(pilot)
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, QuoteEditor)
        totals = shown(app.screen.query_one("#quote-totals"))
        assert "989,99" in totals and "1 174,94" in totals, totals
        await pilot.press("escape")
        await settle(pilot)
        assert not isinstance(app.screen, QuoteEditor)
        quotes = main(app).card.query_one(QuoteList)
        assert any(q.id == quote_id for q in quotes.quotes)
    return Q.get_quote(app_db, quote_id)


async def test_quote_lines_typed_slowly(app: QualifApp, app_db: Database) -> None:
    quote = await _quote_by_keys(app, app_db, burst=False)
    # 2 × 450 = 900,00 at 20 %; 3 × 33,33 − 10 % = 89,991 → 89,99 at 5,5 %
    assert [(ln.designation, ln.total_ht) for ln in quote.lines] == [
        ("Audit du parc", 900.0), ("Formation des conducteurs", 89.99)]
    assert (quote.total_ht, quote.total_vat, quote.total_ttc) == (989.99, 184.95, 1174.94)


async def test_quote_lines_typed_in_a_burst_give_the_same_quote(app: QualifApp,
                                                                app_db: Database) -> None:
    quote = await _quote_by_keys(app, app_db, burst=True)
    assert [(ln.designation, ln.quantity, ln.unit, ln.unit_price, ln.vat_rate, ln.discount)
            for ln in quote.lines] == [
        ("Audit du parc", 2.0, "jour", 450.0, 20.0, 0.0),
        ("Formation des conducteurs", 3.0, "heure", 33.33, 5.5, 10.0)]
    assert quote.total_ttc == 1174.94


async def _pipeline_burst(app: QualifApp, burst: bool) -> int | None:
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        keys = ["p", "right", "right", "down", "enter"]
        for key in keys:
            await pilot.press(key)
            if not burst:
                await settle(pilot)
        await settle(pilot)
        assert not isinstance(app.screen, PipelineScreen)
        return main(app).current_contact_id


async def test_pipeline_keys_in_a_burst_match_slow_typing(app_db: Database) -> None:
    slow = await _pipeline_burst(QualifApp(app_db, cursor_blink=False), burst=False)
    fast = await _pipeline_burst(QualifApp(app_db, cursor_blink=False), burst=True)
    assert slow is not None and slow == fast
    # the second deal of the third open stage (Proposition), by expected close
    third = app_db.query("SELECT contact_id FROM deals WHERE stage = 'proposal'"
                         " ORDER BY expected_close IS NULL, expected_close, id LIMIT 1 OFFSET 1")
    assert slow == third[0][0]


async def test_pipeline_views_and_totals(app: QualifApp) -> None:
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        await search(pilot, "profil:client")
        await pilot.press("p")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, PipelineScreen)
        assert "profil:client" in shown(screen.query_one("#pipe-title"))
        assert screen.data is not None
        headers = [shown(w) for w in screen.query(".stage-header")]
        assert [h.split()[0] for h in headers] == ["Piste", "Qualifiée", "Proposition",
                                                   "Négociation"]
        await pilot.press("t")
        await settle(pilot)
        assert screen.current_view == "list" and screen.list_data is not None
        await pilot.press("3")
        await settle(pilot)
        assert "Prévision" in shown(screen.query_one("#forecast-chart"))
        await pilot.press("4")
        await settle(pilot)
        funnel_text = shown(screen.query_one("#funnel-chart"))
        assert "Entonnoir" in funnel_text and "Gagnée" in funnel_text
        await pilot.press("escape")
        await settle(pilot)
        assert not isinstance(app.screen, PipelineScreen)


async def test_deleting_a_contact_with_deals_asks_and_says_so(app: QualifApp) -> None:
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        await search(pilot, "has:won")
        await pilot.press("ctrl+d")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen)
        assert "affaire(s)" in app.screen.detail
        await pilot.press("n")
        await settle(pilot)
