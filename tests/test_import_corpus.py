"""The real vCards of other projects' test suites (../shared/corpora/vcard): every
valid card imports, broken ones are refused with a clear message, nothing crashes.
Skipped when the corpus is not beside the repository (a plain clone)."""

from __future__ import annotations

from pathlib import Path

import pytest

from qualif_tui.services.importing import ImportRefused, apply_plan, plan_import
from qualif_tui.storage import Database

CORPUS = Path(__file__).resolve().parent.parent.parent / "shared" / "corpora" / "vcard"
FILES = sorted(CORPUS.rglob("*.vcf")) if CORPUS.is_dir() else []
BROKEN = {"vcards__unparsable.vcf": "cette fiche ne se termine jamais"}

pytestmark = pytest.mark.skipif(not FILES, reason="no vCard corpus at ../shared/corpora/vcard")


@pytest.mark.parametrize("path", FILES, ids=[p.name for p in FILES])
def test_corpus_card(db: Database, path: Path) -> None:
    if path.name in BROKEN:
        with pytest.raises(ImportRefused) as refused:
            plan_import(db, [path])
        assert BROKEN[path.name] in refused.value.lines[0]
        return
    plan = plan_import(db, [path])
    assert plan.creates, path
    result = apply_plan(db, plan)
    assert result.created == len(plan.creates)


def test_corpus_details(db: Database) -> None:
    def one(name: str) -> dict[str, str]:
        [record] = plan_import(db, [next(p for p in FILES if p.name == name)]).creates
        return {**record.fields, **{f"custom:{k}": v for k, v in record.custom.items()}}

    assert one("vcards__tel-value-uri.vcf")["mobile"] == "67545678"
    assert one("vcards__korean-j.vcf")["last_name"] == "전도훈"
    assert one("vcards__org.vcf") == {"company": "ACME Inc."}
    individual = one("vcards__individual.vcf")
    assert (individual["first_name"], individual["last_name"]) == ("Wile", "Coyote")
    assert individual["custom:Deuxième prénom"] == "E."
    post = one("vcards__post.vcf")
    assert (post["address"], post["address2"], post["city"], post["postal_code"]) == (
        "Main Street 1", "Ext, PostBox", "The City", "00000")
    assert one("vcards__text-bday.vcf")["custom:Anniversaire"] == "circa 1800"
    assert one("vcards__contact1.vcf")["birthday"] == "2018-01-20"
    assert one("vcards__category.vcf")["custom:Catégories"] == "bar"
    radicale = one("radicale-1587.vcf")
    assert radicale["custom:GEO"] == "37.386013;-122.082932"
    assert radicale["custom:Civilité"] == "Prefix"
