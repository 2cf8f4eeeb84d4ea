"""Reports: revenue by contact source and every question of that shape.

The faces (``qualif report``, the app's reports screen) only show what these
functions compute: :func:`breakdown` (group by one field or cross two, every
measure), :func:`funnel`, :func:`inactive_clients`, :func:`completeness` and
:func:`trend`. Each result lays itself out as a :class:`Table` for tables,
bars and exports.
"""

from qualif_tui.services.reports.breakdown import DEFAULT_TOP, Breakdown, breakdown, measures_for
from qualif_tui.services.reports.completeness import Completeness, completeness
from qualif_tui.services.reports.funnel import Funnel, funnel
from qualif_tui.services.reports.inactive import WITHOUT, Inactive, inactive_clients
from qualif_tui.services.reports.model import (
    MEASURES,
    Column,
    Measure,
    Period,
    ReportError,
    Row,
    Table,
    format_number,
    parse_period,
    pipeline_stages,
)
from qualif_tui.services.reports.trend import TREND_MEASURES, Trend, trend

__all__ = [
    "DEFAULT_TOP",
    "MEASURES",
    "TREND_MEASURES",
    "WITHOUT",
    "Breakdown",
    "Completeness",
    "Funnel",
    "Inactive",
    "Trend",
    "Column",
    "Measure",
    "Period",
    "ReportError",
    "Row",
    "Table",
    "breakdown",
    "completeness",
    "funnel",
    "inactive_clients",
    "measures_for",
    "trend",
    "format_number",
    "parse_period",
    "pipeline_stages",
]
