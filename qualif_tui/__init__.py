"""qualif: a keyboard-driven contact manager and small CRM over one SQLite file."""

from importlib.metadata import PackageNotFoundError, version

try:
    # one place for the version: pyproject.toml, as installed
    __version__ = version("qualif")
except PackageNotFoundError:  # running from a checkout that was never installed
    __version__ = "0+unknown"
