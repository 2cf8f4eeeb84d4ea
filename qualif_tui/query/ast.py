"""The syntax tree of a query, with where each piece was typed.

The parser (:mod:`.parser`) builds it, the compiler (:mod:`.compiler`) turns
it into SQL, and :func:`to_text` writes it back as canonical query text (the
tests check ``parse(to_text(tree))`` gives the same tree back).

Positions are 0-based character offsets into the query text, ``end``
exclusive, so an error can put a caret under the exact piece at fault.
"""

from __future__ import annotations

from dataclasses import dataclass, field

# Comparison operators of a term; ":" is "equals one of the values".
OPERATORS = (":", ">", ">=", "<", "<=")


@dataclass(frozen=True)
class Span:
    start: int
    end: int

    @property
    def length(self) -> int:
        return max(1, self.end - self.start)


@dataclass(frozen=True)
class Value:
    """One value as typed: ``client``, ``"bouche à oreille"``, ``2024-06``, ``6m``."""

    text: str
    quoted: bool = False
    span: Span = field(default=Span(0, 0), compare=False)


@dataclass(frozen=True)
class Term:
    """``key:v1,v2``, ``key>=v``, ``key:a..b`` (either end may be missing).

    ``values`` holds the values of ``:`` and of comparisons (exactly one);
    ``low``/``high`` the ends of a range, in which case ``values`` is empty.
    """

    key: str
    op: str = ":"
    values: tuple[Value, ...] = ()
    low: Value | None = None
    high: Value | None = None
    is_range: bool = False
    key_quoted: bool = field(default=False, compare=False)
    span: Span = field(default=Span(0, 0), compare=False)
    key_span: Span = field(default=Span(0, 0), compare=False)


@dataclass(frozen=True)
class Words:
    """A bare word (``dupont``) or a quoted phrase (``"portes ouvertes"``)."""

    text: str
    phrase: bool = False
    span: Span = field(default=Span(0, 0), compare=False)


@dataclass(frozen=True)
class Not:
    child: Node
    span: Span = field(default=Span(0, 0), compare=False)


@dataclass(frozen=True)
class And:
    children: tuple[Node, ...]
    span: Span = field(default=Span(0, 0), compare=False)


@dataclass(frozen=True)
class Or:
    children: tuple[Node, ...]
    span: Span = field(default=Span(0, 0), compare=False)


@dataclass(frozen=True)
class Scoped:
    """``deal:( … )``: a group whose criteria must all hold on one and the same deal.

    The parser reads ``name:( … )`` for the group names of ``fields.DEAL_GROUP``
    (``deal``, ``affaire``); the compiler checks every criterion inside is on deals.
    """

    key: str
    child: Node
    span: Span = field(default=Span(0, 0), compare=False)
    key_span: Span = field(default=Span(0, 0), compare=False)


@dataclass(frozen=True)
class Everything:
    """The empty query: every contact."""

    span: Span = field(default=Span(0, 0), compare=False)


Node = Term | Words | Not | And | Or | Scoped | Everything


# -- back to text --------------------------------------------------------------

_STOP = set('()":<>=,“«„')
_KEYWORDS = ("OR", "AND", "NOT", "OU", "ET", "SAUF")  # lexer.KEYWORDS


def quote(text: str) -> str:
    """``text`` as a quoted query string (backslash escapes for ``"`` and ``\\``)."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _plain_run(text: str) -> bool:
    """Whether the lexer reads ``text`` back as one run of ordinary characters."""
    return (bool(text) and ".." not in text and not text.startswith("-")
            and not any(c in _STOP or c.isspace() for c in text))


def _value_text(value: Value) -> str:
    text = value.text
    # a value may start with one '-' (a sign) and may be a keyword: the parser
    # reads both as values after ':'
    plain = _plain_run(text[1:]) if text.startswith("-") else _plain_run(text)
    return text if plain and not value.quoted else quote(text)


def _key_text(term: Term) -> str:
    plain = _plain_run(term.key) and term.key not in _KEYWORDS
    return term.key if plain and not term.key_quoted else quote(term.key)


def to_text(node: Node) -> str:
    """Canonical query text for a tree; parsing it gives the same tree back."""
    if isinstance(node, Everything):
        return ""
    if isinstance(node, Words):
        if node.phrase or not _plain_run(node.text) or node.text in _KEYWORDS:
            return quote(node.text)
        return node.text
    if isinstance(node, Term):
        key = _key_text(node)
        if node.is_range:
            # a '.' touching the '..' would be read as part of it: quote such ends
            low = high = ""
            if node.low:
                low = _value_text(node.low)
                low = quote(node.low.text) if low.endswith(".") else low
            if node.high:
                high = _value_text(node.high)
                high = quote(node.high.text) if high.startswith(".") else high
            return f"{key}:{low}..{high}"
        return f"{key}{node.op}{','.join(_value_text(v) for v in node.values)}"
    if isinstance(node, Scoped):
        key = node.key if _plain_run(node.key) and node.key not in _KEYWORDS else quote(node.key)
        return f"{key}:({to_text(node.child)})"
    if isinstance(node, Not):
        inner = to_text(node.child)
        if isinstance(node.child, And | Or):
            return f"-({inner})"
        return f"-{inner}"
    if isinstance(node, And):
        return " ".join(f"({to_text(c)})" if isinstance(c, Or) else to_text(c)
                        for c in node.children)
    if isinstance(node, Or):
        return " OR ".join(to_text(c) for c in node.children)
    raise TypeError(f"not a query node: {node!r}")


def walk(node: Node) -> list[Node]:
    """Every node of the tree, parents before children."""
    found: list[Node] = [node]
    if isinstance(node, Not | Scoped):
        found.extend(walk(node.child))
    elif isinstance(node, And | Or):
        for child in node.children:
            found.extend(walk(child))
    return found
