"""The reports screen (``r``): revenue by source and its kin over the current result.

One keystroke picks the report (``v`` breakdown, ``f`` funnel, ``i`` inactive
clients, ``c`` completeness, ``t`` trend), one the grouping (``1``–``0``),
``x`` then a digit crosses with a second field, ``m`` changes the measure the
bars show. Every figure is one key from the people behind it: Enter on a cell
closes the screen and runs that cell's query in the contact list (the screen
returns the query text). ``ctrl+e`` exports the report (xlsx with its chart, or
CSV for French Excel).

The reports are computed by :mod:`qualif_tui.services.reports` in a worker;
this screen only lays them out: a table whose last column is a bar chart of
the chosen measure (rich bars: see the issue note on why not plotext).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.containers import Horizontal, Vertical
from textual.coordinate import Coordinate
from textual.screen import ModalScreen, Screen
from textual.widgets import DataTable, Input, Label, Static

from qualif_tui.base.i18n import N_, _
from qualif_tui.base.text import fold
from qualif_tui.domain import clock
from qualif_tui.domain.keys import list_keys
from qualif_tui.query import CompiledQuery
from qualif_tui.services import reports as svc
from qualif_tui.services.reports.render import bar, write_csv, write_xlsx
from qualif_tui.storage import Database
from qualif_tui.tui.footer import KeyFooter
from qualif_tui.tui.keymap import Key, bindings
from qualif_tui.tui.workers import WorkerReports, deliver

KINDS = {"breakdown": N_("Ventilation"), "funnel": N_("Entonnoir"),
         "inactive": N_("Clients inactifs"), "completeness": N_("Complétude"),
         "trend": N_("Tendance")}
CHART_MEASURES = ("contacts", "revenue", "deals", "conversion", "pipeline", "weighted", "lost",
                  "lost_amount")
NARROW_MEASURES = ("contacts", "revenue", "conversion", "lost", "lost_amount")
# the fields of the deals share one digit (0): pressed again, it goes to the next
DEAL_FIELDS = (("won:month", N_("Gagné (mois)")), ("deal_category", N_("Catégorie d'affaire")),
               ("lost_reason", N_("Raison de perte")))
WIDE_MEASURES = ("contacts", "share", "revenue", "deals", "average", "pipeline", "weighted",
                 "conversion")
TREND_ORDER = ("revenue", "deals", "contacts", "reached")
COMPLETENESS_VIEWS = ("keys", "months", "contacts")
DIGITS = "1234567890"

REPORT_KEYS = (
    Key("reports.breakdown", "v", "show('breakdown')", "Ventilation par clé ou champ",
        show=True),
    Key("reports.funnel", "f", "show('funnel')", "Entonnoir", show=True),
    Key("reports.inactive", "i", "show('inactive')", "Clients inactifs", show=True),
    Key("reports.completeness", "c", "show('completeness')", "Complétude", show=True),
    Key("reports.trend", "t", "show('trend')", "Tendance", show=True),
    Key("reports.measure", "m", "cycle_measure", "Mesure suivante", show=True),
    Key("reports.cross", "x", "cross", "Croiser avec un second champ (puis un chiffre)"),
    Key("reports.period", "p", "cycle_period",
        "Période des affaires : tout, 12 mois, cette année, l'an dernier", show=True),
    Key("reports.dates", "P", "choose_dates", "Période des affaires : du … au …",
        key_display="P"),
    Key("reports.export", "ctrl+e", "export", "Exporter le rapport (xlsx, CSV)", show=True),
    Key("reports.refresh", "f5", "refresh", "Recalculer"),
    Key("reports.close", "escape", "close", "Fermer", show=True),
    *(Key(f"reports.by{d}", d, f"group_by({i})", "Regrouper par le champ {d}",
          palette=False, key_display=d, fields=(("d", d),)) for i, d in enumerate(DIGITS)),
)


@dataclass(frozen=True)
class Choice:
    """What the screen shows: a report kind and its options."""

    kind: str = "breakdown"
    by: str = "source"
    second: str = ""
    measure: str = "contacts"
    view: str = ""  # completeness: keys, months, contacts; inactive: without; trend: measure
    period: str = ""  # deals counted: "" (all), "12m", this year, last year
    start: str = ""  # or a free period, as typed (P): from …
    end: str = ""  # … to


def grouping_options(db: Database) -> list[tuple[str, str]]:
    """(spec, label) of the fields the digits pick: the keys first, then places and dates."""
    keys = list_keys(db)
    options = [(k.norm_name, k.display_name) for k in keys[:6]]
    options += [("dept", _("Département")), ("region", _("Région")), ("city", _("Ville")),
                (DEAL_FIELDS[0][0], _(DEAL_FIELDS[0][1])), ("created:year", _("Créé (année)"))]
    return options[:len(DIGITS)]


def default_grouping(options: list[tuple[str, str]]) -> str:
    for spec, _label in options:
        if spec == "source":
            return spec
    return options[0][0] if options else "dept"


@dataclass
class Computed:
    choice: Choice
    tables: list[svc.Table]
    result: Any
    population: int | None
    allowed: tuple[str, ...] = tuple(svc.MEASURES)  # the measures that make sense here


class ReportsScreen(WorkerReports, Screen[str | None]):
    """Dismissed with the query of the cell the user opened (None: closed)."""

    CSS_PATH = "reports.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [*bindings(REPORT_KEYS)]
    PALETTE_KEYS = REPORT_KEYS
    AUTO_FOCUS = "#report-table"

    def __init__(self, db: Database, query: CompiledQuery, label: str = "", *,
                 kind: str = "breakdown", by: str | None = None,
                 measure: str = "contacts") -> None:
        super().__init__(id="reports")
        self.db = db
        self.query_ = query
        self.label = label
        self.options = grouping_options(db)
        if by not in {spec for spec, _label in self.options}:
            by = default_grouping(self.options)
        self.choice = Choice(kind, by, "", measure,
                             _default_view(kind))
        self.computed: Computed | None = None
        self.shown: svc.Table | None = None  # the table on screen (a crosstab: matrix or list)
        self.crossing = False

    def compose(self) -> ComposeResult:
        yield Static("", id="report-head")
        yield Static("", id="report-choices")
        yield DataTable(id="report-table", cursor_type="cell", zebra_stripes=True)
        yield Static("", id="report-notes")
        yield KeyFooter()

    def on_mount(self) -> None:
        self._show_choices()
        self.compute()

    @property
    def table(self) -> DataTable[Any]:
        return self.query_one("#report-table", DataTable)

    # -- choosing -------------------------------------------------------------------------
    def _choose(self, **changes: Any) -> None:
        values = {**self.choice.__dict__, **changes}
        self.choice = Choice(**values)
        self._show_choices()
        self.compute()

    def action_show(self, kind: str) -> None:
        self.crossing = False
        if kind != self.choice.kind:
            self._choose(kind=kind, view=_default_view(kind))

    def action_group_by(self, index: int) -> None:
        if index >= len(self.options):
            self.app.bell()
            return
        spec = self.options[index][0]
        deal_specs = [d[0] for d in DEAL_FIELDS]
        current = self.choice.second if self.crossing else self.choice.by
        if spec in deal_specs and spec == current and self.choice.kind == "breakdown":
            # the deals' digit again: the next field of the deals, in the same place
            spec_next, label = DEAL_FIELDS[(deal_specs.index(spec) + 1) % len(DEAL_FIELDS)]
            field = (spec_next, _(label))
            self.options[index] = field
            spec = field[0]
        if self.crossing:
            self.crossing = False
            if spec == self.choice.by:
                self.app.bell()
                self._show_choices()
                return
            self._choose(kind="breakdown", second=spec)
        else:
            self._choose(kind="breakdown", by=spec, second="" if spec == self.choice.second
                         else self.choice.second)

    def action_cross(self) -> None:
        if self.choice.second:
            self.crossing = False
            self._choose(second="")
            return
        self.crossing = not self.crossing
        self._show_choices()

    def action_cycle_measure(self) -> None:
        kind = self.choice.kind
        if kind == "breakdown":
            allowed = self.computed.allowed if self.computed is not None else CHART_MEASURES
            order: tuple[str, ...] = tuple(m for m in CHART_MEASURES if m in allowed)
            measure = order[(order.index(self.choice.measure) + 1) % len(order)] \
                if self.choice.measure in order else order[0]
            self._choose(measure=measure)
            return
        order = {"trend": TREND_ORDER, "completeness": COMPLETENESS_VIEWS,
                 "inactive": svc.WITHOUT}.get(kind, ())
        if not order:
            self.app.bell()
            return
        view = order[(order.index(self.choice.view) + 1) % len(order)] \
            if self.choice.view in order else order[0]
        self._choose(view=view)

    def action_cycle_period(self) -> None:
        if self.choice.kind not in ("breakdown", "funnel"):
            self.app.bell()
            return
        order = periods()
        at = [p for p, _label in order].index(self.choice.period) \
            if self.choice.period in [p for p, _label in order] and not self.choice.start \
            and not self.choice.end else -1
        self._choose(period=order[(at + 1) % len(order)][0], start="", end="")

    def action_choose_dates(self) -> None:
        if self.choice.kind not in ("breakdown", "funnel"):
            self.app.bell()
            return

        def chosen(dates: tuple[str, str] | None) -> None:
            if dates is not None:
                self._choose(period="", start=dates[0], end=dates[1])

        self.app.push_screen(ReportDatesScreen(self.choice.start, self.choice.end), chosen)

    def action_refresh(self) -> None:
        self.compute()

    def action_close(self) -> None:
        self.dismiss(None)

    # -- computing -------------------------------------------------------------------------
    def compute(self) -> None:
        self.query_one("#report-notes", Static).update(Text(_("calcul…"), "dim italic"))
        self._compute(self.choice)

    @work(thread=True, exclusive=True, group="report", exit_on_error=False,
          description="rapport")
    def _compute(self, choice: Choice) -> None:
        try:
            computed = compute_report(self.db, self.query_, choice)
        except svc.ReportError as error:
            deliver(self, self._failed, str(error))
            return
        deliver(self, self._show, computed)

    def _failed(self, message: str) -> None:
        self.query_one("#report-notes", Static).update(Text(message, "bold red"))

    def _show(self, computed: Computed) -> None:
        if computed.choice != self.choice:
            return  # a newer choice is being computed
        self.computed = computed
        self._show_head(computed)
        self._fill()

    def on_resize(self) -> None:
        self._show_choices()
        if self.computed is not None:
            self._fill()

    # -- showing ---------------------------------------------------------------------------
    def _show_head(self, computed: Computed) -> None:
        about = self.label or _("tous les contacts")
        head = Text()
        head.append(computed.tables[0].title, "bold")
        head.append("  ·  " + _("sur : ") + about, "dim")
        if computed.population is not None:
            head.append("  ·  " + svc.format_number(computed.population, "count") + " "
                        + _("contacts"), "dim")
        if computed.choice.kind in ("breakdown", "funnel"):
            label = computed.result.period.text if computed.choice.start or \
                computed.choice.end else dict(periods()).get(computed.choice.period, "")
            head.append("  ·  " + _("affaires : ") + label, "dim")
        self.query_one("#report-head", Static).update(head)

    def _show_choices(self) -> None:
        line = Text()
        for key, kind in zip("vfict", KINDS, strict=True):
            style = "bold reverse" if kind == self.choice.kind else ""
            line.append(f" {key} ", "bold")
            line.append(_(KINDS[kind]), style)
        if self.choice.kind == "breakdown":
            line.append("\n")
            if self.crossing:
                line.append(_(" croiser avec : "), "bold yellow")
            width = max(20, self.size.width - 1)
            used = len(line.plain.split("\n")[-1])
            options = [(f" {d} ", label, spec in (self.choice.by, self.choice.second))
                       for d, (spec, label) in zip(DIGITS, self.options, strict=False)]
            if not self.crossing:
                options.append(("  x ", _("croiser"), False))
            for digit, label, chosen in options:
                if used + len(digit) + len(label) > width:  # wrap between options only
                    line.append("\n")
                    used = 0
                line.append(digit, "bold")
                line.append(label, "bold reverse" if chosen else "")
                used += len(digit) + len(label)
        self.query_one("#report-choices", Static).update(line)

    def _fill(self) -> None:
        computed = self.computed
        if computed is None:
            return
        table = computed.tables[0]
        squeezed = False
        if computed.choice.second and len(computed.tables) > 1 and not self._fits(table):
            table, squeezed = computed.tables[1], True  # one line per pair, with bars
        same_columns = self.shown is not None and \
            [c.name for c in self.shown.columns] == [c.name for c in table.columns]
        self.shown = table
        grid = self.table
        previous = grid.cursor_coordinate if same_columns else Coordinate(0, 0)
        grid.clear(columns=True)
        columns = self._visible_columns(table)
        chart = table.chart if table.chart in {c.name for c in table.columns} else None
        widths = [_column_width(table, c, i < table.label_columns)
                  for i, c in enumerate(columns)]
        room = max(8, self.size.width - sum(widths) - 2 * (len(columns) + 1) - 4)
        bar_width = min(room, 40)
        grid.header_height = 2 if any(len(c.label) > w for c, w in zip(columns, widths,
                                                                       strict=True)) else 1
        for column, width in zip(columns, widths, strict=True):
            title = column.label if table.chart is not None else _fold_words(column.label, width)
            label = Text(title, justify="left" if column.unit == "text" else "right")
            grid.add_column(label, width=width, key=column.name)
        if chart is not None:
            chart_label = next(c.label for c in table.columns if c.name == chart)
            grid.add_column(Text(chart_label, style="dim"), width=bar_width, key="\x00bar")
        body = [*table.rows, *([table.total] if table.total else [])]
        values = [_number(r.cells.get(chart)) if chart else 0.0 for r in table.rows]
        biggest = max(values, default=0.0)
        for index, row in enumerate(body):
            style = {"null": "dim", "other": "dim", "total": "bold"}.get(row.kind, "")
            cells: list[Any] = []
            for column in columns:
                text = table.formatted(row, column)
                cells.append(Text(text, style=style,
                                  justify="left" if column.unit == "text" else "right"))
            if chart is not None:
                drawn = "" if row.kind == "total" else bar(values[index], biggest, bar_width)
                cells.append(Text(drawn, style="dim cyan" if style == "dim" else "cyan"))
            grid.add_row(*cells, key=str(index))
        notes = list(table.notes)
        if squeezed:
            notes.insert(0, _("croisement trop large pour une matrice ici : une ligne par paire"
                              " (élargir la fenêtre, ou ctrl+e)"))
        if computed.choice.kind == "breakdown" and any(not r.exact for r in table.rows):
            notes.append(_("↵ ouvre les contacts de la case (approximation quand la recherche ne"
                           " sait pas l'exprimer)"))
        elif body:
            notes.append(_("↵ ouvre les contacts de la case dans la liste"))
        self.query_one("#report-notes", Static).update(Text("\n".join(notes), "dim italic"))
        if body:
            start_column = next((i for i, c in enumerate(columns) if c.name == table.cursor),
                                next((i for i, c in enumerate(columns) if c.unit != "text"), 0))
            at_row = min(previous.row, len(body) - 1) if previous.row >= 0 else 0
            at_column = previous.column if 0 < previous.column < len(columns) else start_column
            grid.move_cursor(row=at_row, column=at_column)

    def _fits(self, matrix: svc.Table) -> bool:
        """Does a crosstab's matrix fit the screen's width?"""
        widths = [_column_width(matrix, c, i < matrix.label_columns)
                  for i, c in enumerate(matrix.columns)]
        return sum(widths) + 2 * len(widths) + 2 <= self.size.width

    def _visible_columns(self, table: svc.Table) -> list[svc.Column]:
        if self.choice.kind != "breakdown" or table.chart is None:  # a matrix: all of it
            return list(table.columns)
        wanted: tuple[str, ...] = NARROW_MEASURES if self.size.width < 120 else WIDE_MEASURES
        if table.label_columns > 1 and self.size.width < 120:
            wanted = ("contacts",)  # two label columns: room for the measure and its bars
        shown = [c for c in table.columns[:table.label_columns]]
        shown += [c for c in table.columns[table.label_columns:]
                  if c.name in wanted or c.name == self.choice.measure]
        return shown

    # -- Enter: the people behind a cell ----------------------------------------------------
    @on(DataTable.CellSelected, "#report-table")
    def _opened(self, event: DataTable.CellSelected) -> None:
        table = self.shown
        if self.computed is None or table is None:
            return
        body = [*table.rows, *([table.total] if table.total else [])]
        index = int(str(event.cell_key.row_key.value))
        row = body[index]
        column = str(event.cell_key.column_key.value)
        query, exact = row.cell_queries.get(column, (row.query, row.exact))
        if not exact:
            self.notify(_("La recherche ne sait pas encore exprimer cette case exactement :"
                          " liste approchée."), severity="warning", timeout=6)
        self.dismiss(query)

    # -- ctrl+e ----------------------------------------------------------------------------
    def action_export(self) -> None:
        computed = self.computed
        if computed is None:
            self.app.bell()
            return
        slug = "-".join(fold(computed.tables[0].title).replace("'", " ").split())[:48]
        default = Path.cwd() / f"rapport-{slug}-{clock.today().isoformat()}.xlsx"

        def done(message: str | None) -> None:
            if message:
                self.notify(message, title=_("Export"), timeout=8, markup=False)

        self.app.push_screen(ReportExportScreen(computed.tables, default), done)


def _period(choice: Choice) -> svc.Period:
    return svc.parse_period(choice.period or None, choice.start or None, choice.end or None)


def periods() -> list[tuple[str, str]]:
    """The periods ``p`` cycles through: (``--period`` text, label)."""
    year = clock.today().year
    return [("", _("toutes")), ("12m", _("12 derniers mois")), (str(year), str(year)),
            (str(year - 1), str(year - 1))]


def _number(value: object) -> float:
    return float(value) if isinstance(value, int | float) else 0.0


def _default_view(kind: str) -> str:
    return {"trend": "revenue", "completeness": "keys", "inactive": "both"}.get(kind, "")


def _fold_words(label: str, width: int) -> str:
    """A matrix's column title on two lines of ``width``: longer words end in "…"."""
    return " ".join(w if len(w) <= width else w[:width - 1] + "…" for w in label.split())


def _column_width(table: svc.Table, column: svc.Column, label: bool) -> int:
    body = [*table.rows, *([table.total] if table.total else [])]
    widest = max([len(table.formatted(r, column)) for r in body] + [1])
    if column.unit == "text":
        return max(6, min(widest, 22 if label else 14))
    if table.chart is None:  # a matrix: titles wrap on two lines, columns stay narrow
        word = max((len(w) for w in column.label.split()), default=1)
        return max(widest, min(word, 8), 4)
    return max(widest, min(len(column.label), 10), 4)


def compute_report(db: Database, query: CompiledQuery, choice: Choice) -> Computed:
    """The report of a choice, laid out (runs in a worker thread)."""
    kind = choice.kind
    if kind == "breakdown":
        by = [choice.by] + ([choice.second] if choice.second else [])
        allowed = svc.measures_for(db, by)
        if "revenue" in allowed:
            measures = [m for m in WIDE_MEASURES if m in allowed]
            if choice.measure in allowed and choice.measure not in measures:
                measures.append(choice.measure)  # a lost measure, when chosen
        else:  # lost reasons: the lost deals
            measures = list(allowed)
        result: Any = svc.breakdown(db, query, by, measures, _period(choice))
        table = result.table()
        table.chart = choice.measure if choice.measure in measures else "contacts"
        table.title = _("{measure} par {by}").format(
            measure=svc.MEASURES[table.chart].label,
            by=" × ".join(g.label for g in result.by))
        if choice.second:  # the matrix of the measure first, the list as room allows
            return Computed(choice, [result.pivot(table.chart), table], result,
                            result.population, allowed)
        return Computed(choice, [table], result, result.population, allowed)
    if kind == "funnel":
        result = svc.funnel(db, query, _period(choice))
        return Computed(choice, [result.table()], result, None)
    if kind == "inactive":
        result = svc.inactive_clients(db, query, without=choice.view or "both", limit=200)
        return Computed(choice, [result.table()], result, result.total)
    if kind == "completeness":
        result = svc.completeness(db, query, contacts=100)
        tables = {"keys": result.table(), "months": result.months_table(),
                  "contacts": result.contacts_table()}
        view = choice.view or "keys"
        ordered = [tables[view]] + [t for name, t in tables.items() if name != view]
        return Computed(choice, ordered, result, result.population)
    result = svc.trend(db, query, choice.view or "revenue", 12)
    return Computed(choice, [result.table()], result, None)


class ReportExportScreen(ModalScreen[str | None]):
    """Asks where to write the report; ``.xlsx`` (with its chart) or ``.csv``."""

    BINDINGS: ClassVar[list[BindingType]] = [
        *bindings((Key("report_export.cancel", "escape", "cancel", "Annuler"),))]

    def __init__(self, tables: list[svc.Table], default: Path) -> None:
        super().__init__(classes="dialog-screen")
        self.tables = tables
        self.default = default

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(_("Exporter le rapport"), classes="dialog-title")
            yield Static(Text(_("Fichier .xlsx (tableau et graphique) ou .csv (Excel"
                                " français)"), "dim"), classes="dialog-detail")
            yield Input(str(self.default), id="report-path")
            yield Static("", id="report-export-error", classes="field-error")
            yield Static(Text(_("↵ exporter   échap annuler"), "dim"), classes="dialog-keys")

    @on(Input.Submitted, "#report-path")
    def _submit(self, event: Input.Submitted) -> None:
        path = Path(event.value.strip().strip("'\"")).expanduser()
        error = self.query_one("#report-export-error", Static)
        if path.suffix.lower() not in (".xlsx", ".csv"):
            error.update(_("Le fichier doit finir par .xlsx ou .csv"))
            return
        if not path.parent.is_dir():
            error.update(_("Dossier introuvable : {path}").format(path=path.parent))
            return
        error.update("")
        self._write(path)

    @work(thread=True, exclusive=True, group="report-export", exit_on_error=False,
          description="export du rapport")
    def _write(self, path: Path) -> None:
        try:
            if path.suffix.lower() == ".xlsx":
                write_xlsx(self.tables, path)
            else:
                with path.open("w", encoding="utf-8-sig", newline="") as stream:
                    for index, table in enumerate(self.tables):
                        if index:
                            stream.write("\n")
                        write_csv(table, stream, excel_fr=True)
        except OSError as error:
            deliver(self, self._failed, str(error))
            return
        deliver(self, self.dismiss, _("Rapport exporté : {path}").format(path=path))

    def _failed(self, message: str) -> None:
        self.query_one("#report-export-error", Static).update(message)

    def action_cancel(self) -> None:
        self.dismiss(None)


class ReportDatesScreen(ModalScreen[tuple[str, str] | None]):
    """The deals' period typed freely: from, to (either may stay empty), read like
    ``--from``/``--to`` (2026, 2026-06, 2026-T2, 15/06/2026, 12m)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        *bindings((Key("report_dates.cancel", "escape", "cancel", "Annuler"),))]

    def __init__(self, start: str = "", end: str = "") -> None:
        super().__init__(classes="dialog-screen")
        self.start = start
        self.end = end

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="report-dates"):
            yield Label(_("Période des affaires"), classes="dialog-title")
            yield Static(Text(_("Du, au : 2026, 2026-06, 2026-T2, 15/06/2026, 12m ; vide :"
                                " sans limite"), "dim"), classes="dialog-detail")
            with Horizontal(classes="dates-row"):
                yield Label(_("Du"), classes="dates-label")
                yield Input(self.start, id="report-from")
            with Horizontal(classes="dates-row"):
                yield Label(_("Au"), classes="dates-label")
                yield Input(self.end, id="report-to")
            yield Static("", id="report-dates-error", classes="field-error")
            yield Static(Text(_("↵ appliquer   tab champ suivant   échap annuler"), "dim"),
                         classes="dialog-keys")

    @on(Input.Submitted)
    def _submit(self) -> None:
        start = self.query_one("#report-from", Input).value.strip()
        end = self.query_one("#report-to", Input).value.strip()
        try:
            svc.parse_period(None, start or None, end or None)
        except svc.ReportError as error:
            self.query_one("#report-dates-error", Static).update(str(error))
            return
        self.dismiss((start, end))

    def action_cancel(self) -> None:
        self.dismiss(None)


def palette_entries() -> list[tuple[str, dict[str, str]]]:
    """The reports the command palette opens directly (label, options)."""
    return [
        (_("Chiffre d'affaires par source"), {"kind": "breakdown", "by": "source",
                                               "measure": "revenue"}),
        (_("Entonnoir"), {"kind": "funnel"}),
        (_("Clients inactifs"), {"kind": "inactive"}),
        (_("Complétude"), {"kind": "completeness"}),
        (_("Tendance du chiffre d'affaires"), {"kind": "trend"}),
        (_("Rapports"), {"kind": "breakdown"}),
    ]



class ReportsProvider(Provider):
    """The command palette's entries for the reports ("chiffre", "rapport", "entonnoir"…)."""

    def _entries(self) -> list[tuple[str, Any]]:
        opener = getattr(self.screen, "open_report", None)
        if opener is None:
            return []
        return [(label, partial(opener, **options)) for label, options in palette_entries()]

    async def discover(self) -> Hits:
        for label, command in self._entries():
            yield DiscoveryHit(label, command, help=_("rapport"))

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for label, command in self._entries():
            words = f"{label} rapport revenu ca"
            score = max(matcher.match(label), matcher.match(fold(label)) * 0.9,
                        matcher.match(fold(words)) * 0.6)
            if score > 0:
                yield Hit(score, matcher.highlight(label), command, text=label,
                          help=_("rapport"))
