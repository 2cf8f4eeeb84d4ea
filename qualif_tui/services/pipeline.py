"""The pipeline of the contacts of a query: stage totals, deal cards, forecast, funnel.

* :func:`pipeline` — per open stage: how many deals, their amount and their
  amount weighted by probability, and the first deals of each stage by
  expected close (the kanban's columns), or the open deals in one list by
  expected close; plus what was won and lost lately.
* :func:`forecast` — month by month for the next N months, the open deals
  expected to close then, weighted by probability (late ones and undated
  ones apart), and what is already won this month.
* :func:`funnel` — of the deals created in a period, how many reached each
  stage (a deal that went further, or was won, passed the stages before),
  and the conversion from each stage to the next.

All of them take a compiled query (None: every contact) and read the deals
with aggregate statements over the deals indexes; only the cards shown are
fetched row by row.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from dateutil.relativedelta import relativedelta

from qualif_tui.base.text import display_name
from qualif_tui.domain import clock
from qualif_tui.domain.errors import ValidationError
from qualif_tui.domain.stages import Stage, list_stages
from qualif_tui.query import CompiledQuery
from qualif_tui.query.members import members_of
from qualif_tui.storage import Database

CARDS_PER_STAGE = 50
LIST_LIMIT = 500
RECENT_DAYS = 90


@dataclass(frozen=True)
class DealCard:
    """One open deal as the pipeline shows it."""

    id: int
    contact_id: int
    contact: str
    title: str
    stage: str
    amount: float
    probability: int
    expected_close: str | None

    @property
    def weighted(self) -> float:
        return self.amount * self.probability / 100

    def late(self, today: date) -> bool:
        return self.expected_close is not None and self.expected_close < today.isoformat()


@dataclass(frozen=True)
class StageTotal:
    stage: Stage
    count: int
    amount: float
    weighted: float
    dated: int = 0  # of ``count``, the deals with an expected close (they come first)


@dataclass
class Pipeline:
    stages: list[StageTotal]  # the open stages, in order
    cards: dict[str, list[DealCard]] = field(default_factory=dict)  # per stage, or "all"
    won: StageTotal | None = None  # closed in the last RECENT_DAYS days
    lost: StageTotal | None = None

    @property
    def count(self) -> int:
        return sum(s.count for s in self.stages)

    @property
    def amount(self) -> float:
        return sum(s.amount for s in self.stages)

    @property
    def weighted(self) -> float:
        return sum(s.weighted for s in self.stages)


_CARD_COLUMNS = ("d.id, d.contact_id, c.first_name, c.last_name, c.company, d.title, d.stage,"
                 " d.amount, d.probability, d.expected_close")


def _card(row: Any) -> DealCard:
    return DealCard(row[0], row[1], display_name(row[2], row[3], row[4]), row[5], row[6],
                    float(row[7]), int(row[8]), row[9])


def pipeline(db: Database, query: CompiledQuery | None = None, *, layout: str = "kanban",
             cards: int = CARDS_PER_STAGE, today: date | None = None,
             recent: bool = True) -> Pipeline:
    """Totals per open stage and the deals to show: ``kanban`` (the first ``cards``
    of each stage by expected close) or ``list`` (the first ``cards`` open deals
    by expected close, at most :data:`LIST_LIMIT`); ``recent``: also what was won
    and lost in the last :data:`RECENT_DAYS` days (:func:`recent_results`)."""
    today = today or clock.today()
    stages = list_stages(db)
    opened = [s for s in stages if s.is_open]
    with members_of(db, query, "d.contact_id") as (test, params):
        rows = db.query(
            "SELECT d.stage, count(*), total(d.amount), total(d.amount * d.probability) / 100,"
            f" count(d.expected_close) FROM deals d"
            f" WHERE d.stage IN ({', '.join('?' * len(opened))}) AND {test}"
            " GROUP BY d.stage", (*(s.id for s in opened), *params))
        found = {r[0]: (int(r[1]), float(r[2]), float(r[3]), int(r[4])) for r in rows}
        result = Pipeline([StageTotal(s, *found.get(s.id, (0, 0.0, 0.0, 0))) for s in opened])
        if recent:
            result.won, result.lost = _recent(db, stages, today, test, params)
        if layout == "list":
            result.cards["all"] = _page(db, [s.id for s in opened], 0, min(cards, LIST_LIMIT),
                                        sum(t.dated for t in result.stages), test, params)
        else:
            for total in result.stages:
                result.cards[total.stage.id] = _page(db, [total.stage.id], 0, cards,
                                                     total.dated, test, params)
    return result


def recent_results(db: Database, query: CompiledQuery | None = None, *,
                   today: date | None = None) -> tuple[StageTotal, StageTotal]:
    """What was won and what was lost in the last :data:`RECENT_DAYS` days."""
    today = today or clock.today()
    with members_of(db, query, "d.contact_id") as (test, params):
        return _recent(db, list_stages(db), today, test, params)


def _recent(db: Database, stages: list[Stage], today: date, test: str,
            params: tuple[Any, ...]) -> tuple[StageTotal, StageTotal]:
    since = (today - relativedelta(days=RECENT_DAYS)).isoformat()
    found: list[StageTotal] = []
    for kind in ("won", "lost"):
        ids = [s.id for s in stages if s.kind == kind]
        row = db.query(
            "SELECT count(*), total(d.amount), total(d.amount * d.probability) / 100"
            f" FROM deals d WHERE d.stage IN ({', '.join('?' * len(ids))})"
            f" AND d.closed_at >= ? AND {test}", (*ids, since, *params))[0]
        found.append(StageTotal(next(s for s in stages if s.kind == kind), int(row[0]),
                                float(row[1]), float(row[2])))
    return found[0], found[1]


def deal_page(db: Database, query: CompiledQuery | None, stages: list[str], offset: int,
              limit: int, dated: int) -> list[DealCard]:
    """Open deals ``offset`` … ``offset + limit − 1`` of ``stages`` in the pipeline's
    order: by expected close, then the undated ones (``dated``: how many have a
    date, from the stage totals), ties by id. One index range per page: the
    pipeline draws the pages it shows."""
    with members_of(db, query, "d.contact_id") as (test, params):
        return _page(db, stages, offset, limit, dated, test, params)


def _page(db: Database, stages: list[str], offset: int, limit: int, dated: int, test: str,
          params: tuple[Any, ...]) -> list[DealCard]:
    if not stages or limit <= 0:
        return []
    marks = ", ".join("?" * len(stages))

    def rows(where: str, order: str, count: int, skip: int) -> list[DealCard]:
        # the page's ids first, from an index alone (the rows skipped are not
        # joined to their contacts), then their cards
        return [_card(r) for r in db.query(
            f"SELECT {_CARD_COLUMNS} FROM (SELECT d.id FROM deals d WHERE {where}"
            f" AND d.stage IN ({marks}) AND {test} ORDER BY {order} LIMIT ? OFFSET ?) p"
            " JOIN deals d ON d.id = p.id JOIN contacts c ON c.id = d.contact_id"
            f" ORDER BY {order}", (*stages, *params, count, skip))]

    cards: list[DealCard] = []
    if offset < dated:
        # a range of the pipeline index (stage, expected_close), or of the
        # expected-close one for several stages
        cards = rows("d.expected_close IS NOT NULL", "d.expected_close, d.id", limit, offset)
    if len(cards) < limit:
        cards += rows("d.expected_close IS NULL", "d.id", limit - len(cards),
                      max(0, offset + len(cards) - dated))
    return cards


# -- forecast --------------------------------------------------------------------------


@dataclass(frozen=True)
class ForecastMonth:
    month: str  # YYYY-MM, or "late" (expected before this month) / "undated"
    count: int
    amount: float
    weighted: float
    won: float = 0.0  # already won that month (this month only)


def forecast(db: Database, query: CompiledQuery | None = None, *, months: int = 6,
             today: date | None = None) -> list[ForecastMonth]:
    """The open deals expected to close month by month for ``months`` months from
    this one (weighted by probability), then the late and the undated ones."""
    if not 1 <= months <= 36:
        raise ValidationError("months: from 1 to 36", "months")
    today = today or clock.today()
    first = today.replace(day=1)
    stages = list_stages(db)
    opened = [s.id for s in stages if s.is_open]
    won = [s.id for s in stages if s.is_won]
    marks = ", ".join("?" * len(opened))
    windows: list[tuple[str, str, tuple[str, ...]]] = [("undated", "d.expected_close IS NULL", ()),
                                                      ("late", "d.expected_close < ?",
                                                       (first.isoformat(),))]
    for index in range(months):
        start = first + relativedelta(months=index)
        windows.append((start.strftime("%Y-%m"), "d.expected_close >= ? AND d.expected_close < ?",
                        (start.isoformat(), (start + relativedelta(months=1)).isoformat())))
    found: dict[str, tuple[int, float, float]] = {}
    with members_of(db, query, "d.contact_id") as (test, params):
        # one range of the pipeline index (stage, expected close) per month: no sort,
        # no grouping expression over every open deal
        for name, window, bounds in windows:
            row = db.query(
                "SELECT count(*), total(d.amount), total(d.amount * d.probability) / 100"
                f" FROM deals d WHERE d.stage IN ({marks}) AND {window} AND {test}",
                (*opened, *bounds, *params))[0]
            found[name] = (int(row[0]), float(row[1]), float(row[2]))
        won_now = db.scalar(
            f"SELECT total(d.amount) FROM deals d WHERE d.stage IN ({', '.join('?' * len(won))})"
            f" AND d.closed_at >= ? AND {test}", (*won, first.isoformat(), *params))
    result = []
    for index in range(months):
        month = (first + relativedelta(months=index)).strftime("%Y-%m")
        count, amount, weighted = found.get(month, (0, 0.0, 0.0))
        result.append(ForecastMonth(month, count, amount, weighted,
                                    float(won_now or 0) if index == 0 else 0.0))
    for special in ("late", "undated"):
        count, amount, weighted = found.get(special, (0, 0.0, 0.0))
        result.append(ForecastMonth(special, count, amount, weighted))
    return result


# -- funnel ------------------------------------------------------------------------------


@dataclass(frozen=True)
class FunnelStep:
    stage: Stage
    reached: int  # deals that got at least this far
    conversion: float | None  # share of the previous step's deals that got here


def funnel(db: Database, query: CompiledQuery | None = None, *, start: str | None = None,
           end: str | None = None, today: date | None = None) -> list[FunnelStep]:
    """Deals created from ``start`` to ``end`` (inclusive days; default: the last 12
    months): how many reached each open stage, then won."""
    today = today or clock.today()
    start = start or (today - relativedelta(years=1) + relativedelta(days=1)).isoformat()
    end = end or today.isoformat()
    if start > end:
        raise ValidationError("the period ends before it starts", "period")
    stages = list_stages(db)
    path = [s for s in stages if s.is_open] + [s for s in stages if s.is_won][:1]
    position = {s.id: i for i, s in enumerate(path)}
    won_ids = [s.id for s in stages if s.is_won]
    cases = " ".join(f"WHEN '{s.id}' THEN {i}" for s, i in
                     ((s, position[s.id]) for s in path if s.is_open))
    # ids come from the stage table (letters, digits, _): quoted above, never user text
    assert all(s.id.replace("_", "").isalnum() for s in path)
    with members_of(db, query, "d.contact_id") as (test, params):
        # reached: the furthest open stage the deal was ever in (its moves, and the
        # stage it is in now, for deals made before moves were recorded); a won
        # deal went through them all
        rows = db.query(
            "SELECT reached, count(*) FROM (SELECT d.id,"
            f" CASE WHEN d.stage IN ({', '.join('?' * len(won_ids))}) THEN ?"
            f" ELSE max(CASE d.stage {cases} ELSE -1 END,"
            f" coalesce(max(CASE m.to_stage {cases} ELSE -1 END), -1)) END AS reached"
            " FROM deals d LEFT JOIN deal_moves m ON m.deal_id = d.id"
            f" WHERE d.created >= ? AND d.created < ? AND {test} GROUP BY d.id)"
            " GROUP BY reached",
            (*won_ids, len(path) - 1, start, end + "T99", *params))
    at = {int(r[0]): int(r[1]) for r in rows if r[0] is not None}
    steps: list[FunnelStep] = []
    for index, stage in enumerate(path):
        reached = sum(n for p, n in at.items() if p >= index)
        previous = steps[-1].reached if steps else None
        conversion = None if previous is None else (reached / previous if previous else 0.0)
        steps.append(FunnelStep(stage, reached, conversion))
    return steps
