"""Finding a person however the name was spelt: by name, date of birth, postcode, identifier.

Candidates come from the real-time matcher's index (`realtime.py`): the search is prepared
like a new record (`prepare_record`: the same folding, sound codes and nicknames) and looks
up its blocking keys, so "Smyth" finds "Smith" and "Jon" finds "Jonathan" exactly as
linkage would pair them. It looks up the keys of the search as typed and of the search
without its date of birth or postcode, so a mistyped date or an old postcode still finds the
name. Candidates are ranked by how alike each field is (rapidfuzz on the cleaned names,
exact or partial dates and postcodes, identifiers) and grouped into resolved persons.

A person id, or an agency's record id, is looked up directly.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from rapidfuzz import fuzz
from sqlalchemy import Connection, select

from kinlink.address import postcode_parts
from kinlink.errors import InputError
from kinlink.ingest.format import AGENCIES
from kinlink.linkage.blocking import BlockingRule, query_keys
from kinlink.linkage.normalise import fold
from kinlink.linkage.prepare import prepare_records
from kinlink.linkage.realtime import record_ids_under_keys
from kinlink.store import Store
from kinlink.store.queries import current_rows_of, records_in
from kinlink.store.schema.identity import record_persons
from kinlink.store.schema.source import people

MAX_PAGE_SIZE = 100
_MAX_CANDIDATES = 5_000  # records ranked per search: a common name at 1M is well under this


@dataclass(frozen=True)
class PersonQuery:
    """What a practitioner typed; any field may be empty."""

    first_name: str | None = None
    surname: str | None = None
    dob: str | None = None  # YYYY-MM-DD, YYYY-MM or YYYY
    postcode: str | None = None
    identifier: str | None = None  # person id, record id, NHS number, UPN or PNC id

    def cleaned(self) -> PersonQuery:
        """The query with blank fields as None and surrounding spaces gone."""
        return PersonQuery(**{k: (v or "").strip() or None for k, v in self.__dict__.items()})

    @property
    def is_empty(self) -> bool:
        return not any(self.__dict__.values())


@dataclass(frozen=True)
class PersonHit:
    """One person found, with the record that matched best and why it matched."""

    person_id: str  # P0000001, or "agency:record_id" for a record not yet resolved
    resolved: bool
    name: str
    dob: str | None
    postcode: str | None
    agencies: list[str]
    records: list[str]  # uids of the person's records that matched
    score: float  # 0..1, how alike the best record is to the search
    matched_on: list[str] = field(default_factory=list)  # in plain words


@dataclass(frozen=True)
class SearchPage:
    """One page of results, best first."""

    query: PersonQuery
    hits: list[PersonHit]
    total: int  # persons found in all
    page: int
    page_size: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.page_size))


def search_persons(store: Store, query: PersonQuery, *, rules: Sequence[BlockingRule],
                   page: int = 1, page_size: int = 20,
                   agencies: Collection[str] | None = None) -> SearchPage:
    """The persons most like `query`, a page at a time (pages count from 1), from the
    records of these agencies only when `agencies` is given. `rules` are the blocking rules
    of the model the real-time index was built with (`RealtimeMatcher.rules`).

    Raises InputError when the query gives too little to search on (a surname alone
    would list a street's worth of families) or a malformed date of birth.
    """
    query = query.cleaned()
    if page < 1 or not 1 <= page_size <= MAX_PAGE_SIZE:
        raise InputError(f"page must be 1 or more and page size 1 to {MAX_PAGE_SIZE}")
    keys = _keys(query, rules)
    if not query.identifier and not (_enough(query) and keys):
        raise InputError("search needs a first name and surname, a name with a date of birth "
                         "or postcode, a date of birth with a postcode, or an identifier")
    with store.connect() as conn:
        uids = set(record_ids_under_keys(conn, keys, limit=_MAX_CANDIDATES))
        if query.identifier:
            uids |= _by_identifier(conn, query.identifier)
        if agencies is not None:
            uids = {uid for uid in uids if uid.split(":", 1)[0] in agencies}
        rows = _records(conn, sorted(uids))
        persons = _persons(conn, list(rows))
    hits = _rank(query, rows, persons)
    start = (page - 1) * page_size
    return SearchPage(query=query, hits=hits[start:start + page_size], total=len(hits),
                      page=page, page_size=page_size)


def _enough(query: PersonQuery) -> bool:
    """Whether the query names someone closely enough to search without an identifier: a
    first name and surname, a name with a date of birth or postcode, or a date of birth
    with a postcode. A surname alone would list half a street."""
    name = bool(query.first_name) + bool(query.surname)
    place = bool(query.dob) + bool(query.postcode)
    return name == 2 or (name == 1 and place >= 1) or place == 2


def _keys(query: PersonQuery, rules: Sequence[BlockingRule]) -> list[str]:
    """The index keys of the search as typed, and without its date of birth or postcode."""
    record = {"first_name": query.first_name, "surname": query.surname, "dob": query.dob,
              "postcode": query.postcode, "nhs_number": query.identifier,
              "upn": query.identifier, "pnc_id": query.identifier}
    variants = [record, {**record, "dob": None}, {**record, "postcode": None}]
    return sorted({key for prepared in prepare_records(variants)
                   for key in query_keys(prepared, rules)})


def _by_identifier(conn: Connection, identifier: str) -> set[str]:
    """uids of the records of a person id, or of a record id in any agency."""
    rp = record_persons.c
    uids = {f"{a}:{r}" for a, r in conn.execute(
        select(rp.agency, rp.record_id).where(rp.person_id == identifier.upper()))}
    pairs = [(agency, identifier) for agency in AGENCIES]
    uids |= {f"{a}:{r}" for a, r in conn.execute(
        select(people.c.agency, people.c.record_id)
        .where(records_in(people.c.agency, people.c.record_id, pairs)).distinct())}
    return uids


def _records(conn: Connection, uids: Sequence[str]) -> dict[str, dict[str, Any]]:
    """uid -> current people row of each record."""
    if not uids:
        return {}
    pairs = [(agency, record_id) for agency, record_id in (uid.split(":", 1) for uid in uids)]
    return {f"{r['agency']}:{r['record_id']}": dict(r)
            for r in current_rows_of(conn, people, pairs)}


def _persons(conn: Connection, uids: list[str]) -> dict[str, str]:
    """uid -> person id of the records linkage has resolved."""
    if not uids:
        return {}
    pairs = [(agency, record_id) for agency, record_id in (uid.split(":", 1) for uid in uids)]
    rp = record_persons.c
    query = select(rp.agency, rp.record_id, rp.person_id).where(
        records_in(rp.agency, rp.record_id, pairs))
    return {f"{a}:{r}": p for a, r, p in conn.execute(query)}


def _rank(query: PersonQuery, rows: Mapping[str, dict[str, Any]],
          persons: Mapping[str, str]) -> list[PersonHit]:
    """One hit per person, the best-matching record's, best first."""
    best: dict[str, PersonHit] = {}
    for uid, row in rows.items():
        person_id = persons.get(uid, uid)
        score, why = score_record(query, {**row, "person_id": person_id})
        hit = PersonHit(person_id=person_id, resolved=uid in persons,
                        name=_full_name(row), dob=row["dob"], postcode=row["postcode"],
                        agencies=[row["agency"]], records=[uid], score=score, matched_on=why)
        seen = best.get(person_id)
        if seen is None:
            best[person_id] = hit
            continue
        top = hit if hit.score > seen.score else seen
        best[person_id] = replace(top, agencies=sorted({*seen.agencies, row["agency"]}),
                                  records=sorted({*seen.records, uid}))
    return sorted(best.values(), key=lambda h: (-h.score, h.person_id))


def score_record(query: PersonQuery, row: Mapping[str, Any]) -> tuple[float, list[str]]:
    """How alike a stored record is to the search (0..1, the mean over the fields the
    search gives), and the fields that agree, in plain words."""
    parts: list[tuple[float, str | None]] = []
    for typed, stored, label in ((query.first_name, row.get("first_name"), "first name"),
                                 (query.surname, _surnames(row), "surname")):
        if typed:
            parts.append(_name_part(typed, stored, label))
    if query.dob:
        parts.append(_dob_part(query.dob, row.get("dob")))
    if query.postcode:
        parts.append(_postcode_part(query.postcode, row.get("postcode")))
    if query.identifier:
        parts.append(_identifier_part(query.identifier, row))
    if not parts:
        return 0.0, []
    return (sum(s for s, _why in parts) / len(parts), [why for _s, why in parts if why])


def _name_part(typed: str, stored: str | Iterable[str] | None,
               label: str) -> tuple[float, str | None]:
    names = [stored] if isinstance(stored, str) or stored is None else list(stored)
    wanted = fold(typed) or ""
    similarity = max((fuzz.ratio(wanted, fold(n) or "") / 100 for n in names if n),
                     default=0.0)
    if similarity == 1:
        return 1.0, f"same {label}"
    return similarity, f"{label} {similarity:.0%} alike" if similarity >= 0.6 else None


def _surnames(row: Mapping[str, Any]) -> list[str]:
    """The surname and every previous surname of a record."""
    previous = (row.get("previous_surnames") or "").split(";")
    return [s for s in (row.get("surname"), *previous) if s and s.strip()]


def _dob_part(typed: str, stored: str | None) -> tuple[float, str | None]:
    if not stored:
        return 0.0, None
    if stored == typed:
        return 1.0, "same date of birth"
    if stored.startswith(typed) or typed.startswith(stored):
        return 0.8, "date of birth agrees as far as known"
    if stored[:4] == typed[:4]:
        return 0.4, "same year of birth"
    return 0.0, None


def _postcode_part(typed: str, stored: str | None) -> tuple[float, str | None]:
    unit, sector, district = postcode_parts(typed)
    s_unit, s_sector, s_district = postcode_parts(stored)
    if unit and unit == s_unit:
        return 1.0, "same postcode"
    if sector and sector == s_sector:
        return 0.6, "same postcode sector"
    if district and district == s_district:
        return 0.3, "same postcode district"
    return 0.0, None


def _identifier_part(typed: str, row: Mapping[str, Any]) -> tuple[float, str | None]:
    wanted = typed.replace(" ", "").upper()
    for column, label in (("person_id", "person id"), ("nhs_number", "NHS number"),
                          ("upn", "UPN"), ("pnc_id", "PNC id"), ("record_id", "record id"),
                          ("local_id", "local id")):
        value = (row.get(column) or "").replace(" ", "").upper()
        if value and value == wanted:
            return 1.0, f"same {label}"
    return 0.0, None


def _full_name(row: Mapping[str, Any]) -> str:
    return " ".join(p for p in (row.get("first_name"), row.get("surname")) if p) or "(no name)"

