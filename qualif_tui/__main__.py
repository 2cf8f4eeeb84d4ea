"""``python -m qualif_tui``: the same as the ``qualif`` command."""

from qualif_tui.cli import main

if __name__ == "__main__":
    main(prog_name="qualif")
