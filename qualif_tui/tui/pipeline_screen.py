"""The pipeline (``p`` from anywhere): deals by stage, by close date, the forecast, the funnel.

It shows the deals of the contacts of the main screen's current query (or
segment). Four views: columns per open stage with their totals (count,
amount, weighted amount) — ``t`` turns them into one list by close date —,
the forecast by month (``3``) and the funnel (``4``), whose period ``[``/``]``
shortens or lengthens. On a deal: ↵ opens the contact's card, ``>``/``<``
moves it, ``w`` wins it, ``l`` loses it.

Data comes from workers: the totals and the first page of each column in one
read, then what was won and lost lately; a column's further pages as it scrolls
(:mod:`.deal_rows` draws only what is on screen); each chart when first shown.
Keys typed before the data is there wait for it, so a burst (``p → → ↵``)
does what slow typing does.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from dateutil.relativedelta import relativedelta
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.widgets import ContentSwitcher, Static

from qualif_tui.base.i18n import _
from qualif_tui.domain import clock
from qualif_tui.domain import deals as core
from qualif_tui.domain.money import format_euros
from qualif_tui.domain.stages import list_choices
from qualif_tui.query import CompiledQuery
from qualif_tui.services.pipeline import (
    DealCard,
    Pipeline,
    StageTotal,
    deal_page,
    forecast,
    funnel,
    pipeline,
    recent_results,
)
from qualif_tui.storage import Database
from qualif_tui.tui import keymap
from qualif_tui.tui.charts import forecast_chart, funnel_chart
from qualif_tui.tui.commands import ActionsProvider
from qualif_tui.tui.deal_rows import PAGE, CardSource, DealRows
from qualif_tui.tui.footer import KeyFooter
from qualif_tui.tui.workers import WorkerReports, WriteJob, deliver

if TYPE_CHECKING:
    from qualif_tui.tui.main_screen import MainScreen

VIEWS = ("kanban", "list", "forecast", "funnel")
PERIODS = (3, 6, 12, 24)  # months: the funnel's period, the forecast's horizon
DEFAULT_COLUMNS = 4


def stage_header(total: StageTotal) -> Text:
    text = Text(total.stage.label, "bold")
    text.append(f"  {total.count}", "dim")
    text.append("\n" + format_euros(total.amount, 0))
    text.append("\n" + _("pondéré {amount}").format(amount=format_euros(total.weighted, 0)),
                "dim")
    return text


@dataclass
class _Loaded:
    data: Pipeline
    layout: str


class PipelineScreen(WorkerReports, Screen[None]):
    class OpenContact(Message):
        def __init__(self, contact_id: int) -> None:
            super().__init__()
            self.contact_id = contact_id

    BINDINGS = keymap.bindings(keymap.PIPELINE_KEYS)
    # keys typed after I wait for the form (its details are read in a worker)
    TYPEAHEAD_GROUPS = frozenset({"issuer"})
    PALETTE_KEYS = keymap.APP_KEYS + keymap.PIPELINE_KEYS
    COMMANDS = {ActionsProvider}

    def __init__(self, db: Database, query: CompiledQuery | None, label: str) -> None:
        super().__init__(id="pipeline")
        self.db = db
        self.compiled = query
        self.label = label
        self.current_view = "kanban"
        self.deals_layout = "kanban"  # what the deals part shows: kanban or list
        self.column = 0
        self.period = 2  # index in PERIODS: 12 months
        self.data: Pipeline | None = None
        self.list_data: Pipeline | None = None
        self.pending: list[tuple[str, tuple[Any, ...]]] = []
        self.changed = False
        self.charts_shown: set[str] = set()  # forecast, funnel: read when first shown
        self.recent: tuple[StageTotal, StageTotal] | None = None

    def compose(self) -> ComposeResult:
        title = Text(_("Pipeline"), "bold")
        title.append(" — " + (self.label or _("tous les contacts")), "")
        yield Static(title, id="pipe-title")
        yield Static(Text(_("Chargement…"), "dim"), id="pipe-totals")
        today = clock.today().isoformat()
        with ContentSwitcher(initial="kanban", id="pipe-views"):
            # the default stage table's four open stages, laid out while the deals load
            # (a different table rebuilds them)
            with Horizontal(id="kanban"):
                for index in range(DEFAULT_COLUMNS):
                    yield self._column(index, Text(_("Chargement…"), "dim"), today)
            yield DealRows(lines=True, today=today, empty=_("Aucune affaire en cours."),
                           id="deal-list")
            yield VerticalScroll(Static("", id="forecast-chart"), id="forecast")
            yield VerticalScroll(Static("", id="funnel-chart"), id="funnel")
        yield KeyFooter()

    @staticmethod
    def _column(index: int, header: Text, today: str) -> Vertical:
        return Vertical(Static(header, classes="stage-header"),
                        DealRows(today=today, id=f"stage-{index}", classes="stage-cards"),
                        classes="stage-column")

    def on_mount(self) -> None:
        self._load("kanban")

    # -- loading ---------------------------------------------------------------------
    @work(thread=True, exclusive=True, group="pipeline", exit_on_error=False,
          description="pipeline")
    def _load(self, layout: str) -> None:
        # the totals and the first page of each column (one paint); what was won and
        # lost lately once they are drawn (_loaded)
        data = pipeline(self.db, self.compiled, layout=layout, cards=PAGE, recent=False)
        deliver(self, self._loaded, _Loaded(data, layout))

    @work(thread=True, exclusive=True, group="pipeline-recent", exit_on_error=False,
          description="gagnées et perdues (90 jours)")
    def _load_recent(self) -> None:
        deliver(self, self._recent_loaded, recent_results(self.db, self.compiled))

    def _fetcher(self, stages: list[str], dated: int) -> Any:
        db, compiled = self.db, self.compiled

        def fetch(offset: int, limit: int) -> list[DealCard]:
            return deal_page(db, compiled, stages, offset, limit, dated)
        return fetch

    def _loaded(self, loaded: _Loaded) -> None:
        if loaded.layout == "list":
            self.list_data = loaded.data
            self._show_list()
        else:
            self.data = loaded.data
            self._show_kanban()
        self._show_totals(loaded.data)
        if self.recent is None:
            self.call_after_refresh(self._load_recent)
        if loaded.layout == self.deals_layout:
            self._replay()

    def _recent_loaded(self, recent: tuple[StageTotal, StageTotal]) -> None:
        self.recent = recent
        data = self.data if self.deals_layout == "kanban" else self.list_data
        if data is not None:
            self._show_totals(data)

    def _show_totals(self, data: Pipeline) -> None:
        text = Text(_("{n} affaire(s) en cours").format(n=data.count), "bold")
        text.append(" · " + format_euros(data.amount, 0))
        text.append(" · " + _("pondéré {amount}").format(amount=format_euros(data.weighted, 0)))
        if self.recent is not None:
            won, lost = self.recent
            text.append("   " + _("90 j : {won} gagnée(s) ({amount}), {lost} perdue(s)").format(
                won=won.count, amount=format_euros(won.amount, 0), lost=lost.count), "dim")
        self.query_one("#pipe-totals", Static).update(text)

    def _columns(self) -> list[DealRows]:
        return list(self.query(".stage-cards").results(DealRows))

    def _show_kanban(self) -> None:
        assert self.data is not None
        today = clock.today().isoformat()
        board = self.query_one("#kanban", Horizontal)
        if len(self._columns()) != len(self.data.stages):
            # another stage table than the default: its columns, in one mount, filled
            # once they are there (a column whose header is not mounted yet cannot be)
            columns = [self._column(index, stage_header(total), today)
                       for index, total in enumerate(self.data.stages)]

            async def rebuild() -> None:
                await board.remove_children()
                await board.mount_all(columns)
                self._fill_kanban()

            self.call_later(rebuild)
            return
        self._fill_kanban()

    def _fill_kanban(self) -> None:
        if self.data is None:
            return
        today = clock.today().isoformat()
        for column, total in zip(self._columns(), self.data.stages, strict=False):
            headers = column.parent.query(".stage-header").results(Static) \
                if column.parent is not None else iter(())
            for header in headers:
                header.update(stage_header(total))
            source = CardSource(total.count, self._fetcher([total.stage.id], total.dated))
            source.store(0, self.data.cards.get(total.stage.id, []))
            column.load(source, today=today)
        if self.current_view == "kanban":
            self._focus_column()

    def _show_list(self) -> None:
        assert self.list_data is not None
        stages = self.list_data.stages
        source = CardSource(self.list_data.count,
                            self._fetcher([s.stage.id for s in stages],
                                          sum(s.dated for s in stages)))
        source.store(0, self.list_data.cards.get("all", []))
        widget = self.query_one("#deal-list", DealRows)
        widget.load(source, labels={s.stage.id: s.stage.label for s in stages},
                    today=clock.today().isoformat())
        if self.current_view == "list":
            widget.focus()

    def _load_chart(self, view: str) -> None:
        """Read the forecast or the funnel (each when first shown: the funnel reads
        every deal of the period and its moves, which the columns need not wait for)."""
        self.charts_shown.add(view)
        today = clock.today()
        months = PERIODS[self.period]
        if view == "forecast":
            self.query_one("#forecast-chart", Static).update(Text(_("Chargement…"), "dim"))
            self._read_forecast(max(6, min(months, 24)), today)
        else:
            self.query_one("#funnel-chart", Static).update(Text(_("Chargement…"), "dim"))
            start = today - relativedelta(months=months) + relativedelta(days=1)
            self._read_funnel(start, today)

    @work(thread=True, exclusive=True, group="forecast", exit_on_error=False,
          description="prévision")
    def _read_forecast(self, months: int, today: date) -> None:
        rows = forecast(self.db, self.compiled, months=months, today=today)
        deliver(self, self._show_forecast, rows)

    @work(thread=True, exclusive=True, group="funnel", exit_on_error=False,
          description="entonnoir")
    def _read_funnel(self, start: date, today: date) -> None:
        steps = funnel(self.db, self.compiled, start=start.isoformat(), end=today.isoformat(),
                       today=today)
        deliver(self, self._show_funnel, steps, start, today)

    def _show_forecast(self, rows: Any) -> None:
        title = Text(_("Prévision (pondérée par la probabilité)"), "bold")
        self.query_one("#forecast-chart", Static).update(
            _Stack(title, forecast_chart(rows, self.size.width - 4)))

    def _show_funnel(self, steps: Any, start: date, end: date) -> None:
        self.query_one("#funnel-chart", Static).update(
            _Stack(Text(_("Entonnoir : jusqu'où vont les affaires"), "bold"),
                   funnel_chart(steps, self.size.width - 4, start, end)))

    # -- keys --------------------------------------------------------------------------
    def _ready(self, action: str, *args: Any) -> bool:
        """False (and the key kept for later) while the deals are loading, or while
        the page of the deal under the cursor is on its way."""
        loaded = self.data if self.deals_layout == "kanban" else self.list_data
        rows = self._rows()
        if loaded is None or self.pending or (rows is not None and rows.waiting):
            self.pending.append((action, args))
            return False
        return True

    def _replay(self) -> None:
        pending, self.pending = self.pending, []
        while pending:
            action, args = pending.pop(0)
            getattr(self, f"action_{action}")(*args)
            if self.pending:  # waiting again (a page to come): keep the order
                self.pending.extend(pending)
                return

    @on(DealRows.PageArrived)
    def _page_arrived(self, event: DealRows.PageArrived) -> None:
        event.stop()
        if self.pending and event.rows is self._rows() and not event.rows.waiting:
            self._replay()

    def _rows(self) -> DealRows | None:
        """The deals widget the keys act on: the current column, or the list."""
        if self.current_view == "list":
            return self.query_one("#deal-list", DealRows)
        if self.current_view == "kanban":
            columns = self._columns()
            if columns:
                return columns[max(0, min(self.column, len(columns) - 1))]
        return None

    def _focus_column(self) -> None:
        if self.data is None or not self.data.stages:
            return
        self.column = max(0, min(self.column, len(self.data.stages) - 1))
        found = self.query(f"#stage-{self.column}")
        if found:
            found.first().focus()

    def action_column(self, step: int) -> None:
        if self.current_view != "kanban" or not self._ready("column", step):
            return
        self.column += step
        self._focus_column()

    def _cursor_keys(self, action: str, *args: Any) -> DealRows | None:
        """The deals widget a cursor key moves, once its deals are here."""
        if self.current_view not in ("kanban", "list") or not self._ready(action, *args):
            return None
        return self._rows()

    def action_move(self, step: int) -> None:
        rows = self._cursor_keys("move", step)
        if rows is not None:
            rows.move(step)

    def action_page(self, direction: int) -> None:
        rows = self._cursor_keys("page", direction)
        if rows is not None:
            rows.page(direction)

    def action_edge(self, last: int) -> None:
        rows = self._cursor_keys("edge", last)
        if rows is not None:
            rows.move_to(rows.total - 1 if last else 0)

    def _queued(self, action: str, *args: Any) -> bool:
        """True (and the key kept) when keys typed before it still wait: a view
        change or Échap typed in a burst comes after them, as when typed slowly."""
        if self.pending:
            self.pending.append((action, args))
            return True
        return False

    def action_view(self, view: str) -> None:
        if self._queued("view", view):
            return
        self.current_view = view
        if view in ("kanban", "list"):
            self.deals_layout = view
        self.query_one("#pipe-views", ContentSwitcher).current = (
            "deal-list" if view == "list" else view)
        if view == "list":
            if self.list_data is None:
                self._load("list")
            else:
                self.query_one("#deal-list").focus()
        elif view == "kanban":
            self._focus_column()
        else:
            if view not in self.charts_shown:
                self._load_chart(view)
            self.query_one(f"#{view}").focus()

    def action_toggle_layout(self) -> None:
        if self._queued("toggle_layout"):
            return
        self.action_view("list" if self.deals_layout == "kanban" else "kanban")

    def action_period(self, step: int) -> None:
        self.period = max(0, min(len(PERIODS) - 1, self.period + step))
        self.notify(_("Période : {n} mois").format(n=PERIODS[self.period]), timeout=2)
        for view in sorted(self.charts_shown):
            self._load_chart(view)

    def action_reload(self) -> None:
        self._load(self.deals_layout)
        self._load_recent()
        for view in sorted(self.charts_shown):
            self._load_chart(view)

    def _selected(self) -> DealCard | None:
        rows = self._rows()
        return rows.current if rows is not None else None

    def action_open(self) -> None:
        if not self._ready("open"):
            return
        card = self._selected()
        if card is None:
            self.app.bell()
            return
        self.post_message(self.OpenContact(card.contact_id))

    @on(DealRows.Chosen)
    def _chosen(self, event: DealRows.Chosen) -> None:
        event.stop()
        self.action_open()

    def _write(self, label: str, run: Any, done: Any = None) -> None:
        def finished(result: Any) -> None:
            self.changed = True
            if done is not None:
                done(result)
            self.action_reload()

        self.app.writes.submit(WriteJob(label, run, done=finished,  # type: ignore[attr-defined]
                                        failed=lambda _e: self.action_reload()))

    def action_step(self, step: int) -> None:
        if not self._ready("step", step):
            return
        card = self._selected()
        if card is None:
            self.app.bell()
            return
        self._write(_("Affaire"), lambda: core.step_deal(self.db, card.id, step),
                    lambda deal: self.notify(_("{title} : {stage}").format(
                        title=deal.title, stage=deal.stage_label)))

    def action_won(self) -> None:
        if self._ready("won"):
            self._prepare("won")

    def action_lost(self) -> None:
        if self._ready("lost"):
            self._prepare("lost")

    def _prepare(self, what: str) -> None:
        card = self._selected()
        if card is None:
            self.app.bell()
            return
        self._fetch_for_dialog(card.id, what)

    @work(thread=True, exclusive=True, group="pipeline-dialog", exit_on_error=False)
    def _fetch_for_dialog(self, deal_id: int, what: str) -> None:
        deal = core.get_deal(self.db, deal_id)
        reasons = [c.label for c in list_choices(self.db, "lost_reason")]
        deliver(self, self._dialog, deal, what, reasons)

    def _dialog(self, deal: core.Deal, what: str, reasons: list[str]) -> None:
        from qualif_tui.tui.deal_forms import LoseDialog, WinDialog

        def closed(result: Any) -> None:
            if result is not None:
                self.changed = True
                self.action_reload()

        if what == "won":
            self.app.push_screen(WinDialog(deal, lambda amount: core.win_deal(
                self.db, deal.id, amount=amount)), closed)
        else:
            self.app.push_screen(LoseDialog(deal, reasons, lambda reason: core.lose_deal(
                self.db, deal.id, reason=reason)), closed)

    # -- import, export, undo ------------------------------------------------------------
    def action_import_deals(self) -> None:
        from qualif_tui.tui.deal_transfer import DealImportScreen
        from qualif_tui.tui.transfer import Imported

        def closed(imported: Imported | None) -> None:
            if imported is None:
                return
            self.changed = True
            main = self._main()
            if main is not None:
                main.remember_import(imported)  # u, here or on the list, takes it back
            else:
                self.notify(_("Importé : {summary}").format(summary=imported.summary))
            self.action_reload()

        self.app.push_screen(DealImportScreen(self.db), closed)

    def action_export_deals(self) -> None:
        from qualif_tui.tui.deal_transfer import DealExportScreen

        def closed(message: str | None) -> None:
            if message:
                self.notify(message, title=_("Export"), timeout=8, markup=False)

        self.app.push_screen(DealExportScreen(
            self.db, self.compiled, self.label,
            temporary_db=bool(getattr(self.app, "demo", False))), closed)

    def action_undo(self) -> None:
        """``u``: the app's last undoable action (the list's undo stack), then the
        pipeline read again."""
        if self._queued("undo"):
            return
        main = self._main()
        if main is None or not main.undo_stack:
            self.notify(_("Rien à annuler."), severity="warning")
            return
        item = main.undo_stack.pop()
        self._write(_("Annulation"), item.run,
                    lambda _result: self.notify(_("Annulé : {what}").format(what=item.label)))

    def action_stage_table(self) -> None:
        from qualif_tui.tui.stage_table import StageTableScreen

        def closed(changed: bool | None) -> None:
            if changed:
                self.changed = True
                self.action_reload()

        self.app.push_screen(StageTableScreen(self.db), closed)

    def action_issuer(self) -> None:
        from qualif_tui.tui.issuer_form import open_issuer_form

        open_issuer_form(self, self.db)

    def _main(self) -> MainScreen | None:
        from qualif_tui.tui.main_screen import MainScreen

        return next((s for s in self.app.screen_stack if isinstance(s, MainScreen)), None)

    def action_close(self) -> None:
        if not self._queued("close"):
            self.dismiss()


class _Stack:
    """A title above a renderable (Rich's Group, kept typed)."""

    def __init__(self, *parts: Any) -> None:
        from rich.console import Group

        self.group = Group(*parts)

    def __rich__(self) -> Any:
        return self.group
