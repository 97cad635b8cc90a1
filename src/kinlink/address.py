"""One reader of free-text addresses, shared by linkage, the network and ingest.

Agencies write one home many ways ("Flat 2, 3 Mill Court", "2/3 MILL CT", "3 Mill Court
(flat 2), B91 3QB"). No well-kept Python library parses free-text UK addresses without a
gazetteer (libpostal needs a 2 GB model and a C library), so this module reads them by a
small documented method, tolerating US-style lines (`1290 elm st springfield il 62704`).

Public API (stable; linkage and the network depend on it):

- `read_address(text, postcode=None) -> Address`: the typed reading of one address. A
  separate postcode field, when given, wins over a postcode found inside the text.
- `Address.household_key`: `"number|flat|street|district"`, one string per home, or None
  when the text names no single home (no fixed abode, a hostel, a town on its own, a
  street without a number or house name). `number` holds the house name when there is no
  number ("ROSE COTTAGE||MILL LANE|B94"). The district is the postcode's outward part: it
  separates same-named streets of different districts while a typo in the inward part
  ("3QB"/"3BQ") does not split one home in two; "" when unknown.
- `Address.street_key`: `"street|district"`, or None without a street (hostels keep one).
- `Address.postcode`: a validated, normalised full UK postcode ("B91 3QB") or None.
- `Address.words`: the normalised words without the postcode, for token comparisons;
  `address_words(text)` gives them alone, about three times faster than a full reading.
- `household_key(text, postcode=None)`: `read_address(...).household_key`.
- `find_postcode(text)`, `normalise_postcode(value)`, `outward_code(postcode)`.
- `clear_cache()`: forget cached readings (readings are cached per distinct text).

A full reading costs about 20 microseconds: read each distinct text once.

Method:

1. Accents folded, upper case, `&` -> AND, apostrophes dropped; a valid UK postcode
   anywhere in the text is taken out; `a/b` between numbers becomes "FLAT a b"
   (`2/3 Mill Court` is flat 2 at number 3); `3 - 5` becomes the range `3-5`; commas,
   semicolons, brackets and line breaks separate parts; other punctuation becomes space.
2. Abbreviations are spelt out (`RD` -> ROAD, `AVE` -> AVENUE, `APT` -> FLAT, ...).
   `ST` is STREET when it follows a street's name (`14 High St, Knowle`) and SAINT when it
   begins one (`3 St Mary's Rd`, `St Anne's Court`). Ordinals lose their suffix
   (`52nd` -> 52); `No.`/`Number` before a number is dropped.
3. Special kinds are recognised first: no fixed abode, care-of (`c/o Mrs Smith, 12 Oak
   Road`: the name is set aside, the home read), a hostel or other place shared by
   strangers (hostel, refuge, night shelter, B&B, prison), a town or county on its own.
4. The flat (`FLAT 3`, `Flat A`, `Ground Floor Flat`, wherever it stands), the house
   number (first number, range or number with a letter: `12A`, `3-5`), a house name
   (`Rose Cottage` before the street or number) and the street are picked out. The street
   is the words after the number up to a street-type word, the end of the part, or four
   words; a number directly followed by a street type is a numbered street (`412 52
   Street`); a run of street-type words stays whole (`PARK DRIVE`), and a block's name
   (`JOHNSON COURT`) takes the street after it, since one block name can stand on several
   streets. The words after the street are the locality (town, county).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from enum import StrEnum
from functools import lru_cache
from typing import NamedTuple

from kinlink.text import fold_accents


class AddressKind(StrEnum):
    """What an address text names."""

    HOME = "home"
    CARE_OF = "care-of"  # a home where the person is reached through someone else
    NO_FIXED_ABODE = "no-fixed-abode"
    HOSTEL = "hostel"  # hostel, refuge, shelter, B&B, prison: shared by strangers
    STREET = "street"  # a street without a house number or name
    AREA = "area"  # a town, county or district on its own
    UNKNOWN = "unknown"  # empty, "unknown", "not known"


@dataclass(frozen=True, slots=True)
class Address:
    """The reading of one free-text address ("" for a part not found)."""

    kind: AddressKind
    number: str = ""  # "14", "12A", "3-5"
    flat: str = ""  # "2", "A", "G" (ground floor)
    house_name: str = ""  # "ROSE COTTAGE"
    street: str = ""  # "HIGH STREET", "52 STREET"
    locality: str = ""  # "KNOWLE SOLIHULL"
    postcode: str | None = None  # "B91 3QB": valid full UK postcode, normalised
    district: str = ""  # "B91": the postcode's outward part
    care_of: str = ""  # "MRS SMITH"
    words: tuple[str, ...] = ()  # normalised words, postcode left out

    @property
    def household_key(self) -> str | None:
        """`number|flat|street|district` of one home, None when no single home is named."""
        if self.kind not in (AddressKind.HOME, AddressKind.CARE_OF) or not self.street:
            return None
        house = self.number or ("" if self.flat else self.house_name)
        if not (house or self.flat):
            return None
        return f"{house}|{self.flat}|{self.street}|{self.district}"

    @property
    def street_key(self) -> str | None:
        """`street|district`, None when no street is named."""
        return f"{self.street}|{self.district}" if self.street else None


_SEP = ","
ABBREVIATIONS = {
    "RD": "ROAD", "STR": "STREET", "AVE": "AVENUE", "AV": "AVENUE", "AVENUE": "AVENUE",
    "DR": "DRIVE", "DRV": "DRIVE", "LN": "LANE", "CL": "CLOSE", "CRES": "CRESCENT",
    "CRESC": "CRESCENT", "CT": "COURT", "CRT": "COURT", "GDNS": "GARDENS", "GDN": "GARDEN",
    "GRV": "GROVE", "GR": "GROVE", "PL": "PLACE", "SQ": "SQUARE", "TER": "TERRACE",
    "TERR": "TERRACE", "PK": "PARK", "PDE": "PARADE", "WK": "WALK", "HSE": "HOUSE",
    "MWS": "MEWS", "HTS": "HEIGHTS", "BLVD": "BOULEVARD", "WY": "WAY", "CLS": "CLOSE",
    "GRN": "GREEN", "HL": "HILL", "BLDGS": "BUILDINGS", "APARTMENT": "FLAT", "APT": "FLAT",
    "FLT": "FLAT", "UNIT": "FLAT", "ROOM": "FLAT", "RM": "FLAT", "MAISONETTE": "FLAT",
}
STREET_TYPES = frozenset({
    "ROAD", "STREET", "AVENUE", "DRIVE", "LANE", "CLOSE", "CRESCENT", "COURT", "GARDENS",
    "GARDEN", "GROVE", "PLACE", "SQUARE", "TERRACE", "PARK", "PARADE", "WALK", "HOUSE",
    "MEWS", "HEIGHTS", "BOULEVARD", "WAY", "HILL", "ROW", "RISE", "VIEW", "GREEN", "END",
    "BUILDINGS",
})
BLOCK_TYPES = frozenset({"COURT", "HOUSE", "LODGE", "HEIGHTS", "MEWS", "TOWER", "MANSIONS",
                         "BUILDINGS"})
HOUSE_WORDS = frozenset({
    "COTTAGE", "COTTAGES", "FARM", "FARMHOUSE", "BARN", "HALL", "VILLA", "MANOR", "GRANGE",
    "BUNGALOW", "LODGE", "RECTORY", "VICARAGE", "CHAPEL", "MILL", "HOUSEBOAT", "CARAVAN",
})
"""Words that end a house's name: before the street, they mark where the street begins."""
_HOUSE_LETTERS = frozenset("ABCD")  # "12 A Mill Road"; not E, N, S, W (US directions)
_FLOORS = {"GROUND": "G", "BASEMENT": "B", "LOWER": "L", "UPPER": "U", "TOP": "T",
           "FIRST": "1", "SECOND": "2", "THIRD": "3", "1": "1", "2": "2", "3": "3"}
_UNKNOWN = frozenset({"UNKNOWN", "NOT KNOWN", "NK", "NONE", "N A", "ADDRESS UNKNOWN",
                      "ADDRESS NOT KNOWN", "WITHHELD", "NOT GIVEN", "REFUSED"})
"""Whole texts that name no address at all."""


def _any_phrase(*phrases: str) -> re.Pattern[str]:
    return re.compile(r"\b(?:" + "|".join(phrases) + r")\b")


_NO_ABODE = _any_phrase("NO FIXED ABODE", "NO FIXED ADDRESS", "NO FIXED", "NFA", "N F A",
                        "HOMELESS", "ROUGH SLEEPER", "ROUGH SLEEPING", "NO ADDRESS",
                        "NO PERMANENT ADDRESS")
_SHARED = _any_phrase("HOSTEL", "REFUGE", "SHELTER", "YMCA", "YWCA", "SALVATION ARMY",
                      "BED AND BREAKFAST", "B AND B", "FOYER", "HMP", "HMYOI", "PRISON",
                      "SUPPORTED ACCOMMODATION", "SUPPORTED HOUSING",
                      "TEMPORARY ACCOMMODATION", "APPROVED PREMISES")
"""Places shared by strangers: living there says nothing about a household."""

_OUTWARD_RE = r"(?:[A-PR-UWYZ][0-9][0-9]?|[A-PR-UWYZ][A-HK-Y][0-9][0-9]?" \
              r"|[A-PR-UWYZ][0-9][A-HJKPSTUW]|[A-PR-UWYZ][A-HK-Y][0-9][ABEHMNPRVWXY])"
_INWARD_RE = r"[0-9][ABD-HJLNP-UW-Z]{2}"
_POSTCODE_IN_TEXT = re.compile(rf"\b({_OUTWARD_RE}|GIR)\s*({_INWARD_RE}|0AA)\b")
_POSTCODE_WHOLE = re.compile(rf"^(?:{_OUTWARD_RE}{_INWARD_RE}|GIR0AA)$")
_LOOSE_OUTWARD = re.compile(r"^([A-Z]{1,2}\d[A-Z\d]?)")
_UNIT_OR_DISTRICT = re.compile(r"^([A-Z]{1,2}[0-9][0-9A-Z]?)\s*([0-9][A-Z]{2})?$")
_POSTCODE_PART = re.compile(
    r"^(?:[A-Z]{1,2}[0-9][0-9A-Z]?|[0-9][A-Z]{2}|[A-Z]{1,2}[0-9][0-9A-Z]?[0-9][A-Z]{2})$")
_SLASH_FLAT = re.compile(r"\b(\d+[A-Z]?)\s*/\s*(\d+[A-Z]?)\b")
_RANGE = re.compile(r"\b(\d+[A-Z]?)\s*-\s*(\d+[A-Z]?)\b")
_SEPARATORS = re.compile(r"[,;()\[\]\n\r]+")
_NON_WORD = re.compile(r"[^A-Z0-9 ,-]+")
_NUMBER = re.compile(r"^\d+[A-Z]?(?:-\d+[A-Z]?)?$")
_PLAIN_NUMBER = re.compile(r"^\d+$")
_FLAT_ID = re.compile(r"^(?:[A-Z]?\d+[A-Z]?|[A-Z])$")
_ORDINAL = re.compile(r"^(\d+)(?:ST|ND|RD|TH)$")
_STREET_WORDS = 4  # a street name without a street-type word: its first words


def normalise_postcode(value: str | None) -> str | None:
    """A valid full UK postcode in its one written form ("b913qb" -> "B91 3QB"), else None."""
    compact = re.sub(r"\s+", "", (value or "").upper())
    if not _POSTCODE_WHOLE.match(compact):
        return None
    return f"{compact[:-3]} {compact[-3:]}"


def find_postcode(text: str | None) -> str | None:
    """The last valid UK postcode written inside a free-text address, normalised."""
    return read_address(text).postcode


def outward_code(postcode: str | None) -> str:
    """The outward part of a UK postcode ("B91 3QB" -> "B91"; "B91" stays), "" if none.

    Loose on purpose: a mistyped inward part still gives its district."""
    compact = (postcode or "").upper().replace(" ", "")
    if len(compact) > 4:  # a full postcode: the inward part is always 3 characters
        compact = compact[:-3]
    match = _LOOSE_OUTWARD.match(compact)
    return match.group(1) if match else ""


def postcode_parts(value: str | None) -> tuple[str | None, str | None, str | None]:
    """Unit ("B91 3QB"), sector ("B91 3") and district ("B91") of a UK postcode.

    An outward-only postcode gives only the district; anything unparseable gives nothing.
    """
    if not value:
        return None, None, None
    match = _UNIT_OR_DISTRICT.match(re.sub(r"\s+", " ", value.strip().upper()))
    if not match:
        return None, None, None
    district, inward = match.groups()
    if inward is None:
        return None, None, district
    return f"{district} {inward}", f"{district} {inward[0]}", district


def read_address(text: str | None, postcode: str | None = None) -> Address:
    """The typed reading of one free-text address (see the module's method).

    `postcode`, a separate postcode field, wins over one found in the text; an outward
    code alone ("B91") still gives the district."""
    address = _read(text or "")
    if postcode and outward_code(postcode):
        address = replace(address, postcode=normalise_postcode(postcode) or address.postcode,
                          district=outward_code(postcode))
    return address


def household_key(text: str | None, postcode: str | None = None) -> str | None:
    """`read_address(text, postcode).household_key`: the key of one home, or None."""
    return read_address(text, postcode).household_key


def clear_cache() -> None:
    """Forget cached readings (a network build reads up to a million addresses once)."""
    _read.cache_clear()


def address_words(text: str | None) -> tuple[str, ...]:
    """`read_address(text).words` at a third of the cost: the normalised words alone."""
    return _plain_words(_words(_take_postcode(_clean(text or ""))[0]))


def _plain_words(words: list[str]) -> tuple[str, ...]:
    return tuple(w for w in words if w != _SEP and not _is_postcode_part(w))


@lru_cache(maxsize=200_000)
def _read(text: str) -> Address:
    cleaned, postcode = _take_postcode(_clean(text))
    words = _words(cleaned)
    plain = " ".join(w for w in words if w != _SEP)
    empty = Address(AddressKind.UNKNOWN, postcode=postcode, district=outward_code(postcode),
                    words=_plain_words(words))
    if not plain or plain in _UNKNOWN:
        return empty
    if _NO_ABODE.search(plain):
        return replace(empty, kind=AddressKind.NO_FIXED_ABODE)
    care_of, is_care_of = "", words[:2] in (["C", "O"], ["CARE", "OF"])
    if is_care_of:
        care_of, words = _care_of_name(words[2:])
    parts = _parts(words)
    return replace(empty, kind=_kind(plain, parts, is_care_of), care_of=care_of,
                   **parts._asdict())


def _is_postcode_part(word: str) -> bool:
    # Most words are all letters or all digits: only a mixed one can be a postcode part.
    return not (word.isalpha() or word.isdigit()) and bool(_POSTCODE_PART.match(word))


def _kind(plain: str, parts: _Parts, care_of: bool) -> AddressKind:
    """The kind of a readable address from its text and parts."""
    if _SHARED.search(plain):
        return AddressKind.HOSTEL
    if care_of:
        return AddressKind.CARE_OF
    if parts.number or parts.flat or parts.house_name:
        return AddressKind.HOME
    return AddressKind.STREET if parts.street else AddressKind.AREA


def _clean(text: str) -> str:
    return fold_accents(text).upper().replace("&", " AND ").replace("'", "").replace("\u2019", "") \
        .replace("`", "")


def _take_postcode(text: str) -> tuple[str, str | None]:
    """The text without its valid postcodes, and the last of them."""
    found = list(_POSTCODE_IN_TEXT.finditer(text))
    if not found:
        return text, None
    last = found[-1]
    return _POSTCODE_IN_TEXT.sub(" ", text), f"{last.group(1)} {last.group(2)}"


def _words(text: str) -> list[str]:
    """The normalised words, with `_SEP` between the parts of the address."""
    if "/" in text:
        text = _SLASH_FLAT.sub(r" FLAT \1 \2 ", text)
    if "-" in text:
        text = _RANGE.sub(r"\1-\2", text)
    text = _SEPARATORS.sub(f" {_SEP} ", text.replace(".", " "))
    raw: list[str] = []
    for token in _NON_WORD.sub(" ", text).split():
        if "-" in token and not _NUMBER.match(token):
            raw.extend(token.replace("-", " ").split())
        else:
            raw.append(token)
    out: list[str] = []
    for i, word in enumerate(raw):
        if not word.isalpha():
            ordinal = _ORDINAL.match(word)
            if ordinal:
                word = ordinal.group(1)  # "52ND STREET", "1ST FLOOR FLAT"
            elif word == _SEP and (not out or out[-1] == _SEP):
                continue
        elif word in ("NO", "NUMBER") and i + 1 < len(raw) and _NUMBER.match(raw[i + 1]):
            continue
        out.append(_saint_or_street(raw, i) if word == "ST" else ABBREVIATIONS.get(word, word))
    return out[:-1] if out and out[-1] == _SEP else out


def _saint_or_street(words: list[str], i: int) -> str:
    """`ST` after a street's name is STREET; at the start of a name it is SAINT."""
    before = words[i - 1] if i > 0 else _SEP
    after = words[i + 1:i + 3]
    starts_name = before == _SEP or _NUMBER.match(before) or before == "FLAT"
    if starts_name:
        return "SAINT" if after and after[0] != _SEP and after[0] not in STREET_TYPES else "STREET"
    # "UPPER ST GILES ROAD": a saint's name with its own street type after it.
    named_street = len(after) == 2 and _SEP not in after and \
        ABBREVIATIONS.get(after[1], after[1]) in STREET_TYPES
    return "SAINT" if named_street else "STREET"


def _care_of_name(words: list[str]) -> tuple[str, list[str]]:
    """The name a care-of address goes through, and the words of the home after it."""
    end = next((i for i, w in enumerate(words) if w == _SEP or _NUMBER.match(w)), len(words))
    return " ".join(words[:end]), words[end:]


def _take_flat(words: list[str]) -> tuple[str, list[str]]:
    """The flat's id ("2", "A", "G" for ground floor) and the words without it."""
    if "FLAT" not in words:
        return "", words
    i = words.index("FLAT")
    floor_at = i - 2 if i >= 2 and words[i - 1] == "FLOOR" else i - 1
    if floor_at >= 0 and words[floor_at] in _FLOORS:  # before "FLAT 12": the 12 is the house
        return _FLOORS[words[floor_at]], words[:floor_at] + words[i + 1:]
    if i + 1 < len(words) and _FLAT_ID.match(words[i + 1]):
        return words[i + 1], words[:i] + words[i + 2:]
    return "", words[:i] + words[i + 1:]


class _Parts(NamedTuple):
    flat: str
    number: str
    house_name: str
    street: str
    locality: str


def _parts(words: list[str]) -> _Parts:
    """Flat, number, house name, street and locality of the words of one home."""
    flat, words = _take_flat(words)
    number_at = next((i for i, w in enumerate(words) if _NUMBER.match(w)), None)
    if number_at is None:
        return _parts_without_number(words, flat)
    before, number, rest = words[:number_at], words[number_at], words[number_at + 1:]
    if len(rest) > 1 and rest[0] in _HOUSE_LETTERS and rest[1] != _SEP \
            and _PLAIN_NUMBER.match(number):
        number, rest = number + rest[0], rest[1:]  # "12 A Mill Road" is 12A
    block, street, after = _street(rest)
    return _Parts(flat, number, _joined(before), " ".join(block + street), _joined(after))


def _parts_without_number(words: list[str], flat: str) -> _Parts:
    """The parts of an address with no house number: a house name, a block, a street."""
    start = _street_start(words)
    block, street, after = _street(words[start:])
    before = words[:start]
    if not (block or street):
        first_end = words.index(_SEP) if _SEP in words else len(words)
        if not _has_house_word(words[:first_end]):
            return _Parts(flat, "", "", "", _joined(words))  # "Knowle, Solihull": a place
        before, after = words[:first_end], words[first_end:]
    if block and street and not flat:
        before, block = before + block, []  # "Mill House, Mill Lane": the house's name
    return _Parts(flat, "", _joined(before), " ".join(block + street), _joined(after))


def _joined(words: list[str]) -> str:
    return " ".join(w for w in words if w != _SEP)


def _has_house_word(words: list[str]) -> bool:
    return any(w in HOUSE_WORDS for w in words)


def _street_start(words: list[str]) -> int:
    """Where the street (or block) begins in an address without a house number."""
    typed = next((i for i, w in enumerate(words) if w in STREET_TYPES), None)
    if typed is None:
        return len(words)
    part_start = max((i + 1 for i in range(typed) if words[i] == _SEP), default=0)
    # The word just before the type is the street's own ("MILL LANE", "MANOR ROAD").
    house_end = max((i + 1 for i in range(part_start, typed - 1) if words[i] in HOUSE_WORDS),
                    default=part_start)
    return max(house_end, typed - _STREET_WORDS + 1)


def _street(words: list[str]) -> tuple[list[str], list[str], list[str]]:
    """The block's name (when a block stands on a street), the street's words at the
    start of `words`, and the words after them."""
    street, at = _phrase(words)
    if street and street[-1] in BLOCK_TYPES:
        after, end = _phrase(words[at:])
        if after and after[-1] in STREET_TYPES and after[-1] not in BLOCK_TYPES:
            return street, after, words[at + end:]
    return [], street, words[at:]


def _phrase(words: list[str]) -> tuple[list[str], int]:
    """The leading words naming one street (or block), and where they end in `words`."""
    phrase: list[str] = []
    first = 0
    while first < len(words) and words[first] == _SEP:
        first += 1
    for i in range(first, len(words)):
        word = words[i]
        nxt = words[i + 1] if i + 1 < len(words) else _SEP
        if word == _SEP:
            return phrase, i
        if _NUMBER.match(word) and not (not phrase and _PLAIN_NUMBER.match(word)
                                        and nxt in STREET_TYPES):
            return phrase, i  # a number is the start of something else, unless "52 STREET"
        phrase.append(word)
        if word in STREET_TYPES:
            # "PARK DRIVE": the type run continues; "JOHNSON COURT, JOHNSON RISE" does not.
            if nxt in STREET_TYPES and nxt not in BLOCK_TYPES:
                continue
            return phrase, i + 1
        if len(phrase) == _STREET_WORDS:
            return phrase, i + 1
    return phrase, len(words)
