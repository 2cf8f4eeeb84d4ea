"""The pipeline (``p`` from anywhere): deals by stage, by close date, the forecast, the funnel.

It shows the deals of the contacts of the main screen's current query (or
segment). Four views: columns per open stage with their totals (count,
amount, weighted amount) — ``t`` turns them into one list by close date —,
the forecast by month (``3``) and the funnel (``4``), whose period ``[``/``]``
shortens or lengthens. On a deal: ↵ opens the contact's card, ``>``/``<``
moves it, ``w`` wins it, ``l`` loses it.

Data comes from workers (the columns first, the charts after). Keys typed
before the data is there wait for it, so a burst (``p → → ↵``) does what
slow typing does.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from dateutil.relativedelta import relativedelta
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.widgets import ContentSwitcher, Footer, OptionList, Static
from textual.widgets.option_list import Option

from qualif_tui.base.i18n import _
from qualif_tui.domain import clock
from qualif_tui.domain import deals as core
from qualif_tui.domain.money import format_day, format_euros
from qualif_tui.domain.stages import list_choices
from qualif_tui.query import CompiledQuery
from qualif_tui.services.pipeline import DealCard, Pipeline, StageTotal, forecast, funnel, pipeline
from qualif_tui.storage import Database
from qualif_tui.tui import keymap
from qualif_tui.tui.charts import forecast_chart, funnel_chart
from qualif_tui.tui.columns import fit
from qualif_tui.tui.commands import ActionsProvider
from qualif_tui.tui.workers import WorkerReports, WriteJob, deliver

VIEWS = ("kanban", "list", "forecast", "funnel")
PERIODS = (3, 6, 12, 24)  # months: the funnel's period, the forecast's horizon
DEFAULT_COLUMNS = 4
SHOWN_CARDS = 20  # per column: a screenful and some (the rest are counted, not drawn)


def card_text(card: DealCard, today: str, width: int, *, with_stage: str = "") -> Text:
    late = bool(card.expected_close) and str(card.expected_close) < today
    text = Text(fit(card.title, width), "bold")
    text.append("\n" + fit(card.contact, width), "dim")
    detail = format_euros(card.amount, 0)
    if with_stage:
        detail = f"{with_stage} · {detail}"
    day = format_day(card.expected_close)
    if day and len(detail) + 3 + len(day) > width:
        day = day[:5]  # 16/12: the year is the next few months'
    text.append("\n" + detail + " ")
    text.append(day or _("sans date"), "bold red" if late else "dim")
    return text


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
        self.charts_asked = False

    def compose(self) -> ComposeResult:
        yield Static(Text(_("Pipeline"), "bold"), id="pipe-title")
        yield Static(Text(_("Chargement…"), "dim"), id="pipe-totals")
        with ContentSwitcher(initial="kanban", id="pipe-views"):
            # the default stage table's four open stages, laid out while the deals load
            # (a different table rebuilds them)
            with Horizontal(id="kanban"):
                for index in range(DEFAULT_COLUMNS):
                    yield Vertical(Static(Text(_("Chargement…"), "dim"), classes="stage-header"),
                                   OptionList(id=f"stage-{index}", classes="stage-cards"),
                                   classes="stage-column")
            yield OptionList(id="deal-list")
            yield VerticalScroll(Static("", id="forecast-chart"), id="forecast")
            yield VerticalScroll(Static("", id="funnel-chart"), id="funnel")
        yield Footer()

    def on_mount(self) -> None:
        title = Text(_("Pipeline"), "bold")
        title.append(" — " + (self.label or _("tous les contacts")), "")
        self.query_one("#pipe-title", Static).update(title)
        self._load("kanban")

    # -- loading ---------------------------------------------------------------------
    @work(thread=True, exclusive=True, group="pipeline", exit_on_error=False,
          description="pipeline")
    def _load(self, layout: str) -> None:
        data = pipeline(self.db, self.compiled, layout=layout, cards=SHOWN_CARDS)
        deliver(self, self._loaded, _Loaded(data, layout))

    def _loaded(self, loaded: _Loaded) -> None:
        if loaded.layout == "list":
            self.list_data = loaded.data
            self._show_list()
        else:
            self.data = loaded.data
            self._show_kanban()
        self._show_totals(loaded.data)
        if not self.charts_asked:
            self.charts_asked = True  # after the first paint: the columns come first
            self.call_after_refresh(self._load_charts)
        if loaded.layout == self.deals_layout:
            self._replay()

    def _show_totals(self, data: Pipeline) -> None:
        text = Text(_("{n} affaire(s) en cours").format(n=data.count), "bold")
        text.append(" · " + format_euros(data.amount, 0))
        text.append(" · " + _("pondéré {amount}").format(amount=format_euros(data.weighted, 0)))
        if data.won is not None and data.lost is not None:
            text.append("   " + _("90 j : {won} gagnée(s) ({amount}), {lost} perdue(s)").format(
                won=data.won.count, amount=format_euros(data.won.amount, 0),
                lost=data.lost.count), "dim")
        self.query_one("#pipe-totals", Static).update(text)

    def _column_width(self) -> int:
        """The text width of a card: the screen shared by the columns, less each
        column's margin, scrollbar and padding."""
        stages = len(self.data.stages) if self.data else 4
        return max(10, self.size.width // max(1, stages) - 7)

    def _show_kanban(self) -> None:
        assert self.data is not None
        board = self.query_one("#kanban", Horizontal)
        today = clock.today().isoformat()
        width = self._column_width()
        if len(board.query(".stage-column")) != len(self.data.stages):
            # the columns come with their cards: one mount, one layout
            board.remove_children()
            board.mount_all([
                Vertical(Static(stage_header(total), classes="stage-header"),
                         OptionList(*self._options(total, today, width), id=f"stage-{index}",
                                    classes="stage-cards"),
                         classes="stage-column")
                for index, total in enumerate(self.data.stages)])
            if self.current_view == "kanban":
                self.call_after_refresh(self._focus_column)
            return
        for index, total in enumerate(self.data.stages):
            column = self.query_one(f"#stage-{index}", OptionList)
            if column.parent is not None:
                column.parent.query_one(".stage-header", Static).update(stage_header(total))
            highlighted = column.highlighted
            column.set_options(self._options(total, today, width))
            cards = self.data.cards.get(total.stage.id, [])
            if cards:
                column.highlighted = min(highlighted or 0, len(cards) - 1)
        if self.current_view == "kanban":
            self._focus_column()

    def _options(self, total: StageTotal, today: str, width: int) -> list[Option]:
        assert self.data is not None
        cards = self.data.cards.get(total.stage.id, [])
        options = [Option(card_text(c, today, width), id=str(c.id)) for c in cards]
        if total.count > len(cards):
            options.append(Option(Text(_("… et {n} autres").format(
                n=total.count - len(cards)), "dim"), disabled=True))
        return options or [Option(Text(_("(aucune)"), "dim"), disabled=True)]

    def _show_list(self) -> None:
        assert self.list_data is not None
        today = clock.today().isoformat()
        cards = self.list_data.cards.get("all", [])
        labels = {s.stage.id: s.stage.label for s in self.list_data.stages}
        widget = self.query_one("#deal-list", OptionList)
        widget.set_options([self._list_line(c, labels.get(c.stage, c.stage), today)
                            for c in cards] or [Option(Text(_("Aucune affaire en cours."),
                                                            "dim"), disabled=True)])
        if cards:
            widget.highlighted = 0
        if self.current_view == "list":
            widget.focus()

    def _list_line(self, card: DealCard, stage: str, today: str) -> Option:
        late = bool(card.expected_close) and str(card.expected_close) < today
        text = Text(f"{format_day(card.expected_close) or _('sans date'):10} ",
                    "bold red" if late else "")
        text.append(fit(stage, 12) + " ", "bold")
        text.append(fit(card.title, 26) + " ")
        text.append(fit(card.contact, 22) + " ", "dim")
        text.append(f"{format_euros(card.amount, 0):>11} ")
        text.append(f"{card.probability:>3} %", "dim")
        return Option(text, id=str(card.id))

    @work(thread=True, exclusive=True, group="charts", exit_on_error=False,
          description="prévision et entonnoir")
    def _load_charts(self) -> None:
        today = clock.today()
        months = PERIODS[self.period]
        start = today - relativedelta(months=months) + relativedelta(days=1)
        rows = forecast(self.db, self.compiled, months=max(6, min(months, 24)), today=today)
        steps = funnel(self.db, self.compiled, start=start.isoformat(), end=today.isoformat(),
                       today=today)
        deliver(self, self._charts, rows, steps, start, today)

    def _charts(self, rows: Any, steps: Any, start: date, end: date) -> None:
        width = self.size.width - 4
        title = Text(_("Prévision (pondérée par la probabilité)"), "bold")
        self.query_one("#forecast-chart", Static).update(
            _Stack(title, forecast_chart(rows, width)))
        self.query_one("#funnel-chart", Static).update(
            _Stack(Text(_("Entonnoir : jusqu'où vont les affaires"), "bold"),
                   funnel_chart(steps, width, start, end)))

    # -- keys --------------------------------------------------------------------------
    def _ready(self, action: str, *args: Any) -> bool:
        """False (and the key kept for later) while the deals are loading."""
        loaded = self.data if self.deals_layout == "kanban" else self.list_data
        if loaded is None:
            self.pending.append((action, args))
            return False
        return True

    def _replay(self) -> None:
        pending, self.pending = self.pending, []
        for action, args in pending:
            getattr(self, f"action_{action}")(*args)

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

    def action_view(self, view: str) -> None:
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
            self.query_one(f"#{view}").focus()

    def action_toggle_layout(self) -> None:
        self.action_view("list" if self.deals_layout == "kanban" else "kanban")

    def action_period(self, step: int) -> None:
        self.period = max(0, min(len(PERIODS) - 1, self.period + step))
        self.notify(_("Période : {n} mois").format(n=PERIODS[self.period]), timeout=2)
        self._load_charts()

    def action_reload(self) -> None:
        self._load(self.deals_layout)
        self._load_charts()

    def _selected(self) -> DealCard | None:
        if self.current_view == "list":
            source = self.list_data.cards.get("all", []) if self.list_data else []
            index = self.query_one("#deal-list", OptionList).highlighted
        elif self.current_view == "kanban" and self.data is not None and self.data.stages:
            stage = self.data.stages[max(0, min(self.column, len(self.data.stages) - 1))]
            source = self.data.cards.get(stage.stage.id, [])
            index = self.query_one(f"#stage-{self.column}", OptionList).highlighted
        else:
            return None
        if index is None or not 0 <= index < len(source):
            return None
        return source[index]

    def action_open(self) -> None:
        if not self._ready("open"):
            return
        card = self._selected()
        if card is None:
            self.app.bell()
            return
        self.post_message(self.OpenContact(card.contact_id))

    @on(OptionList.OptionSelected)
    def _chosen(self, event: OptionList.OptionSelected) -> None:
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

    def action_close(self) -> None:
        self.dismiss()


class _Stack:
    """A title above a renderable (Rich's Group, kept typed)."""

    def __init__(self, *parts: Any) -> None:
        from rich.console import Group

        self.group = Group(*parts)

    def __rich__(self) -> Any:
        return self.group
