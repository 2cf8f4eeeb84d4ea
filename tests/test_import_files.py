"""Real-shaped files read field by field: French Excel, Outlook FR/EN, Google, vCards, xlsx."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from qualif_tui.services.importing import ImportOptions, ImportPlan, ImportRefused, plan_import
from qualif_tui.services.importing.headers import read_mapping
from qualif_tui.storage import Database

FIXTURES = Path(__file__).parent / "fixtures" / "import"


def plan(db: Database, *names: str, **options: object) -> ImportPlan:
    return plan_import(db, [FIXTURES / n if "/" not in n else Path(n) for n in names],
                       ImportOptions(**options))  # type: ignore[arg-type]


def by_name(result: ImportPlan) -> dict[str, object]:
    return {r.label: r for r in result.creates}


def keys_of(result: ImportPlan, record: object) -> dict[str, object]:
    return {result.keys[k].name: v for k, v in record.keys.items()}  # type: ignore[attr-defined]


def test_excel_fr_cp1252_semicolons(keyed_db: Database) -> None:
    result = plan(keyed_db, "excel_fr.csv")
    [parsed] = result.files
    assert (parsed.format, parsed.encoding, parsed.separator) == ("csv", "cp1252 (Windows)", ";")
    records = by_name(result)
    assert list(records) == ["Hélène Dupré", "François Lefèvre", "Jérôme Œuvray", "Garage Müller",
                             "Zoé Bénard"]
    helene = records["Hélène Dupré"]
    assert helene.fields == {  # type: ignore[attr-defined]
        "last_name": "Dupré", "first_name": "Hélène", "company": "Café de la Gare",
        "address": "12 allée des Chênes", "postal_code": "31000", "city": "Toulouse",
        "phone": "05 61 23 45 67", "mobile": "06 12 34 56 78",
        "email": "helene.dupre@cafe-gare.fr", "birthday": "1975-06-15"}
    assert keys_of(result, helene) == {"Profil": "client", "Source": "foire/salon"}
    assert helene.custom == {"Civilité": "Mme", "Budget": "12 500,50"}  # type: ignore[attr-defined]
    assert helene.notes == ["Rencontrée au salon; très intéressée\npar un utilitaire"  # type: ignore[attr-defined]
                            " (12 500 €)"]
    lefevre = records["François Lefèvre"]
    assert lefevre.fields["postal_code"] == "01200"  # type: ignore[attr-defined]
    assert lefevre.fields["address"] == "3 rue de l'Église"  # type: ignore[attr-defined]
    oeuvray = records["Jérôme Œuvray"]
    assert oeuvray.fields["address"] == 'Lieu-dit "Le Moulin"'  # type: ignore[attr-defined]
    assert keys_of(result, oeuvray)["Profil"] == "Ancien client"
    # a value Profil lacks is never added without a decision (issue 16)
    assert result.new_values_named() == {}
    assert [(v.key, v.value, v.count, v.decision) for v in result.unresolved] == [
        ("Profil", "Ancien client", 1, "refuse")]
    assert records["Zoé Bénard"].fields["birthday"] == "1990-02-01"  # type: ignore[attr-defined]
    assert records["Garage Müller"].fields["company"] == "Garage Müller"  # type: ignore[attr-defined]


def test_outlook_french_export(db: Database) -> None:
    result = plan(db, "outlook_fr.csv")
    [parsed] = result.files
    assert parsed.profile == "Outlook (français)" and parsed.separator == ","
    records = by_name(result)
    castano = records["Jean-Noël Castaño"]
    assert castano.fields == {  # type: ignore[attr-defined]
        "first_name": "Jean-Noël", "last_name": "Castaño", "company": "Transports Castaño",
        "title": "Gérant", "address": "45 avenue de l'Europe", "address2": "Bâtiment C",
        "city": "Colomiers", "postal_code": "31770", "country": "France",
        "phone": "+33 5 61 78 90 12", "mobile": "06 71 23 45 67", "birthday": "1971-07-14",
        "website": "https://www.transports-castano.fr",
        "email": "jn.castano@transports-castano.fr", "email2": "jeannoel.castano@gmail.com"}
    # the home address and phone are another block: kept whole, as custom fields
    assert castano.custom == {  # type: ignore[attr-defined]
        "Civilité": "M.", "Télécopie (bureau)": "05 61 78 90 13",
        "Catégories": "Transporteurs;VIP", "Téléphone (domicile)": "05 61 11 22 33",
        "Rue (domicile)": "8 impasse des Lilas", "Ville (domicile)": "Tournefeuille",
        "Code postal (domicile)": "31170", "Sexe": "Masculin"}
    assert castano.notes == ["Flotte de 12 utilitaires.\nRenouvellement prévu en 2027."]  # type: ignore[attr-defined]
    legoff = records["Maëlle Le Goff"]
    assert legoff.fields["address"] == "2 place du Capitole"  # type: ignore[attr-defined]
    assert legoff.fields["birthday"] == "1985-09-03"  # type: ignore[attr-defined]
    bakery = records["Boulangerie Ange"]
    assert bakery.fields["phone"] == "05 63 45 67 89"  # type: ignore[attr-defined]
    assert bakery.custom == {"Utilisateur 1": "Client depuis 2019"}  # type: ignore[attr-defined]
    # Outlook's defaults ("Normale", "Faux", "0/0/00", "SMTP") are not kept
    assert "Priorité" not in castano.custom and "Privé" not in castano.custom  # type: ignore[attr-defined]
    assert set(result.unmapped) == {"Titre", "Télécopie (bureau)", "Catégories", "Utilisateur 1"}


def test_outlook_english_export_dates_are_month_first(db: Database) -> None:
    result = plan(db, "outlook_en.csv")
    assert result.files[0].profile == "Outlook (English)"
    records = by_name(result)
    garnier = records["Thomas Garnier"]
    assert garnier.fields["birthday"] == "1980-06-15"  # type: ignore[attr-defined]
    assert garnier.fields["title"] == "Consultant"  # type: ignore[attr-defined]
    assert garnier.custom == {"Civilité": "Mr."}  # type: ignore[attr-defined]
    assert garnier.notes == ['Met at the Toulouse car show, wants a quote, "urgent".']  # type: ignore[attr-defined]
    riviere = records["Anaïs Rivière"]
    assert riviere.fields["birthday"] == "1992-12-25"  # type: ignore[attr-defined]
    assert riviere.fields["city"] == "Montauban"  # type: ignore[attr-defined]


def test_google_contacts_csv(db: Database) -> None:
    result = plan(db, "google.csv")
    assert result.files[0].profile == "Google Contacts"
    records = by_name(result)
    eloise = records["Éloïse Marchand"]
    assert eloise.fields == {  # type: ignore[attr-defined]
        "first_name": "Éloïse", "last_name": "Marchand", "company": "Atelier Marchand",
        "title": "Ébéniste", "birthday": "1988-04-02", "website": "https://atelier-marchand.fr",
        "email": "eloise@atelier-marchand.fr", "email2": "eloise.marchand@gmail.com",
        "mobile": "+33 6 45 67 89 01", "phone": "05 62 33 44 55",
        "address": "14 rue des Artisans", "address2": "Bât. B", "city": "Auch",
        "postal_code": "32000", "country": "France"}
    assert eloise.custom == {"Nickname": "Lolo", "Phone 2 - Value": "05 62 33 44 56",  # type: ignore[attr-defined]
                             "Labels": "Artisans"}
    assert records["Paul Nguyễn"].fields["birthday"] == "--03-21"  # type: ignore[attr-defined]
    assert "Labels" not in records["Paul Nguyễn"].custom  # type: ignore[attr-defined]


def test_other_encodings_and_utf16_tab_export(db: Database) -> None:
    result = plan(db, "mac_roman.csv", "cp850.csv", "excel_unicode.txt")
    assert [f.encoding for f in result.files] == ["mac_roman (old Mac)", "cp850 (DOS)",
                                                  "UTF-16 LE (BOM)"]
    assert [r.label for r in result.creates] == ["Cécile Faure", "Jérôme Gaillard",
                                                 "Adèle BOUCHÉ", "Rémi GARÇON", "Łucja Kowalczyk",
                                                 "Åse Sørensen"]
    assert result.creates[1].fields["company"] == "Crêperie Œuf"


def test_vcard_21_from_outlook(db: Database) -> None:
    result = plan(db, "outlook_21.vcf")
    [helene, benoit] = result.creates
    assert helene.line == 1 and benoit.line == 21
    assert helene.fields == {
        "last_name": "Dupré", "first_name": "Hélène", "company": "Café de la Gare",
        "title": "Gérante, associée", "birthday": "1975-06-15",
        "email": "helene.dupre@cafe-gare.fr", "email2": "h.dupre@orange.fr",
        "phone": "05 61 23 45 67", "mobile": "06 12 34 56 78",
        "address": "12 allée des Chênes", "city": "Toulouse", "country": "France",
        "postal_code": "31000"}
    assert helene.notes == ["Rencontrée au salon de l'auto à Toulouse, très intéressée par un"
                            " utilitaire.\nÀ rappeler en janvier, après les fêtes."]
    assert helene.custom == {"Service": "Direction", "Fax": "05 61 23 45 68",
                             "Région": "Occitanie"}
    assert benoit.fields["first_name"] == "Benoît" and benoit.fields["last_name"] == "François"


def test_vcard_30_from_apple(db: Database) -> None:
    result = plan(db, "apple_30.vcf")
    [sebastien, mairie] = result.creates
    assert sebastien.fields == {
        "last_name": "Lambert", "first_name": "Sébastien", "company": "Lambert, Fils & Cie",
        "title": "Directeur commercial", "website": "https://www.lambert-fils.fr",
        "birthday": "--11-23", "email": "s.lambert@lambert-fils.fr",
        "email2": "seb.lambert@icloud.com", "mobile": "06 23 45 67 89",
        "phone": "05 63 54 32 10", "address": "18 boulevard Sibille", "address2": "Bureau 4",
        "city": "Albi", "country": "France", "postal_code": "81000"}
    assert sebastien.custom == {"Association": "sebastien@asso-rugby-albi.fr",
                                "Catégories": "Clients, Albi",
                                "X-SOCIALPROFILE (linkedin)": "https://www.linkedin.com/in/slambert"}
    assert sebastien.notes == ["Client depuis 2015, très fidèle. Préfère être appelé le matin;"
                               " jamais le vendredi.\nA deux fils, rugby le samedi."]
    assert mairie.fields == {"company": "Mairie de Castres", "phone": "05 63 71 50 00"}
    assert result.dropped == {"PHOTO": 1}


def test_vcard_40_tel_uris_and_folded_utf8(db: Database) -> None:
    [chloe] = plan(db, "android_40.vcf").creates
    assert chloe.fields["mobile"] == "+33-6-34-56-78-90"
    assert chloe.fields["phone"] == "+33-5-63-71-50-10 ext. 123"
    assert chloe.fields["birthday"] == "--04-12"
    assert chloe.fields["email"] == "chloe.fabre@mairie-castres.fr"
    assert chloe.notes == ["Très bon contact rencontré à la foire de Toulouse : intéressé par un"
                           " véhicule électrique, à rappeler début décembre pour un essai."]
    assert chloe.custom == {"GENDER": "F"}


def test_vcard_unescaped_commas_are_kept(db: Database, tmp_path: Path) -> None:
    # vobject reads "NOTE:a, b" as "a": the reason this parser exists
    path = tmp_path / "c.vcf"
    path.write_text("BEGIN:VCARD\nVERSION:3.0\nFN:Dupont, Jean\nN:Dupont;Jean;;;\n"
                    "TITLE:Chef, adjoint\nNOTE:a, b; c\nEND:VCARD\n", encoding="utf-8")
    [record] = plan_import(db, [path]).creates
    assert record.fields["title"] == "Chef, adjoint" and record.notes == ["a, b; c"]


def test_xlsx_first_sheet(keyed_db: Database, tmp_path: Path) -> None:
    import datetime

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append([])
    sheet.append(["Nom", "Prénom", "Code postal", "Portable", "Date de naissance", "Profil",
                  "Mise en service"])
    sheet.append(["Dupré", "Hélène", 1200, 612345678, datetime.datetime(1975, 6, 15), "Client",
                  datetime.datetime(2019, 3, 1)])
    sheet.append(["Bénard", "Zoé", "31000", "06 11 22 33 44", None, "prospect", "2021-07"])
    workbook.create_sheet("Other").append(["ignored"])
    path = tmp_path / "carnet.xlsx"
    workbook.save(path)
    result = plan_import(keyed_db, [path])
    [helene, zoe] = result.creates
    assert helene.line == 3
    assert helene.fields == {"last_name": "Dupré", "first_name": "Hélène", "postal_code": "01200",
                             "mobile": "0612345678", "birthday": "1975-06-15"}
    assert keys_of(result, helene) == {"Profil": "client", "Mise en service": "2019-03"}
    assert keys_of(result, zoe) == {"Profil": "prospect", "Mise en service": "2021-07"}


def test_mapping_file_for_an_odd_sheet(keyed_db: Database, tmp_path: Path) -> None:
    sheet = tmp_path / "odd.csv"
    sheet.write_text("Qui;Courriel pro;Statut;Divers\nJean Dupont;jean@dupont.fr;client;x\n",
                     encoding="utf-8")
    mapping = tmp_path / "map.txt"
    mapping.write_text("# colonnes du fichier de Paul\nQui = nom complet\nCourriel pro = E-mail\n"
                       "Statut = key:Profil\nDivers = ignore\n", encoding="utf-8")
    result = plan_import(keyed_db, [sheet], ImportOptions(mapping=mapping))
    [record] = result.creates
    assert record.fields == {"first_name": "Jean", "last_name": "Dupont", "email": "jean@dupont.fr"}
    assert keys_of(result, record) == {"Profil": "client"} and record.custom == {}
    mapping.write_text("Qui = nmo\n", encoding="utf-8")
    with pytest.raises(Exception, match="unknown target 'nmo'.*did you mean 'nom'"):
        read_mapping(mapping, [])


@pytest.mark.parametrize("name, message", [
    ("truncated.vcf", "truncated.vcf, line 6: this card is never ended"),
    ("ragged.csv", "ragged.csv, line 3, column E: 5 cells"),
    ("unclosed_quote.csv", "unclosed_quote.csv, line 2: a quoted value opened"),
    ("bad_utf8.csv", "bad_utf8.csv, line 4: byte 0xE9"),
    ("no_columns.csv", "no_columns.csv, line 1: no recognisable column in the header (Foo, Bar"),
    ("empty.csv", "empty.csv: the file is empty"),
    ("photo.csv", "photo.csv: a binary file"),
    ("headers_only.csv", "headers_only.csv, line 1: a header line but no contact"),
])
def test_broken_files_are_refused_with_where_and_why(db: Database, name: str, message: str) -> None:
    with pytest.raises(ImportRefused) as refused:
        plan(db, name)
    assert any(line.endswith(message) or message in line for line in refused.value.lines), \
        refused.value.lines


def test_every_problem_of_every_file_is_listed(db: Database) -> None:
    with pytest.raises(ImportRefused) as refused:
        plan(db, "ragged.csv", "truncated.vcf", "excel_fr.csv")
    assert len(refused.value.problems) == 3


def test_row_without_identity_is_a_problem(db: Database, tmp_path: Path) -> None:
    path = tmp_path / "p.csv"
    path.write_text("Nom;Téléphone\nDupont;05 61 00 00 00\n;06 00 00 00 00\n", encoding="utf-8")
    with pytest.raises(ImportRefused, match="line 3: no name, company or e-mail"):
        plan_import(db, [path])


def test_values_that_do_not_fit_are_kept_with_a_notice(keyed_db: Database, tmp_path: Path) -> None:
    path = tmp_path / "v.csv"
    path.write_text("Nom;E-mail;Date de naissance;Mise en service\n"
                    "Dupont;jean at dupont;31/02/1970;bientôt\n", encoding="utf-8")
    result = plan_import(keyed_db, [path])
    [record] = result.creates
    assert record.custom == {"E-mail": "jean at dupont", "Date de naissance": "31/02/1970",
                             "Mise en service": "bientôt"}
    assert [n.column for n in result.notices] == ["Mise en service", "Date de naissance",
                                                  "E-mail"]
