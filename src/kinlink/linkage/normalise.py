"""Cleaning one value at a time: names, dates of birth, strong ids (addresses and
postcodes are read by the one address reader, `kinlink.address`).

Every function here takes one raw value and returns its cleaned form (or None when the
value is unusable). `prepare.py` applies them to each *distinct* value of a column, so
a million records cost only as many calls as there are distinct names, and a single
real-time query goes through exactly the same functions.
"""

from __future__ import annotations

import re
from functools import lru_cache

from metaphone import doublemetaphone
from nicknames import NickNamer

from kinlink.text import fold_accents, letters_only

_NON_LETTER = re.compile(r"[^A-Z ]+")
_SPACES = re.compile(r"\s+")
_DOB = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")
_PNC = re.compile(r"^(\d{2})(\d{2})/(\d{7})([A-Z])$")
_UPN = re.compile(r"^[A-Z]\d{11}[0-9A-Z]$")

# Letters used as check characters by the DfE (UPN) and the PNC.
_UPN_CHECK_LETTERS = "ABCDEFGHJKLMNPQRTUVWXYZ"
_PNC_CHECK_LETTERS = "ZABCDEFGHJKLMNPQRTUVWXY"

_nicknamer = NickNamer()
_END = 3  # letters at each end of a name in `name_end_keys`


def fold(value: str | None) -> str | None:
    """Upper case with accents removed (`kinlink.text.fold_accents`: MICHAŁ -> MICHAL) and
    anything but letters and spaces dropped; letters of other scripts are kept.

    Apostrophes vanish (O'BRIEN -> OBRIEN) while hyphens become spaces, so
    double-barrelled names split into their parts.
    """
    if value is None:
        return None
    text = fold_accents(value.replace("-", " ")).upper().replace("'", "")
    letters = _NON_LETTER.sub("", text) if text.isascii() else letters_only(text)
    cleaned = _SPACES.sub(" ", letters).strip()
    return cleaned or None


# Titles written where a forename belongs (SIR EVANS, MRS MUNRO, GENERAL HAKING): they
# say nothing of who the person is, and compared as a forename they disagree with it.
_TITLES = frozenset({
    "MR", "MRS", "MS", "MISS", "MX", "MASTER", "DR", "DOCTOR", "SIR", "DAME", "LADY",
    "LORD", "REV", "REVD", "REVEREND", "VERY", "RT", "HON", "HONOURABLE", "CAPT", "CAPTAIN",
    "COL", "COLONEL", "GEN", "GENERAL", "ADMIRAL", "MAJOR", "PROF", "PROFESSOR", "FR",
    "FATHER"})


def forename(value: str | None) -> str | None:
    """A forename cleaned (`fold`) without the titles before it (MRS JANE -> JANE); None
    when nothing else is left (SIR)."""
    words = (fold(value) or "").split(" ")
    while words and words[0] in _TITLES:
        words.pop(0)
    return " ".join(words) or None


@lru_cache(maxsize=200_000)
def metaphone_code(name: str | None) -> str | None:
    """The primary double-metaphone code of a cleaned name (None if it has none)."""
    if not name:
        return None
    return doublemetaphone(name.replace(" ", ""))[0] or None


@lru_cache(maxsize=100_000)
def nickname_group(first_name: str | None) -> tuple[str, ...]:
    """The name with every formal name it may be a nickname of (BILL -> WILLIAM, ...).

    Two forenames whose groups share a name are "the same name, one a diminutive".
    """
    if not first_name:
        return ()
    first_token = first_name.split(" ")[0]
    canonicals = _nicknamer.canonicals_of(first_token.lower())
    return tuple(sorted({first_token, *(c.upper() for c in canonicals)}))


def name_end_keys(first_name: str, surname: str) -> list[str]:
    """Both names' leading and trailing letters, each forename end with each surname end
    (`<MAT|>SON`): a typo in each name leaves one end of each intact, so two spellings
    of one person share a key ("MATHEW ROBERTSN" and "MATTHEW ROBERTSON": `<MAT|<ROB`)."""
    ends = [(f"<{name[:_END]}", f">{name[-_END:]}")
            for name in (first_name.replace(" ", ""), surname.replace(" ", ""))]
    return sorted({f"{a}|{b}" for a in ends[0] for b in ends[1]})


def list_values(value: str | None) -> list[str]:
    """The items of a ';'-separated list field, stripped, blanks dropped."""
    if not value:
        return []
    return [item.strip() for item in value.split(";") if item.strip()]


def name_parts(name: str | None) -> list[str]:
    """The words of a cleaned name (the parts of a double-barrelled surname)."""
    return name.split(" ") if name else []


def parse_dob(value: str | None) -> tuple[int | None, int | None, int | None]:
    """Year, month and day of a full or partial ISO date; raises ValueError if malformed."""
    if value is None or not value.strip():
        return None, None, None
    match = _DOB.match(value.strip())
    if not match:
        raise ValueError(f"not a date (YYYY, YYYY-MM or YYYY-MM-DD): {value!r}")
    year, month, day = (int(g) if g else None for g in match.groups())
    if month is not None and not 1 <= month <= 12:
        raise ValueError(f"month out of range: {value!r}")
    if day is not None and not 1 <= day <= _days_in_month(year, month):  # type: ignore[arg-type]
        raise ValueError(f"day out of range: {value!r}")
    return year, month, day


def _days_in_month(year: int, month: int) -> int:
    if month == 2:
        return 29 if year % 4 == 0 and (year % 100 != 0 or year % 400 == 0) else 28
    return 30 if month in (4, 6, 9, 11) else 31


def valid_upn(value: str | None) -> str | None:
    """The unique pupil number if its form and DfE check letter are right."""
    upn = (value or "").strip().upper()
    if not _UPN.match(upn):
        return None
    body = upn[1:]
    total = 0
    for weight, char in enumerate(body, start=2):
        total += weight * (int(char) if char.isdigit() else _UPN_CHECK_LETTERS.index(char)
                           if char in _UPN_CHECK_LETTERS else 0)
    return upn if _UPN_CHECK_LETTERS[total % 23] == upn[0] else None


def valid_pnc_id(value: str | None) -> str | None:
    """The PNC id (YYYY/NNNNNNNA) if its check letter is right."""
    pnc = (value or "").strip().upper()
    match = _PNC.match(pnc)
    if not match:
        return None
    _century, year, serial, letter = match.groups()
    return pnc if _PNC_CHECK_LETTERS[int(year + serial) % 23] == letter else None
