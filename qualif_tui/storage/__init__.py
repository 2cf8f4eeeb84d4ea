"""Storage: the single SQLite file, its pragmas, schema and migrations.

This package is the only place that knows the schema. Everything above it
(core services, query engine, CLI, TUI) goes through :class:`Database`.
"""

from qualif_tui.storage.database import (
    APPLICATION_ID,
    SCHEMA_VERSION,
    CheckReport,
    Database,
    PlantedSchema,
    StorageError,
    backup_database,
    check_database,
    interrupt_all,
    open_database,
    quick_check_file,
)

__all__ = [
    "APPLICATION_ID",
    "SCHEMA_VERSION",
    "CheckReport",
    "Database",
    "PlantedSchema",
    "StorageError",
    "backup_database",
    "check_database",
    "interrupt_all",
    "open_database",
    "quick_check_file",
]
