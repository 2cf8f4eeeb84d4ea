"""The ``qualif`` command: a click group whose commands are thin faces over the core.

``qualif [DB]`` (no command) opens the TUI; every other verb is a subcommand
registered by the modules of this package. Errors a user can cause become one
line on stderr: exit 2 for bad usage or a bad query, 1 for other failures.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click
from rich.console import Console

from ..core.errors import QualifError
from ..query.errors import QueryError
from ..storage import Database, StorageError, open_database

DEFAULT_DB = "qualif.db"

out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)


def fail(message: str, code: int = 1) -> None:
    err.print(f"[bold red]qualif:[/] {message}", markup=True)
    sys.exit(code)


def report_query_error(error: QueryError) -> None:
    for line in error.caret_lines():
        err.print(f"  {line}", markup=False)
    err.print(f"[bold red]qualif:[/] bad query: {error.message}", markup=True)
    if error.hint:
        err.print(f"  hint: {error.hint}", markup=False)
    sys.exit(2)


class QualifGroup(click.Group):
    """Accepts a database path where a command would be (``qualif my.db``)
    and turns the core's errors into one clean line and an exit status."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if args and not args[0].startswith("-") and args[0] not in self.commands:
            ctx.meta["qualif.db"] = args[0]
            args = args[1:]
        return super().parse_args(ctx, args)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except QueryError as error:
            report_query_error(error)
        except (StorageError, QualifError) as error:
            fail(str(error))
        except KeyboardInterrupt:
            fail("interrupted", 130)
        except BrokenPipeError:
            # `qualif query … | head`: the reader left; nothing more to say.
            sys.stderr.close()
            sys.exit(0)


class QueryCommand(click.Command):
    """A command whose positional text is a query, which may hold words starting
    with '-' (``-profil:client``, ``-has:phone``, ``-dupont``).

    Click would read ``-has:phone`` as ``-h`` (help) and ``-o…`` as an option.
    Only this command's exact option names are options here; every other word
    stays positional, in order, after a ``--``.
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
            else:
                positionals.append(word)
        return super().parse_args(ctx, [*options, "--", *positionals])


def tell(line: str) -> None:
    """A one-line notice on stderr (what takes a while, what was created)."""
    err.print(f"qualif: {line}", markup=False)


@contextmanager
def opened(path: str, *, readonly: bool = False, quick_check: bool = True) -> Iterator[Database]:
    db = open_database(path, readonly=readonly, quick_check=quick_check, on_upgrade=tell)
    try:
        yield db
    finally:
        db.close()


def database_argument(func: Any) -> Any:
    return click.argument("db", type=click.Path(dir_okay=False, path_type=str))(func)


@click.group(cls=QualifGroup, invoke_without_command=True,
             context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--demo", is_flag=True, help="Open the TUI on a fresh copy of the demo database.")
@click.version_option(package_name="qualif", prog_name="qualif")
@click.pass_context
def main(ctx: click.Context, demo: bool) -> None:
    """qualif — qualify your contacts, pull out targets, never lose a thing.

    \b
    qualif [DB]          open the app on DB ($QUALIF_DB, else ./qualif.db)
    qualif --demo        open the app on a fresh copy of the demo data
    qualif COMMAND --help  help on one command
    """
    if ctx.invoked_subcommand is not None:
        if demo:
            raise click.UsageError("--demo opens the app; it does not go with a command")
        return
    from .open_app import open_app, open_demo

    if demo:
        open_demo()
        return
    path = ctx.meta.get("qualif.db") or os.environ.get("QUALIF_DB") or DEFAULT_DB
    open_app(Path(path))
