"""The command line: ``qualif`` and its verbs, thin faces over the core."""

from qualif_tui.cli.main import main

__all__ = ["main"]
