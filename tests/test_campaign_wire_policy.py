"""The wire policy's shortcut writes exactly what the classic policy writes."""

from __future__ import annotations

from email.policy import Compat32, compat32

from hypothesis import given
from hypothesis import strategies as st

from qualif_tui.services.campaigns.transports import WIRE

REFERENCE = compat32.clone(linesep="\r\n")
NAMES = st.sampled_from(["From", "To", "Subject", "Date", "Message-ID", "List-Unsubscribe",
                         "X-Mailer"])
ASCII = st.text(alphabet=st.characters(max_codepoint=127), max_size=120)
ANY = st.text(max_size=120)


def outcome(policy: Compat32, name: str, value: str) -> bytes | str:
    """What a policy writes, or the error it raises (a value with an embedded header)."""
    try:
        return policy.fold_binary(name, value)
    except Exception as error:  # noqa: BLE001 - the error's type is the outcome compared
        return type(error).__name__


@given(NAMES, ASCII)
def test_ascii_headers_as_the_classic_policy(name: str, value: str) -> None:
    assert outcome(WIRE, name, value) == outcome(REFERENCE, name, value)


@given(NAMES, ANY)
def test_any_header_as_the_classic_policy(name: str, value: str) -> None:
    assert outcome(WIRE, name, value) == outcome(REFERENCE, name, value)


def test_boundaries_of_the_line() -> None:
    for length in range(60, 80):
        for value in ("a" * length, "a " * (length // 2), "=?utf-8?q?L=C3=A9o?= <a@b.fr>"):
            assert WIRE.fold_binary("Subject", value) == REFERENCE.fold_binary("Subject", value)
    assert WIRE.fold_binary("To", "Léo <leo@x.fr>") == REFERENCE.fold_binary("To", "Léo <leo@x.fr>")
    assert WIRE.fold_binary("X", "a\r\n b") == REFERENCE.fold_binary("X", "a\r\n b")
