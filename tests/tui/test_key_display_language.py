"""Key displays that are words (``espace``, ``suppr``) follow the language, with the
descriptions beside them."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from textual.binding import Binding

from qualif_tui.base.i18n import set_language
from qualif_tui.tui import keymap
from qualif_tui.tui.stage_table import StageTableScreen


@pytest.fixture
def relocalised() -> Iterator[None]:
    yield
    set_language(None)
    keymap.relocalise()


def _delete_binding() -> Binding:
    found = [b for b in StageTableScreen.BINDINGS
             if isinstance(b, Binding) and b.id == "stages.delete"]
    assert found
    return found[0]


@pytest.mark.parametrize(("code", "display", "description"),
                         [("en", "del", "Delete"), ("fr", "suppr", "Supprimer")])
def test_the_delete_key_in_each_language(relocalised: None, code: str, display: str,
                                         description: str) -> None:
    set_language(code)
    keymap.relocalise()
    binding = _delete_binding()
    assert (binding.key_display, binding.description) == (display, description)
