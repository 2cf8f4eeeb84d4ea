"""The domain: contacts, qualification keys, history, agenda, deals, clock, errors.

Plain Python over :mod:`qualif_tui.storage`. It sits below the query engine: nothing
here imports :mod:`qualif_tui.query`, the services, Textual, click or rich (the
import-linter contracts in ``pyproject.toml`` enforce it).
"""
