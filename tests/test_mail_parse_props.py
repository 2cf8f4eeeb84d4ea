"""The fast body walker against the standard library's parser (policy default), on
messages hypothesis builds with the standard library's own writer."""

from __future__ import annotations

from email.message import EmailMessage
from email.policy import SMTP, default

import pytest
from hypothesis import HealthCheck, example, given, settings
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


@pytest.mark.parametrize("name", ["0  .pdf", "devis  final.pdf", "=?utf-8?q?caf=C3=A9__x.pdf?="])
def test_attachment_names_keep_their_inner_spaces(name: str) -> None:
    # hypothesis found it: the walker made "0  .pdf" into "0 .pdf", the standard parser not
    raw = (b"From: a@example.org\nMIME-Version: 1.0\nContent-Type: multipart/mixed;"
           b' boundary="b"\n\n--b\nContent-Type: text/plain\n\nBonjour\n--b\n'
           b"Content-Type: application/pdf\nContent-Disposition: attachment;"
           b' filename="' + name.encode() + b'"\n\nJVBERi0=\n--b--\n')
    assert read_body(raw).attachments == reference_body(raw).attachments
    assert "  " in read_body(raw).attachments[0].name


@given(messages())
@settings(max_examples=50, deadline=None)
def test_headers_are_read(raw: bytes) -> None:
    headers = read_headers(raw)
    assert headers.sender is not None and headers.sender.email == "jeanne@example.org"
    assert headers.key == "x@example.org"


ADDRESS_LISTS = st.lists(st.tuples(
    st.one_of(st.just(""), st.from_regex(r'[A-Za-zéÉ\' .,-]{1,20}', fullmatch=True)),
    st.from_regex(r"[a-z0-9._+-]{1,12}@[a-z0-9-]{1,10}\.(fr|com|org)", fullmatch=True)),
    min_size=1, max_size=5)


@given(ADDRESS_LISTS, st.booleans())
@example([("A  A", "0@0.fr")], False)  # found by CI: unquoted, two spaces read as one
@settings(max_examples=300, deadline=None)
def test_address_fast_path_agrees_with_getaddresses(people: list[tuple[str, str]],
                                                     quoted: bool) -> None:
    from email.utils import formataddr, getaddresses

    from qualif_tui.services.mailimport.headers import _pairs

    parts = []
    for name, address in people:
        if quoted and name:
            parts.append(f'"{name}" <{address}>')
        else:
            parts.append(formataddr((name, address)) if name else address)
    value = ", ".join(parts)
    expected = [(n, a) for n, a in getaddresses([value])]
    assert [(n.strip(), a.lower()) for n, a in _pairs([value])] == [
        (n.strip(), a.lower()) for n, a in expected]


def _mbox_by_lines(data: bytes) -> list[tuple[int, int, bytes, bool]] | str:
    """An independent reader of the same rules, line by line: (offset, length, kept, cut)
    per message, or "unreadable" when the file does not start with a From line."""
    import re

    from_line = re.compile(rb"^From \S*\s+.*\d{1,2}:\d\d")
    found: list[tuple[int, int, bytes, bool]] = []
    offset, start, kept, previous_blank, last = 0, -1, b"", True, b""
    for line in data.splitlines(keepends=True):
        if line[:5] == b"From " and previous_blank and from_line.match(line):
            if start >= 0:
                found.append((start, offset - start, kept, False))
            start, kept = offset + len(line), b""
        elif start < 0:
            if line.strip():
                return "unreadable"
        else:
            kept += line
        previous_blank = line in (b"\n", b"\r\n")
        offset += len(line)
        last = line
    if start >= 0:
        found.append((start, offset - start, kept, not last.endswith(b"\n")))
    return [(o, n, re.sub(rb"(?m)^>(>*From )", rb"\1", k), c) for o, n, k, c in found]


MBOX_LINES = st.lists(st.sampled_from([
    b"From - Tue Apr 07 14:00:05 2026\n", b"From x@y.fr Mon Jan  5 09:00:00 2026\r\n",
    b"\n", b"\r\n", b"From the start\n", b">From quoted\n", b">>From twice\n",
    b"Subject: x\n", b"texte\n", b"From - no time here\n", b"ligne sans fin"]), max_size=40)


@given(lines=MBOX_LINES, block=st.sampled_from([1, 2, 3, 7, 64, 4096]))
@settings(max_examples=400, deadline=None)
def test_mbox_reader_finds_the_messages_the_line_rules_find(lines: list[bytes], block: int,
                                                            tmp_path_factory: pytest.TempPathFactory
                                                            ) -> None:
    from qualif_tui.services.mailimport.sources import RawMail, read_mbox

    data = b"".join(lines)
    path = tmp_path_factory.mktemp("mbox") / "box"
    path.write_bytes(data)
    got = list(read_mbox(path, 0, block))
    expected = _mbox_by_lines(data)
    if expected == "unreadable":
        assert len(got) >= 1 and not isinstance(got[-1], RawMail)
        return
    assert [(m.offset, m.length, m.data, m.cut) for m in got if isinstance(m, RawMail)] \
        == expected
