"""qualif: a keyboard-driven contact manager and small CRM over one SQLite file."""

from __future__ import annotations


def __getattr__(name: str) -> str:
    # ``__version__`` is read from the installed metadata on first use only:
    # importlib.metadata costs ~40 ms at start, which every one-shot command paid.
    if name == "__version__":
        from importlib.metadata import PackageNotFoundError, version

        try:
            # one place for the version: pyproject.toml, as installed
            found = version("qualif")
        except PackageNotFoundError:  # running from a checkout that was never installed
            found = "0+unknown"
        globals()["__version__"] = found
        return found
    raise AttributeError(name)
