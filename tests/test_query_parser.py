"""The parser: round trips, precedence, error positions and hints, hostile input."""

from __future__ import annotations

import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qualif_tui.query.ast import And, Everything, Node, Not, Or, Term, Value, Words, to_text
from qualif_tui.query.errors import QueryError
from qualif_tui.query.lexer import Kind, tokenize
from qualif_tui.query.parser import MAX_CRITERIA, MAX_DEPTH, parse

# these tests read the program's messages in English (the catalogue's)
pytestmark = pytest.mark.english


def term(key: str, *values: str, op: str = ":") -> Term:
    return Term(key, op, tuple(Value(v) for v in values))


# -- structure ---------------------------------------------------------------------------


def test_juxtaposition_is_and_and_binds_tighter_than_or() -> None:
    assert parse("a b OR c") == Or((And((Words("a"), Words("b"))), Words("c")))
    assert parse("a OR b c") == Or((Words("a"), And((Words("b"), Words("c")))))
    assert parse("a (b OR c)") == And((Words("a"), Or((Words("b"), Words("c")))))
    assert parse("a AND b") == parse("a b")


def test_negations() -> None:
    assert parse("-profil:client") == Not(term("profil", "client"))
    assert parse("NOT profil:client") == Not(term("profil", "client"))
    assert parse("-(a OR b)") == Not(Or((Words("a"), Words("b"))))
    assert parse("--a") == Not(Not(Words("a")))
    # a dash inside a word is part of it; lower-case "not"/"or" are words to search
    assert parse("jean-pierre") == Words("jean-pierre")
    assert parse("not or") == And((Words("not"), Words("or")))


def test_terms_values_and_ranges() -> None:
    assert parse("profil:client,prospect") == term("profil", "client", "prospect")
    assert parse("Profil=Client") == term("Profil", "Client")
    assert parse("budget>=10") == term("budget", "10", op=">=")
    assert parse("budget:>=10") == term("budget", "10", op=">=")
    assert parse("budget<-5") == term("budget", "-5", op="<")
    assert parse("mise_en_service:2010..2012") == Term(
        "mise_en_service", ":", (), Value("2010"), Value("2012"), True)
    assert parse("x:..5") == Term("x", ":", (), None, Value("5"), True)
    assert parse("x:5..") == Term("x", ":", (), Value("5"), None, True)
    quoted = parse('"situation familiale":"couple avec enfants"')
    assert quoted == Term("situation familiale", ":", (Value("couple avec enfants", True),))
    assert parse('source:« bouche à oreille »') == Term(
        "source", ":", (Value(" bouche à oreille ", True),))
    assert parse('dupont "portes ouvertes"') == And(
        (Words("dupont"), Words("portes ouvertes", phrase=True)))
    assert parse("") == Everything() and parse("   ") == Everything()


def test_positions_are_kept() -> None:
    tree = parse('a  profil:"x y"')
    assert isinstance(tree, And)
    found = tree.children[1]
    assert isinstance(found, Term)
    assert (found.span.start, found.span.end) == (3, 15)
    assert (found.key_span.start, found.key_span.end) == (3, 9)
    assert (found.values[0].span.start, found.values[0].span.end) == (10, 15)


def test_escapes_in_quotes() -> None:
    assert parse(r'"say \"hi\" \\ now"') == Words('say "hi" \\ now', phrase=True)
    assert tokenize(r'"a\"b"')[0].kind is Kind.STRING


# -- errors ------------------------------------------------------------------------------


@pytest.mark.parametrize("text, position, message, hint", [
    ("profil:(client", 7, "missing value after 'profil:'", "profil:value1,value2"),
    ("profil:", 7, "missing value after 'profil:'", "no space"),
    ("profil: client", 7, "missing value", "no space"),
    ("profil:a,", 9, "missing value after ','", "no space after ','"),
    ("x:..", 4, "missing value after '..'", "x:from..to"),
    ("(a OR b", 0, "missing ')'", "close the group"),
    ("a b)", 3, "unexpected ')'", "open the group"),
    ("a OR", 2, "nothing after OR", "both sides"),
    ("OR a", 0, "nothing before OR", "both sides"),
    ("a OR OR b", 2, "nothing after OR", "both sides"),
    ("AND a", 0, "AND needs a criterion on both sides", "already combined"),
    ("- a", 0, "'-' must be followed by a criterion", "no space after '-'"),
    ("NOT", 0, "NOT must be followed by a criterion", ""),
    ('a "open', 2, "unclosed quote", 'close it with "'),
    ("()", 0, "empty brackets", ""),
    (":x", 0, "':' needs a key before it", "key:value"),
    (",", 0, "unexpected ','", "separates values"),
    ('""', 0, "empty quotes", ""),
])
def test_errors_point_at_the_fault(text: str, position: int, message: str, hint: str) -> None:
    with pytest.raises(QueryError) as caught:
        parse(text)
    error = caught.value
    assert error.position == position, error
    assert message in error.message
    assert hint in error.hint
    assert error.query == text
    lines = error.caret_lines()
    assert lines[0] == text and lines[1].index("^") == position


def test_nesting_and_size_are_bounded() -> None:
    with pytest.raises(QueryError, match="nested too deeply"):
        parse("(" * (MAX_DEPTH + 1) + "a" + ")" * (MAX_DEPTH + 1))
    with pytest.raises(QueryError, match="nested too deeply"):
        parse("-" * 5000 + "a")
    with pytest.raises(QueryError, match="too many criteria"):
        parse(" ".join(["a"] * (MAX_CRITERIA + 1)))
    assert isinstance(parse("(" * MAX_DEPTH + "a" + ")" * MAX_DEPTH), Words)


# -- round trips ---------------------------------------------------------------------------

_KEY_TEXT = st.text(alphabet=st.characters(exclude_categories=["Cs"]), min_size=1,
                    max_size=12).filter(lambda s: s.strip() == s and s != "")
_PLAIN = st.from_regex(r"[a-zA-Z0-9éèàçœÉ_'./@+*][a-zA-Z0-9éèàçœÉ_'./@+*-]{0,8}",
                       fullmatch=True).filter(lambda s: ".." not in s)
_ANY_VALUE = st.one_of(_PLAIN, st.text(min_size=1, max_size=10).filter(
    lambda s: "\x00" not in s))


@st.composite
def values(draw: st.DrawFn) -> Value:
    text = draw(_ANY_VALUE)
    # text the lexer cannot read bare only exists quoted
    must_quote = to_text(Term("k", ":", (Value(text),))) != f"k:{text}"
    return Value(text, must_quote or draw(st.booleans()))


@st.composite
def terms(draw: st.DrawFn) -> Term:
    key = draw(st.one_of(_PLAIN.filter(lambda s: s not in ("OR", "AND", "NOT", "OU", "ET", "SAUF")), _KEY_TEXT))
    shape = draw(st.sampled_from(["values", "compare", "range"]))
    if shape == "values":
        return Term(key, ":", tuple(draw(st.lists(values(), min_size=1, max_size=3))))
    if shape == "compare":
        return Term(key, draw(st.sampled_from([">", ">=", "<", "<="])), (draw(values()),))
    low = draw(st.one_of(st.none(), values()))
    high = draw(values()) if low is None else draw(st.one_of(st.none(), values()))
    # a '.' touching '..' can only be written quoted
    if low is not None and low.text.endswith("."):
        low = Value(low.text, True)
    if high is not None and high.text.startswith("."):
        high = Value(high.text, True)
    return Term(key, ":", (), low, high, True)


@st.composite
def words(draw: st.DrawFn) -> Words:
    if draw(st.booleans()):
        return Words(draw(_PLAIN.filter(lambda s: s not in ("OR", "AND", "NOT", "OU", "ET", "SAUF"))))
    return Words(draw(st.text(min_size=1, max_size=12).filter(lambda s: s.strip())), True)


def trees() -> st.SearchStrategy[Node]:
    leaf = st.one_of(terms(), words())
    return st.recursive(leaf, lambda inner: st.one_of(
        inner.map(Not),
        st.lists(inner, min_size=2, max_size=3).map(lambda c: _flat(And, c)),
        st.lists(inner, min_size=2, max_size=3).map(lambda c: _flat(Or, c)),
    ), max_leaves=8)


def _flat(kind: type[And] | type[Or], children: list[Node]) -> Node:
    flat: list[Node] = []
    for child in children:
        flat.extend(child.children if isinstance(child, kind) else (child,))
    return kind(tuple(flat))


@settings(max_examples=300)
@given(trees())
def test_text_of_a_tree_parses_back_to_it(tree: Node) -> None:
    assert parse(to_text(tree)) == tree


@settings(max_examples=300)
@given(st.text(max_size=200))
def test_any_text_parses_or_fails_cleanly(text: str) -> None:
    try:
        tree = parse(text)
    except QueryError as error:
        assert error.message
        assert error.position is None or 0 <= error.position <= len(text)
        return
    assert parse(to_text(tree)) == tree


def test_hostile_input_is_fast() -> None:
    hostile = [
        "x" * 10_000,
        '"' + "a " * 5000 + '"',
        "a " * 5000,
        "(" * 10_000,
        ")" * 10_000,
        "-" * 10_000,
        "NOT " * 2500,
        "a OR " * 2000 + "b",
        "k:" + ",".join(["v"] * 3000),
        "k:" + "..".join(["1"] * 3000),
        '"' * 10_001,
        "\\" * 10_000,
        "\x00\x01\u202e\ufeff" * 2500,
    ]
    for text in hostile:
        started = time.process_time()  # CPU time: other processes' load does not count
        try:
            parse(text)
        except QueryError:
            pass
        assert time.process_time() - started < 1.0, text[:20]
