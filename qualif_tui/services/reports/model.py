"""What every report shares: the measures, the deal stages, the period, the errors.

A report is computed from a few *additive* figures per group — contacts,
buyers (contacts with a won deal), won revenue, won deals, open pipeline,
weighted pipeline — so that rows can be merged ("autres", a région made of
its départements) by adding them up; the measures users ask for (average
deal, conversion rate, share of the query) are ratios of those, computed last.

Deals: a deal is *won* when its stage is a won stage, and its won date is
``closed_at``. The stages — their order, names, and which are open, won or
lost — are the user's table (``deal_stages``), read through
:func:`pipeline_stages` alone.

Every figure a report shows carries the query of the people behind it, written
with the query language's own fields (``won:2026``, a quarter as
``expected_close:2026-01..2026-03``, ``deal_stage:proposal``…) so that counting it gives
the figure's contacts; :func:`period_query` writes a period that way.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, timedelta

from dateutil.relativedelta import relativedelta

from qualif_tui.base.i18n import _
from qualif_tui.domain import clock
from qualif_tui.domain.errors import QualifError
from qualif_tui.domain.stages import Stage, list_stages
from qualif_tui.storage import Database


class ReportError(QualifError):
    """A report asked in a way that cannot be answered: bad usage (exit 2)."""

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message + (f" — {hint}" if hint else ""))
        self.message = message
        self.hint = hint


# -- stages ---------------------------------------------------------------------------


def pipeline_stages(db: Database) -> list[Stage]:
    """The user's deal stages in their order (``kind``: open, won or lost): every
    report reads them here, so renaming, reordering or re-kinding a stage changes
    the funnel, the revenue and the pipeline at once."""
    return list_stages(db)


def stage_ids(stages: list[Stage], kind: str) -> tuple[str, ...]:
    return tuple(s.id for s in stages if s.kind == kind)


# -- measures ---------------------------------------------------------------------------

# additive figures per group, in this order
FIGURES = ("contacts", "buyers", "revenue", "won", "pipeline", "weighted", "lost",
           "lost_amount")


def zeros(contacts: float = 0.0) -> list[float]:
    """A group's figures with nothing but its contacts."""
    return [contacts] + [0.0] * (len(FIGURES) - 1)


@dataclass(frozen=True)
class Measure:
    name: str
    label: str
    unit: str  # "count", "euro", "percent"
    deals: bool  # needs deal figures
    drill: str  # the people behind a cell: "" (the group), "won", "open", "lost" deals
    short: str = ""  # a column title for narrow tables

    @property
    def title(self) -> str:
        return self.short or self.label


MEASURES: dict[str, Measure] = {m.name: m for m in (
    Measure("contacts", _("Contacts"), "count", False, ""),
    Measure("share", _("% de la sélection"), "percent", False, "", _("% sélection")),
    Measure("revenue", _("CA gagné"), "euro", True, "won"),
    Measure("deals", _("Affaires gagnées"), "count", True, "won", _("Affaires")),
    Measure("average", _("Panier moyen"), "euro", True, "won", _("Panier")),
    Measure("pipeline", _("Pipeline ouvert"), "euro", True, "open", _("Pipeline")),
    Measure("weighted", _("Pipeline pondéré"), "euro", True, "open", _("Pondéré")),
    Measure("conversion", _("Conversion"), "percent", True, "won"),
    Measure("lost", _("Affaires perdues"), "count", True, "lost", _("Perdues")),
    Measure("lost_amount", _("Montant perdu"), "euro", True, "lost", _("Perdu")),
)}
DEFAULT_MEASURES = ("contacts",)


def measure_value(name: str, figures: list[float], population: int) -> float:
    """A measure from a group's additive figures (see :data:`FIGURES`)."""
    contacts, buyers, revenue, won, pipeline, weighted, lost, lost_amount = figures
    if name == "contacts":
        return contacts
    if name == "share":
        return 100.0 * contacts / population if population else 0.0
    if name == "revenue":
        return round(revenue, 2)
    if name == "deals":
        return won
    if name == "average":
        return round(revenue / won, 2) if won else 0.0
    if name == "pipeline":
        return round(pipeline, 2)
    if name == "weighted":
        return round(weighted, 2)
    if name == "conversion":
        return 100.0 * buyers / contacts if contacts else 0.0
    if name == "lost":
        return lost
    if name == "lost_amount":
        return round(lost_amount, 2)
    raise KeyError(name)


def check_measures(names: list[str] | tuple[str, ...]) -> tuple[str, ...]:
    from qualif_tui.domain.keys import closest

    chosen: list[str] = []
    for name in names:
        wanted = name.strip().lower()
        aliases = {"ca": "revenue", "chiffre": "revenue", "affaires": "deals", "part": "share",
                   "panier": "average", "pondere": "weighted", "taux": "conversion",
                   "perdues": "lost", "perdu": "lost_amount", "montant_perdu": "lost_amount"}
        wanted = aliases.get(wanted, wanted)
        if wanted not in MEASURES:
            best = closest(wanted, list(MEASURES))
            raise ReportError(_("mesure inconnue « {name} »").format(name=name),
                              _("vouliez-vous dire « {best} » ?").format(best=best) if best
                              else _("mesures : {names}").format(names=", ".join(MEASURES)))
        if wanted not in chosen:
            chosen.append(wanted)
    return tuple(chosen) or DEFAULT_MEASURES


def format_number(value: float, unit: str) -> str:
    """French form: ``12 500 €``, ``42,5 %``, ``1 234`` (narrow no-break spaces)."""
    if unit == "percent":
        return f"{value:.1f}".replace(".", ",") + "\u202f%"
    if unit == "euro":
        text = f"{round(value):,}".replace(",", "\u202f")
        return f"{text}\u202f€"
    if float(value).is_integer():
        return f"{int(value):,}".replace(",", "\u202f")
    return f"{value:,.1f}".replace(",", "\u202f").replace(".", ",")


# -- periods -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    """Inclusive days; ``None`` on a side is open. ``text`` says it for titles."""

    start: str | None = None
    end: str | None = None
    text: str = ""

    @property
    def everything(self) -> bool:
        return self.start is None and self.end is None

    def contains(self, day: str | None) -> bool:
        if day is None:
            return False
        day = day[:10]
        return (self.start is None or day >= self.start) and (self.end is None or day <= self.end)

    def sql(self, column: str) -> tuple[str, list[str]]:
        """A SQL condition on a ``YYYY-MM-DD…`` text column (true when unbounded)."""
        parts, params = [], []
        if self.start is not None:
            parts.append(f"substr({column}, 1, 10) >= ?")
            params.append(self.start)
        if self.end is not None:
            parts.append(f"substr({column}, 1, 10) <= ?")
            params.append(self.end)
        return (" AND ".join(parts) or "1"), params


_QUARTER = re.compile(r"(\d{4})-?[QqTt]([1-4])")


def _bounds(text: str) -> tuple[date, date]:
    """First and last day a period literal covers: 2026, 2026-06, 2026-Q2, 2026-06-15,
    15/06/2026, or a duration back from today (30d, 8w, 12m, 2y)."""
    from qualif_tui.domain.keys import parse_date

    text = text.strip()
    today = clock.today()
    m = re.fullmatch(r"(\d+)\s*([dwmyjsa])", text.lower())
    if m:
        n, unit = int(m[1]), m[2]
        delta = {"d": relativedelta(days=n), "j": relativedelta(days=n),
                 "w": relativedelta(weeks=n), "s": relativedelta(weeks=n),
                 "m": relativedelta(months=n), "y": relativedelta(years=n),
                 "a": relativedelta(years=n)}[unit]
        return today - delta + timedelta(days=1), today
    if re.fullmatch(r"\d{4}", text):
        return date(int(text), 1, 1), date(int(text), 12, 31)
    q = _QUARTER.fullmatch(text)
    if q:
        first = date(int(q[1]), 3 * int(q[2]) - 2, 1)
        return first, first + relativedelta(months=3) - timedelta(days=1)
    m = re.fullmatch(r"(\d{4})-(\d{1,2})", text)
    if m and 1 <= int(m[2]) <= 12:
        first = date(int(m[1]), int(m[2]), 1)
        return first, first + relativedelta(months=1) - timedelta(days=1)
    try:
        day = date.fromisoformat(parse_date(text))
    except QualifError:
        raise ReportError(_("période illisible « {text} »").format(text=text),
                          _("écrire 2026, 2026-06, 2026-T2, 2026-06-15 ou 12m")) from None
    return day, day


def parse_period(period: str | None = None, start: str | None = None,
                 end: str | None = None) -> Period:
    """``--period P`` or ``--from D --to D`` (either side may be left open)."""
    if period and (start or end):
        raise ReportError(_("--period ne va pas avec --from/--to"), _("choisir l'un ou l'autre"))
    if period:
        first, last = _bounds(period)
        return Period(first.isoformat(), last.isoformat(), period.strip())
    low = _bounds(start)[0].isoformat() if start else None
    high = _bounds(end)[1].isoformat() if end else None
    if low and high and low > high:
        raise ReportError(_("période vide : {start} est après {end}").format(start=low, end=high))
    text = ""
    if low or high:
        text = f"{low or '…'} → {high or '…'}"
    return Period(low, high, text)


def period_query(field: str, period: Period, within: tuple[str, str] | None = None) -> str:
    """``field:…`` selecting the days of ``period`` (intersected with ``within``, inclusive
    days), in the shortest form the query language reads back exactly: ``won:2026``,
    ``won:2026-03``, ``won:2026-01..2026-03``, ``won:2026-03-15..2026-04-02``,
    ``won>=2026-01-01``. An empty intersection gives a query that matches nobody."""
    start, end = period.start, period.end
    if within is not None:
        start = max(start, within[0]) if start else within[0]
        end = min(end, within[1]) if end else within[1]
    if start is None and end is None:
        return f"has:{field}"
    if start is None:
        return f"{field}<={end}"
    if end is None:
        return f"{field}>={start}"
    if start > end:
        return f"{field}:{start}..{start} -{field}:{start}"  # nothing: the period is empty
    first, last = date.fromisoformat(start), date.fromisoformat(end)
    whole_months = first.day == 1 and (last + timedelta(days=1)).day == 1
    if whole_months and first.month == 1 and last.month == 12:
        return f"{field}:{first.year}" if first.year == last.year else \
            f"{field}:{first.year}..{last.year}"
    if whole_months:
        a, b = start[:7], end[:7]
        return f"{field}:{a}" if a == b else f"{field}:{a}..{b}"
    return f"{field}:{start}" if start == end else f"{field}:{start}..{end}"


# -- results every report shares ----------------------------------------------------------


@dataclass
class Column:
    name: str
    label: str
    unit: str = "text"  # "text", "count", "euro", "percent"
    spare: int = 0  # a narrow terminal leaves out the highest first (0: from the right)


@dataclass
class Row:
    """One line of a report as faces show it: ``cells`` by column name (raw values),
    ``query`` the query text of the people behind it (``exact``: counting it gives
    the row's contacts)."""

    cells: dict[str, object]
    query: str = ""
    exact: bool = True
    kind: str = "value"  # "value", "null" (non renseigné), "other" (autres), "total"
    cell_queries: dict[str, tuple[str, bool]] = field(default_factory=dict)


@dataclass
class Table:
    """A report laid out for showing and exporting: what the faces draw."""

    title: str
    columns: list[Column]
    rows: list[Row]
    total: Row | None = None
    notes: list[str] = field(default_factory=list)
    chart: str | None = None  # the column the bars show
    label_columns: int = 1  # how many leading columns name the row
    cursor: str | None = None  # the column the app's cursor starts on (default: the first figure)

    def formatted(self, row: Row, column: Column) -> str:
        value = row.cells.get(column.name)
        if value is None:
            return ""
        if column.unit == "text" or not isinstance(value, int | float):
            return str(value)
        return format_number(float(value), column.unit)
