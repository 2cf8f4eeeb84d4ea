"""The ``qualif`` command: a click group whose commands are thin faces over the core.

``qualif [DB]`` (no command) opens the TUI; every other verb is a subcommand whose
module is imported only when that verb runs (``COMMANDS``), so that a one-shot
``qualif query`` does not pay for the import of every other command. Errors a user
can cause become one line on stderr: exit 2 for bad usage or a bad query, 1 for
other failures.
"""

from __future__ import annotations

import importlib
import os
import sqlite3
import sys
from pathlib import Path
from typing import Any

import click

from qualif_tui.base.i18n import _
from qualif_tui.cli.output import fail, report_query_error
from qualif_tui.domain.errors import QualifError
from qualif_tui.query.errors import QueryError
from qualif_tui.storage import StorageError

DEFAULT_DB = "qualif.db"

# verb → "module:attribute" of its click command, imported on use.
COMMANDS: dict[str, str] = {
    "init": "qualif_tui.cli.database_cmds:init",
    "check": "qualif_tui.cli.database_cmds:check",
    "backup": "qualif_tui.cli.database_cmds:backup",
    "query": "qualif_tui.cli.query_cmd:query",
    "segment": "qualif_tui.cli.segment_cmd:segment",
    "key": "qualif_tui.cli.key_cmds:key",
    "import": "qualif_tui.cli.transfer_cmds:import_",
    "export": "qualif_tui.cli.transfer_cmds:export",
    "agenda": "qualif_tui.cli.agenda_cmd:agenda",
    "sql": "qualif_tui.cli.sql_cmd:sql",
    "report": "qualif_tui.cli.report_cmd:report",
    "campaign": "qualif_tui.cli.campaign_cmd:campaign",
    "deal": "qualif_tui.cli.deal_cmd:deal",
    "quote": "qualif_tui.cli.quote_cmd:quote",
    "contact": "qualif_tui.cli.contact_cmd:contact",
    "duplicates": "qualif_tui.cli.duplicates_cmd:duplicates",
    "merge": "qualif_tui.cli.merge_cmd:merge",
    "undo": "qualif_tui.cli.undo_cmd:undo",
    "field": "qualif_tui.cli.field_cmd:field",
}


class QualifGroup(click.Group):
    """Accepts a database path where a command would be (``qualif my.db``),
    loads each command's module on use, and turns the core's errors into one
    clean line and an exit status."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*COMMANDS, *self.commands})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        target = COMMANDS.get(cmd_name)
        if target is None:
            return super().get_command(ctx, cmd_name)
        module_name, attribute = target.split(":")
        command = getattr(importlib.import_module(module_name), attribute)
        assert isinstance(command, click.Command)
        return command

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if args and not args[0].startswith("-") and args[0] not in self.list_commands(ctx):
            ctx.meta["qualif.db"] = args[0]
            args = args[1:]
        return super().parse_args(ctx, args)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except click.UsageError as error:
            # one line, like every other error (click would print three)
            where = error.ctx.command_path if error.ctx is not None else "qualif"
            fail(error.format_message() + _(" (aide : {command} --help)").format(command=where),
                 2)
        except QueryError as error:
            report_query_error(error)
        except (StorageError, QualifError) as error:
            fail(str(error))
        except KeyboardInterrupt:
            fail(_("interrompu"), 130)
        except BrokenPipeError:
            # `qualif query … | head`: the reader left; nothing more to say.
            sys.stderr.close()
            sys.exit(0)
        except (sqlite3.Error, OSError) as error:
            # a damaged page met mid-query, a full disk at commit, a held lock: one line
            from qualif_tui.cli.common import CURRENT
            from qualif_tui.storage.failures import describe_failure

            if isinstance(error, sqlite3.OperationalError) and str(error) == "interrupted":
                fail(_("interrompu : rien n'a été écrit"), 130)  # ctrl+c in a long statement
            db = CURRENT.get("db")
            fail(describe_failure(Path(db) if db else None, error))


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
    from qualif_tui.cli.open_app import open_app, open_demo

    if demo:
        open_demo()
        return
    path = ctx.meta.get("qualif.db") or os.environ.get("QUALIF_DB") or DEFAULT_DB
    open_app(Path(path))
