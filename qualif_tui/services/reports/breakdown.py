"""Breakdown: the contacts of a query grouped by one field, or crossed by two.

``breakdown(db, "profil:client", ["source"], ["contacts", "revenue"])`` is the
"chiffre d'affaires par source" of the blog post behind qualif, and every
question of the same shape.

How it runs (same answers, checked against a plain-Python reference):

* **bitmaps** — in the app, once the engine has warmed up: each group's
  contacts are the query's bitmap intersected with the union of the bitmaps
  of the stored values that map to it; counts are cardinalities, and deal
  figures are summed over the (few) group members that have deals.
* **SQL** — one ``GROUP BY`` of the raw stored value(s) over the query's
  WHERE clause (a one-shot command, a field without bitmaps: city, company,
  postal code, a text key), then raw values are mapped to groups in Python.

Grouping by ``won`` (the date a deal was won) is deal-level: a contact counts
in each period it won a deal in; the contacts of the query without a won
deal make the "non renseigné" row.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from pyroaring import BitMap

from qualif_tui.base.i18n import _
from qualif_tui.domain.keys import list_keys
from qualif_tui.query import CompiledQuery, compile_query, count
from qualif_tui.query.groups import BitmapView, bitmap_view
from qualif_tui.query.pages import from_clause
from qualif_tui.query.plan import tables as plan_tables
from qualif_tui.services.reports.dealfacts import (
    deal_conditions,
    deal_cte,
    deal_figures,
    lost_condition,
)
from qualif_tui.services.reports.groupings import OTHER, Grouping, parse_grouping
from qualif_tui.services.reports.model import (
    FIGURES,
    MEASURES,
    Column,
    Period,
    ReportError,
    Row,
    Table,
    check_measures,
    format_number,
    measure_value,
    period_query,
    pipeline_stages,
    stage_ids,
    zeros,
)
from qualif_tui.storage import Database

DEFAULT_TOP = 20
GroupKey = tuple[Any, ...]
Figures = list[float]


@dataclass
class BreakdownRow:
    keys: GroupKey  # one key per grouping (None: no value, OTHER: "autres")
    figures: Figures

    @property
    def kind(self) -> str:
        if any(k == OTHER for k in self.keys):
            return "other"
        return "null" if any(k is None for k in self.keys) else "value"


@dataclass
class Breakdown:
    query: str
    by: list[Grouping]
    measures: tuple[str, ...]
    period: Period
    population: int
    rows: list[BreakdownRow]
    total: Figures
    notes: list[str] = field(default_factory=list)
    engine: str = "sql"
    kept: list[list[Any]] = field(default_factory=list)  # per grouping: keys with a row
    open_ids: tuple[str, ...] = ()  # the open stages (the pipeline of a deal field's row)

    def value(self, row: BreakdownRow | None, measure: str) -> float:
        figures = self.total if row is None else row.figures
        return measure_value(measure, figures, self.population)

    # -- the JSON of the contract ------------------------------------------------------------
    def as_json(self) -> dict[str, Any]:
        def measures_of(figures: Figures) -> dict[str, float | int]:
            out: dict[str, float | int] = {}
            for name in self.measures:
                value = measure_value(name, figures, self.population)
                out[name] = int(value) if MEASURES[name].unit == "count" else round(value, 2)
            return out

        rows = []
        for row in self.rows:
            group = {g.name: g.json_value(k) for g, k in zip(self.by, row.keys, strict=True)}
            entry: dict[str, Any] = {"group": group, **measures_of(row.figures)}
            if row.kind == "other":
                entry["other"] = True
            rows.append(entry)
        result: dict[str, Any] = {
            "by": [g.name for g in self.by],
            "measures": list(self.measures),
            "query": self.query,
            "period": {"from": self.period.start, "to": self.period.end},
            "rows": rows,
            "total": measures_of(self.total),
        }
        if self.notes:
            result["notes"] = list(self.notes)
        return result

    # -- what faces show ------------------------------------------------------------------------
    def row_query(self, row: BreakdownRow | None, measure: str = "contacts") -> tuple[str, bool]:
        """The query of the people behind a cell (``exact``: its count is the cell's
        contacts; for deal measures, the contacts the figure comes from: those with a
        deal won in the period for revenue, deals, average, conversion; with an open
        deal expected to close in it for pipeline and weighted)."""
        parts = [_wrapped(self.query)]
        exact = True
        deal_row: tuple[Grouping, Any] | None = None
        if row is not None:
            for grouping, key, shown in zip(self.by, row.keys, self.kept, strict=True):
                if grouping.kind == "deal":  # said below, on the same deal as the measure
                    deal_row = (grouping, key)
                    continue
                text, ok = grouping.fragment(key, shown, self.period)
                parts.append(text)
                exact = exact and ok
        drill = MEASURES[measure].drill
        keyed = [(g, k) for g, k in zip(self.by, row.keys, strict=True)] if row else []
        by_won = any(g.kind == "won" and k is not None for g, k in keyed)
        if deal_row is not None:
            parts.append(self.deal_part(*deal_row, drill))
        elif drill == "won" and not by_won:  # a won-date row already says it
            parts.append("revenue>0" if self.period.everything
                         else period_query("won", self.period))
        elif drill == "open":
            parts.append("open_deals>0" if self.period.everything
                         else period_query("expected_close", self.period))
        elif drill == "lost":
            parts.append(period_query("lost", self.period))
        said: list[str] = parts[:1] if parts[0] else []
        # a part the query already says is not repeated (only in a plain "a b c" query:
        # in "a OR b", "a" is not said for every contact)
        plain = not re.search(r"\bor\b|[()|]", self.query, re.IGNORECASE)
        for part in parts[1:]:
            if part and part not in said and not (plain and f" {part} " in f" {self.query} "):
                said.append(part)
        return " ".join(said), exact

    def deal_part(self, grouping: Grouping, key: Any, drill: str) -> str:
        """A row of a field of the deals, as one deal that has the row's value and counts
        for the measure: ``deal:(deal_category:"Entretien" won:2026)``."""
        period = self.period
        if drill == "won":
            counted = period_query("won", period)
        elif drill == "open":
            counted = (f"deal_stage:{','.join(self.open_ids)}" if period.everything
                       else period_query("expected_close", period))
        elif drill == "lost" or grouping.scope == "lost":
            counted = period_query("lost", period)
        elif period.everything:
            counted = ""  # every deal counts
        else:  # the deals the period selects: won, lost in it or expected to close in it
            counted = (f"({period_query('won', period)} OR"
                       f" {period_query('expected_close', period)} OR"
                       f" {period_query('lost', period)})")
        criteria = [c for c in (grouping.deal_condition(key), counted) if c]
        if len(criteria) == 1 and key is not None:
            return criteria[0]  # deal_category:X alone: a deal with X
        return f"deal:({' '.join(criteria)})"  # (-has:X alone would be a contact without)

    def table(self) -> Table:
        columns = [Column(g.name, g.label.capitalize()) for g in self.by]
        columns += [Column(m, MEASURES[m].title, MEASURES[m].unit) for m in self.measures]

        def cells(row: BreakdownRow | None) -> dict[str, object]:
            out: dict[str, object] = {}
            for grouping, key in zip(self.by, row.keys if row else (), strict=False):
                out[grouping.name] = grouping.display(key)
            if row is None:
                out[self.by[0].name] = _("Total")
            for m in self.measures:
                out[m] = self.value(row, m)
            return out

        rows = []
        for row in self.rows:
            query, exact = self.row_query(row)
            rows.append(Row(cells(row), query, exact, row.kind,
                            {m: self.row_query(row, m) for m in self.measures}))
        query, exact = self.row_query(None)
        total = Row(cells(None), query, exact, "total",
                    {m: self.row_query(None, m) for m in self.measures})
        title = _("{measures} par {by}").format(
            measures=", ".join(MEASURES[m].label for m in self.measures),
            by=" × ".join(g.label for g in self.by))
        if self.period.text:
            title += f" — {self.period.text}"
        return Table(title, columns, rows, total, list(self.notes), self.measures[0],
                     len(self.by))


    def pivot(self, measure: str | None = None) -> Table:
        """A crosstab as a matrix of one measure: the first field down, the second
        across; a total column and row where they add up (not across a multi-choice
        field or won dates, where a contact counts in several cells). Every cell
        carries its query, the margins too."""
        measure = measure or self.measures[0]
        first, second = self.by
        unit = MEASURES[measure].unit
        across = [k for k in self.kept[1]] + (
            [OTHER] if any(r.keys[1] == OTHER for r in self.rows) else []) + (
            [None] if any(r.keys[1] is None for r in self.rows) else [])
        down = [k for k in self.kept[0]] + (
            [OTHER] if any(r.keys[0] == OTHER for r in self.rows) else []) + (
            [None] if any(r.keys[0] is None for r in self.rows) else [])
        row_totals = _additive(second)
        column_totals = _additive(first)
        columns = [Column("group", f"{first.label.capitalize()} \\ {second.label}")]
        columns += [Column(f"c{i}", second.display(k), unit) for i, k in enumerate(across)]
        if row_totals:
            columns.append(Column("total", _("Total"), unit))
        position = {k: i for i, k in enumerate(across)}
        lines: dict[Any, Row] = {}
        sums: dict[Any, Figures] = {}
        down_sums: dict[Any, Figures] = {}
        for k1 in down:
            lines[k1] = Row({"group": first.display(k1)}, *self.cell_query((k1, ANY), measure),
                            "other" if k1 == OTHER else "null" if k1 is None else "value")
        for row in self.rows:
            k1, k2 = row.keys
            line = lines[k1]
            line.cells[f"c{position[k2]}"] = self.value(row, measure)
            line.cell_queries[f"c{position[k2]}"] = self.row_query(row, measure)
            _add(sums.setdefault(k1, [0.0] * len(FIGURES)), row.figures)
            _add(down_sums.setdefault(k2, [0.0] * len(FIGURES)), row.figures)
        if row_totals:
            for k1, line in lines.items():
                line.cells["total"] = measure_value(measure, sums.get(k1, [0.0] * len(FIGURES)),
                                                    self.population)
                line.cell_queries["total"] = self.cell_query((k1, ANY), measure)
        total: Row | None = None
        if column_totals:
            total = Row({"group": _("Total")}, *self.row_query(None, measure), "total")
            for k2 in across:
                name = f"c{position[k2]}"
                total.cells[name] = measure_value(measure, down_sums.get(k2, [0.0] * len(FIGURES)),
                                                  self.population)
                total.cell_queries[name] = self.cell_query((ANY, k2), measure)
            if row_totals:
                total.cells["total"] = self.value(None, measure)
                total.cell_queries["total"] = self.row_query(None, measure)
        title = _("{measure} : {a} × {b}").format(measure=MEASURES[measure].label,
                                                  a=first.label, b=second.label)
        if self.period.text:
            title += f" — {self.period.text}"
        return Table(title, columns, list(lines.values()), total, list(self.notes), None)

    def cell_query(self, keys: tuple[Any, ...], measure: str) -> tuple[str, bool]:
        """The query of a margin of a crosstab: ``ANY`` in ``keys`` leaves a field free."""
        kept = [k for k in keys if k is not ANY]
        if len(kept) == len(keys):
            return self.row_query(BreakdownRow(keys, []), measure)
        index = next(i for i, k in enumerate(keys) if k is not ANY)
        alone = Breakdown(self.query, [self.by[index]], self.measures, self.period,
                          self.population, [], self.total, kept=[self.kept[index]],
                          open_ids=self.open_ids)
        return alone.row_query(BreakdownRow(tuple(kept), []), measure)


ANY = object()  # a crosstab margin: this field is not constrained


def _additive(grouping: Grouping) -> bool:
    """Does adding the rows of this field give its total (one row per contact)? Not
    for a multi-choice key, nor for a field of the deals (a contact counts in each of
    its deals' rows, and one without such a deal in none)."""
    return not grouping.multi and not grouping.deal_level


_NEEDS = {"contacts": (), "share": (), "revenue": ("revenue",), "deals": ("won",),
          "average": ("revenue", "won"), "conversion": ("buyers",), "pipeline": ("pipeline",),
          "weighted": ("weighted",), "lost": ("lost",), "lost_amount": ("lost_amount",)}


def _figures_needed(measures: Sequence[str]) -> tuple[str, ...]:
    """The additive figures (:data:`FIGURES`) the measures are made of."""
    return tuple(dict.fromkeys(f for m in measures for f in _NEEDS[m]))


def measures_for(db: Database, by: Sequence[str]) -> tuple[str, ...]:
    """The measures that make sense grouped by ``by`` (all but for deal fields: --by won
    has no pipeline, --by lost_reason only contacts and lost deals)."""
    keys = list_keys(db)
    allowed = tuple(MEASURES)
    for spec in by:
        grouping = parse_grouping(spec, keys, db)
        allowed = tuple(m for m in allowed if m in grouping.measures)
    return allowed


def _wrapped(text: str) -> str:
    text = text.strip()
    if not text:
        return ""
    return f"({text})" if " OR " in f" {text} " else text


# -- computing -------------------------------------------------------------------------------


def breakdown(db: Database, query: str | CompiledQuery, by: Sequence[str],
              measures: Sequence[str] = ("contacts",), period: Period | None = None, *,
              top: int | None = DEFAULT_TOP) -> Breakdown:
    """Group the contacts of ``query`` by one or two fields (see the module doc).

    ``top``: for open-ended fields (city, company, postal code, text and number
    keys), the groups beyond the N largest are merged into one "(autres)" row.
    Raises :class:`ReportError` for an unknown field or measure, QueryError for a
    bad query."""
    compiled = compile_query(db, query) if isinstance(query, str) else query
    period = period or Period()
    names = check_measures(list(measures))
    if not by:
        raise ReportError(_("il faut au moins un --by"), _("par exemple --by source"))
    if len(by) > 2:
        raise ReportError(_("au plus deux --by (un tableau croisé)"))
    keys = list_keys(db)
    groupings = [parse_grouping(spec, keys, db) for spec in by]
    if len(groupings) == 2 and groupings[0].name == groupings[1].name:
        raise ReportError(_("les deux --by sont le même champ ({name})").format(
            name=groupings[0].name))
    deal_level = [g for g in groupings if g.deal_level]
    if len(deal_level) > 1:
        raise ReportError(_("un seul champ d'affaire à la fois ({a}, {b})").format(
            a=deal_level[0].name, b=deal_level[1].name),
            _("croiser un champ d'affaire avec une clé ou un champ du contact"))
    for grouping in deal_level:
        refused = [m for m in names if m not in grouping.measures]
        if refused:
            raise ReportError(
                _("--by {by} : la mesure {name} n'y a pas de sens").format(
                    by=grouping.name, name=refused[0]),
                _("mesures possibles : {names}").format(names=", ".join(grouping.measures)))
    needs_deals = any(MEASURES[m].deals for m in names) or bool(deal_level)
    with_lost = any(MEASURES[m].drill == "lost" for m in names)
    deals_mode = "" if not needs_deals else (
        "all" if any(MEASURES[m].drill in ("open", "lost") for m in names) else "won")
    population = count(db, compiled)
    result = Breakdown(compiled.text, groupings, names, period, population, [], zeros(),
                       open_ids=stage_ids(pipeline_stages(db), "open"))
    if deal_level and deal_level[0].kind == "won":
        combos, total = _won_combos(db, compiled, groupings, period)
        result.engine = "sql"
    elif deal_level:
        combos, total, left = _attribute_combos(db, compiled, groupings, period)
        result.engine = "sql"
        if left:
            result.notes.append(_("{n} contacts sans {what} ne sont dans aucune ligne (le total"
                                  " les compte)").format(n=format_number(left, "count"),
                                                         what=deal_level[0].without(period)))
    else:
        combos, total, result.engine = _combos(db, compiled, groupings, period, deals_mode,
                                               with_lost, _figures_needed(names))
    result.total = total
    result.total[0] = float(population)
    _finish(result, combos, top)
    for grouping, keys_shown in zip(groupings, result.kept, strict=True):
        grouping.name_rows(db, keys_shown)
    _explain(result, needs_deals)
    return result


def _combos(db: Database, compiled: CompiledQuery, groupings: list[Grouping], period: Period,
            deals_mode: str, with_lost: bool = False, needs: Sequence[str] = ()
            ) -> tuple[dict[GroupKey, Figures], Figures, str]:
    """``deals_mode``: "" (contacts only), "won" (won figures), "all" (pipeline and lost
    too; the lost figures only ``with_lost``)."""
    if not compiled.is_nothing and all(g.column for g in groupings):
        with bitmap_view(db, compiled) as view:
            if view is not None:
                found = _bitmap_combos(db, view, groupings, period, deals_mode, with_lost)
                if found is not None:
                    return found[0], found[1], "bitmaps"
    combos, total = _sql_combos(db, compiled, groupings, period, deals_mode, with_lost,
                                needs)
    return combos, total, "sql"


def _add(target: Figures, figures: Iterable[float]) -> None:
    for i, value in enumerate(figures):
        target[i] += value


def _bitmap_combos(db: Database, view: BitmapView, groupings: list[Grouping], period: Period,
                   deals_mode: str, with_lost: bool
                   ) -> tuple[dict[GroupKey, Figures], Figures] | None:
    population = view.population
    per_grouping: list[dict[Any, BitMap]] = []
    for grouping in groupings:
        assert grouping.column is not None
        column = view.column(grouping.column)
        if column is None:
            return None
        parts: dict[Any, list[BitMap]] = {}
        for raw, bitmap in column.items():
            for key in grouping.keys_of(raw):
                parts.setdefault(key, []).append(bitmap)
        groups: dict[Any, BitMap] = {}
        for key, bitmaps in parts.items():
            joined = BitMap.union(*bitmaps) if len(bitmaps) > 1 else bitmaps[0]
            members = joined & population
            if members:
                groups[key] = members
        valued = BitMap.union(*column.values()) if column else BitMap()
        missing = population - valued
        if missing:
            groups[None] = missing
        per_grouping.append(groups)
    combos_sets: dict[GroupKey, BitMap] = {}
    if len(per_grouping) == 1:
        combos_sets = {(k,): b for k, b in per_grouping[0].items()}
    else:
        for k1, b1 in per_grouping[0].items():
            for k2, b2 in per_grouping[1].items():
                both = b1 & b2
                if both:
                    combos_sets[(k1, k2)] = both
    if deals_mode == "won" and period.everything:
        by_value = _won_by_value(view)
        if by_value is not None:
            combos = {keys: _won_figures(members, by_value)
                      for keys, members in combos_sets.items()}
            return combos, _won_figures(population, by_value)
    combos = {}
    total = zeros(float(len(population)))
    if not deals_mode:
        return {keys: zeros(float(len(m))) for keys, m in combos_sets.items()}, total
    deals = deal_figures(db, period, with_lost)
    width = len(FIGURES) - 1
    for keys, members in [*combos_sets.items(), ((), population)]:
        figures = zeros(float(len(members)))
        if deals.shapes is not None:
            for row, bitmap in deals.shapes:
                inside = members.intersection_cardinality(bitmap)
                if inside:
                    for i in range(width):
                        figures[i + 1] += row[i] * inside
        else:
            assert deals.columns is not None
            for i, (values, having) in enumerate(deals.columns):
                if members.intersect(having):
                    figures[i + 1] = sum(map(values.__getitem__, members & having))
        if keys:
            combos[keys] = figures
        else:
            total = figures
    return combos, total


@dataclass
class WonFacts:
    """The engine's bitmaps of the won-deal facts. ``counts``: (won deals n, contacts
    with n), a handful; ``amounts``: (revenue v, contacts with v), zeros left out. Real
    amounts make thousands of distinct revenues (1 653 at 1M): then a group's revenue is
    summed over its buyers (``revenue_of``) rather than over every distinct value."""

    counts: list[tuple[float, BitMap]]
    amounts: list[tuple[float, BitMap]]
    buyers: BitMap | None = None
    revenue_of: dict[int, float] | None = None


FEW_AMOUNTS = 64  # distinct revenues beyond which a group's buyers are summed one by one


def _won_by_value(view: BitmapView) -> WonFacts | None:
    """None when a column has too many distinct values for bitmaps (then the
    per-contact figures are summed)."""
    counts, amounts = view.column("deals"), view.column("revenue")
    if counts is None or amounts is None:
        return None
    facts = WonFacts([(float(n), b) for n, b in counts.items() if n],
                     [(float(v), b) for v, b in amounts.items() if v])
    if len(facts.amounts) > FEW_AMOUNTS:
        facts.revenue_of = {i: v for v, b in facts.amounts for i in b}
        facts.buyers = BitMap.union(*(b for _v, b in facts.amounts))
    return facts


def _won_figures(members: BitMap, facts: WonFacts) -> Figures:
    """Contacts, buyers, revenue, won deals of a group by intersection cardinalities:
    Σ v·|group ∩ contacts with v|, or with many distinct revenues the sum over the
    group's buyers — never a loop over all of the group's contacts."""
    figures = zeros(float(len(members)))
    for n, bitmap in facts.counts:
        inside = members.intersection_cardinality(bitmap)
        figures[1] += inside
        figures[3] += n * inside
    if facts.revenue_of is not None and facts.buyers is not None:
        figures[2] = math.fsum(map(facts.revenue_of.__getitem__, members & facts.buyers))
        return figures
    for amount, bitmap in facts.amounts:
        figures[2] += amount * members.intersection_cardinality(bitmap)
    return figures


def _sql_combos(db: Database, compiled: CompiledQuery, groupings: list[Grouping],
                period: Period, deals_mode: str, with_lost: bool = False,
                needs: Sequence[str] = ()) -> tuple[dict[GroupKey, Figures], Figures]:
    if compiled.is_nothing:
        return {}, zeros()
    tables = set(plan_tables(compiled.plan)) | {t for g in groupings for t in g.tables}
    if deals_mode:
        tables.add("f")
    source = from_clause("".join(t for t in "cf" if t in tables) or "f")
    raws = ", ".join(f"{g.sql} AS g{i}" for i, g in enumerate(groupings))
    params: list[Any] = []
    prefix = ""
    if not deals_mode:
        sums = "count(*), 0, 0, 0, 0, 0, 0, 0"
    elif period.everything and deals_mode == "won":
        # the contact_facts columns hold the won figures (kept by triggers); only those
        # the measures need are summed (each is a pass over a million rows' values)
        wanted = set(needs or ("buyers", "revenue", "won"))
        sums = ", ".join(["count(*)", "sum(f.deals > 0)" if "buyers" in wanted else "0",
                          "sum(f.revenue)" if "revenue" in wanted else "0",
                          "sum(f.deals)" if "won" in wanted else "0", "0, 0, 0, 0"])
    else:
        cte, params = deal_cte(db, period, with_lost)
        prefix = f"WITH {cte} "
        source += " LEFT JOIN d ON d.contact_id = f.contact_id"
        sums = ("count(*), sum(d.buyer), sum(d.revenue), sum(d.won), sum(d.pipeline),"
                " sum(d.weighted), sum(d.lost), sum(d.lost_amount)")
    group_by = ", ".join(f"g{i}" for i in range(len(groupings)))
    sql = (f"{prefix}SELECT {raws}, {sums} FROM {source} WHERE {compiled.where}"
           f" GROUP BY {group_by}")
    combos: dict[GroupKey, Figures] = {}
    total = zeros()
    n = len(groupings)
    with db.lock:
        rows = db.conn.execute(sql, [*params, *compiled.params]).fetchall()
    for row in rows:
        figures = [float(v or 0) for v in row[n:]]
        _add(total, figures)
        for keys in _key_product([g.keys_of(row[i]) or (None,) for i, g in enumerate(groupings)]):
            target = combos.get(keys)
            if target is None:
                combos[keys] = list(figures)
            else:
                _add(target, figures)
    return combos, total


def _key_product(options: list[tuple[Any, ...]]) -> Iterable[GroupKey]:
    if len(options) == 1:
        return [(k,) for k in options[0]]
    return [(a, b) for a in options[0] for b in options[1]]


def _won_combos(db: Database, compiled: CompiledQuery, groupings: list[Grouping],
                period: Period) -> tuple[dict[GroupKey, Figures], Figures]:
    """Deal-level: one group per period a won deal was closed in."""
    if compiled.is_nothing:
        return {}, zeros()
    won_at = next(i for i, g in enumerate(groupings) if g.kind == "won")
    other = [g for g in groupings if g.kind != "won"]
    tables = set(plan_tables(compiled.plan)) | {"f"} | {t for g in other for t in g.tables}
    source = from_clause("".join(t for t in "cf" if t in tables))
    won_sql, won_params, _open, _params = deal_conditions(db, period)
    won_sql = won_sql.replace("stage", "dl.stage").replace("closed_at", "dl.closed_at")
    raw_other = "".join(f", {g.sql}" for g in other)
    sql = (f"SELECT substr(dl.closed_at, 1, 7), dl.contact_id, count(*), sum(dl.amount)"
           f"{raw_other} FROM deals dl JOIN {source} ON f.contact_id = dl.contact_id"
           f" WHERE {won_sql} AND ({compiled.where})"
           f" GROUP BY 1, 2")
    with db.lock:
        rows = db.conn.execute(sql, [*won_params, *compiled.params]).fetchall()
    won_grouping = groupings[won_at]
    combos: dict[GroupKey, Figures] = {}
    seen: set[tuple[GroupKey, int]] = set()
    buyers_by_other: dict[Any, set[int]] = {}
    total = zeros()
    buyers: set[int] = set()
    for row in rows:
        month, contact_id, deals, amount = row[0], int(row[1]), float(row[2]), float(row[3])
        other_keys: tuple[Any, ...] = (None,)
        if other:
            other_keys = other[0].keys_of(row[4]) or (None,)
        total[2] += amount
        total[3] += deals
        buyers.add(contact_id)
        for won_key in won_grouping.keys_of(month) or (None,):
            for other_key in other_keys:
                keys = (won_key, other_key) if won_at == 0 else (other_key, won_key)
                keys = keys[:len(groupings)]
                figures = combos.setdefault(keys, zeros())
                if (keys, contact_id) not in seen:
                    seen.add((keys, contact_id))
                    figures[0] += 1
                    figures[1] += 1
                figures[2] += amount
                figures[3] += deals
                if other:
                    buyers_by_other.setdefault(other_key, set()).add(contact_id)
    total[1] = float(len(buyers))
    # the contacts without a won deal in the period: the row with no value
    if other:
        everyone, _total, _engine = _combos(db, compiled, other, Period(), "")
        for (other_key,), figures in everyone.items():
            left = figures[0] - len(buyers_by_other.get(other_key, ()))
            if left > 0:
                keys = (None, other_key) if won_at == 0 else (other_key, None)
                combos[keys] = zeros(left)
    else:
        left = count(db, compiled) - len(buyers)
        if left > 0:
            combos[(None,)] = zeros(float(left))
    return combos, total


def _attribute_combos(db: Database, compiled: CompiledQuery, groupings: list[Grouping],
                      period: Period) -> tuple[dict[GroupKey, Figures], Figures, int]:
    """Deal-level, by a field of the deals (category, lost reason): each deal that
    counts in the period goes to its value's row, a contact to every row it has such a
    deal in. Returns the rows, the total, and how many contacts have no such deal."""
    population = count(db, compiled)
    if compiled.is_nothing:
        return {}, zeros(), population
    at = next(i for i, g in enumerate(groupings) if g.kind == "deal")
    grouping = groupings[at]
    other = [g for g in groupings if g.kind != "deal"]
    tables = set(plan_tables(compiled.plan)) | {"f"} | {t for g in other for t in g.tables}
    source = from_clause("".join(t for t in "cf" if t in tables))
    won, won_params, opened, open_params = deal_conditions(db, period)
    lost, lost_params = lost_condition(db, period)
    won, opened, lost = _on_deals(won), _on_deals(opened), _on_deals(lost)
    counted, counted_params = (lost, lost_params) if grouping.scope == "lost" else (
        f"({won} OR {opened} OR {lost})", [*won_params, *open_params, *lost_params])
    raw_other = "".join(f", {g.sql}" for g in other)
    sql = (f"SELECT {grouping.sql}, dl.contact_id{raw_other}, max({won}),"
           f" sum(CASE WHEN {won} THEN dl.amount ELSE 0 END), sum({won}),"
           f" sum(CASE WHEN {opened} THEN dl.amount ELSE 0 END),"
           f" sum(CASE WHEN {opened} THEN dl.amount * dl.probability / 100.0 ELSE 0 END),"
           f" sum({lost}), sum(CASE WHEN {lost} THEN dl.amount ELSE 0 END)"
           f" FROM deals dl JOIN {source} ON f.contact_id = dl.contact_id"
           f" WHERE {counted} AND ({compiled.where}) GROUP BY 1, 2")
    params = [*won_params, *won_params, *won_params, *open_params, *open_params,
              *lost_params, *lost_params, *counted_params, *compiled.params]
    with db.lock:
        rows = db.conn.execute(sql, params).fetchall()
    combos: dict[GroupKey, Figures] = {}
    total = zeros()
    dealers: set[int] = set()
    buyers: set[int] = set()
    first = 3 if other else 2  # where the figures start
    for row in rows:
        contact_id = int(row[1])
        figures = [1.0, *(float(v or 0) for v in row[first:])]
        dealers.add(contact_id)
        if figures[1]:
            buyers.add(contact_id)
        _add(total, [0.0, 0.0, *figures[2:]])
        options = [grouping.keys_of(row[0]) or (None,)]
        if other:
            options.insert(1 - at, other[0].keys_of(row[2]) or (None,))
        for keys in _key_product(options):
            _add(combos.setdefault(keys, zeros()), figures)
    total[1] = float(len(buyers))
    return combos, total, population - len(dealers)


_DEAL_COLUMNS = re.compile(r"\b(stage|closed_at|expected_close|amount|probability)\b")


def _on_deals(condition: str) -> str:
    """A condition over a ``deals`` row, on the ``dl`` alias of a join."""
    return _DEAL_COLUMNS.sub(r"dl.\1", condition)


# -- rows in order, top N, notes ----------------------------------------------------------


def _finish(result: Breakdown, combos: dict[GroupKey, Figures], top: int | None) -> None:
    groupings = result.by
    mapping: list[dict[Any, Any]] = []
    kept_keys: list[list[Any]] = []
    for i, grouping in enumerate(groupings):
        present = {keys[i] for keys in combos}
        margins: dict[Any, float] = {}
        for keys, figures in combos.items():
            margins[keys[i]] = margins.get(keys[i], 0.0) + figures[0]
        values = [k for k in present if k is not None]
        if grouping.kind in ("text", "number"):
            ordered = sorted(values, key=lambda k: (-margins[k], str(k)))
        else:
            ordered = grouping.order(values)
        moved: dict[Any, Any] = {}
        if grouping.many and top is not None and len(ordered) > top:
            by_size = sorted(values, key=lambda k: (-margins[k], str(k)))
            kept = set(by_size[:top])
            dropped = [k for k in ordered if k not in kept]
            result.notes.append(_("{field} : {n} valeurs au-delà des {top} plus fréquentes sont"
                                  " regroupées dans « (autres) »").format(
                field=grouping.label, n=format_number(len(dropped), "count"), top=top))
            moved = {k: OTHER for k in dropped}
            ordered = [k for k in ordered if k in kept] + [OTHER]
        kept_keys.append([k for k in ordered if k != OTHER])
        if None in present:
            ordered.append(None)
        mapping.append(moved)
        result.kept.append(ordered)
    merged: dict[GroupKey, Figures] = {}
    for keys, figures in combos.items():
        target_keys = tuple(mapping[i].get(k, k) for i, k in enumerate(keys))
        target = merged.get(target_keys)
        if target is None:
            merged[target_keys] = list(figures)
        else:
            _add(target, figures)
    rank = [{k: n for n, k in enumerate(order)} for order in result.kept]
    result.rows = [BreakdownRow(keys, merged[keys]) for keys in sorted(
        merged, key=lambda ks: tuple(rank[i][k] for i, k in enumerate(ks)))]
    result.kept = kept_keys


def _explain(result: Breakdown, needs_deals: bool) -> None:
    notes = []
    for grouping in result.by:
        if grouping.multi:
            notes.append(_("{field} est à choix multiple : un contact compte une fois par"
                           " valeur, la somme des lignes dépasse le total").format(
                field=grouping.label.capitalize()))
        if grouping.kind == "won":
            notes.append(_("par date de gain : un contact compte dans chaque période où il a"
                           " gagné une affaire ; « (non renseigné) » : sans affaire gagnée"))
    if result.population == 0:
        notes.append(_("aucun contact ne correspond à la recherche"))
    elif needs_deals and not any(result.total[1:]):
        notes.append(_("aucune affaire sur la période") if not result.period.everything
                     else _("aucune affaire pour ces contacts"))
    result.notes[:0] = notes
