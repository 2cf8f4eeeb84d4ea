"""Property: any contact (accents, quotes, separators, newlines) survives export → import."""

from __future__ import annotations

import io
import re
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from qualif_tui.domain.contacts import create_contact, get_contact
from qualif_tui.domain.keys import define_key
from qualif_tui.query import compile_query
from qualif_tui.services.exporting import ExportOptions, export_contacts
from qualif_tui.services.importing import apply_plan, plan_import
from qualif_tui.storage import open_database

ALPHABET = st.characters(
    codec="utf-8",
    categories=("L", "N", "P", "S", "Zs"),
    include_characters="éèêàçùœÉÈÀÇŒ’;,\t\"'\\:=+-@<>",
    exclude_characters="\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029",
)


def one_line(min_size: int = 0) -> st.SearchStrategy[str]:
    return st.text(ALPHABET, min_size=min_size, max_size=30).map(
        lambda s: re.sub(r"\s+", " ", s).strip()).filter(
        lambda s: len(s) >= min_size and not re.match(r"'[=+\-@]", s) and s not in
        ("0/0/00", "00/00/0000", "0/0/0000", "00/00/00"))


multi_line = st.lists(one_line(1), min_size=1, max_size=3).map("\n".join)
VALUES = ["Foire, salon", "bouche à oreille", "web; réseaux", "Café \"Le Zinc\""]


@st.composite
def contacts(draw: st.DrawFn) -> tuple[dict[str, object], dict[str, object], dict[str, str]]:
    fields: dict[str, object] = {
        "last_name": draw(one_line(1).filter(lambda s: "," not in s)),
        "first_name": draw(one_line()),
        "company": draw(one_line()),
        "title": draw(one_line()),
        "address": draw(one_line()),
        "city": draw(one_line()),
        "country": draw(st.sampled_from(["", "Belgique", "Suisse"])),
        "legal_basis": draw(one_line()),
        "email_optout": draw(st.booleans()),
    }
    keys: dict[str, object] = {"Source": draw(st.sampled_from([None, *VALUES])),
                               "Intérêts": draw(st.lists(st.sampled_from(VALUES), unique=True))}
    custom = {f"Champ {i}": draw(multi_line) for i in range(draw(st.integers(0, 2)))}
    return fields, keys, custom


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(contacts(), st.sampled_from([("csv", {}), ("csv", {"excel_fr": False, "separator": ","}),
                                    ("vcf", {}), ("vcf", {"vcard_version": "4.0"})]))
def test_contact_survives_round_trip(contact: tuple[dict[str, object], dict[str, object],
                                                    dict[str, str]],
                                     format_and_options: tuple[str, dict[str, object]]) -> None:
    fields, keys, custom = contact
    fmt, options = format_and_options
    with tempfile.TemporaryDirectory() as folder:
        source = open_database(Path(folder) / "a.db", create=True)
        target = open_database(Path(folder) / "b.db", create=True)
        for db in (source, target):
            define_key(db, "Source", "choice", VALUES)
            define_key(db, "Intérêts", "multi", VALUES)
        original = get_contact(source, create_contact(source, fields, keys, custom=custom))
        out = io.BytesIO()
        export_contacts(source, compile_query(source, ""), fmt, out,
                        ExportOptions(**options))  # type: ignore[arg-type]
        path = Path(folder) / f"x.{fmt}"
        path.write_bytes(out.getvalue())
        apply_plan(target, plan_import(target, [path]))
        [copy_id] = [r[0] for r in target.query("SELECT id FROM contacts")]
        copy = get_contact(target, copy_id)
        for name in fields:
            assert getattr(copy, name) == getattr(original, name), name
        assert copy.keys == original.keys
        assert copy.custom == original.custom
        source.close()
        target.close()
