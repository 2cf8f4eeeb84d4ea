"""The user's key map: ``keys.toml`` in the config folder remaps any binding by its id.

Every binding of the app has an id (``keymap.py`` for the app's own tables, ``id=``
on the others); the file gives an id new keys, e.g. on Linux
``~/.config/qualif/keys.toml``::

    # the search on ctrl+f as well as /
    "main.search" = "slash,ctrl+f"
    # the list with the arrows only
    "list.down" = "down"
    "list.up" = ["up"]

(a ``[keys]`` table holding the same lines works too). Textual applies it to every
binding with that id, on every screen, including screens added later; the footer,
the help screen (``?``) and the command palette show the keys it gives.

A mistake in the file never stops the app: the app opens with its own keys for
the lines it could not read and says which (unknown id — with the closest known
one —, a value that is not keys, a file that is not TOML).
"""

from __future__ import annotations

import importlib
import pkgutil
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from textual.binding import Binding
from textual.dom import DOMNode

from qualif_tui.base import places
from qualif_tui.base.i18n import _
from qualif_tui.domain.keys import closest
from qualif_tui.tui import keymap

FILE_NAME = "keys.toml"


def keymap_path() -> Path:
    return places.config_dir() / FILE_NAME


@dataclass
class UserKeymap:
    keys: dict[str, str] = field(default_factory=dict)  # binding id → "key,key"
    problems: list[str] = field(default_factory=list)


def known_binding_ids() -> set[str]:
    """The id of every binding the app's screens and widgets declare (their modules
    imported first, so that screens opened later count too)."""
    import qualif_tui.tui as package

    for module in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
        try:
            importlib.import_module(module.name)
        except Exception:  # noqa: BLE001 - a module that cannot load has no keys to map
            continue
    ids = {key.id for key in keymap.ALL_KEYS}
    pending: list[type[DOMNode]] = [DOMNode]
    while pending:
        cls = pending.pop()
        pending.extend(cls.__subclasses__())
        for binding in cls.__dict__.get("BINDINGS", ()):
            if isinstance(binding, Binding) and binding.id:
                ids.add(binding.id)
    return ids


def _keys_of(value: object) -> str | None:
    if isinstance(value, str) and value.strip():
        return ",".join(part.strip() for part in value.split(",") if part.strip())
    if isinstance(value, list) and value and all(isinstance(v, str) and v.strip()
                                                 for v in value):
        return ",".join(v.strip() for v in value)
    return None


def read_keymap(text: str, known: Iterable[str] | None = None) -> UserKeymap:
    """The key map in ``text`` (TOML); ``known``: the ids that exist."""
    found = UserKeymap()
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        found.problems.append(_("ce n'est pas du TOML : {error}").format(error=error))
        return found
    table = data.get("keys", data) if isinstance(data.get("keys"), dict) else data
    known_ids = set(known) if known is not None else None
    for ident, value in table.items():
        if ident == "keys" and isinstance(value, dict):
            continue
        keys = _keys_of(value)
        if keys is None:
            found.problems.append(_("{id} : donnez une touche (\"ctrl+f\") ou une liste "
                                    "([\"ctrl+f\", \"f3\"])").format(id=ident))
            continue
        if known_ids is not None and ident not in known_ids:
            guess = closest(ident, known_ids)
            hint = _(" — vouliez-vous dire {guess} ?").format(guess=guess) if guess else ""
            found.problems.append(_("{id} : aucune action n'a cet identifiant{hint}").format(
                id=ident, hint=hint))
            continue
        found.keys[ident] = keys
    return found


def load_user_keymap(path: Path | None = None) -> UserKeymap:
    """The user's key map (empty when there is no file)."""
    path = path or keymap_path()
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return UserKeymap()
    except OSError as error:
        return UserKeymap(problems=[f"{path}: {error.strerror}"])
    found = read_keymap(text, known_binding_ids())
    found.problems = [f"{path.name} : {problem}" for problem in found.problems]
    return found


def keys_shown(key: keymap.Key, user: Mapping[str, str]) -> str:
    """How a key of the tables is written for the user (their map applied)."""
    if key.id in user:
        return user[key.id].replace(",", " ")
    return key.key_display or key.keys.replace(",", " ")
