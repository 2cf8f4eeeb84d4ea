"""Mail bodies as the timeline shows them: HTML turned into text, replies' quoted
history cut, the first N characters kept."""

from __future__ import annotations

import re
from html.parser import HTMLParser

_BLOCKS = {"p", "div", "br", "tr", "li", "ul", "ol", "table", "h1", "h2", "h3", "h4", "h5",
           "h6", "blockquote", "pre", "hr", "section", "article", "header", "footer", "dd",
           "dt", "address"}
_SKIPPED = {"script", "style", "head", "title", "template", "noscript"}


class _TextOfHtml(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping = 0
        self.quoting = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIPPED:
            self.skipping += 1
        elif tag == "blockquote":
            self.quoting += 1  # a reply's quoted history: not shown
            self.parts.append("\n")
        elif tag == "li":
            self.parts.append("\n- ")
        elif tag in ("td", "th"):
            self.parts.append(" ")
        elif tag in _BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIPPED:
            self.skipping = max(0, self.skipping - 1)
        elif tag == "blockquote":
            self.quoting = max(0, self.quoting - 1)
            self.parts.append("\n")
        elif tag in _BLOCKS and tag != "li":  # an item ends where the next starts
            self.parts.append("\n")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("br", "hr"):
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.skipping and not self.quoting:
            self.parts.append(_INLINE_SPACES.sub(" ", data))


_INLINE_SPACES = re.compile(r"[ \t\r\n\u00a0]+")
_BLANK_LINES = re.compile(r"\n[ \t]*(\n[ \t]*)+\n")
_TRAILING = re.compile(r"[ \t]+\n")


def html_to_text(html: str) -> str:
    """The text of an HTML body: paragraphs and line breaks kept, scripts, styles
    and quoted replies (``<blockquote>``) left out, entities decoded."""
    parser = _TextOfHtml()
    try:
        parser.feed(html)
        parser.close()
    except (AssertionError, ValueError):  # very broken markup: what was read so far
        pass
    text = "".join(parser.parts)
    lines = [line.strip() for line in text.split("\n")]
    return tidy("\n".join(lines))


def tidy(text: str) -> str:
    """Line ends unified, trailing spaces and runs of blank lines removed."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u00a0", " ")
    text = _TRAILING.sub("\n", text)
    text = _BLANK_LINES.sub("\n\n", text)
    return text.strip()


# Where a reply's quoted history starts, in the languages French freelancers meet.
_REPLY_HEADER = re.compile(
    r"^\s*(le|on|am|el)\b.{0,300}\b(a écrit|wrote|schrieb|escribió)\s*:\s*$", re.IGNORECASE)
_ORIGINAL = re.compile(
    r"^\s*-{2,}\s*(original message|message d'origine|message original|mail original"
    r"|forwarded message|message transféré)\s*-{2,}\s*$", re.IGNORECASE)
_OUTLOOK_FROM = re.compile(r"^\s*\*?(de|from)\s*:\*?\s", re.IGNORECASE)
_OUTLOOK_SENT = re.compile(r"^\s*\*?(envoyé|sent|date)\s*:\*?\s", re.IGNORECASE)


def without_quoted_reply(text: str) -> str:
    """The new part of a reply: quoted lines (``> …``) and the history under
    "Le … a écrit :" / "-----Original Message-----" / an Outlook "De : … Envoyé : …"
    block are cut. A message that is all quotation is kept whole."""
    lines = text.split("\n")
    kept: list[str] = []
    for index, line in enumerate(lines):
        joined = line + " " + lines[index + 1] if index + 1 < len(lines) else line
        if (_ORIGINAL.match(line) or _REPLY_HEADER.match(line)
                or (_REPLY_HEADER.match(joined) and line.strip().lower().startswith(
                    ("le ", "on ", "am ", "el ")))
                or (_OUTLOOK_FROM.match(line) and index + 1 < len(lines)
                    and _OUTLOOK_SENT.match(lines[index + 1]))):
            break
        if line.startswith(">"):
            continue
        kept.append(line)
    while kept and set(kept[-1].strip()) <= {"_", "-", ""}:
        kept.pop()  # an Outlook separator line, or blank lines, before the history
    result = tidy("\n".join(kept))
    return result or tidy(text)


def excerpt(text: str, limit: int) -> str:
    """The first ``limit`` characters (0: everything), cut at a word, with "…"."""
    if limit <= 0 or len(text) <= limit:
        return text
    cut = text[:limit]
    space = max(cut.rfind(" "), cut.rfind("\n"))
    if space > limit // 2:
        cut = cut[:space]
    return cut.rstrip() + " …"
