"""Write docs/cli.md from the commands' own ``--help`` (``--check``: fail if it is stale).

    python scripts/cli_reference.py           # regenerate (make docs)
    python scripts/cli_reference.py --check   # CI: the file says what --help says

Every command of ``qualif_tui.cli.main.COMMANDS`` and every subcommand of a group
gets its section, in the order ``qualif --help`` lists them, so a new command is
documented by regenerating, and CI notices when someone forgot to.
"""

from __future__ import annotations

import argparse
import difflib
import os
import sys
from pathlib import Path

os.environ["QUALIF_LANG"] = "en"  # the reference is in English, as the README
os.environ.pop("QUALIF_DB", None)  # help text must not depend on the caller's environment

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import click  # noqa: E402
from click.testing import CliRunner  # noqa: E402

from qualif_tui.cli.main import main  # noqa: E402

TARGET = ROOT / "docs" / "cli.md"
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


def reference() -> str:
    parts = [HEADER, "## qualif\n", "```text\n" + _help([]) + "```\n"]
    for path in _commands(main, []):
        title = " ".join(["qualif", *path])
        parts += [f"## {title}\n", "```text\n" + _help(path) + "```\n"]
    return "\n".join(parts)


def main_() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="fail if docs/cli.md is stale")
    args = parser.parse_args()
    text = reference()
    if args.check:
        current = TARGET.read_text(encoding="utf-8") if TARGET.exists() else ""
        if current != text:
            diff = difflib.unified_diff(current.splitlines(), text.splitlines(),
                                        "docs/cli.md", "qualif --help", lineterm="", n=1)
            print("\n".join(list(diff)[:60]), file=sys.stderr)
            print("docs/cli.md is out of date: run `make docs` and commit it",
                  file=sys.stderr)
            return 1
        return 0
    TARGET.parent.mkdir(exist_ok=True)
    TARGET.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main_())
