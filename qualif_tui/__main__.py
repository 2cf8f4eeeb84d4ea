from qualif_tui.cli import main

main(prog_name="qualif")
