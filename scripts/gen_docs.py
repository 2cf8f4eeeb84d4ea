"""Write the generated docs (``--check``: fail if one is stale).

    python scripts/gen_docs.py           # regenerate (make docs)
    python scripts/gen_docs.py --check   # CI: the files say what the code says

``docs/cli.md``: every command's own ``--help``. Every command of
``qualif_tui.cli.main.COMMANDS`` and every subcommand of a group gets its
section, in the order ``qualif --help`` lists them, so a new command is
documented by regenerating, and CI notices when someone forgot to.

``docs/query-language.md``: the language's reference,
``qualif_tui.query.reference`` — the text the app shows on F1 in the search bar.

Both in the app's default language (French), as a user sees them.
"""

from __future__ import annotations

import argparse
import difflib
import os
import sys
from pathlib import Path

os.environ["QUALIF_LANG"] = "fr"  # what a user sees by default
os.environ.pop("QUALIF_DB", None)  # help text must not depend on the caller's environment

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import click  # noqa: E402
from click.testing import CliRunner  # noqa: E402

from qualif_tui.cli.main import main  # noqa: E402
from qualif_tui.query import reference as query_reference  # noqa: E402

DOCS = ROOT / "docs"
WIDTH = 88

HEADER = """# Command-line reference

Every `qualif` command and what it accepts, as its `--help` prints it. This file
is generated: run `make docs` after changing a command (CI fails when it is stale).
For the query language used by `query`, `export` and `segment`, see
[query-language.md](query-language.md).
"""


def _help(path: list[str]) -> str:
    result = CliRunner().invoke(main, [*path, "--help"], prog_name="qualif",
                                terminal_width=WIDTH)
    if result.exit_code != 0:
        raise SystemExit(f"qualif {' '.join(path)} --help failed: {result.output}")
    return result.output.rstrip() + "\n"


def _commands(group: click.Group, path: list[str]) -> list[list[str]]:
    found: list[list[str]] = []
    ctx = click.Context(group, info_name=" ".join(["qualif", *path]))
    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        if command is None or command.hidden:
            continue
        found.append([*path, name])
        if isinstance(command, click.Group):
            found += _commands(command, [*path, name])
    return found


def cli_reference() -> str:
    parts = [HEADER, "## qualif\n", "```text\n" + _help([]) + "```\n"]
    for path in _commands(main, []):
        title = " ".join(["qualif", *path])
        parts += [f"## {title}\n", "```text\n" + _help(path) + "```\n"]
    return "\n".join(parts)


def query_language() -> str:
    page = query_reference.markdown()
    title, rest = page.split("\n", 1)
    note = ("\n_Généré depuis `qualif_tui/query/reference.py` (`make docs`) : c'est le texte"
            " que l'application montre sur F1 ou ? dans la barre de recherche._\n")
    return title + "\n" + note + rest


def generated() -> dict[Path, str]:
    return {DOCS / "cli.md": cli_reference(), DOCS / "query-language.md": query_language()}


def main_() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="fail if a generated doc is stale")
    args = parser.parse_args()
    stale = 0
    for target, text in generated().items():
        name = target.relative_to(ROOT).as_posix()
        if not args.check:
            target.parent.mkdir(exist_ok=True)
            target.write_text(text, encoding="utf-8")
            continue
        current = target.read_text(encoding="utf-8") if target.exists() else ""
        if current != text:
            diff = difflib.unified_diff(current.splitlines(), text.splitlines(),
                                        name, "generated", lineterm="", n=1)
            print("\n".join(list(diff)[:60]), file=sys.stderr)
            print(f"{name} is out of date: run `make docs` and commit it", file=sys.stderr)
            stale += 1
    return 1 if stale else 0


if __name__ == "__main__":
    sys.exit(main_())
