"""The mail settings apart from any import: the user's addresses and the excerpt length,
kept in the file, set by ``qualif import DB --me … --excerpt N`` (no archive) and used
by the next import."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from mail_helpers import FIXTURES, add_people

from qualif_tui.cli import main
from qualif_tui.domain.errors import ValidationError
from qualif_tui.services.mailimport import (
    MailSettings,
    load_mail_settings,
    parse_addresses,
    plan_mail_import,
    save_mail_settings,
)
from qualif_tui.storage import Database, open_database


def test_addresses_parsed_as_typed() -> None:
    assert parse_addresses("Moi@Atelier.fr, Perso <moi@gmail.com>;moi@atelier.fr\n"
                           "  b@c.org ") == ["moi@atelier.fr", "moi@gmail.com", "b@c.org"]
    assert parse_addresses("  ,; ") == []
    for bad in ("moi", "moi@local", "a b@c.fr", "a@b@c.fr", "Moi <pas-une-adresse>"):
        with pytest.raises(ValidationError) as caught:
            parse_addresses(f"ok@ok.fr, {bad}")
        assert f"« {bad} »" in str(caught.value) and caught.value.field == "own"


def test_saved_settings_read_back_and_partial_changes(db: Database) -> None:
    assert load_mail_settings(db) == MailSettings((), 2000)
    assert save_mail_settings(db, ["Moi@Atelier.fr"], 500) == MailSettings(
        ("moi@atelier.fr",), 500)
    assert save_mail_settings(db, excerpt=0) == MailSettings(("moi@atelier.fr",), 0)
    assert save_mail_settings(db, ["a@b.fr", "c@d.fr"]) == MailSettings(("a@b.fr", "c@d.fr"), 0)
    assert save_mail_settings(db, []) == MailSettings((), 0)


def test_bad_values_change_nothing(db: Database) -> None:
    save_mail_settings(db, ["moi@atelier.fr"], 800)
    with pytest.raises(ValidationError):
        save_mail_settings(db, ["moi@atelier.fr", "pas une adresse"], 100)
    with pytest.raises(ValidationError):
        save_mail_settings(db, ["x@y.fr"], -1)
    assert load_mail_settings(db) == MailSettings(("moi@atelier.fr",), 800)


def test_the_next_import_uses_them(db: Database) -> None:
    add_people(db)
    save_mail_settings(db, ["sophie@atelier-martin.fr"], 40)
    with plan_mail_import(db, [FIXTURES / "thunderbird"]) as plan:
        assert plan.own_source == "setting"
        assert plan.own == ["sophie@atelier-martin.fr"]
        assert plan.excerpt_chars == 40


def _run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_cli_sets_them_without_an_archive(tmp_path: Path) -> None:
    path = tmp_path / "f.db"
    open_database(path, create=True).close()
    code, out, _err = _run("import", str(path), "--me", "Moi@Atelier.fr",
                           "--me", "Perso <moi@gmail.com>", "--excerpt", "4000")
    assert code == 0
    assert "vos adresses : moi@atelier.fr, moi@gmail.com" in out
    assert "4000 caractères" in out
    code, out, _err = _run("import", str(path), "--excerpt", "0")
    assert code == 0 and "moi@atelier.fr, moi@gmail.com" in out and "tout le texte" in out
    with open_database(path) as db:
        assert load_mail_settings(db) == MailSettings(("moi@atelier.fr", "moi@gmail.com"), 0)


def test_cli_refuses_a_bad_address_and_keeps_the_file(tmp_path: Path) -> None:
    path = tmp_path / "f.db"
    with open_database(path, create=True) as db:
        save_mail_settings(db, ["moi@atelier.fr"])
    before = path.read_bytes()
    code, out, err = _run("import", str(path), "--me", "pas une adresse")
    assert code == 2 and out == ""
    assert err.strip().splitlines() == [
        "qualif: --me : « pas une adresse » n'est pas une adresse e-mail"]
    code, _out, err = _run("import", str(path), "--excerpt", "2000000")
    assert code == 2 and "--excerpt" in err
    assert path.read_bytes() == before
    # no archive and no setting: still a usage error
    code, _out, err = _run("import", str(path))
    assert code == 2 and "FILE" in err
