"""Name pools with frequencies, by origin, and the spelling variants people really use.

Pools come from Faker's locale providers (en_GB, en_IE, en_IN, en_PK, pl_PL, ro_RO, yo_NG,
ig_NG, en_US). Where Faker gives weights (en_GB surnames, en_US) they are used; where it gives
a list in popularity order (en_GB forenames) the weight falls with rank (Zipf); plain
alphabetical lists get a flatter Zipf on a seeded shuffle. Faker has no Welsh, Somali,
Bangladeshi or Caribbean locale, so those origins get short supplements of common names
below, mixed with the en_GB pools where that is how such names are used in England.
"""

from __future__ import annotations

import importlib
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

import jellyfish
import numpy as np
from nicknames import NickNamer

# Share of the borough by origin of family names (a West Midlands-like borough).
ORIGIN_SHARES: dict[str, float] = {
    "english": 0.64, "welsh": 0.03, "irish": 0.04, "pakistani": 0.055, "indian": 0.045,
    "bangladeshi": 0.015, "polish": 0.03, "romanian": 0.02, "somali": 0.015,
    "caribbean": 0.03, "nigerian": 0.02, "other": 0.04,
}

# Supplements for origins Faker lacks: common given names and family names in England.
_WELSH = (
    ("Cerys", "Bethan", "Seren", "Carys", "Ffion", "Angharad", "Eleri", "Megan", "Nia", "Siân",
     "Rhiannon", "Catrin", "Gwen", "Lowri", "Elin", "Mali", "Heledd", "Non", "Manon", "Tegan"),
    ("Rhys", "Dylan", "Gareth", "Dafydd", "Owain", "Iwan", "Gethin", "Rhodri", "Emyr", "Aled",
     "Huw", "Ieuan", "Osian", "Cai", "Gruffydd", "Llywelyn", "Tomos", "Evan", "Morgan", "Ioan"),
    ("Jones", "Williams", "Davies", "Evans", "Thomas", "Roberts", "Hughes", "Lewis", "Morgan",
     "Griffiths", "Price", "Owen", "Jenkins", "Powell", "Rees", "Pritchard", "Bowen",
     "Llewellyn", "Vaughan", "Parry", "Pugh", "Howells", "Meredith", "Prosser"),
)
_PAKISTANI = (
    ("Fatima", "Ayesha", "Aisha", "Zainab", "Maryam", "Khadija", "Amina", "Hafsa", "Sana",
     "Iqra", "Nadia", "Samina", "Shazia", "Rukhsana", "Nasreen", "Parveen", "Sadia", "Hina",
     "Anum", "Aleena", "Inaaya", "Haniya", "Zara", "Mehwish", "Uzma", "Safiya"),
    ("Mohammed", "Muhammad", "Mohammad", "Ali", "Ahmed", "Ahmad", "Hamza", "Usman", "Bilal",
     "Imran", "Zain", "Hassan", "Hussain", "Tariq", "Adnan", "Kashif", "Asif", "Shahid",
     "Zubair", "Ibrahim", "Yusuf", "Umar", "Omar", "Ayaan", "Rayan", "Arham", "Faizan",
     "Abdul", "Rizwan", "Sajid", "Waqas"),
    ("Khan", "Hussain", "Ahmed", "Ali", "Akhtar", "Mahmood", "Iqbal", "Shah", "Bibi", "Rashid",
     "Hussein", "Malik", "Butt", "Chaudhry", "Choudhry", "Qureshi", "Siddiqui", "Sheikh",
     "Shaikh", "Raja", "Javed", "Mirza", "Anwar", "Aslam", "Mehmood", "Rehman", "Rahman"),
)
_BANGLADESHI = (
    ("Begum", "Fatema", "Nusrat", "Tahmina", "Shirin", "Ruksana", "Salma", "Jannat", "Tasnim",
     "Sumaiya", "Farhana", "Nazia", "Rumana", "Sultana", "Halima"),
    ("Mohammed", "Abdul", "Mohammad", "Shahid", "Rahim", "Karim", "Rashid", "Jamal",
     "Kamal", "Anwar", "Habib", "Sohel", "Rubel", "Shafiq", "Aminul"),
    ("Miah", "Ahmed", "Uddin", "Rahman", "Begum", "Islam", "Hossain", "Hussain", "Choudhury",
     "Chowdhury", "Ali", "Khatun", "Alam", "Haque", "Sarkar"),
)
_SOMALI = (
    ("Amina", "Fadumo", "Hodan", "Hawa", "Ifrah", "Sahra", "Ayan", "Nimco", "Hibo", "Khadra",
     "Asha", "Ubah", "Deeqa", "Ladan", "Sagal", "Faduma", "Halima", "Fatuma", "Maryan", "Idil"),
    ("Mohamed", "Abdi", "Ahmed", "Ali", "Abdirahman", "Abdullahi", "Hassan", "Hussein", "Omar",
     "Yusuf", "Ibrahim", "Ismail", "Mustafa", "Abdikarim", "Mahad", "Liban", "Farah", "Osman",
     "Guled", "Bashir"),
    ("Mohamed", "Ali", "Abdi", "Ahmed", "Hassan", "Farah", "Osman", "Warsame", "Jama", "Egal",
     "Nur", "Duale", "Aden", "Ismail", "Yusuf", "Abdullahi", "Hussein", "Mohamud", "Elmi",
     "Gedi", "Shire", "Dahir"),
)
_CARIBBEAN = (
    ("Shanice", "Keisha", "Tanisha", "Chantelle", "Jasmine", "Marcia", "Beverley", "Paulette",
     "Yvonne", "Sonia", "Jodie-Ann", "Shantel", "Latoya", "Simone", "Nadine", "Kerry-Ann"),
    ("Tyrone", "Marcus", "Jermaine", "Delroy", "Winston", "Leroy", "Devon", "Carlton",
     "Everton", "Andre", "Kemar", "Dwayne", "Errol", "Clive", "Tyrese", "Jamal"),
    ("Campbell", "Brown", "Williams", "Clarke", "Francis", "Thomas", "Grant", "Reid", "Gordon",
     "Henry", "Johnson", "Robinson", "Bailey", "Morrison", "Samuels", "Lewis", "McKenzie",
     "Forbes", "Spence", "Gayle", "Bennett", "Powell", "Edwards", "Wright"),
)

# Spellings of one name in real use: misread or re-spelt by ear...
PHONETIC_GROUPS: tuple[tuple[str, ...], ...] = (
    ("Stephen", "Steven"), ("Caitlin", "Katelyn", "Kaitlyn"), ("Sean", "Shaun", "Shawn"),
    ("Zoe", "Zoey"), ("Catherine", "Katherine", "Kathryn"), ("Philip", "Phillip"),
    ("Geoffrey", "Jeffrey"), ("Isabel", "Isobel", "Isabelle"), ("Aidan", "Aiden", "Ayden"),
    ("Louis", "Lewis"), ("Alistair", "Alastair"), ("Rachel", "Rachael"), ("Ann", "Anne"),
    ("Matthew", "Mathew"), ("Jayden", "Jaden"), ("Leigh", "Lee"), ("Kirsty", "Kirstie"),
    ("Nicola", "Nichola"), ("Carl", "Karl"), ("Mark", "Marc"), ("Neil", "Neal"),
    ("Brian", "Bryan"), ("Graham", "Graeme"), ("Alan", "Allan", "Allen"), ("Jane", "Jayne"),
    ("Tracy", "Tracey"), ("Stacey", "Stacy"), ("Lindsay", "Lindsey"), ("Gemma", "Jemma"),
    ("Hayley", "Haley", "Hailey"), ("Amelia", "Emelia"), ("Jon", "John"), ("Sara", "Sarah"),
    ("Smith", "Smyth"), ("Thompson", "Thomson"), ("Davis", "Davies"), ("Clark", "Clarke"),
    ("Phillips", "Philips"), ("Reid", "Reed", "Read"), ("Gray", "Grey"),
    ("Matthews", "Mathews"), ("Stevens", "Stephens"), ("Nicholls", "Nichols"),
    ("McDonald", "MacDonald", "Macdonald"), ("Thomas", "Tomas"), ("Jenkins", "Jenkyns"),
)
# ...and spellings from writing one name in the Latin alphabet in different ways.
TRANSLITERATION_GROUPS: tuple[tuple[str, ...], ...] = (
    ("Mohammed", "Muhammad", "Mohamed", "Mohammad", "Muhammed", "Mohamad"),
    ("Ahmed", "Ahmad"), ("Hussain", "Hussein", "Husain", "Hossain"),
    ("Yusuf", "Yousef", "Yusef", "Yousuf"), ("Osman", "Usman", "Uthman"),
    ("Fatima", "Fatimah", "Fatuma", "Fatema"), ("Aisha", "Ayesha", "Aysha"),
    ("Khadija", "Khadijah", "Khadeeja"), ("Hassan", "Hasan"), ("Mustafa", "Mostafa", "Mustapha"),
    ("Ibrahim", "Ebrahim"), ("Omar", "Umar"), ("Amina", "Aminah", "Ameena"),
    ("Zainab", "Zaynab", "Zeinab"), ("Rahman", "Rehman"), ("Abdullahi", "Abdullah"),
    ("Mahmood", "Mahmud", "Mehmood"), ("Choudhury", "Chowdhury", "Choudhry", "Chaudhry"),
    ("Siddiqui", "Siddiqi"), ("Qureshi", "Kureshi"), ("Shaikh", "Sheikh"),
    ("Rashid", "Rasheed"), ("Maryam", "Mariam"), ("Fadumo", "Faduma"), ("Mohamud", "Mahmoud"),
)


@dataclass(frozen=True)
class Pool:
    """Names and their sampling probabilities."""

    names: np.ndarray  # object array of str
    p: np.ndarray

    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:
        """`n` names drawn with the pool's frequencies."""
        return self.names[rng.choice(len(self.names), size=n, p=self.p)]


@dataclass(frozen=True)
class OriginPools:
    female: Pool
    male: Pool
    surnames: Pool


def _provider(locale: str) -> Any:
    """Faker's person provider class for a locale (its name lists are class attributes)."""
    return importlib.import_module(f"faker.providers.person.{locale}").Provider


def _pool(names: Sequence[str] | dict[str, float], *, zipf: float = 1.0) -> Pool:
    """A pool from Faker weights, or from a list in popularity order (Zipf by rank)."""
    if isinstance(names, dict):
        keys = list(dict.fromkeys(names))
        weights = np.array([names[k] for k in keys], dtype=float)
    else:
        keys = list(dict.fromkeys(n for n in names if n))
        weights = 1.0 / (np.arange(len(keys)) + 8.0) ** zipf
    return Pool(np.array(keys, dtype=object), weights / weights.sum())


def _mix(*parts: tuple[Pool, float]) -> Pool:
    """One pool drawing from several with the given shares (names may repeat across parts)."""
    weights: dict[str, float] = {}
    for pool, share in parts:
        for name, p in zip(pool.names, pool.p, strict=True):
            weights[name] = weights.get(name, 0.0) + share * p
    return _pool(weights)


@cache
def origin_pools() -> dict[str, OriginPools]:
    """The name pools of every origin (built once per process; deterministic)."""
    gb, ie, us = _provider("en_GB"), _provider("en_IE"), _provider("en_US")
    pl, ro, yo, ig, inn, pk = (_provider(x) for x in ("pl_PL", "ro_RO", "yo_NG", "ig_NG",
                                                      "en_IN", "en_PK"))
    gb_f, gb_m = _pool(gb.first_names_female), _pool(gb.first_names_male)
    gb_s = _pool(dict(gb.last_names))

    def supplement(names: tuple[tuple[str, ...], ...]) -> tuple[Pool, Pool, Pool]:
        return _pool(names[0], zipf=0.6), _pool(names[1], zipf=0.6), _pool(names[2], zipf=0.6)

    wf, wm, ws = supplement(_WELSH)
    pf, pm, ps = supplement(_PAKISTANI)
    bf, bm, bs = supplement(_BANGLADESHI)
    sf, sm, ss = supplement(_SOMALI)
    cf, cm, cs = supplement(_CARIBBEAN)
    return {
        "english": OriginPools(gb_f, gb_m, gb_s),
        "welsh": OriginPools(_mix((wf, 0.5), (gb_f, 0.5)), _mix((wm, 0.5), (gb_m, 0.5)),
                             _mix((ws, 0.8), (gb_s, 0.2))),
        "irish": OriginPools(_mix((_pool(ie.first_names_female, zipf=0.4), 0.6), (gb_f, 0.4)),
                             _mix((_pool(ie.first_names_male, zipf=0.4), 0.6), (gb_m, 0.4)),
                             _pool(ie.last_names, zipf=0.4)),
        "pakistani": OriginPools(pf, _mix((pm, 0.9), (_pool(pk.first_names[:9]), 0.1)), ps),
        "indian": OriginPools(_pool(inn.first_names_female, zipf=0.5),
                              _pool(inn.first_names_male, zipf=0.5),
                              _pool(inn.last_names, zipf=0.5)),
        "bangladeshi": OriginPools(bf, bm, bs),
        "polish": OriginPools(_pool(pl.first_names_female), _pool(pl.first_names_male),
                              _pool(pl.male_last_names)),
        "romanian": OriginPools(_pool(ro.first_names_female, zipf=0.5),
                                _pool(ro.first_names_male, zipf=0.5),
                                _pool(ro.last_names, zipf=0.5)),
        "somali": OriginPools(sf, sm, ss),
        "caribbean": OriginPools(_mix((cf, 0.4), (gb_f, 0.6)), _mix((cm, 0.4), (gb_m, 0.6)),
                                 _mix((cs, 0.7), (gb_s, 0.3))),
        "nigerian": OriginPools(
            _mix((_pool(yo.first_names_female, zipf=0.5), 0.5),
                 (_pool(ig.first_names_female), 0.3), (gb_f, 0.2)),
            _mix((_pool(yo.first_names_male, zipf=0.5), 0.5),
                 (_pool(ig.first_names_male), 0.3), (gb_m, 0.2)),
            _mix((_pool(yo.last_names, zipf=0.5), 0.6), (_pool(ig.last_names), 0.4))),
        "other": OriginPools(_pool(dict(us.first_names_female)), _pool(dict(us.first_names_male)),
                             _pool(dict(us.last_names))),
    }


ORIGINS: tuple[str, ...] = tuple(ORIGIN_SHARES)


def polish_feminine(surname: str) -> str:
    """The form a Polish surname takes for a woman (Kowalski -> Kowalska)."""
    for male, female in (("ski", "ska"), ("cki", "cka"), ("dzki", "dzka")):
        if surname.endswith(male):
            return surname[: -len(male)] + female
    return surname


_DIACRITICS_KEPT = str.maketrans({"ł": "l", "Ł": "L", "ø": "o"})


def strip_diacritics(name: str) -> str:
    """The name as typed on an English keyboard (Michał -> Michal, Ioniță -> Ionita)."""
    decomposed = unicodedata.normalize("NFKD", name.translate(_DIACRITICS_KEPT))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _group_index(groups: tuple[tuple[str, ...], ...]) -> dict[str, tuple[str, ...]]:
    return {name: tuple(n for n in group if n != name) for group in groups for name in group}


_PHONETIC = _group_index(PHONETIC_GROUPS)
_TRANSLITERATION = _group_index(TRANSLITERATION_GROUPS)


@cache
def _metaphone_neighbours() -> dict[str, tuple[str, ...]]:
    """Names of all pools that sound alike (same metaphone, same first letter, close spelling)."""
    names = sorted({str(n) for pools in origin_pools().values()
                    for pool in (pools.female, pools.male, pools.surnames) for n in pool.names})
    by_code: dict[tuple[str, str], list[str]] = {}
    for name in names:
        by_code.setdefault((jellyfish.metaphone(name), name[0]), []).append(name)
    return {
        name: tuple(o for o in group if o != name
                    and jellyfish.levenshtein_distance(o, name) <= 2)
        for group in by_code.values() if len(group) > 1 for name in group
    }


def phonetic_variants(name: str) -> tuple[str, ...]:
    """Other spellings of `name` that sound the same."""
    return _PHONETIC.get(name, ()) or _metaphone_neighbours().get(name, ())


def transliteration_variants(name: str) -> tuple[str, ...]:
    """Other Latin spellings of `name`: Mohammed/Muhammad, Michał/Michal, O'Neill/ONeill."""
    found = list(_TRANSLITERATION.get(name, ()))
    plain = strip_diacritics(name)
    if plain != name:
        found.append(plain)
    if "'" in name:
        found += [name.replace("'", ""), name.replace("'", " ")]
    return tuple(found)


@cache
def _nicknamer() -> NickNamer:
    return NickNamer()


@cache
def nicknames(name: str) -> tuple[str, ...]:
    """Nicknames of a given name in everyday use (William -> Bill, Will, Billy ...)."""
    found = _nicknamer().nicknames_of(name.lower())
    # The package's list includes rare and old forms; keep those at least 3 letters long.
    return tuple(sorted(n.title() for n in found if len(n) >= 3))
