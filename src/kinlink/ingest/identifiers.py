"""UK identifiers and postcodes as column-wise polars expressions.

Each identifier has a `normalise_*` function (cleaned text -> the one way we store it,
null when it does not even have the right shape) and a `*_check_ok` function (stored
form -> whether its check character is right). Ingest materialises the normalised column
first and checks it after, so no text is reparsed once per digit.
"""

from __future__ import annotations

import numpy as np
import polars as pl

_CHECK_LETTERS_UPN = "ABCDEFGHJKLMNPQRTUVWXYZ"  # I, O and S are never used
_CHECK_LETTERS_PNC = "ZABCDEFGHJKLMNPQRTUVWXY"  # the same letters, Z standing for 0


def _without_spaces(value: pl.Expr) -> pl.Expr:
    return value.str.replace_all(" ", "", literal=True)


def _digits(number: pl.Expr, count: int) -> list[pl.Expr]:
    """The `count` decimal digits of an integer, most significant first.

    Arithmetic on one integer is much faster than slicing a million strings per digit.
    """
    return [(number // 10 ** (count - 1 - i)) % 10 for i in range(count)]


def normalise_nhs_number(value: pl.Expr) -> pl.Expr:
    """10 digits, spaces and hyphens removed (null if that leaves anything else)."""
    digits = _without_spaces(value).str.replace_all("-", "", literal=True)
    return pl.when(digits.str.contains(r"^\d{10}$")).then(digits)


def nhs_number_check_ok(number: pl.Expr) -> pl.Expr:
    """Whether a normalised NHS number's 10th digit is its modulus-11 check digit."""
    return pl.when(number.is_not_null()).then(
        number.map_batches(_nhs_check_digits_ok, return_dtype=pl.Boolean))


def _nhs_check_digits_ok(numbers: pl.Series) -> pl.Series:
    # In numpy: a digit matrix is a few array operations, where polars expressions
    # would recompute the integer once per digit.
    values = numbers.cast(pl.Int64, strict=False).fill_null(0).to_numpy()
    digits = (values[:, None] // 10 ** np.arange(9, -1, -1)) % 10
    check = 11 - (digits[:, :9] @ np.arange(10, 1, -1)) % 11
    check[check == 11] = 0  # a remainder of 10 leaves check == 10: never a valid digit
    return pl.Series(check == digits[:, 9])


def normalise_upn(value: pl.Expr) -> pl.Expr:
    """Unique pupil number: a check letter then 12 characters (the last a letter if temporary)."""
    text = _without_spaces(value).str.to_uppercase()
    shape = rf"^[{_CHECK_LETTERS_UPN}]\d{{11}}[0-9{_CHECK_LETTERS_UPN}]$"
    return pl.when(text.str.contains(shape)).then(text)


def upn_check_ok(upn: pl.Expr) -> pl.Expr:
    """Whether a normalised UPN's first letter is its modulus-23 check letter."""
    middle = _digits(upn.str.slice(1, 11).cast(pl.Int64, strict=False), 11)
    last_values = {str(d): d for d in range(10)} | {
        letter: i for i, letter in enumerate(_CHECK_LETTERS_UPN)}
    last = upn.str.slice(12, 1).replace_strict(last_values, default=None, return_dtype=pl.Int64)
    # Characters 2 to 13 are weighted 2 to 13.
    total = pl.sum_horizontal([digit * (i + 2) for i, digit in enumerate(middle)]) + last * 13
    expected = (total % 23).replace_strict(dict(enumerate(_CHECK_LETTERS_UPN)), default=None,
                                           return_dtype=pl.Utf8)
    return expected == upn.str.slice(0, 1)


def normalise_pnc_id(value: pl.Expr, *, current_year: int) -> pl.Expr:
    """Police National Computer id as `YYYY/NNNNNNNA`: 4-digit year, 7-digit serial, letter.

    Accepts a 2-digit year (`01/12345H`) and a short serial, so one id is stored one way.
    """
    text = _without_spaces(value).str.to_uppercase()
    parts = text.str.split_exact("/", 1)
    year, rest = parts.struct.field("field_0"), parts.struct.field("field_1")
    two_digit = year.str.slice(-2)
    century = (pl.when(two_digit.cast(pl.Int64, strict=False) > current_year % 100)
               .then(pl.lit("19")).otherwise(pl.lit("20")))
    full_year = pl.when(year.str.len_chars() == 4).then(year).otherwise(century + year)
    serial = rest.str.slice(0, rest.str.len_chars() - 1).str.zfill(7)
    normalised = pl.concat_str([full_year, pl.lit("/"), serial, rest.str.slice(-1)])
    return pl.when(text.str.contains(r"^(?:\d{2}|\d{4})/\d{1,7}[A-Z]$")).then(normalised)


def pnc_id_check_ok(pnc: pl.Expr) -> pl.Expr:
    """Whether a normalised PNC id's letter is the modulus-23 check of its year and serial."""
    number = (pnc.str.slice(2, 2) + pnc.str.slice(5, 7)).cast(pl.Int64, strict=False)
    expected = (number % 23).replace_strict(dict(enumerate(_CHECK_LETTERS_PNC)), default=None,
                                            return_dtype=pl.Utf8)
    return expected == pnc.str.slice(12, 1)


def normalise_postcode(value: pl.Expr) -> pl.Expr:
    """UK postcode, full or outward code only: upper case with one space before the inward code.

    Null when the text does not have a postcode's shape (postcodes have no check character).
    """
    compact = _without_spaces(value).str.to_uppercase()
    outward = r"[A-Z]{1,2}[0-9][A-Z0-9]?"
    full = compact.str.contains(rf"^{outward}[0-9][A-Z]{{2}}$")
    # Plain `contains` and slicing: capture groups are several times slower on a million rows.
    spaced = pl.concat_str([compact.str.slice(0, compact.str.len_chars() - 3), pl.lit(" "),
                            compact.str.slice(-3)])
    return (pl.when(full).then(spaced)
            .when(compact.str.contains(rf"^{outward}$")).then(compact))
