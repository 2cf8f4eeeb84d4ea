"""Command line: ``qualif`` and its verbs (see DESIGN.md, "Command line")."""

from . import (  # noqa: F401  (register the commands)
    agenda_cmd,
    database_cmds,
    key_cmds,
    query_cmd,
    segment_cmd,
    transfer_cmds,
)
from .main import main

__all__ = ["main"]
