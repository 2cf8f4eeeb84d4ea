"""The CLI's help in the user's language, click's own words included.

A click command's help is a string fixed when its module is imported (the
docstring, ``help=``). Those strings are written in French and marked for the
catalogue by ``scripts/i18n.py``; :func:`localise` translates a command tree in
place just before click reads it, from the French it keeps aside, so that the
language can change between two invocations in one process (the tests).

click marks its own strings ("Usage:", "Show this message and exit.", "No such
option") for gettext, in English; :func:`speak_to_click` hands it the French of
``locale/fr/LC_MESSAGES/click.po`` when the user speaks French.
"""

from __future__ import annotations

import importlib
import inspect

import click

from qualif_tui.base.i18n import _, language, translations

_SOURCE = "_qualif_source"  # attribute keeping the French of a command or option


def _translated(text: str | None) -> str | None:
    return _(inspect.cleandoc(text)) if text else text


def localise(command: click.Command) -> None:
    """Puts ``command``'s help texts (its options', its subcommands') in the current language."""
    source = command.__dict__.setdefault(_SOURCE, (command.help, command.short_help,
                                                   command.epilog))
    command.help, command.short_help, command.epilog = (_translated(text) for text in source)
    command._help_option = None  # click keeps the --help option it made, in its language
    for param in command.params:
        if isinstance(param, click.Option):
            help_text = param.__dict__.setdefault(_SOURCE, param.help)
            param.help = _translated(help_text)
    if isinstance(command, click.Group):
        for sub in command.commands.values():
            localise(sub)


def _click_gettext(message: str) -> str:
    if language() != "fr":
        return message
    return translations("fr", "click").gettext(message)


def _click_ngettext(singular: str, plural: str, count: int) -> str:
    if language() != "fr":
        return singular if count == 1 else plural
    return translations("fr", "click").ngettext(singular, plural, count)


_CLICK_MODULES = ("core", "decorators", "exceptions", "formatting", "parser", "termui",
                  "types", "utils", "shell_completion")


def speak_to_click() -> None:
    """Makes click's own messages go through qualif's catalogue of click's strings."""
    for name in _CLICK_MODULES:
        module = importlib.import_module(f"click.{name}")
        if hasattr(module, "_"):
            module._ = _click_gettext  # type: ignore[attr-defined]
        if hasattr(module, "ngettext"):
            module.ngettext = _click_ngettext  # type: ignore[attr-defined]
