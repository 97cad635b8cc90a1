"""National identifiers with valid check characters: NHS numbers, UPNs and PNC ids.

Synthetic NHS numbers start with 9, a leading digit not issued to patients in England
(whose numbers start 4, 6 or 7), so they can never be a real person's number.
"""

from __future__ import annotations

import numpy as np

_NHS_WEIGHTS = np.arange(10, 1, -1)
_UPN_LETTERS = "ABCDEFGHJKLMNPQRTUVWXYZ"
_PNC_LETTERS = "ZABCDEFGHJKLMNPQRTUVWXY"


def nhs_check_digit(base: np.ndarray) -> np.ndarray:
    """Check digits of 9-digit bases (an (n, 9) digit array); 10 means 'no valid number'."""
    remainder = (base * _NHS_WEIGHTS).sum(axis=1) % 11
    return np.where(remainder == 0, 0, 11 - remainder)


def is_valid_nhs_number(number: str) -> bool:
    """Whether a 10-digit string passes the NHS modulus-11 check."""
    if len(number) != 10 or not number.isdigit():
        return False
    digits = np.array([int(c) for c in number])
    return bool(nhs_check_digit(digits[None, :9])[0] == digits[9])


def _digits_to_str(digits: np.ndarray) -> np.ndarray:
    """Rows of digits as strings (vectorised through a fixed-width byte view)."""
    ascii_codes = (digits + ord("0")).astype(np.uint8)
    text = np.frombuffer(ascii_codes.tobytes(), dtype=f"S{digits.shape[1]}").astype(str)
    return text.astype(object)  # type: ignore[no-any-return]


def nhs_numbers(rng: np.random.Generator, n: int) -> np.ndarray:
    """`n` distinct valid NHS numbers as strings, all in the unissued 9xxxxxxxxx range."""
    # About 1 in 11 bases has no valid check digit, so draw enough to keep n of them.
    bases = rng.choice(100_000_000, size=int(n * 1.15) + 32, replace=False) + 900_000_000
    digits = (bases[:, None] // 10 ** np.arange(8, -1, -1)) % 10
    check = nhs_check_digit(digits)
    keep = check < 10
    full = np.concatenate([digits[keep], check[keep, None]], axis=1)[:n]
    return _digits_to_str(full)


def mistype_nhs_number(number: str, rng: np.random.Generator) -> tuple[str, bool]:
    """The number with one digit of its first nine mistyped, and whether it still checks.

    A single wrong digit always fails modulus 11; a clerk's system that re-derives the
    check digit (or a second slip) gives a valid number of someone else, which is the
    dangerous case, so the caller decides what to keep.
    """
    digits = np.array([int(c) for c in number])
    pos = int(rng.integers(1, 9))  # keep the leading 9 so the number stays unissued
    digits[pos] = (digits[pos] + int(rng.integers(1, 10))) % 10
    check = int(nhs_check_digit(digits[None, :9])[0])
    if check == 10:
        return "".join(map(str, digits)), False
    digits[9] = check
    return "".join(map(str, digits)), True


def upns(la: int, school: np.ndarray, year: np.ndarray, serial: np.ndarray) -> np.ndarray:
    """Unique pupil numbers: check letter + LA (3) + school (4) + year (2) + serial (3)."""
    n = len(school)
    body = np.empty((n, 12), dtype=np.int64)
    for i, (value, width) in enumerate(((np.full(n, la), 3), (school, 4), (year % 100, 2),
                                       (serial, 3))):
        start = sum((3, 4, 2, 3)[:i])
        body[:, start:start + width] = (value[:, None] // 10 ** np.arange(width - 1, -1, -1)) % 10
    letters = np.array(list(_UPN_LETTERS))[(body * np.arange(2, 14)).sum(axis=1) % 23]
    return np.char.add(letters.astype(str), _digits_to_str(body))


def is_valid_upn(upn: str) -> bool:
    """Whether a 13-character UPN's check letter matches its digits."""
    if len(upn) != 13 or not upn[1:].isdigit():
        return False
    total = sum(int(c) * w for c, w in zip(upn[1:], range(2, 14), strict=True))
    return upn[0] == _UPN_LETTERS[total % 23]


def pnc_ids(year: np.ndarray, serial: np.ndarray) -> np.ndarray:
    """Police national computer ids `YYYY/NNNNNNNA` with their check letter."""
    check = ((year % 100) * 10_000_000 + serial) % 23
    letters = np.array(list(_PNC_LETTERS))[check]
    return np.array([f"{y:04d}/{s:07d}{c}" for y, s, c in zip(year, serial, letters,
                                                             strict=True)], dtype=object)


def is_valid_pnc_id(pnc: str) -> bool:
    """Whether a `YYYY/NNNNNNNA` id's check letter matches."""
    if len(pnc) != 13 or pnc[4] != "/" or not (pnc[:4] + pnc[5:12]).isdigit():
        return False
    return pnc[12] == _PNC_LETTERS[(int(pnc[2:4]) * 10_000_000 + int(pnc[5:12])) % 23]
