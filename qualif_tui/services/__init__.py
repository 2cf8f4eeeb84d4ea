"""Services: what acts on "the contacts of a query" (segments, import and export,
bulk follow-ups, the demo and the generator, and later reports, campaigns and
duplicates). They sit above the query engine and below the two faces (the TUI and
the CLI); nothing here imports Textual, click or rich.
"""
