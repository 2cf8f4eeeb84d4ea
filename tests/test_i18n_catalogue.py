"""The catalogues: every string marked in the code has its English, the compiled files
are current, translations keep their fields, no French is left unmarked in the faces,
and the CLI speaks one language at a time (issue 16, item 9)."""

from __future__ import annotations

import ast
import re
import string
from collections.abc import Iterator
from pathlib import Path

import click
import i18n  # scripts/i18n.py
import pytest
from click.testing import CliRunner
from i18n_support import pairs, untranslated

from qualif_tui.base.i18n import language, language_from, set_language
from qualif_tui.cli.main import main

PACKAGE = Path(__file__).resolve().parent.parent / "qualif_tui"


@pytest.fixture(autouse=True)
def _back_to_the_environment() -> Iterator[None]:
    yield
    set_language(None)


# -- the catalogues ----------------------------------------------------------------------

@pytest.mark.parametrize(("path", "locale"), i18n.catalogues(),
                         ids=lambda value: str(value).rsplit("/", 1)[-1])
def test_every_marked_string_has_its_translation(path: Path, locale: str) -> None:
    sources = i18n.extract() if path == i18n.QUALIF_PO else i18n.click_messages()
    missing = i18n.untranslated(path, locale, sources)
    assert not missing, i18n.describe(missing, path)


@pytest.mark.parametrize(("path", "locale"), i18n.catalogues(),
                         ids=lambda value: str(value).rsplit("/", 1)[-1])
def test_the_compiled_catalogue_is_the_po_file(path: Path, locale: str) -> None:
    mo = path.with_suffix(".mo")
    assert mo.exists() and mo.read_bytes() == i18n.compiled(path, locale), (
        f"{mo} is stale: run `python scripts/i18n.py compile` (make i18n)")


def _fields(text: str) -> set[str]:
    return {name for _literal, name, _spec, _conv in string.Formatter().parse(text)
            if name is not None}


def test_translations_keep_the_fields_of_their_message() -> None:
    catalogue = i18n.read(i18n.QUALIF_PO, "en")
    wrong = []
    for message in catalogue:
        if not message.id:
            continue
        ids = tuple(message.id) if isinstance(message.id, (list, tuple)) else (message.id,)
        strings = (tuple(message.string) if isinstance(message.string, (list, tuple))
                   else (message.string or "",))
        for translated in strings:
            if _fields(translated) != _fields(ids[0]) and not (
                    len(ids) > 1 and _fields(translated) <= _fields(ids[1])):
                wrong.append(f"{ids[0]!r} → {translated!r}")
    assert not wrong, "translations whose {fields} differ from their msgid:\n" + "\n".join(wrong)


def test_no_msgid_is_translated_at_import_in_the_app_or_the_cli() -> None:
    """A ``_()`` run when a module is imported fixes the language of the process start;
    the faces mark such strings with ``N_()`` and translate them where they are shown."""
    found = []
    for path in sorted((PACKAGE / "tui").rglob("*.py")) + sorted((PACKAGE / "cli").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        bodies: list[ast.AST] = [statement for fn in ast.walk(tree)
                                 if isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef))
                                 for statement in fn.body]  # not the decorators (import time)
        bodies += [fn.body for fn in ast.walk(tree) if isinstance(fn, ast.Lambda)]
        functions = {id(node) for body in bodies for node in ast.walk(body)}
        for node in ast.walk(tree):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
                    and node.func.id in ("_", "ngettext") and id(node) not in functions):
                found.append(f"{path.relative_to(PACKAGE.parent)}:{node.lineno}")
    assert not found, "_() at import time (use N_() there, _() where shown): " + ", ".join(found)


def test_no_function_hides_the_translation_function() -> None:
    """``x, _ = pair`` in a function makes ``_`` a local there: its ``_("…")`` then fails."""
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for function in ast.walk(tree):
            if not isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)):
                continue
            inner = {id(node) for comprehension in ast.walk(function)
                     if isinstance(comprehension, (ast.ListComp, ast.SetComp, ast.DictComp,
                                                   ast.GeneratorExp))
                     for node in ast.walk(comprehension)}
            stores = any(isinstance(node, ast.Name) and node.id == "_"
                         and isinstance(node.ctx, ast.Store) and id(node) not in inner
                         for node in ast.walk(function))
            calls = any(isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
                        and node.func.id == "_" for node in ast.walk(function))
            if stores and calls:
                found.append(f"{path.relative_to(PACKAGE.parent)}:{function.lineno} "
                             f"{function.name}")
    assert not found, "functions assigning _ and calling _(): " + ", ".join(found)


# -- French left unmarked in the faces ------------------------------------------------------

FRENCH = re.compile(r"[éèêàâùûçîôëœ«»]|\b(?:le|la|les|des|une|du|aucun|aucune|pas|est|sur|"
                    r"pour|avec|dans|ou|et|à|au|aux|ne|plus|rien|fiche|clé|valeur|nouveau|"
                    r"nouvelle|enregistrer|annuler|fermer|choisir|chercher|supprimer)\b", re.I)
# calls whose string arguments are no text for the user
NOT_TEXT_CALLS = {
    "query_one", "query", "add_class", "remove_class", "set_class", "has_class",
    "toggle_class", "getattr", "setattr", "hasattr", "execute", "executemany", "scalar",
    "get", "startswith", "endswith", "split", "rsplit", "join", "replace", "strip", "Path",
    "open", "compile", "match", "search", "sub", "fullmatch", "isinstance", "post_message",
    "format", "encode", "decode", "index", "count", "find", "get_component_rich_style",
    "set_timer", "run_worker", "action", "run_action", "press", "Style", "parse", "lower",
    "casefold", "fold", "strftime", "strptime", "removeprefix", "removesuffix", "partition",
    "N_", "_", "ngettext", "Key", "Binding", "described", "work", "option", "argument", "command", "group",
    "version_option", "ValueError", "RuntimeError", "AssertionError", "KeyError", "TypeError", "parse_moment",
}
NOT_TEXT_KEYWORDS = {"id", "classes", "name", "group", "variant", "action", "key", "type",
                     "default", "metavar", "style", "markup", "justify", "overflow", "sort",
                     "kind", "scope", "value", "key_display", "header_style", "title_style"}
# (file, text) that are French on purpose: words the natural-date parser reads, the
# French date filter of letter templates, sample values
ALLOWED: set[tuple[str, str]] = set()


def _unmarked_french(path: Path) -> Iterator[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    parents = {id(child): node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}
    docstrings = {id(node.body[0].value) for node in ast.walk(tree)
                  if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef,
                                       ast.AsyncFunctionDef))
                  and node.body and isinstance(node.body[0], ast.Expr)
                  and isinstance(node.body[0].value, ast.Constant)}
    for node in ast.walk(tree):
        if (not isinstance(node, ast.Constant) or not isinstance(node.value, str)
                or id(node) in docstrings or not FRENCH.search(node.value)):
            continue
        child: ast.AST = node
        parent = parents.get(id(node))
        # through f-strings, conditional expressions, concatenations, tuples of a table
        while isinstance(parent, (ast.JoinedStr, ast.FormattedValue, ast.IfExp, ast.BoolOp,
                                  ast.BinOp, ast.Tuple, ast.List)) and not (
                isinstance(parent, ast.IfExp) and child is parent.test):
            child, parent = parent, parents.get(id(parent))
        if isinstance(parent, ast.Call):
            name = parent.func.attr if isinstance(parent.func, ast.Attribute) else (
                parent.func.id if isinstance(parent.func, ast.Name) else "")
            if name in NOT_TEXT_CALLS or child not in parent.args:
                continue
        elif isinstance(parent, ast.keyword):
            if parent.arg in NOT_TEXT_KEYWORDS:
                continue
            call = parents.get(id(parent))
            if isinstance(call, ast.Call) and isinstance(call.func, (ast.Name, ast.Attribute)):
                name = call.func.attr if isinstance(call.func, ast.Attribute) else call.func.id
                if name in NOT_TEXT_CALLS:
                    continue
        elif isinstance(parent, ast.Dict):
            if any(child is key for key in parent.keys):
                continue
        elif not isinstance(parent, (ast.Return, ast.Assign, ast.AnnAssign)):
            continue  # comparisons, subscripts, membership: the code's own words
        yield node.lineno, node.value


def test_no_french_text_is_left_unmarked_in_the_app_and_the_cli() -> None:
    found = []
    for path in sorted((PACKAGE / "tui").rglob("*.py")) + sorted((PACKAGE / "cli").rglob("*.py")):
        where = path.relative_to(PACKAGE.parent).as_posix()
        for line, text in _unmarked_french(path):
            if (where, text) not in ALLOWED:
                found.append(f"{where}:{line}: {text!r}")
    assert not found, ("French text shown without _() (wrap it: _(\"…\"), or N_(\"…\") in a "
                       "table and _() where shown):\n" + "\n".join(found))


# -- the language of a process ------------------------------------------------------------

@pytest.mark.parametrize(("environ", "expected"), [
    ({}, "fr"),
    ({"LANG": "C.UTF-8"}, "fr"),
    ({"LANG": "fr_FR.UTF-8"}, "fr"),
    ({"LANG": "en_GB.UTF-8"}, "en"),
    ({"LANG": "de_DE.UTF-8"}, "en"),
    ({"LANG": "fr_FR.UTF-8", "LC_MESSAGES": "en_US.UTF-8"}, "en"),
    ({"LC_MESSAGES": "fr_CA", "LC_ALL": "en_US"}, "en"),
    ({"LC_ALL": "C", "LANG": "en_US"}, "en"),
    ({"QUALIF_LANG": "fr", "LC_ALL": "en_US.UTF-8"}, "fr"),
    ({"QUALIF_LANG": "en", "LANG": "fr_FR.UTF-8"}, "en"),
])
def test_the_language_comes_from_the_environment(environ: dict[str, str], expected: str) -> None:
    assert language_from(environ) == expected


def test_the_language_can_change_in_one_process() -> None:
    set_language("en")
    assert language() == "en"
    set_language("fr")
    assert language() == "fr"
    with pytest.raises(ValueError):
        set_language("de")


# -- the CLI, in each language --------------------------------------------------------------

def _all_commands() -> list[list[str]]:
    paths: list[list[str]] = [[]]
    context = click.Context(main, info_name="qualif")
    for name in main.list_commands(context):
        command = main.get_command(context, name)
        paths.append([name])
        if isinstance(command, click.Group):
            paths += [[name, sub] for sub in command.list_commands(context)]
    return paths


CLICK_ENGLISH = ("Show this message and exit.", "Usage:", "Commands:")
CLICK_FRENCH = ("Afficher ce message et quitter.", "Usage :", "Commandes :")


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_every_help_speaks_one_language(lang: str) -> None:
    set_language(lang)
    runner = CliRunner()
    for path in _all_commands():
        result = runner.invoke(main, [*path, "--help"], prog_name="qualif", terminal_width=200)
        assert result.exit_code == 0, (path, result.output)
        shown = result.output
        assert not untranslated(shown, lang), (path, untranslated(shown, lang))
        other = CLICK_FRENCH if lang == "en" else CLICK_ENGLISH
        assert not [word for word in other if word in shown], (path, shown[:300])


@pytest.mark.parametrize(("lang", "expected"), [
    ("en", "no database at"), ("fr", "pas de base en"),
])
def test_an_error_in_each_language(lang: str, expected: str, tmp_path: Path) -> None:
    set_language(lang)
    result = CliRunner().invoke(main, ["query", str(tmp_path / "none.db")], prog_name="qualif")
    assert result.exit_code == 1 and expected in result.output
    assert not untranslated(result.output, lang)


@pytest.mark.parametrize(("lang", "expected", "hint"), [
    ("en", "bad query: ", "hint: "), ("fr", "requête invalide : ", "conseil : "),
])
def test_a_bad_query_in_each_language(lang: str, expected: str, hint: str,
                                      demo_file: Path) -> None:
    set_language(lang)
    result = CliRunner().invoke(main, ["query", str(demo_file), "profil:client AND"],
                                prog_name="qualif")
    assert result.exit_code == 2, result.output
    assert expected in result.output
    assert not untranslated(result.output, lang)


@pytest.mark.parametrize(("lang", "expected"), [
    ("en", "(help: qualif segment DB list --help)"), ("fr", "(aide : qualif segment DB list --help)"),
])
def test_a_usage_error_in_each_language(lang: str, expected: str, demo_file: Path) -> None:
    set_language(lang)
    result = CliRunner().invoke(main, ["segment", str(demo_file), "list", "--bogus"],
                                prog_name="qualif")
    assert result.exit_code == 2 and expected in result.output, result.output
    assert not untranslated(result.output, lang), result.output


def test_the_catalogue_is_not_empty() -> None:
    assert len(pairs()) > 1000
