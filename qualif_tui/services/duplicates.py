"""Probable duplicates: pairs of contacts that are likely one person, with a score and why.

Comparing every contact with every other is out of reach (5·10¹¹ pairs at a
million contacts), so candidates come from *blocks* — groups of contacts that
share something — and only pairs inside a block are scored:

* the same e-mail address (``email`` or ``email2``, case ignored);
* the same phone number in its E.164 form (``05 62 00 11 22`` = ``+33562001122``);
* names compared only within the same company, postal code or e-mail domain
  (webmail domains such as gmail.com are no zone), and within that, among
  contacts sharing the first three letters of one word of their name and the
  initials of the others — so an inverted "Besson Léo" meets "Léo Besson",
  and a typo in one word still meets through the other.

* the same name, file-wide, when at most :data:`MAX_NAMESAKES` contacts bear
  it (two "Léo Besson" imported with two addresses and nothing else in common).

A block bigger than :data:`MAX_BLOCK` (a shared ``contact@`` address, a
switchboard, a common name in a big town) is compared one name against the
rest of the block in rapidfuzz's C++ loop (``process.extract``); an address or number shared by
more than :data:`MAX_SHARED` contacts says "shared", not "same person", and
gives no pairs.

The score (0–100) adds up evidence: names (folded, hyphens and word order
ignored, typos measured by rapidfuzz's ``token_sort_ratio``), the same e-mail
or phone, the same company, postal code or domain; first names that clearly
differ (a couple sharing a mailbox or a landline) take most of it away.
Pairs the user said are not duplicates are never proposed again.
"""

from __future__ import annotations

import functools
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from rapidfuzz import fuzz, process

from qualif_tui.base.i18n import _
from qualif_tui.base.text import fold
from qualif_tui.domain.phones import format_phone
from qualif_tui.query import CompiledQuery, compile_query
from qualif_tui.services.importing.plan import no_cycle_collection
from qualif_tui.storage import Database

DEFAULT_MIN_SCORE = 60
# names at least this similar (token_sort_ratio) count as the same name, typos included
NAME_THRESHOLD = 85
MAX_BLOCK = 40          # above: rapidfuzz's process.extract instead of a Python loop
MAX_SHARED = 30         # an address or number this common is shared, not one person's
MAX_NAMESAKES = 3       # a name borne by at most this many contacts pairs them file-wide
_BATCH = 20_000
WEBMAIL = frozenset({
    "gmail.com", "googlemail.com", "orange.fr", "wanadoo.fr", "free.fr", "sfr.fr", "neuf.fr",
    "laposte.net", "hotmail.fr", "hotmail.com", "live.fr", "live.com", "msn.com",
    "outlook.fr", "outlook.com", "yahoo.fr", "yahoo.com", "bbox.fr", "icloud.com", "me.com",
    "aol.com", "aol.fr", "gmx.fr", "gmx.com", "protonmail.com", "proton.me", "numericable.fr",
    "club-internet.fr", "cegetel.net", "aliceadsl.fr", "libertysurf.fr", "tiscali.fr",
})

Progress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class DuplicatePair:
    a: int
    b: int
    score: int
    reasons: tuple[str, ...]

    def as_json(self) -> dict[str, object]:
        return {"ids": [self.a, self.b], "score": self.score, "reasons": list(self.reasons)}


@dataclass
class ScanReport:
    pairs: list[DuplicatePair]
    contacts: int                   # contacts read
    candidates: int                 # pairs scored
    dismissed: int = 0              # pairs left out because the user said "not a duplicate"
    blocks: dict[str, int] = field(default_factory=dict)


# One contact as the scan sees it: id, folded name (hyphens as spaces), first name,
# last name (as typed), folded company, postal code, e-mail domain unless webmail.
Person = tuple[int, str, str, str, str, str, str]

_PEOPLE = """
SELECT id, norm_name, first_name, last_name, norm_company, replace(postal_code, ' ', ''),
       CASE WHEN norm_email != '' THEN substr(norm_email, instr(norm_email, '@') + 1)
            ELSE '' END
  FROM contacts
"""
# Same address, same number: grouped by SQLite over the normal forms.
_EMAIL_GROUPS = """
SELECT address, group_concat(id) FROM (
    SELECT norm_email AS address, id FROM contacts WHERE norm_email != ''
    UNION SELECT lower(trim(email2)), id FROM contacts WHERE email2 != '')
GROUP BY address HAVING count(*) BETWEEN 2 AND ?
"""
_PHONE_GROUPS = """
SELECT number, group_concat(id) FROM (
    SELECT phone_e164 AS number, id FROM contacts WHERE phone_e164 != ''
    UNION SELECT mobile_e164, id FROM contacts WHERE mobile_e164 != '')
GROUP BY number HAVING count(*) BETWEEN 2 AND ?
"""


@functools.lru_cache(maxsize=1 << 16)
def _folded(text: str) -> str:
    return fold(text).replace("-", " ")


def _person(row: Any) -> Person:
    cid, name, first, last, company, postal, domain = row
    name = str(name)
    return (int(cid), name.replace("-", " ") if "-" in name else name, str(first), str(last),
            str(company), str(postal), "" if domain in WEBMAIL else str(domain))


def scan(db: Database, query: str | CompiledQuery | None = None, *,
         min_score: int = DEFAULT_MIN_SCORE, progress: Progress | None = None,
         include_dismissed: bool = False) -> ScanReport:
    """Probable duplicates among the contacts (one of the pair at least in ``query``).

    Pairs come best first; ``min_score`` drops the weaker ones.
    """
    # millions of small tuples and no cycle among them: the cycle collector
    # would walk them again and again for nothing
    with no_cycle_collection():
        return _scan(db, query, min_score, progress, include_dismissed)


def _scan(db: Database, query: str | CompiledQuery | None, min_score: int,
          progress: Progress | None, include_dismissed: bool) -> ScanReport:
    wanted: set[int] | None = None
    if query is not None and (not isinstance(query, str) or query.strip()):
        compiled = compile_query(db, query) if isinstance(query, str) else query
        wanted = {int(row[0]) for row in db.query(
            "SELECT c.id FROM contacts c JOIN contact_facts f ON f.contact_id = c.id"
            f" WHERE {compiled.where}", compiled.params)}
    tell = progress or (lambda *_args: None)
    emails: dict[tuple[int, int], str] = {}
    phones: dict[tuple[int, int], str] = {}
    tell(_("e-mails et téléphones"), 0, 3)
    blocks = {"email": _grouped_pairs(db, _EMAIL_GROUPS, emails),
              "phone": _grouped_pairs(db, _PHONE_GROUPS, phones)}
    tell(_("noms"), 1, 3)
    with db.lock:
        people = {row[0]: row for row in map(_person, db.conn.execute(_PEOPLE))}
    candidates: set[tuple[int, int]] = set(emails) | set(phones)
    namesakes = _namesakes(people.values())
    blocks["namesake"] = len(namesakes - candidates)
    candidates |= namesakes
    blocks["name"] = _name_pairs(list(people.values()), candidates)
    if wanted is not None:
        candidates = {p for p in candidates if p[0] in wanted or p[1] in wanted}
    dismissed = {(int(a), int(b)) for a, b in db.query(
        "SELECT contact_a, contact_b FROM duplicate_dismissals")}
    left_out = len(candidates & dismissed)
    if not include_dismissed:
        candidates -= dismissed
    tell(_("scores"), 2, 3)
    pairs = []
    for pair in candidates:
        found = score_pair(people[pair[0]], people[pair[1]], emails.get(pair), phones.get(pair),
                           rare=pair in namesakes)
        if found.score >= min_score:
            pairs.append(found)
    pairs.sort(key=lambda p: (-p.score, p.a, p.b))
    tell(_("scores"), 3, 3)
    return ScanReport(pairs, len(people), len(candidates), left_out, blocks)


def _grouped_pairs(db: Database, sql: str, shared: dict[tuple[int, int], str]) -> int:
    """Pairs of contacts holding the same value, each with the value."""
    before = len(shared)
    for value, ids in db.query(sql, (MAX_SHARED,)):
        members = sorted({int(i) for i in str(ids).split(",")})
        for index, a in enumerate(members):
            for b in members[index + 1:]:
                shared.setdefault((a, b), str(value))
    return len(shared) - before


def _namesakes(people: Iterable[Person]) -> set[tuple[int, int]]:
    """Pairs of the only contacts of the file bearing a name (word order ignored):
    two "Léo Besson" with nothing else in common, where nobody else is called so."""
    by_name: dict[str, list[int]] = defaultdict(list)
    for person in people:
        name = person[1]
        if " " in name:
            by_name[" ".join(sorted(name.split()))].append(person[0])
    pairs: set[tuple[int, int]] = set()
    for ids in by_name.values():
        if 1 < len(ids) <= MAX_NAMESAKES:
            ids.sort()
            pairs.update((a, b) for i, a in enumerate(ids) for b in ids[i + 1:])
    return pairs


def _name_pairs(people: list[Person], candidates: set[tuple[int, int]]) -> int:
    """Pairs of similar names within a zone (company, postal code, non-webmail
    domain) and a name block (:func:`_block_keys`).

    One kind of zone at a time (only one kind of block in memory); within a
    block, each distinct name is compared once with the others — contacts of
    the same name pair up without a comparison."""
    starts: dict[str, tuple[str, ...]] = {}
    names = {person[0]: person[1] for person in people}
    added = 0
    for column in (4, 5, 6):
        blocks: dict[tuple[str, str], list[int]] = defaultdict(list)
        for person in people:
            zone, name = str(person[column]), person[1]
            if not zone or not name:
                continue
            words = starts.get(name)
            if words is None:
                words = starts[name] = _block_keys(name)
            for start in words:
                blocks[(zone, start)].append(person[0])
        for ids in blocks.values():
            if len(ids) > 1:
                added += _compare_block(ids, names, candidates)
        del blocks
    return added


def _close(a: str, b: str) -> bool:
    return bool(fuzz.token_sort_ratio(a, b, score_cutoff=NAME_THRESHOLD)
                or fuzz.ratio(a.replace(" ", ""), b.replace(" ", ""),
                              score_cutoff=NAME_THRESHOLD))


def _block_keys(name: str) -> tuple[str, ...]:
    """The name blocks a name falls in: for each of its words, the word's first
    three letters and the initials of its other words ("leo besson" → "bes l",
    "leo b"): an inverted name falls in the same blocks, a typo in one word
    still meets through the other."""
    words = [w for w in name.split() if len(w) >= 2] or name.split()
    keys = set()
    for index, word in enumerate(words):
        initials = "".join(sorted(w[0] for i, w in enumerate(words) if i != index))
        keys.add(f"{word[:3]} {initials}")
    # and the start of the name without its spaces: "Da Silva" meets "DaSilva"
    keys.add("~" + name.replace(" ", "")[:5])
    return tuple(keys)


def _cross(candidates: set[tuple[int, int]], first: list[int], second: list[int]) -> int:
    added = 0
    for a in first:
        for b in second:
            if a != b:
                pair = (a, b) if a < b else (b, a)
                if pair not in candidates:
                    candidates.add(pair)
                    added += 1
    return added


def _compare_block(ids: list[int], names: dict[int, str],
                   candidates: set[tuple[int, int]]) -> int:
    if len(ids) == 2:
        a, b = ids
        if names[a] == names[b] or _close(names[a], names[b]):
            pair = (a, b) if a < b else (b, a)
            if pair not in candidates:
                candidates.add(pair)
                return 1
        return 0
    named: dict[str, list[int]] = {}
    for cid in ids:
        named.setdefault(names[cid], []).append(cid)
    added = 0
    for same in named.values():
        if len(same) > 1:
            added += sum(_cross(candidates, [a], same[i + 1:]) for i, a in enumerate(same))
    distinct = list(named)
    for row in range(len(distinct) - 1):
        # one name against the rest of the block, the loop in rapidfuzz's C++
        found = process.extract(distinct[row], distinct[row + 1:], scorer=fuzz.token_sort_ratio,
                                score_cutoff=NAME_THRESHOLD, limit=None)
        close = {other for other, _score, _offset in found}
        if " " in distinct[row]:  # spaces ignored too: a second, cheap pass
            compact = [n.replace(" ", "") for n in distinct[row + 1:]]
            close.update(distinct[row + 1 + offset] for _n, _s, offset in process.extract(
                distinct[row].replace(" ", ""), compact, scorer=fuzz.ratio,
                score_cutoff=NAME_THRESHOLD, limit=None))
        for other in close:
            added += _cross(candidates, named[distinct[row]], named[other])
    return added


# -- the score ---------------------------------------------------------------------


def score_pair(a: Person, b: Person, email: str | None = None,
               phone: str | None = None, *, rare: bool = False) -> DuplicatePair:
    """How likely two contacts are one person (0–100), and why; ``email`` and
    ``phone``: the address or number they share, if any; ``rare``: nobody else
    in the file bears their name."""
    a_id, a_name, a_first, a_last, a_company, a_postal, a_domain = a
    b_id, b_name, b_first, b_last, b_company, b_postal, b_domain = b
    reasons: list[str] = []
    score = 0
    if a_name and b_name:
        # word order ignored, and spaces too ("Da Silva" / "DaSilva")
        similarity = max(fuzz.token_sort_ratio(a_name, b_name),
                         fuzz.ratio(a_name.replace(" ", ""), b_name.replace(" ", "")))
        if similarity >= 97:
            inverted = a_name != b_name and sorted(a_name.split()) == sorted(b_name.split())
            score += 60
            reasons.append(_("prénom et nom inversés") if inverted else _("même nom"))
        elif similarity >= 90:
            score += 55
            reasons.append(_("noms proches ({score:.0f} %)").format(score=similarity))
        elif similarity >= NAME_THRESHOLD:
            score += 45
            reasons.append(_("noms proches ({score:.0f} %)").format(score=similarity))
        first_a, first_b = _folded(a_first), _folded(b_first)
        if (first_a and first_b and fuzz.ratio(first_a, first_b) < 60
                and not _crossed(a_first, a_last, b_first, b_last)):
            score -= 50
            reasons.append(_("prénoms différents ({a} / {b})").format(a=a_first, b=b_first))
    else:
        score += 25  # a card without a name: the rest decides
    if email:
        score += 40
        reasons.append(_("même e-mail ({email})").format(email=email))
    if phone:
        score += 5 if email else 35
        reasons.append(_("même téléphone ({phone})").format(phone=format_phone(phone)))
    context = 0
    if a_company and a_company == b_company:
        context += 12
        reasons.append(_("même société"))
    if a_postal and a_postal == b_postal:
        context += 8
        reasons.append(_("même code postal ({code})").format(code=a_postal))
    if a_domain and a_domain == b_domain and not email:
        context += 8
        reasons.append(_("même domaine e-mail ({domain})").format(domain=a_domain))
    if rare:
        context += 5
        reasons.append(_("seuls à porter ce nom dans le fichier"))
    score += min(context, 20)
    if not email and not phone and a_postal and b_postal and a_postal[:2] != b_postal[:2]:
        score -= 10  # namesakes far apart: two people more likely than one who moved
        reasons.append(_("départements différents"))
    return DuplicatePair(min(a_id, b_id), max(a_id, b_id), max(0, min(100, score)),
                         tuple(reasons))


def _crossed(a_first: str, a_last: str, b_first: str, b_last: str) -> bool:
    """First and last names swapped from one card to the other."""
    return (fuzz.ratio(_folded(a_first), _folded(b_last)) >= 85
            and fuzz.ratio(_folded(a_last), _folded(b_first)) >= 85)


def pair_report(db: Database, a: int, b: int) -> DuplicatePair:
    """The score and reasons of one pair (the app's side-by-side view)."""
    found = {row[0]: row for row in map(_person, db.query(
        _PEOPLE + " WHERE id IN (?, ?)", (a, b)))}
    shared = db.query(
        "SELECT x.norm_email, x.phone_e164, x.mobile_e164, y.norm_email, y.phone_e164,"
        " y.mobile_e164, lower(trim(x.email2)), lower(trim(y.email2))"
        " FROM contacts x, contacts y WHERE x.id = ? AND y.id = ?", (a, b))[0]
    emails = ({shared[0], shared[6]} - {""}) & ({shared[3], shared[7]} - {""})
    phones = ({shared[1], shared[2]} - {""}) & ({shared[4], shared[5]} - {""})
    return score_pair(found[a], found[b], min(emails) if emails else None,
                      min(phones) if phones else None)
