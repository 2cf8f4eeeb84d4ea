"""Core services: contacts, qualification keys, history, agenda, deals.

Plain Python over :mod:`qualif_tui.storage`; nothing here imports Textual or
click (a test enforces it), so the TUI and the CLI are two thin faces of it.
"""
