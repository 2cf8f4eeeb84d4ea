"""Is this incoming contact already known? Same e-mail, else same name and
company, else same phone — against the database and the earlier rows of the
import itself.

The database side is looked up once for the whole import, in batches of a
few hundred values per query through the indexes (``contacts_email``,
``contacts_name``, ``contacts_company``, ``contacts_phone``,
``contacts_mobile``): never a query per row, never a table scan.

A shared phone number (a switchboard) must not merge two people: a phone
match counts only when the names agree (one is empty, or they share a word)
and the e-mails do not contradict each other.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from qualif_tui.base.text import display_name, fold
from qualif_tui.services.importing.model import Incoming
from qualif_tui.services.importing.normalize import phone_e164
from qualif_tui.storage import Database

_CHUNK = 500
cached_fold = functools.lru_cache(maxsize=1 << 19)(fold)


@dataclass(frozen=True, slots=True)
class Identity:
    """The comparable forms of one contact."""

    emails: tuple[str, ...]
    name: str
    company: str
    phones: tuple[str, ...]
    place: str = ""       # postal code, to tell homonyms apart

    @property
    def name_company(self) -> tuple[str, str] | None:
        if not self.name and not self.company:
            return None
        return self.name, self.company


def identity_of(fields: dict[str, str], region: str) -> Identity:
    get = fields.get
    email, email2 = get("email"), get("email2")
    emails: tuple[str, ...] = ()
    if email:
        emails = (email.lower(), email2.lower()) if email2 else (email.lower(),)
    name = cached_fold(f"{get('first_name', '')} {get('last_name', '')}")
    phone, mobile = get("phone"), get("mobile")
    phones: tuple[str, ...] = ()
    if phone or mobile:
        phones = tuple(p for p in (phone_e164(phone, region) if phone else "",
                                   phone_e164(mobile, region) if mobile else "") if p)
    company = get("company")
    return Identity(emails, name, cached_fold(company) if company else "", phones,
                    get("postal_code", ""))


@dataclass(frozen=True)
class Match:
    """Where a duplicate was found: an existing contact, or an earlier record."""

    reason: str                 # "same e-mail", "same name and company", "same phone"
    contact_id: int | None = None
    record_index: int | None = None
    known: _Known | None = None

    @property
    def label(self) -> str:
        return self.known.label if self.known else ""


@dataclass(slots=True)
class _Known:
    contact_id: int | None
    record_index: int | None
    name: str
    emails: tuple[str, ...]
    label_parts: tuple[str, str, str]   # first name, last name, company
    place: str = ""
    line: int = 0

    @property
    def label(self) -> str:
        shown = display_name(*self.label_parts)
        return f"line {self.line} {shown}" if self.contact_id is None else f"#{self.contact_id} {shown}"


class Matcher:
    def __init__(self, db: Database, region: str = "FR") -> None:
        self.db = db
        self.region = region
        self.by_email: dict[str, _Known] = {}
        self.by_name: dict[tuple[str, str], list[_Known]] = {}
        self.by_phone: dict[str, list[_Known]] = {}

    # -- the database, looked up once -----------------------------------------------
    def prefetch(self, identities: Sequence[Identity]) -> None:
        emails = {e for i in identities for e in i.emails}
        names = {i.name for i in identities if i.name}
        companies = {i.company for i in identities if not i.name and i.company}
        phones = {p for i in identities for p in i.phones}
        select = ("SELECT id, norm_name, norm_company, norm_email, phone_e164, mobile_e164,"
                  " first_name, last_name, company, postal_code FROM contacts WHERE ")
        rows = []
        rows += self._lookup(select + "norm_email != '' AND norm_email IN ({})", emails)
        rows += self._lookup(select + "norm_name != '' AND norm_name IN ({})", names)
        rows += self._lookup(select + "norm_company IN ({}) AND norm_name = ''", companies)
        rows += self._lookup(select + "phone_e164 != '' AND phone_e164 IN ({})", phones)
        rows += self._lookup(select + "mobile_e164 != '' AND mobile_e164 IN ({})", phones)
        # the oldest contact comes first when the database already holds duplicates
        seen: set[int] = set()
        for row in sorted(rows, key=lambda r: int(r[0])):
            if int(row[0]) in seen:
                continue
            seen.add(int(row[0]))
            known = _Known(int(row[0]), None, row[1], (row[3],) if row[3] else (),
                           (row[6], row[7], row[8]), row[9])
            if row[3]:
                self.by_email.setdefault(row[3], known)
            if row[1] or row[2]:
                self.by_name.setdefault((row[1], row[2]), []).append(known)
            for phone in {row[4], row[5]} - {""}:
                self.by_phone.setdefault(phone, []).append(known)

    def _lookup(self, sql: str, values: Iterable[str]) -> list[tuple[str, ...]]:
        values = list(values)
        found: list[tuple[str, ...]] = []
        for start in range(0, len(values), _CHUNK):
            chunk = values[start:start + _CHUNK]
            found += [tuple(r) for r in self.db.query(sql.format(",".join("?" * len(chunk))),
                                                       chunk)]
        return found

    # -- one record ---------------------------------------------------------------------
    def find(self, identity: Identity) -> Match | None:
        for email in identity.emails:
            known = self.by_email.get(email)
            if known:
                return self._match("same e-mail", known)
        pair = identity.name_company
        if pair is not None:
            for known in self.by_name.get(pair, ()):
                if identity.company or _compatible(identity, known, strict=True):
                    return self._match("same name and company" if identity.company
                                       else "same name", known)
        for phone in identity.phones:
            for known in self.by_phone.get(phone, ()):
                if _compatible(identity, known):
                    return self._match("same phone", known)
        return None

    @staticmethod
    def _match(reason: str, known: _Known) -> Match:
        return Match(reason, known.contact_id, known.record_index, known)

    def remember(self, identity: Identity, record_index: int, record: Incoming) -> None:
        """An incoming contact that will be created: later rows may match it."""
        fields = record.fields
        known = _Known(None, record_index, identity.name, identity.emails,
                       (fields.get("first_name", ""), fields.get("last_name", ""),
                        fields.get("company", "")), identity.place, record.line)
        for email in identity.emails:
            self.by_email.setdefault(email, known)
        pair = identity.name_company
        if pair is not None:
            self.by_name.setdefault(pair, []).append(known)
        for phone in identity.phones:
            self.by_phone.setdefault(phone, []).append(known)


def _compatible(identity: Identity, known: _Known, strict: bool = False) -> bool:
    """No evidence of two different people: e-mails, and (``strict``, for a bare
    name without a company) postal codes do not contradict each other."""
    if strict and identity.place and known.place and identity.place != known.place:
        return False
    mine, theirs = identity.emails, known.emails
    if mine and theirs and not any(email in theirs for email in mine):
        return False
    if strict:
        return True
    if not identity.name or not known.name:
        return True
    return bool(set(identity.name.split()) & set(known.name.split()))
