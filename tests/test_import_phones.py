"""E.164 forms for duplicate matching: the fast path agrees with phonenumbers."""

from __future__ import annotations

import phonenumbers
from hypothesis import given
from hypothesis import strategies as st

from qualif_tui.services.importing.normalize import phone_e164


def reference(number: str) -> str:
    try:
        parsed = phonenumbers.parse(number, "FR")
    except phonenumbers.NumberParseException:
        return ""
    if not phonenumbers.is_possible_number(parsed):
        return ""
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


french_number = st.builds(
    lambda first, rest, style: style(f"0{first}{rest}"),
    st.integers(1, 9), st.text("0123456789", min_size=8, max_size=8),
    st.sampled_from([
        lambda n: n,
        lambda n: " ".join(n[i:i + 2] for i in range(0, 10, 2)),
        lambda n: ".".join(n[i:i + 2] for i in range(0, 10, 2)),
        lambda n: "+33 " + n[1],  # cut: not a whole number
        lambda n: "+33 " + " ".join([n[1]] + [n[i:i + 2] for i in range(2, 10, 2)]),
        lambda n: "0033" + n[1:],
        lambda n: "+33 (0)" + n[1:],
    ]))


@given(french_number)
def test_fast_path_matches_phonenumbers(number: str) -> None:
    assert phone_e164(number) == reference(number)


def test_common_forms() -> None:
    assert phone_e164("06 12 34 56 78") == phone_e164("+33 6 12 34 56 78") == "+33612345678"
    assert phone_e164("+262 262 12 34 56") == "+262262123456"
    assert phone_e164("+1 650 253 0000") == "+16502530000"
    assert phone_e164("n/a") == "" and phone_e164("12") == ""
