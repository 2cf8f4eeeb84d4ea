"""qualif: a keyboard-driven contact manager and small CRM over one SQLite file."""

__version__ = "0.1.0"
