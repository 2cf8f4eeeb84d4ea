"""Reports: revenue by contact source and every question of that shape.

The faces (``qualif report``, the app's reports screen) only show what these
functions compute: :func:`breakdown` (group by one field or cross two, every
measure), :func:`funnel`, :func:`inactive_clients`, :func:`completeness` and
:func:`trend`. Each result lays itself out as a :class:`Table` for tables,
bars and exports.
"""

from qualif_tui.services.reports.breakdown import DEFAULT_TOP, Breakdown, breakdown
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

__all__ = [
    "DEFAULT_TOP",
    "MEASURES",
    "Breakdown",
    "Column",
    "Measure",
    "Period",
    "ReportError",
    "Row",
    "Table",
    "breakdown",
    "format_number",
    "parse_period",
    "pipeline_stages",
]
