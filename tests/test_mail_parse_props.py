"""The fast body walker against the standard library's parser (policy default), on
messages hypothesis builds with the standard library's own writer."""

from __future__ import annotations

from email.message import EmailMessage
from email.policy import SMTP, default

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from qualif_tui.services.mailimport.message import read_body, read_headers, reference_body

TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc"),
                                      blacklist_characters="\r\x0b\x0c\x1c\x1d\x1e\x85"
                                      "\u2028\u2029"),
               min_size=0, max_size=300)
NAMES = st.from_regex(r"[A-Za-zéèàç0-9 _\-]{1,30}\.(pdf|jpg|docx|txt)", fullmatch=True)
CHARSETS = st.sampled_from(["utf-8", "iso-8859-1", "cp1252", "iso-8859-15"])
ENCODINGS = st.sampled_from(["quoted-printable", "base64", "8bit"])


def _text_part(text: str, charset: str, cte: str) -> EmailMessage:
    part = EmailMessage()
    try:
        text.encode(charset)
    except UnicodeEncodeError:
        charset = "utf-8"
    part.set_content(text, charset=charset, cte=cte)
    return part


@st.composite
def messages(draw: st.DrawFn) -> bytes:
    message = EmailMessage()
    message["From"] = "Jeanne Exemple <jeanne@example.org>"
    message["To"] = "moi@example.org"
    message["Subject"] = draw(TEXT.map(lambda t: " ".join(t.split())[:80]))
    message["Message-ID"] = "<x@example.org>"
    plain = draw(TEXT)
    shape = draw(st.sampled_from(["plain", "alternative", "html", "mixed"]))
    if shape == "plain":
        message.set_content(plain, charset=draw(CHARSETS) if plain.isascii() else "utf-8",
                            cte=draw(ENCODINGS))
    elif shape == "html":
        message.set_content("<p>" + plain.replace("<", " ").replace("&", " ") + "</p>",
                            subtype="html", cte=draw(ENCODINGS))
    else:
        message.set_content(plain, cte=draw(ENCODINGS))
        message.add_alternative("<p>" + draw(TEXT).replace("<", " ").replace("&", " ")
                                + "</p>", subtype="html")
        if shape == "mixed":
            for _ in range(draw(st.integers(1, 3))):
                message.add_attachment(draw(st.binary(max_size=3000)), maintype="application",
                                       subtype="octet-stream", filename=draw(NAMES))
    return message.as_bytes(policy=draw(st.sampled_from([default, SMTP])))


# email's writer draws MIME boundaries with the random module: not the test's randomness
pytestmark = pytest.mark.filterwarnings("ignore::hypothesis.errors.HypothesisDeprecationWarning")


@given(messages())
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_walker_reads_what_the_standard_parser_reads(raw: bytes) -> None:
    fast, slow = read_body(raw), reference_body(raw)
    assert fast.text == slow.text
    assert fast.from_html == slow.from_html
    assert fast.attachments == slow.attachments


@given(messages())
@settings(max_examples=50, deadline=None)
def test_headers_are_read(raw: bytes) -> None:
    headers = read_headers(raw)
    assert headers.sender is not None and headers.sender.email == "jeanne@example.org"
    assert headers.key == "x@example.org"
