"""Recording errors applied to an agency's person records, each one logged.

An error of a kind is drawn independently for each record where it is possible (its
"eligible" records) with the agency's rate, times `boost` for duplicate records (a
duplicate exists because its details did not match at registration). Kinds are applied in
a fixed order (names, then dates, then places and numbers), so an error that removes a
value (a missing date of birth) comes after those that alter it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial

import numpy as np

from kinlink.synth.arrays import is_in
from kinlink.synth.config import TYPOS, AgencyConfig
from kinlink.synth.identifiers import mistype_nhs_number
from kinlink.synth.names import nicknames, phonetic_variants, transliteration_variants

_LETTERS = "abcdefghijklmnopqrstuvwxyz"
_KEYBOARD = ("qwertyuiop", "asdfghjkl", "zxcvbnm")
_NEIGHBOURS: dict[str, str] = {}
for _r, _row in enumerate(_KEYBOARD):
    for _c, _ch in enumerate(_row):
        _near = [_row[j] for j in (_c - 1, _c + 1) if 0 <= j < len(_row)]
        for _other in (_r - 1, _r + 1):
            if 0 <= _other < len(_KEYBOARD):
                _near += [_KEYBOARD[_other][j] for j in (_c - 1, _c, _c + 1)
                          if 0 <= j < len(_KEYBOARD[_other])]
        _NEIGHBOURS[_ch] = "".join(_near)


@dataclass
class ErrorLog:
    """Errors made on one agency's records: record index, column, kind, detail."""

    record: list[int] = field(default_factory=list)
    column: list[str] = field(default_factory=list)
    kind: list[str] = field(default_factory=list)
    detail: list[str] = field(default_factory=list)

    def add(self, record: int, column: str, kind: str, detail: str = "") -> None:
        self.record.append(record)
        self.column.append(column)
        self.kind.append(kind)
        self.detail.append(detail)


@dataclass
class RecordValues:
    """The values an agency is about to write for its person records (edited in place)."""

    first_name: np.ndarray
    middle_names: np.ndarray
    surname: np.ndarray
    previous_surnames: np.ndarray
    dob: np.ndarray  # str "YYYY-MM-DD" or None
    sex: np.ndarray  # "F" or "M", None where not recorded
    address: np.ndarray
    postcode: np.ndarray
    nhs_number: np.ndarray
    # Context: the person's former surname and former address, where they have one.
    former_surname: np.ndarray
    former_address: np.ndarray
    former_postcode: np.ndarray


def _case_of(letter: str, template: str) -> str:
    """`letter` in the case of `template`."""
    return letter.upper() if template.isupper() else letter.lower()


def _typo(kind: str, s: str, *, rng: np.random.Generator) -> str:
    """One keying slip in `s` (`s` itself only if a transposition has nothing to swap)."""
    i = int(rng.integers(0, len(s)))
    letter = _LETTERS[int(rng.integers(0, 26))]
    if kind == "typo-insert":
        if i == 0:  # the slip takes the capital: John -> Kjohn
            return _case_of(letter, s[0]) + (s[0] if s.isupper() else s[0].lower()) + s[1:]
        return s[:i] + letter + s[i:]
    if kind == "typo-delete":
        return s[:i] + s[i + 1:]
    if kind == "typo-transpose":
        # Swapping two equal letters (the "ll" of Elliott, the "Aa" of Aaron) changes nothing.
        unequal = [j for j in range(len(s) - 1) if s[j].lower() != s[j + 1].lower()]
        if not unequal:
            return s
        i = unequal[i % len(unequal)]
        # The letters move, the capitals stay: Sarah -> Asrah.
        return s[:i] + _case_of(s[i + 1], s[i]) + _case_of(s[i], s[i + 1]) + s[i + 2:]
    if kind == "typo-adjacent-key":
        near = _NEIGHBOURS.get(s[i].lower(), _LETTERS)
        letter = near[int(rng.integers(0, len(near)))]
    else:  # typo-substitute
        while letter == s[i].lower():
            letter = _LETTERS[int(rng.integers(0, 26))]
    return s[:i] + _case_of(letter, s[i]) + s[i + 1:]


def _pick(options: tuple[str, ...], rng: np.random.Generator) -> str:
    return options[int(rng.integers(0, len(options)))]


def _has(values: np.ndarray, lookup: Callable[[str], tuple[str, ...]]) -> np.ndarray:
    """Which values have at least one variant (the lookup runs once per distinct value)."""
    distinct = set(values.tolist()) - {None}
    return is_in(values, (v for v in distinct if lookup(v)))


class Corrupter:
    """Applies one agency's error rates to its records, logging each error made."""

    def __init__(self, rng: np.random.Generator, config: AgencyConfig, values: RecordValues,
                 boost: np.ndarray, latest: str) -> None:
        self.rng, self.config, self.v, self.boost = rng, config, values, boost
        # A wrong date is still a plausible one: not in the future, nor an age over 115
        # (ingest rightly refuses those). ISO text compares in date order.
        self.latest = latest
        self.earliest = f"{int(latest[:4]) - 115}{latest[4:]}"
        self.log = ErrorLog()

    def _chosen(self, kind: str, eligible: np.ndarray) -> np.ndarray:
        """Indices of eligible records that get this error."""
        rate = self.config.rate(kind)
        if rate <= 0:
            return np.empty(0, dtype=int)
        draw = self.rng.random(len(eligible))
        return np.flatnonzero(eligible & (draw < np.minimum(rate * self.boost, 1.0)))

    def _replace(self, kind: str, column: str, eligible: np.ndarray,
                 change: Callable[[str], str]) -> None:
        """Make the error on the eligible records drawn for it."""
        self._change(kind, column, self._chosen(kind, eligible), change)

    def _change(self, kind: str, column: str, records: np.ndarray,
                change: Callable[[str], str]) -> None:
        """Change a column of the given records, logging each value that changed."""
        values = getattr(self.v, column)
        for i in records:
            old = values[i]
            new = change(old)
            if new and new != old:
                values[i] = new
                self.log.add(int(i), column, kind, f"{old} -> {new}")

    def apply(self) -> ErrorLog:
        """Make every configured kind of error; returns the log."""
        self.names()
        self.dates()
        self.places()
        self.shapes()
        return self.log

    def names(self) -> None:
        v, rng = self.v, self.rng
        present = v.surname != None  # noqa: E711
        has_former = (v.former_surname != None) & present  # noqa: E711
        for i in self._chosen("surname-change", has_former):
            self.log.add(int(i), "surname", "surname-change", f"{v.surname[i]} -> "
                         f"{v.former_surname[i]}")
            v.surname[i] = v.former_surname[i]
            v.previous_surnames[i] = None
        barrelled = np.array(["-" in s for s in v.surname.tolist()], dtype=bool)
        self._replace("double-barrel", "surname", barrelled, lambda s: _split_barrel(s, rng))
        for column in ("first_name", "surname"):
            translit = _has(getattr(v, column), transliteration_variants)
            self._replace("transliteration", column, translit,
                          lambda s: _pick(transliteration_variants(s), rng))
        self._replace("phonetic-variant", "first_name", _has(v.first_name, phonetic_variants),
                      lambda s: _pick(phonetic_variants(s), rng))
        self._replace("nickname", "first_name", _has(v.first_name, nicknames),
                      lambda s: _pick(nicknames(s), rng))
        has_middle = v.middle_names != None  # noqa: E711
        for i in self._chosen("first-middle-swap", has_middle):
            middle = v.middle_names[i].split(" ")
            v.first_name[i], middle[0] = middle[0], v.first_name[i]
            v.middle_names[i] = " ".join(middle)
            self.log.add(int(i), "first_name", "first-middle-swap", f"-> {v.first_name[i]}")
        for kind in TYPOS:
            # A slip hits a record's first name or surname, whichever is long enough to
            # show it (either, when both are).
            # dtype given: an agency holding no record (a small borough) gives empty arrays.
            long_first = np.array([len(s) > 2 for s in v.first_name.tolist()], dtype=bool)
            long_surname = np.array([len(s) > 2 for s in v.surname.tolist()], dtype=bool)
            chosen = self._chosen(kind, long_first | long_surname)
            on_first = long_first[chosen] & (~long_surname[chosen]
                                             | (rng.random(len(chosen)) < 0.5))
            slip = partial(_typo, kind, rng=rng)
            self._change(kind, "first_name", chosen[on_first], slip)
            self._change(kind, "surname", chosen[~on_first], slip)
        for i in self._chosen("forename-surname-swap", present):
            v.first_name[i], v.surname[i] = v.surname[i], v.first_name[i]
            self.log.add(int(i), "first_name", "forename-surname-swap", "")

    def dates(self) -> None:
        v, rng = self.v, self.rng
        full = np.array([d is not None and len(d) == 10 for d in v.dob.tolist()], dtype=bool)
        # Swapping needs a day that can be a month, and must give a plausible date.
        day_month = full & np.array([d is not None and len(d) == 10 and int(d[8:]) <= 12
                                     and d[8:] != d[5:7] and self._plausible(_swapped(d))
                                     for d in v.dob.tolist()], dtype=bool)
        self._replace("dob-day-month-swap", "dob", day_month, _swapped)
        self._replace("dob-digit", "dob", full,
                      lambda d: _wrong_digit(d, rng, self._plausible))
        self._replace("dob-year-only", "dob", full, lambda d: d[:4])
        has_dob = v.dob != None  # noqa: E711
        for i in self._chosen("dob-missing", has_dob):
            self.log.add(int(i), "dob", "dob-missing", f"{v.dob[i]} -> ")
            v.dob[i] = None

    def _plausible(self, dob: str) -> bool:
        """Whether a date of birth is plausible: not in the future, nor an age over 115."""
        return self.earliest <= dob <= self.latest

    def places(self) -> None:
        v = self.v
        moved = v.former_address != None  # noqa: E711
        for i in self._chosen("old-address", moved & (v.address != None)):  # noqa: E711
            self.log.add(int(i), "address", "old-address", f"{v.address[i]} -> "
                         f"{v.former_address[i]}")
            v.address[i], v.postcode[i] = v.former_address[i], v.former_postcode[i]
        has_postcode = v.postcode != None  # noqa: E711
        self._replace("postcode-partial", "postcode", has_postcode, lambda p: p.split(" ")[0])
        for i in self._chosen("postcode-missing", v.postcode != None):  # noqa: E711
            self.log.add(int(i), "postcode", "postcode-missing", f"{v.postcode[i]} -> ")
            v.postcode[i] = None
        has_nhs = v.nhs_number != None  # noqa: E711
        self._replace("nhs-number-mistyped", "nhs_number", has_nhs,
                      lambda n: _valid_mistype(n, self.rng))
        for i in self._chosen("nhs-number-missing", v.nhs_number != None):  # noqa: E711
            self.log.add(int(i), "nhs_number", "nhs-number-missing", f"{v.nhs_number[i]} -> ")
            v.nhs_number[i] = None


    def shapes(self) -> None:
        """The shapes of a noise profile (none by default): typing errors in both names or
        several in one name, no sex, addresses written another way or not at all."""
        v, rng = self.v, self.rng
        long_first = np.array([len(s) > 2 for s in v.first_name.tolist()], dtype=bool)
        long_surname = np.array([len(s) > 2 for s in v.surname.tolist()], dtype=bool)
        for i in self._chosen("typo-both-names", long_first & long_surname):
            for column in ("first_name", "surname"):
                self._change("typo-both-names", column, np.array([i]), partial(
                    _typo, _pick(TYPOS, rng), rng=rng))
        longer = np.array([len(s) > 4 for s in v.first_name.tolist()], dtype=bool)
        longer_surname = np.array([len(s) > 4 for s in v.surname.tolist()], dtype=bool)
        chosen = self._chosen("typo-multiple", longer | longer_surname)
        on_first = longer[chosen] & (~longer_surname[chosen] | (rng.random(len(chosen)) < 0.5))
        slips = partial(_slips, rng=rng)
        self._change("typo-multiple", "first_name", chosen[on_first], slips)
        self._change("typo-multiple", "surname", chosen[~on_first], slips)
        initial = np.array([len(s) > 1 for s in v.first_name.tolist()], dtype=bool)
        self._replace("first-name-initial", "first_name", initial, lambda s: s[0])
        self._blank("sex-missing", "sex", v.sex != None)  # noqa: E711
        has_address = v.address != None  # noqa: E711
        full_postcode = np.array([p is not None and " " in p for p in v.postcode.tolist()],
                                 dtype=bool)
        for i in self._chosen("address-us-style", has_address & full_postcode):
            us = _us_style(v.address[i], v.postcode[i])
            self.log.add(int(i), "address", "address-us-style",
                         f"{v.address[i]} | {v.postcode[i]} -> {us} | ")
            v.address[i], v.postcode[i] = us, None
        with_comma = np.array([a is not None and "," in a for a in v.address.tolist()], dtype=bool)
        self._replace("address-free-text", "address", with_comma, _free_text)
        for i in self._chosen("postcode-in-address", has_address & (v.postcode != None)):  # noqa: E711
            inside = _postcode_inside(v.address[i], v.postcode[i])
            self.log.add(int(i), "address", "postcode-in-address",
                         f"{v.address[i]} | {v.postcode[i]} -> {inside} | ")
            v.address[i], v.postcode[i] = inside, None
        for i in self._chosen("address-missing", has_address):
            self.log.add(int(i), "address", "address-missing",
                         f"{v.address[i]} | {v.postcode[i] or ''} -> ")
            v.address[i], v.postcode[i] = None, None

    def _blank(self, kind: str, column: str, eligible: np.ndarray) -> None:
        """Leave a column blank on the eligible records drawn for the error."""
        values = getattr(self.v, column)
        for i in self._chosen(kind, eligible):
            self.log.add(int(i), column, kind, f"{values[i]} -> ")
            values[i] = None


# Street types as written loosely (and in US style).
_STREET_ABBREVIATIONS = {
    "road": "rd", "street": "st", "lane": "ln", "avenue": "ave", "close": "cl", "drive": "dr",
    "crescent": "cres", "grove": "gr", "gardens": "gdns", "place": "pl", "walk": "wlk",
    "court": "ct",
}


def _abbreviated(words: list[str]) -> list[str]:
    return [_STREET_ABBREVIATIONS.get(w, w) for w in words]


def _free_text(address: str) -> str:
    """An address typed loosely: lower case, no commas, street types abbreviated
    ("12 Park Drive, Ashcombe" -> "12 park dr ashcombe")."""
    return " ".join(_abbreviated(address.lower().replace(",", " ").split()))


def _us_style(address: str, postcode: str) -> str:
    """An address written the American way: lower case with abbreviations, a flat as
    "apt N" after the street, and a five-digit "zip" made from the postcode in place of it
    ("12 Park Drive, Ashcombe" + "KX3 4AB" -> "12 park dr ashcombe 38365")."""
    parts = [p.strip().lower() for p in address.split(",")]
    if parts[0].startswith("flat ") and len(parts) == 4:
        flat, building, street, district = parts
        line = f"{building} {street} apt {flat.split()[1]} {district}"
    else:
        line = " ".join(parts)
    zip_code = "".join(str(ord(c) % 10) for c in postcode.replace(" ", ""))[-5:]
    return " ".join(_abbreviated(line.split())) + " " + zip_code


def _postcode_inside(address: str, postcode: str) -> str:
    """The address with its postcode written at its end, as typed into one box."""
    if address.islower():
        return f"{address} {postcode.lower()}"
    return f"{address} {postcode}"


def _slips(s: str, *, rng: np.random.Generator) -> str:
    """Two or three keying slips of any kinds in one name."""
    for _ in range(int(rng.integers(2, 4))):
        s = _typo(_pick(TYPOS, rng), s, rng=rng) or s
    return s


def _split_barrel(surname: str, rng: np.random.Generator) -> str:
    """A double-barrelled surname joined, spaced, or cut to one part."""
    left, _, right = surname.partition("-")
    return _pick((left + right.lower(), f"{left} {right}", left, right), rng)


def _swapped(dob: str) -> str:
    """The date with day and month swapped."""
    return f"{dob[:4]}-{dob[8:]}-{dob[5:7]}"


def _wrong_digit(dob: str, rng: np.random.Generator, plausible: Callable[[str], bool]) -> str:
    """The date with one digit wrong (year's last two, month or day), still a real and
    plausible date (`dob` itself in the unlikely case that no try finds one)."""
    for _ in range(100):
        pos = int(_pick(("2", "3", "5", "6", "8", "9"), rng))
        new = dob[:pos] + str(int(rng.integers(0, 10))) + dob[pos + 1:]
        if new != dob and _is_date(new) and plausible(new):
            return new
    return dob


def _is_date(text: str) -> bool:
    try:
        np.datetime64(text, "D")
    except ValueError:
        return False
    month, day = int(text[5:7]), int(text[8:])
    return 1 <= month <= 12 and 1 <= day <= 31 and str(np.datetime64(text, "D")) == text


def _valid_mistype(number: str, rng: np.random.Generator) -> str:
    """A mistyped NHS number that still passes its check (someone else's, or no one's)."""
    for _ in range(20):
        new, valid = mistype_nhs_number(number, rng)
        if valid:
            return new
    return number
