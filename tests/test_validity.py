"""The rule of a valid e-mail and postal code: Python (the card) and SQL (the query) agree."""

from __future__ import annotations

import sqlite3

from hypothesis import given, settings
from hypothesis import strategies as st

from qualif_tui.domain.validity import email_ok, postal_code_ok
from qualif_tui.storage.schema import INVALID_EMAIL_SQL, INVALID_POSTAL_CODE_SQL

_conn = sqlite3.connect(":memory:")
_conn.execute("CREATE TABLE c(email TEXT, email2 TEXT, postal_code TEXT, country TEXT)")

emails = st.text(alphabet=st.sampled_from(list("ab.@ ,;<>\t-_éZ1")), max_size=10)
codes = st.text(alphabet=st.sampled_from(list("0123456789 AB")), max_size=7)
countries = st.sampled_from(["", "France", "FRANCE ", " fr", "FRA", "Belgique", "Fr ance",
                             "france\t"])


def sql_invalid(email: str, email2: str, code: str, country: str) -> tuple[bool, bool]:
    _conn.execute("DELETE FROM c")
    _conn.execute("INSERT INTO c VALUES (?,?,?,?)", (email, email2, code, country))
    row = _conn.execute(f"SELECT {INVALID_EMAIL_SQL}, {INVALID_POSTAL_CODE_SQL} FROM c").fetchone()
    return bool(row[0]), bool(row[1])


@settings(max_examples=400)
@given(emails, emails, codes, countries)
def test_python_and_sql_agree(email: str, email2: str, code: str, country: str) -> None:
    bad_email, bad_code = sql_invalid(email, email2, code, country)
    assert bad_email == (not email_ok(email) or not email_ok(email2))
    assert bad_code == (not postal_code_ok(code, country))


def test_examples() -> None:
    assert email_ok("helene.lefevre@orange.fr") and email_ok("")
    assert not email_ok("helene.lefevre@orange")
    assert not email_ok("a b@c.fr") and not email_ok("@c.fr") and not email_ok("a@.fr")
    assert postal_code_ok("31000") and not postal_code_ok("3120")
    assert postal_code_ok("3120", "Belgique") and not postal_code_ok("31 000", "France")
