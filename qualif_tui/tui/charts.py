"""Bars drawn with text, for the forecast and the funnel.

Horizontal bars of block characters (eighths of a cell, so a bar grows by an
eighth of a column) with the figure written beside each: at 80 columns a
twelve-month forecast or a six-stage funnel stays one line per bar, every
amount readable, which a plotted canvas (plotext) cannot give in 24 rows —
its axes take a third of the height and its labels no amounts.
"""

from __future__ import annotations

from datetime import date

from rich.table import Table
from rich.text import Text

from qualif_tui.base.i18n import N_, _
from qualif_tui.domain.money import format_day, format_euros
from qualif_tui.services.pipeline import ForecastMonth, FunnelStep

_EIGHTHS = " ▏▎▍▌▋▊▉"
MONTHS = (N_("janv."), N_("févr."), N_("mars"), N_("avr."), N_("mai"), N_("juin"), N_("juil."),
          N_("août"), N_("sept."), N_("oct."), N_("nov."), N_("déc."))


def bar(value: float, maximum: float, width: int) -> str:
    """A bar of ``width`` cells at most, ``value`` / ``maximum`` long."""
    if maximum <= 0 or value <= 0 or width <= 0:
        return ""
    eighths = round(8 * width * min(value, maximum) / maximum)
    whole, part = divmod(eighths, 8)
    if whole >= width:
        return "█" * width
    return "█" * whole + (_EIGHTHS[part] if part else "")


def month_label(month: str) -> str:
    if month == "late":
        return _("en retard")
    if month == "undated":
        return _("sans date")
    year, number = month.split("-")
    return f"{_(MONTHS[int(number) - 1])} {year}"


def forecast_chart(rows: list[ForecastMonth], width: int) -> Table:
    """One line per month: the weighted amount as a bar, the figures beside it."""
    top = max((r.weighted for r in rows), default=0.0)
    bar_width = max(8, width - 62)
    table = Table.grid(padding=(0, 1))
    table.add_column(no_wrap=True, min_width=10)
    table.add_column(no_wrap=True, width=bar_width)
    table.add_column(justify="right", no_wrap=True, min_width=11)
    table.add_column(no_wrap=True, overflow="ellipsis", style="dim")
    for row in rows:
        label = Text(month_label(row.month), "italic" if row.month in ("late", "undated")
                     else "")
        detail = _("{n} aff., {amount} brut").format(n=row.count,
                                                     amount=format_euros(row.amount, 0))
        if row.won:
            detail += _(" · gagné {amount}").format(amount=format_euros(row.won, 0))
        if not row.count and not row.won:
            table.add_row(label, "", Text("—", "dim"), "")
            continue
        table.add_row(label, Text(bar(row.weighted, top, bar_width),
                                  "red" if row.month == "late" else "green"),
                      format_euros(row.weighted, 0), detail)
    return table


def funnel_chart(steps: list[FunnelStep], width: int, start: date, end: date) -> Table:
    """One line per stage: how many deals got that far, and the conversion from the
    stage before."""
    top = max((s.reached for s in steps), default=0)
    bar_width = max(8, width - 40)
    table = Table.grid(padding=(0, 1))
    table.add_column(no_wrap=True, min_width=12)
    table.add_column(no_wrap=True, width=bar_width)
    table.add_column(justify="right", no_wrap=True, min_width=6)
    table.add_column(justify="right", no_wrap=True, min_width=7, style="dim")
    for step in steps:
        rate = "" if step.conversion is None else f"{step.conversion:.0%}".replace("%", "\u00a0%")
        table.add_row(step.stage.label, Text(bar(step.reached, top, bar_width),
                                             "green" if step.stage.is_won else "cyan"),
                      str(step.reached), rate)
    table.caption = _("Affaires créées du {start} au {end}").format(
        start=format_day(start), end=format_day(end))
    table.caption_style = "dim"
    return table
