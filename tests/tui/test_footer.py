"""The footer is rebuilt when the keys it shows change, and only then."""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.widget import Widget
from textual.widgets import Static
from textual.widgets._footer import FooterKey

from qualif_tui.tui.footer import KeyFooter

from .conftest import settle


class Plain(Static, can_focus=True):
    pass


class Editable(Static, can_focus=True):
    BINDINGS = [Binding("e", "edit", "Modifier")]
    editable = True

    def action_edit(self) -> None:
        pass

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # None: shown but disabled (False would hide it)
        return (True if self.editable else None) if action == "edit" else True


class Host(App[None]):
    ENABLE_COMMAND_PALETTE = False
    BINDINGS = [Binding("n", "new", "Nouveau")]

    def compose(self) -> ComposeResult:
        yield Plain("a", id="a")
        yield Plain("b", id="b")
        yield Editable("c", id="c")
        yield KeyFooter()

    def action_new(self) -> None:
        pass


def keys(app: App[None]) -> list[FooterKey]:
    return list(app.screen.query(FooterKey))


def shown(app: App[None]) -> list[tuple[str, bool]]:
    return [(key.description, key.has_class("-disabled")) for key in keys(app)]


async def test_same_keys_keep_the_same_widgets_other_keys_are_shown() -> None:
    app = Host()
    async with app.run_test() as pilot:
        await settle(pilot, lambda: bool(keys(app)))

        def focus(widget_id: str) -> Widget:
            widget = app.screen.query_one(f"#{widget_id}")
            widget.focus()
            return widget

        focus("a")
        await settle(pilot)
        before = keys(app)
        assert shown(app) == [("Nouveau", False)]
        focus("b")  # the same keys: the footer is not rebuilt
        await settle(pilot)
        assert keys(app) == before
        editable = focus("c")  # one key more: shown
        await settle(pilot, lambda: len(keys(app)) == 2)
        assert shown(app) == [("Modifier", False), ("Nouveau", False)]
        assert isinstance(editable, Editable)
        editable.editable = False  # the same keys, one now disabled: shown dimmed
        app.screen.refresh_bindings()
        await settle(pilot, lambda: ("Modifier", True) in shown(app))
        focus("a")  # and gone again
        await settle(pilot, lambda: len(keys(app)) == 1)
        assert shown(app) == [("Nouveau", False)]
