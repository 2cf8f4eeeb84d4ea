"""What the commands share: the DB argument, opening the file, query arguments."""

from __future__ import annotations

import difflib
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import click

from qualif_tui.base.i18n import _
from qualif_tui.cli.output import tell
from qualif_tui.storage import Database, open_database


class QueryCommand(click.Command):
    """A command whose positional text is a query, which may hold words starting
    with '-' (``-profil:client``, ``-has:phone``, ``-dupont``).

    Click would read ``-has:phone`` as ``-h`` (help) and ``-o…`` as an option.
    Only this command's exact option names are options here; every other word
    stays positional, in order, after a ``--``.

    A word starting with ``--`` is never query text, though: ``--force`` after
    ``export DB 'name:x' -o out.csv`` is a mistyped or misplaced option, and
    reading it as a query would export nothing with exit 0. It is refused
    (exit 2) unless it comes after a ``--`` or is quoted inside the query
    (``'"--force"'``).
    """

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        options: list[str] = []
        positionals: list[str] = []
        takes_value: dict[str, bool] = {}
        for param in self.get_params(ctx):
            if isinstance(param, click.Option):
                for name in (*param.opts, *param.secondary_opts):
                    takes_value[name] = not param.is_flag and not param.count
        words = iter(args)
        for word in words:
            if word == "--":
                positionals.extend(words)
                break
            name = word.split("=", 1)[0] if word.startswith("--") else word
            if name in takes_value:
                options.append(word)
                if takes_value[name] and "=" not in word:
                    options.append(next(words, ""))
            elif word.startswith("--"):
                raise _unknown_option(ctx, name, takes_value)
            else:
                positionals.append(word)
        return super().parse_args(ctx, [*options, "--", *positionals])


def _unknown_option(ctx: click.Context, name: str, known: dict[str, bool]) -> click.UsageError:
    close = difflib.get_close_matches(name, [n for n in known if n.startswith("--")], n=1)
    message = _("option inconnue : {option}").format(option=name)
    if close:
        message += _(" (vouliez-vous dire {option} ?)").format(option=close[0])
    message += _(" ; dans une requête, écrivez-le entre guillemets ('\"--mot\"') ou après --")
    return click.UsageError(message, ctx)


@contextmanager
def opened(path: str, *, readonly: bool = False, quick_check: bool | None = None,
           verify_schema: bool = True) -> Iterator[Database]:
    """The file, for one command run, checked as a one-shot command needs: the cheap
    checks always, the full quick check when the file is not known sound (never
    deferred: there is no background here). Errors met while it is open name this
    file. Its query engine (``QueryEngine.of(db)``, made on first use) and caches
    live as long as the run: closing the file drops them."""
    CURRENT["db"] = path
    db = open_database(path, readonly=readonly, quick_check=quick_check, on_upgrade=tell,
                       defer=False, verify_schema=verify_schema)
    db.on_wait = tell
    if "qualif_tui.query.engine" in sys.modules:
        # a command that queries: count on the bitmaps the file keeps, if any (the
        # cold path of a one-shot process; query/stored_facets.py)
        from qualif_tui.query.stored_facets import enable

        enable(db)
    if not readonly:
        from qualif_tui.storage.erasure import complete_erasure

        complete_erasure(db, notify=_told_if_big(db))  # a deletion a crash left half-erased
    try:
        yield db
        if not readonly:
            # what this command deleted leaves the full-text indexes too (erasure.py)
            complete_erasure(db, notify=_told_if_big(db))
    finally:
        db.close()


def _told_if_big(db: Database) -> Callable[[str], None] | None:
    """Tell what takes a while only where it does (the erasure merge: 7 s at 1M)."""
    try:
        big = db.path.stat().st_size > 64 * 1024 * 1024
    except OSError:
        big = False
    return tell if big else None


# the database the running command opened, for one-line errors (cli.main)
CURRENT: dict[str, str] = {}


def database_argument(func: Any) -> Any:
    return click.argument("db", type=click.Path(dir_okay=False, path_type=str))(func)
