"""What a key name in a query refers to: a qualification key, a field, or a keyword.

Resolution order for ``name:value``:

1. the words of the language — ``has``, ``missing``, ``segment``, ``dept``,
   ``region`` (keys cannot take these names, see ``core.keys.define_key``);
2. the qualification keys of the file (``profil``, ``mise_en_service``…), so a
   key the user named "Groupe" or "Ville" is theirs;
3. the built-in fields and computed facts, and the French aliases of all the
   above (``city``/``ville``, ``last_contact``/``dernier_contact``,
   ``avec``/``sans``/``groupe``…).

Names compare like key names everywhere: case, accents, spaces, ``-`` and
``_`` do not matter (``"Mise en service"`` = ``mise_en_service``).
"""

from __future__ import annotations

from dataclasses import dataclass

from qualif_tui.base.i18n import _
from qualif_tui.base.text import fold_key_name
from qualif_tui.domain.keys import QualKey, closest

# names that take a group whose criteria hold on one deal: deal:(won:2026 categorie:x)
DEAL_GROUP = ("deal", "affaire", "une_affaire")
# the words of the language (reserved: no key can take these names)
RESERVED = ("has", "missing", "segment", "dept", "region")
# their aliases, which a qualification key of the same name overrides
SPECIALS = {
    **{word: word for word in RESERVED},
    "avec": "has", "sans": "missing", "groupe": "segment",
    "departement": "dept", "dep": "dept", "dpt": "dept",
}


@dataclass(frozen=True)
class Builtin:
    """A field of every contact. ``kind`` says how values are compared:

    ``fact_date``/``fact_number``: a contact_facts column (indexed, bitmaps);
    ``norm``: a folded, indexed contacts column; ``person``: first/last name
    (exact, any case/accents); ``name``: words of the name; ``email``,
    ``postal``, ``phone``: their own normal forms; ``folded``: any other text
    column; ``flag``: yes/no; ``birthday``: a date that may lack its year;
    ``id``: the contact number; ``deal_*``: a fact of one of the contact's
    deals (the contact matches when at least one of its deals does; inside
    ``deal:( … )`` all the group's criteria on the same deal); ``contacted``:
    any non-automatic history entry (not only the last).
    """

    name: str
    kind: str
    column: str
    label: str
    aliases: tuple[str, ...] = ()


BUILTINS: tuple[Builtin, ...] = (
    Builtin("name", "name", "", "nom complet", ("nom_complet", "contact")),
    Builtin("first_name", "person", "c.first_name", "prénom", ("prenom", "firstname")),
    Builtin("last_name", "person", "c.last_name", "nom", ("nom", "lastname")),
    Builtin("company", "norm", "c.norm_company", "société",
            ("societe", "entreprise", "organisation", "org")),
    Builtin("city", "norm", "c.norm_city", "ville", ("ville", "commune")),
    Builtin("postal_code", "postal", "c.postal_code", "code postal",
            ("code_postal", "cp", "zip", "postcode")),
    Builtin("email", "email", "c.norm_email", "e-mail", ("e_mail", "mail", "courriel")),
    Builtin("phone", "phone", "", "téléphone",
            ("telephone", "tel", "phones", "numero")),
    Builtin("mobile", "phone", "c.mobile_e164", "portable", ("portable", "gsm")),
    Builtin("title", "folded", "c.title", "fonction", ("fonction", "titre", "poste")),
    Builtin("country", "folded", "c.country", "pays", ("pays",)),
    Builtin("birthday", "birthday", "c.birthday", "anniversaire",
            ("anniversaire", "naissance", "date_de_naissance", "birth")),
    Builtin("email_optout", "flag", "c.email_optout", "refus e-mail",
            ("refus_email", "refus_mail", "optout", "email_opt_out")),
    Builtin("phone_optout", "flag", "c.phone_optout", "refus téléphone",
            ("refus_telephone", "refus_tel")),
    Builtin("legal_basis", "folded", "c.legal_basis", "base légale",
            ("base_legale", "rgpd", "consent")),
    Builtin("created", "fact_date", "created", "créé le",
            ("cree", "creation", "cree_le", "date_creation")),
    Builtin("updated", "fact_date", "updated", "modifié le",
            ("modifie", "modification", "modifie_le", "maj")),
    Builtin("last_contact", "fact_date", "last_contact", "dernier contact",
            ("dernier_contact", "contacte", "last_seen")),
    # the latest message *from* the contact (mail archives): where the CNIL's
    # three-year clock for prospects starts
    Builtin("last_inbound", "fact_date", "last_inbound", "dernier message reçu",
            ("dernier_message_recu", "dernier_recu", "last_received")),
    Builtin("next_activity", "fact_date", "next_activity", "prochaine activité",
            ("prochaine_activite", "prochain_rdv", "next", "agenda")),
    Builtin("deals", "fact_number", "deals", "affaires gagnées",
            ("affaires", "affaires_gagnees", "ventes")),
    Builtin("revenue", "fact_number", "revenue", "chiffre d'affaires",
            ("ca", "chiffre_d_affaires", "chiffre_affaires", "montant")),
    Builtin("open_deals", "fact_number", "open_deals", "affaires en cours",
            ("affaires_ouvertes", "affaires_en_cours", "en_cours", "pipeline")),
    Builtin("last_purchase", "fact_date", "last_purchase", "dernier achat",
            ("dernier_achat", "derniere_vente", "derniere_affaire_gagnee")),
    Builtin("deal_stage", "deal_stage", "stage", "étape d'une affaire",
            ("etape", "etape_affaire", "stage")),
    Builtin("deal_amount", "deal_amount", "amount", "montant d'une affaire",
            ("montant_affaire", "montant_deal")),
    Builtin("expected_close", "deal_expected", "expected_close",
            "clôture prévue d'une affaire en cours", ("cloture_prevue", "cloture", "echeance")),
    Builtin("won", "deal_won", "closed_at", "affaire gagnée le",
            ("gagne", "gagnee", "gagnees", "vendu")),
    Builtin("lost", "deal_lost", "closed_at", "affaire perdue le",
            ("perdu", "perdue", "perdues", "perdu_le")),
    Builtin("deal_created", "deal_created", "created", "affaire créée le",
            ("affaire_creee", "creation_affaire", "ouverte_le", "deal_opened")),
    Builtin("reached", "deal_reached", "stage", "étape atteinte par une affaire",
            ("atteint", "atteinte", "etape_atteinte", "reached_stage")),
    Builtin("lost_reason", "deal_lost_reason", "lost_reason_id", "raison de perte",
            ("raison_perte", "motif_perte", "perdu_pour", "raison")),
    Builtin("deal_category", "deal_category", "category_id", "catégorie d'une affaire",
            ("categorie", "categorie_affaire", "produit")),
    # every contact made with the person (a non-automatic history entry), not only
    # the last one: "contacted:2026-03" is who was reached in March
    Builtin("contacted", "contacted", "happened_at", "contacté (une entrée d'historique)",
            ("contacte_en", "joint", "joint_le", "echange")),
    Builtin("id", "id", "c.id", "numéro de fiche", ("numero_fiche", "fiche")),
)

_BUILTIN_BY_NAME: dict[str, Builtin] = {}
for _field in BUILTINS:
    for _spelling in (_field.name, *_field.aliases):
        _BUILTIN_BY_NAME[fold_key_name(_spelling)] = _field


@dataclass(frozen=True)
class Resolved:
    """What a key name means: exactly one of ``special``, ``key``, ``builtin``."""

    name: str  # the name as the query language writes it (for messages)
    special: str | None = None
    key: QualKey | None = None
    builtin: Builtin | None = None


def resolve(name: str, keys: list[QualKey]) -> Resolved | None:
    folded = fold_key_name(name)
    if folded in RESERVED:
        return Resolved(folded, special=folded)
    for key in keys:
        if key.norm_name == folded:
            return Resolved(key.norm_name, key=key)
    if folded in SPECIALS:
        return Resolved(SPECIALS[folded], special=SPECIALS[folded])
    builtin = _BUILTIN_BY_NAME.get(folded)
    if builtin is not None:
        return Resolved(builtin.name, builtin=builtin)
    return None


def resolve_field(name: str, keys: list[QualKey]) -> Resolved | None:
    """A key or field for ``has:``/``missing:`` (also ``dept``/``region``)."""
    found = resolve(name, keys)
    if found is not None and found.special in ("has", "missing", "segment"):
        return None
    return found


def suggestion(name: str, keys: list[QualKey], *, fields_only: bool = False) -> str:
    """The hint for an unknown name: the closest known one, else the list of keys."""
    folded = fold_key_name(name)
    candidates = [k.norm_name for k in keys] + [b.name for b in BUILTINS]
    aliases = [a for b in BUILTINS for a in b.aliases]
    specials = [] if fields_only else ["has", "missing", "segment"]
    specials += ["dept", "region"]
    best = closest(folded, candidates + specials) or closest(folded, aliases)
    if best:
        return _("vouliez-vous dire « {best} » ?").format(best=best)
    listed = ", ".join(k.norm_name for k in keys) or _("(aucune pour l'instant)")
    return (_("clés de qualification : {listed} ; champs : ").format(listed=listed)
            + ", ".join(b.name for b in BUILTINS) + _(" ; aussi ") + ", ".join(specials))
