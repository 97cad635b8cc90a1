"""Folding text for comparison: accents off Latin letters, every letter kept.

Agencies write one name with and without accents (Zoë / Zoe, Michał / Michal, Søren /
Soren), so names, addresses and incident text are compared folded. Folding never drops a
letter: a Latin letter with no decomposition (ł, ø, ß, æ, đ, þ) is spelled with plain
letters, and letters of other scripts (Cyrillic, Greek, Arabic, Han ...) are kept as they
are, with their marks: a name in another script still matches itself.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache

_SPELLED = str.maketrans({
    "ł": "l", "Ł": "L", "ø": "o", "Ø": "O", "đ": "d", "Đ": "D", "ð": "d", "Ð": "D",
    "þ": "th", "Þ": "TH", "ß": "ss", "ẞ": "SS", "æ": "ae", "Æ": "AE", "œ": "oe", "Œ": "OE",
    "\u0131": "i", "ħ": "h", "Ħ": "H", "ŧ": "t", "Ŧ": "T", "ŋ": "ng", "Ŋ": "NG", "ĸ": "q",
    "ŀ": "l", "Ŀ": "L", "\u017f": "s", "ƒ": "f", "ə": "e", "Ə": "E",
})
"""Latin letters that Unicode does not decompose into a base letter and an accent."""


def fold_accents(value: str) -> str:
    """`value` with the accents taken off its Latin letters (É -> E, ł -> l, ß -> ss).

    Marks on letters of other scripts are kept (й, ά, हि stay as written): they are part
    of the letter there, not an accent an agency may leave out.
    """
    if value.isascii():  # most values: nothing to fold
        return value
    return _fold(value)


@lru_cache(maxsize=100_000)
def _fold(value: str) -> str:
    decomposed = unicodedata.normalize("NFKD", value.translate(_SPELLED))
    kept: list[str] = []
    base_is_latin = False
    for c in decomposed:
        if unicodedata.combining(c):
            if not base_is_latin:
                kept.append(c)
            continue
        base_is_latin = c.isascii() or unicodedata.name(c, "").startswith("LATIN")
        kept.append(c)
    return unicodedata.normalize("NFC", "".join(kept))


def letters_only(value: str) -> str:
    """Letters (of any script, with their marks) and spaces; anything else dropped."""
    return "".join(c for c in value
                   if c == " " or unicodedata.category(c)[0] in "LM")
