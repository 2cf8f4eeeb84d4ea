"""How the command line speaks: stdout for results, one line on stderr for the rest.

Every command prints through these, so that an error is always one line with
``qualif:`` in front and the exit status of the contract (2 bad usage or query,
1 other failure).
"""

from __future__ import annotations

import sys
from typing import NoReturn

from rich.console import Console
from rich.markup import escape

from qualif_tui.query.errors import QueryError

out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)


def fail(message: str, code: int = 1) -> NoReturn:
    err.print(f"[bold red]qualif:[/] {escape(message)}", markup=True)
    sys.exit(code)


def report_query_error(error: QueryError) -> NoReturn:
    for line in error.caret_lines():
        err.print(f"  {line}", markup=False)
    err.print(f"[bold red]qualif:[/] bad query: {escape(error.message)}", markup=True)
    if error.hint:
        err.print(f"  hint: {error.hint}", markup=False)
    sys.exit(2)


def tell(line: str) -> None:
    """A one-line notice on stderr (what takes a while, what was created)."""
    err.print(f"qualif: {line}", markup=False)
