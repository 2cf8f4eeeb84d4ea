"""Query text → tokens, each with its position.

The lexer knows no keys and no types: it cuts the line into words, quoted
strings and punctuation. Whether ``profil`` is a key or a word to search is
the parser's business (a word right before ``:`` is a key).

Runs of ordinary characters stop at white space, ``( ) " , : = < >`` and at
``..`` (so ``2010..2012`` is a range). A ``-`` that starts a run is its own
token (negation, or the sign of a value: the parser decides). Quotes are
``"…"`` with ``\\"`` and ``\\\\`` escapes, and the typographic pairs ``“…”``
and ``«…»`` French keyboards produce.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from qualif_tui.base.i18n import _
from qualif_tui.query.errors import QueryError


class Kind(Enum):
    WORD = "word"
    STRING = "quoted text"
    COLON = "':'"
    CMP = "comparison"
    COMMA = "','"
    RANGE = "'..'"
    LPAREN = "'('"
    RPAREN = "')'"
    MINUS = "'-'"
    OR = "OR"
    AND = "AND"
    NOT = "NOT"


@dataclass(frozen=True)
class Token:
    kind: Kind
    text: str  # the word, the unquoted string, or the punctuation itself
    start: int
    end: int


_CLOSING = {'"': '"', "“": "”", "«": "»", "„": "“"}
_STOP = set('()",:=<>') | set(_CLOSING)
# the operators in capitals, in English or in French (OU, ET, SAUF); in lower case
# they are words to search for
KEYWORDS = {"OR": Kind.OR, "OU": Kind.OR, "AND": Kind.AND, "ET": Kind.AND,
            "NOT": Kind.NOT, "SAUF": Kind.NOT}
_KEYWORDS = KEYWORDS


def tokenize(text: str) -> list[Token]:
    """The tokens of ``text``; raises :class:`QueryError` for an unclosed quote."""
    tokens: list[Token] = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c.isspace():
            i += 1
            continue
        if c in "()":
            tokens.append(Token(Kind.LPAREN if c == "(" else Kind.RPAREN, c, i, i + 1))
            i += 1
        elif c == ",":
            tokens.append(Token(Kind.COMMA, c, i, i + 1))
            i += 1
        elif c in ":=":
            tokens.append(Token(Kind.COLON, c, i, i + 1))
            i += 1
        elif c in "<>":
            op = c + "=" if text.startswith("=", i + 1) else c
            tokens.append(Token(Kind.CMP, op, i, i + len(op)))
            i += len(op)
        elif c in _CLOSING:
            token = _quoted(text, i)
            tokens.append(token)
            i = token.end
        elif text.startswith("..", i):
            tokens.append(Token(Kind.RANGE, "..", i, i + 2))
            i += 2
        elif c == "-":
            tokens.append(Token(Kind.MINUS, c, i, i + 1))
            i += 1
        else:
            start = i
            while i < n:
                c = text[i]
                if c.isspace() or c in _STOP or text.startswith("..", i):
                    break
                i += 1
            word = text[start:i]
            tokens.append(Token(_KEYWORDS.get(word, Kind.WORD), word, start, i))
    return tokens


def _quoted(text: str, start: int) -> Token:
    closing = _CLOSING[text[start]]
    chars: list[str] = []
    i = start + 1
    while i < len(text):
        c = text[i]
        if c == "\\" and i + 1 < len(text) and text[i + 1] in ('"', "\\", closing):
            chars.append(text[i + 1])
            i += 2
            continue
        if c == closing:
            return Token(Kind.STRING, "".join(chars), start, i + 1)
        chars.append(c)
        i += 1
    raise QueryError(_("guillemet non fermé"), start, f"close it with {closing}", 1, text)
