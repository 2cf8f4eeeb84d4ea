"""Which column goes where: known column sets, qualification keys, an explicit map.

Headers are compared folded (case, accents, punctuation and spaces ignored):
"Code postal (bureau)" → ``code postal bureau``. Recognised automatically:
Outlook's contact export in French and English, Google Contacts (old and new
column names), and the headers people give home-made sheets. A column whose
header names a qualification key fills that key. Every other column is kept
as a custom field. A few columns of the known exports only repeat what other
columns hold or carry a default ("Priorité: Normale", "Type de messagerie:
SMTP"); they are dropped when they hold exactly that, kept otherwise, and the
dry run shows it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from qualif_tui.base.i18n import _
from qualif_tui.base.text import fold, fold_key_name
from qualif_tui.domain.contacts import FIELDS
from qualif_tui.domain.errors import QualifError
from qualif_tui.domain.keys import QualKey, closest


def norm_header(header: str) -> str:
    return re.sub(r"[^a-z0-9]+", " ", fold(header)).strip()


@dataclass(frozen=True)
class Target:
    """Where the values of one column go.

    kind: ``field`` (a contact column; ``email``/``phone``/``mobile`` are
    lists filled in ``rank`` order), ``address`` (one field of an address
    block ``group``), ``full_name`` (split into first/last name when those are
    empty), ``title_or_civility`` (decided on the values), ``key`` (``name``
    is the key id), ``note``, ``custom`` (``name`` is the custom field's
    name), ``phone_labelled`` (Google: ``label_column`` says mobile or not),
    ``labels`` (Google's groups, system ones removed), ``default`` (dropped
    when its value is one of ``defaults``, or names the row's e-mail),
    ``consumed`` (a label another column uses), ``ignore`` (the user said so).
    """

    kind: str
    name: str = ""
    rank: int = 0
    group: str = ""
    label_column: int | None = None
    defaults: frozenset[str] = frozenset()

    def describe(self, keys: dict[int, QualKey]) -> str:
        if self.kind == "address" and self.name in _ADDRESS_EXTRAS:
            return _ADDRESS_EXTRAS[self.name]
        if self.kind in ("field", "address"):
            label = FIELDS.get(self.name, self.name)
            return label + (f" (adresse {self.group})" if self.group not in ("", "1") else "")
        if self.kind == "key":
            key = keys.get(int(self.name))
            return f"clé {key.name if key else self.name}"
        if self.kind == "phone_labelled":
            return "Téléphone ou Portable (selon le libellé)"
        if self.kind == "full_name":
            return "Prénom + Nom (nom complet)"
        if self.kind == "title_or_civility":
            return "Fonction, ou Civilité (selon les valeurs)"
        if self.kind == "note":
            return "note (historique)"
        if self.kind == "custom":
            return f"champ libre « {self.name} »"
        if self.kind == "labels":
            return "champ libre (groupes système retirés)"
        if self.kind == "default":
            shown = ", ".join(sorted(self.defaults)) or "l'e-mail de la ligne"
            return f"ignoré si « {shown} », sinon champ libre"
        if self.kind == "consumed":
            return "libellé (utilisé pour la colonne voisine)"
        if self.kind == "ignore":
            return "ignoré (--mapping)"
        return self.kind


_ADDRESS_EXTRAS = {
    "formatted": "adresse complète (ignorée si la rue ou la ville est donnée)",
    "pobox": "Complément d'adresse (boîte postale)",
    "region": "champ libre (région)",
}


def _f(name: str, rank: int = 0) -> Target:
    return Target("field", name, rank)


def _a(name: str, group: str) -> Target:
    return Target("address", name, group=group)


def _default(*values: str) -> Target:
    return Target("default", defaults=frozenset(norm_header(v) for v in values))


_SYNONYMS: dict[str, Target] = {}


def _add(target: Target, *headers: str) -> None:
    for header in headers:
        _SYNONYMS[norm_header(header)] = target


_add(_f("first_name"), "Prénom", "First Name", "Given Name", "Firstname", "Prénoms", "Prenom usuel")
_add(_f("last_name"), "Nom", "Last Name", "Family Name", "Surname", "Lastname", "Nom de famille",
     "Nom patronymique")
_add(Target("full_name"), "Nom complet", "Name", "Full Name", "Display Name", "Nom et prénom",
     "Prénom Nom", "Nom Prénom", "Contact", "Nom du contact", "Nom d'affichage")
_add(Target("full_name", rank=1), "File As", "Classer sous")
_add(_f("company"), "Société", "Company", "Organization Name", "Organisation", "Organization",
     "Entreprise", "Raison sociale", "Établissement", "Employeur", "Structure",
     "Nom de l'entreprise", "Nom de la société", "Company Name", "Organization 1 - Name")
_add(_f("title"), "Fonction", "Job Title", "Organization Title", "Organization 1 - Title", "Poste",
     "Titre du poste", "Profession")
_add(Target("title_or_civility"), "Titre", "Title")
_add(Target("custom", "Civilité"), "Civilité", "Name Prefix", "Prefix", "Salutation")
_add(_f("email"), "E-mail", "Email", "Mail", "Courriel", "Adresse mail", "Adresse e-mail",
     "Adresse email", "Adresse de messagerie", "E-mail Address", "Email Address", "Mél",
     "Adresse électronique", "Adresse courriel", "E-mail pro", "Email professionnel", "E-mail 1",
     "Email 1", "Mail 1")
_add(_f("email", 1), "Adresse de messagerie 2", "E-mail 2 Address", "E-mail 2", "Email 2",
     "Mail 2", "E-mail perso", "Email personnel", "E-mail personnel")
_add(_f("email", 2), "Adresse de messagerie 3", "E-mail 3 Address", "E-mail 3", "Email 3")
_add(_f("phone"), "Téléphone", "Tél", "Tel", "Tél fixe", "Téléphone fixe", "Fixe",
     "Téléphone (bureau)", "Tél bureau", "Business Phone", "Phone", "Téléphone professionnel",
     "Tél pro", "Primary Phone", "Téléphone principal", "Numéro de téléphone")
_add(_f("phone", 1), "Téléphone 2 (bureau)", "Business Phone 2", "Téléphone 2", "Tél 2")
_add(_f("phone", 2), "Téléphone (domicile)", "Home Phone", "Tél domicile", "Téléphone domicile",
     "Téléphone 2 (domicile)", "Home Phone 2")
_add(_f("phone", 3), "Autre téléphone", "Other Phone", "Standard",
     "Téléphone principal de la société", "Téléphone société", "Company Main Phone")
_add(_f("mobile"), "Portable", "Mobile", "Téléphone mobile", "Tél mobile", "Tél portable",
     "Téléphone portable", "GSM", "Mobile Phone", "Cellulaire", "Cell", "Cell Phone")
for _group, _names in {
    "bureau": ("bureau", "Business"),
    "domicile": ("domicile", "Home"),
    "autre": ("autre", "Other"),
}.items():
    _fr, _en = _names
    _add(_a("address", _group), f"Rue ({_fr})", f"{_en} Street")
    _add(_a("address2", _group), f"Rue ({_fr}) 2", f"{_en} Street 2")
    _add(Target("address", "address2", rank=1, group=_group), f"Rue ({_fr}) 3", f"{_en} Street 3")
    _add(_a("postal_code", _group), f"Code postal ({_fr})", f"{_en} Postal Code")
    _add(_a("city", _group), f"Ville ({_fr})", f"{_en} City")
    _add(_a("country", _group), f"Pays/Région ({_fr})", f"{_en} Country/Region", f"{_en} Country")
    _add(Target("address", "region", group=_group), f"Dép/Région ({_fr})", f"{_en} State")
    _add(Target("address", "pobox", group=_group), f"B.P. ({_fr})", f"{_en} PO Box",
         f"{_en} Address PO Box", f"Adresse B.P. ({_fr})",
         f"Boîte postale ({_fr})")
_add(_a("address", ""), "Adresse", "Rue", "Adresse 1", "Adresse postale", "Street", "Address",
     "Voie", "Adresse ligne 1", "Numéro et rue", "Address 1")
_add(_a("address2", ""), "Adresse 2", "Complément", "Complément d'adresse", "Complément adresse",
     "Address 2", "Adresse ligne 2", "Lieu-dit")
_add(_a("postal_code", ""), "Code postal", "CP", "C.P.", "Postal Code", "Zip", "Zip Code",
     "Postcode")
_add(_a("city", ""), "Ville", "Commune", "Localité", "City", "Town")
_add(_a("country", ""), "Pays", "Country", "Pays/Région")
_add(_f("birthday"), "Anniversaire", "Date de naissance", "Naissance", "Né le", "Née le",
     "Né(e) le", "Birthday", "Date anniversaire", "Birth Date", "Date naissance", "DDN")
_add(_f("website"), "Site", "Site web", "Site internet", "Web", "Page Web", "Web Page", "Website",
     "URL", "Website 1 - Value")
_add(Target("note"), "Notes", "Note", "Remarques", "Remarque", "Commentaire", "Commentaires",
     "Observations", "Observation", "Mémo", "Memo")
_add(_f("email_optout"), "Refus e-mail", "Refus email", "Désabonné", "Opt-out", "Optout",
     "Email Opt Out", "Ne pas envoyer d'e-mail", "Désinscrit")
_add(_f("phone_optout"), "Refus téléphone", "Ne pas appeler", "Do Not Call")
_add(_f("legal_basis"), "Base légale", "Legal Basis")
# defaults of Outlook's export, dropped when they hold just that
_add(_default("SMTP", "EX"), "Type de messagerie", "E-mail Type", "Type de messagerie 2",
     "E-mail 2 Type", "Type de messagerie 3", "E-mail 3 Type")
_add(Target("default", "email"), "Nom complet de l'adresse de messagerie", "E-mail Display Name",
     "Nom complet de l'adresse de messagerie 2", "E-mail 2 Display Name",
     "Nom complet de l'adresse de messagerie 3", "E-mail 3 Display Name")
_add(_default("Normale", "Normal"), "Priorité", "Priority", "Critère de diffusion", "Sensitivity")
_add(_default("Non spécifié", "Unspecified"), "Sexe", "Gender")
_add(_default("Faux", "False"), "Privé", "Private")
_add(Target("labels"), "Labels", "Group Membership")

_GOOGLE = re.compile(r"(e mail|phone|address|website|organization) (\d+) (.+)")
_GOOGLE_ADDRESS = {"street": "address", "extended address": "address2", "postal code": "postal_code",
                   "city": "city", "country": "country", "region": "region", "po box": "pobox",
                   "formatted": "formatted"}

_PROFILES = (
    ("Outlook (français)", {"rue bureau", "adresse de messagerie", "code postal bureau",
                            "telephone mobile", "ville bureau"}),
    ("Outlook (English)", {"business street", "e mail address", "business postal code",
                           "mobile phone", "business city"}),
    ("Google Contacts", {"e mail 1 value", "phone 1 value", "given name", "organization name",
                         "organization 1 name", "address 1 city"}),
)


def detect_profile(headers: Sequence[str]) -> str:
    normed = {norm_header(h) for h in headers}
    for name, markers in _PROFILES:
        if len(normed & markers) >= 2:
            return name
    return ""


@dataclass
class ColumnPlan:
    targets: list[Target]
    profile: str = ""
    missing_mapped: list[str] = field(default_factory=list)

    @property
    def recognised(self) -> bool:
        return any(t.kind not in ("custom", "default", "consumed", "ignore", "labels")
                   for t in self.targets)


def plan_columns(headers: Sequence[str], keys: Sequence[QualKey],
                 mapping: dict[str, Target] | None = None) -> ColumnPlan:
    """A target for each column, by an explicit ``mapping``, then the known
    headers, then the keys; the rest are custom fields."""
    key_names: dict[str, QualKey] = {}
    for key in keys:
        key_names[key.norm_name] = key
        if key.label:
            key_names.setdefault(fold_key_name(key.label), key)
    normed = [norm_header(h) for h in headers]
    targets: list[Target] = []
    for index, header in enumerate(headers):
        explicit = (mapping or {}).get(norm_header(header))
        if explicit is not None:
            targets.append(explicit)
            continue
        target = _SYNONYMS.get(normed[index]) or _google(normed[index], normed)
        if target is None:
            matched = key_names.get(fold_key_name(_unguarded(header.strip())))
            target = (Target("key", str(matched.id)) if matched
                      else Target("custom", _unguarded(header.strip())))
        targets.append(target)
    plan = ColumnPlan(targets, detect_profile(headers))
    if plan.profile.startswith("Outlook"):
        _outlook_titles(headers, plan)
    if mapping:
        present = set(normed)
        plan.missing_mapped = [h for h in mapping if h not in present]
    return plan


def _unguarded(name: str) -> str:
    """A column name as written before an export's formula guard (``'=x`` → ``=x``)."""
    return name[1:] if name[:1] == "'" and name[1:2] in ("=", "+", "-", "@") else name


def _outlook_titles(headers: Sequence[str], plan: ColumnPlan) -> None:
    """Outlook's first "Titre"/"Title" is the civility; in French the second is the job."""
    seen = 0
    for index, header in enumerate(headers):
        if norm_header(header) in ("titre", "title") and plan.targets[index].kind == "title_or_civility":
            plan.targets[index] = Target("custom", "Civilité") if seen == 0 else _f("title")
            seen += 1


def _google(normed: str, all_headers: list[str]) -> Target | None:
    match = _GOOGLE.fullmatch(normed)
    if not match:
        return None
    what, number, part = match[1], int(match[2]), match[3]
    rank = number - 1
    if part in ("label", "type"):
        return Target("consumed")
    if what == "e mail" and part == "value":
        return _f("email", rank)
    if what == "phone" and part == "value":
        label = next((all_headers.index(f"phone {number} {p}") for p in ("label", "type")
                      if f"phone {number} {p}" in all_headers), None)
        return Target("phone_labelled", rank=rank, label_column=label)
    if what == "website" and part == "value":
        return _f("website", rank)
    if what == "organization":
        if part == "name":
            return _f("company", rank)
        if part == "title":
            return _f("title", rank)
        return None
    if what == "address" and part in _GOOGLE_ADDRESS:
        return Target("address", _GOOGLE_ADDRESS[part], group=str(number))
    return None


# -- explicit maps (--mapping FILE) ------------------------------------------------

_SPECIAL_TARGETS = {"note": Target("note"), "notes": Target("note"), "ignore": Target("ignore"),
                    "ignorer": Target("ignore"), "custom": Target("custom"),
                    "champ libre": Target("custom"), "nom complet": Target("full_name"),
                    "full name": Target("full_name"), "full_name": Target("full_name")}


class MappingError(QualifError):
    pass


def read_mapping(path: Path, keys: Sequence[QualKey]) -> dict[str, Target]:
    """An explicit column map: ``Header = target`` lines (``#`` comments), or a JSON object.

    A target is a field (``email`` or its label ``E-mail``), a key (``Profil``
    or ``key:Profil``), ``note``, ``custom``, ``full_name`` or ``ignore``.
    """
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise MappingError(_("{path} : fichier de correspondance introuvable").format(path=path)) from None
    except (OSError, UnicodeDecodeError) as error:
        raise MappingError(_("{path} : impossible de lire la correspondance ({error})").format(path=path, error=error)) from None
    pairs: list[tuple[int, str, str]] = []
    if text.lstrip().startswith("{"):
        try:
            loaded = json.loads(text)
        except ValueError as error:
            raise MappingError(_("{path} : JSON invalide ({error})").format(path=path, error=error)) from None
        if not isinstance(loaded, dict) or not all(isinstance(v, str) for v in loaded.values()):
            raise MappingError(_('{path} : un objet {{"colonne": "cible", …}} est attendu').format(path=path))
        pairs = [(0, str(k), v) for k, v in loaded.items()]
    else:
        for number, line in enumerate(text.splitlines(), start=1):
            stripped = line.strip()
            if not stripped or stripped.startswith("#"):
                continue
            if "=" not in stripped:
                raise MappingError(_("{path}, ligne {number} : écrivez « En-tête de colonne = cible »").format(path=path, number=number))
            header, target = stripped.rsplit("=", 1)
            pairs.append((number, header.strip(), target.strip()))
    mapping: dict[str, Target] = {}
    for number, header, target in pairs:
        where = f"{path}, line {number}" if number else str(path)
        mapping[norm_header(header)] = _parse_target(target, header, keys, where)
    return mapping


def _parse_target(text: str, header: str, keys: Sequence[QualKey], where: str) -> Target:
    lowered = text.strip().lower()
    if lowered in _SPECIAL_TARGETS:
        special = _SPECIAL_TARGETS[lowered]
        return Target("custom", header.strip()) if special.kind == "custom" else special
    wanted = text.strip()
    if lowered.startswith(("key:", "clé:", "cle:")):
        wanted = wanted.split(":", 1)[1].strip()
    else:
        for name, label in FIELDS.items():
            if lowered == name or fold(text) == fold(label):
                if name in ("address", "address2", "postal_code", "city", "country"):
                    return Target("address", name, group="")
                return Target("field", name)
    for key in keys:
        if fold_key_name(wanted) in (key.norm_name, fold_key_name(key.label or key.name)):
            return Target("key", str(key.id))
    choices = [*FIELDS, *FIELDS.values(), *(k.name for k in keys), "note", "custom", "ignore"]
    hint = closest(fold(wanted), [fold(c) for c in choices])
    suffix = _(" — vouliez-vous dire « {hint} » ?").format(hint=hint) if hint else ""
    raise MappingError(_("{where} : cible inconnue « {value} »{suffix} (un champ comme first_name ou Prénom, un nom de clé, note, custom ou ignore)").format(where=where, value=text.strip(), suffix=suffix))
