"""How the command line speaks: stdout for results, one line on stderr for the rest.

Every command prints through these, so that an error is always one line with
``qualif:`` in front and the exit status of the contract (2 bad usage or query,
1 other failure).
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any, NoReturn, cast

if TYPE_CHECKING:
    from rich.console import Console

    from qualif_tui.query.errors import QueryError


class _Console:
    """A rich Console made on first use: rich takes ~50 ms to import, which a
    one-shot ``qualif query --count`` (its answer is one number) need not pay."""

    def __init__(self, **options: Any) -> None:
        self._options = options
        self._console: Console | None = None

    def _get(self) -> Console:
        if self._console is None:
            from rich.console import Console

            self._console = Console(**self._options)
        return self._console

    def __getattr__(self, name: str) -> Any:
        return getattr(self._get(), name)

    # special methods are looked up on the type, not through __getattr__ (rich's
    # Live and Progress use the console as a context manager)
    def __enter__(self) -> Console:
        return self._get().__enter__()

    def __exit__(self, *exc: Any) -> None:
        self._get().__exit__(*exc)


out = cast("Console", _Console(highlight=False, soft_wrap=True))
err = cast("Console", _Console(stderr=True, highlight=False, soft_wrap=True))


def escape(text: str) -> str:
    from rich.markup import escape as rich_escape

    return rich_escape(text)


def plain(line: str) -> None:
    """A result line on stdout, as it is (no rich: the fast path of counts)."""
    sys.stdout.write(line + "\n")


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
