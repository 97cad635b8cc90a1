"""The domain comparisons of the linkage model: Splink levels with a Python twin.

Each comparison says how alike one aspect of two records is, from most to least alike;
its levels' labels are the plain words an explanation shows ("similar spelling").
Every level is written twice, side by side: as SQL for Splink (batch, on DuckDB or
Spark, with engine functions as `{jw}`-style placeholders) and as a Python predicate
with the same NULL semantics, used to score the few candidates of a real-time query
in microseconds. A test checks that both give identical scores on many pairs.

Two choices matter most on household-heavy data (see ../shared/NOTES.md):
- postcode and address are ONE "place" comparison: people of one household share both,
  and counted as two independent pieces of evidence they outvote a disagreeing forename
  and date of birth;
- the date of birth has no wide "within years" level, so a parent, child or sibling falls
  into the strongly negative "different" level rather than a mildly positive one.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from rapidfuzz.distance import DamerauLevenshtein, JaroWinkler
from splink.internals.comparison_creator import ComparisonCreator
from splink.internals.comparison_level_creator import ComparisonLevelCreator
from splink.internals.comparison_library import CustomComparison
from splink.internals.dialects import SplinkDialect

Record = Mapping[str, Any]
Predicate = Callable[[Record, Record], bool]

# Function names that differ between the engines we run on.
_FUNCTIONS: dict[str, dict[str, str]] = {
    "duckdb": {"jw": "jaro_winkler_similarity", "contains": "list_contains",
               "overlap": "list_has_any", "size": "len",
               "dlev": "damerau_levenshtein", "split": "str_split",
               # a fifth of list_intersect's cost on DuckDB, where the address comparison
               # is most of the time batch prediction takes (the tokens are distinct)
               "shared_address_tokens": "len(list_filter(address_tokens_l, "
                                        "lambda t: list_contains(address_tokens_r, t)))"},
    "spark": {"jw": "jaro_winkler", "contains": "array_contains",
              "overlap": "arrays_overlap", "size": "size",
              "dlev": "damerau_levenshtein", "split": "split",
              "shared_address_tokens": "size(array_intersect(address_tokens_l, "
                                       "address_tokens_r))"},
}

# Similarity thresholds sit a hair below round numbers: implementations of Jaro-Winkler
# differ in the last bit, and a score of exactly 0.8 must land on the same side in both.
JW_HIGH = 0.919999999
JW_LOW = 0.799999999
ADDRESS_ALIKE = 0.599999999

# Strong identifiers: agreement is near-certain evidence, so m is fixed rather than left
# to EM, which sees too few pairs with the same identifier type on both sides.
_STRONG_ID_M = {"same": 0.99, "different": 0.005}
DOB_DIFFERENT_M = 0.01  # share of one person's record pairs with unrelated dates of birth
DOB_GENERATION_M = 1e-5  # ... and with dates of birth a generation apart
GENERATION_YEARS = 12
WITHIN_MONTHS = 11  # "within a year": months between the two (day ignored)
SEX_DIFFERENT_M = 0.005
# Fixed levels whose m training raises to the share measured on anchor pairs, when the
# data show more disagreement than the fixed floor (see `anchors.py`).
ANCHORED_LEVELS = (("dob", "different"), ("sex", "different"))
# Shares of one person's record pairs, both with middle names, where they only partly
# agree, are misspelt, or disagree (one agency's middle name is another's forename, or
# a different one was recorded).
MIDDLE_NAME_M = {"in common": 0.05, "similar": 0.01, "different": 0.02}
# Starting m and u of "an initial that agrees" (forename, middle names), kept where no
# record has an initial: among one person's records with both names written, an initial
# on one side (one in twenty); among other pairs, an initial on one side whose letter
# happens to agree (one in fifty): about +1.3, where "different" is about -5.6.
INITIAL_M_U = (0.05, 0.02)
STRONG_IDS = (("nhs_number", "NHS number"), ("upn", "UPN"), ("pnc_id", "PNC id"))


class Level(ComparisonLevelCreator):
    """A comparison level as SQL (with engine placeholders) and as a Python predicate."""

    def __init__(self, sql: str, label: str, py: Predicate, *, null: bool = False,
                 tf_column: str | None = None) -> None:
        self.sql, self.label, self.py = sql, label, py
        if null:
            self.configure(is_null_level=True)
        if tf_column:
            # Half weight: a rare forename is rare overall but not within the community
            # that uses it, where it goes with a few surnames (measured: full weight
            # merged many same-named strangers whose date of birth was missing).
            self.configure(tf_adjustment_column=tf_column, tf_adjustment_weight=0.5)

    def create_sql(self, sql_dialect: SplinkDialect) -> str:
        return self.sql.format(**_FUNCTIONS[sql_dialect.sql_dialect_str])

    def create_label_for_charts(self) -> str:
        return self.label


@dataclass(frozen=True)
class ComparisonSpec:
    """One comparison: its Splink output name, the words an explanation uses, the
    record columns an explanation shows side by side, and its levels."""

    name: str
    title: str
    shown: tuple[str, ...]
    levels: tuple[Level, ...]

    def creator(self) -> ComparisonCreator:
        return CustomComparison(comparison_levels=list(self.levels),
                                output_column_name=self.name,
                                comparison_description=self.title)


# --- Python twins of the SQL building blocks (NULL never equals anything) -----------

def _eq(a: Any, b: Any) -> bool:
    return a is not None and b is not None and a == b


def _jw(a: str | None, b: str | None) -> float:
    return JaroWinkler.similarity(a, b) if a is not None and b is not None else -1.0


def _overlap(a: list[str] | None, b: list[str] | None) -> bool:
    return bool(a) and bool(b) and not set(a).isdisjoint(b)  # type: ignore[arg-type]


def _jaccard(a: list[str] | None, b: list[str] | None) -> float:
    if not a or not b:
        return -1.0
    inter = len(set(a) & set(b))
    return inter / (len(a) + len(b) - inter)


_ADDRESS_JACCARD_SQL = ("(cast({shared_address_tokens} as double) / ({size}(address_tokens_l)"
                        " + {size}(address_tokens_r) - {shared_address_tokens}))")


def _starting(level: Level, m: float, u: float) -> Level:
    """The level with starting m and u, kept when training sees no pair in it."""
    level.configure(m_probability=m, u_probability=u)
    return level


def _initial_agrees(column: str) -> Predicate:
    """One side is a single letter, the first letter of the other."""
    def agrees(a: Record, b: Record) -> bool:
        x, y = a[column], b[column]
        return (x is not None and y is not None and (len(x) == 1 or len(y) == 1)
                and x[0] == y[0])
    return agrees


def _fixed_m(level: Level, m: float) -> Level:
    """The level with its m fixed rather than learnt by EM."""
    level.configure(m_probability=m, fix_m_probability=True)
    return level


def _else(label: str) -> Level:
    return Level("ELSE", label, lambda _a, _b: True)


def _null(column: str) -> Level:
    return Level(f"{column}_l IS NULL OR {column}_r IS NULL", "not known",
                 lambda a, b: a[column] is None or b[column] is None, null=True)


_SWAPPED_SQL = "(first_name_l = surname_r AND surname_l = first_name_r)"


def _swapped(a: Record, b: Record) -> bool:
    """Forename and surname written in each other's place (both known)."""
    return _eq(a["first_name"], b["surname"]) and _eq(a["surname"], b["first_name"])


def _forename() -> ComparisonSpec:
    """Forename: exact (TF adjusted), nickname, another of the other's forenames, sound,
    spelling."""
    column, dm = "first_name", "first_name_dm"

    def among_other_forenames(a: Record, b: Record) -> bool:
        return (_overlap(a[column].split(" "), b["forenames_all"])
                or _overlap(b[column].split(" "), a["forenames_all"]))

    return ComparisonSpec("forename", "forename", (column,), (
        _null(column),
        Level(f"{column}_l = {column}_r", "same",
              lambda a, b: _eq(a[column], b[column]), tf_column=column),
        # A forename written in the surname's place (or the other way round), both names
        # or one: a recording slip, not a different person. The surname part of the
        # family comparison counts a full swap as the same surname.
        Level("first_name_l = surname_r OR surname_l = first_name_r",
              "written as the other's surname",
              lambda a, b: _eq(a[column], b["surname"]) or _eq(a["surname"], b[column])),
        Level("{contains}(first_name_nick_r, first_name_l) "
              "OR {contains}(first_name_nick_l, first_name_r)", "nickname or formal form",
              lambda a, b: (a[column] in (b["first_name_nick"] or ())
                            or b[column] in (a["first_name_nick"] or ()))),
        # One's forename is the other's middle name or alias forename (middle names that
        # agree with each other are the middle-name comparison's business, not this one's).
        Level(f"{{overlap}}({{split}}({column}_l, ' '), forenames_all_r) "
              f"OR {{overlap}}({{split}}({column}_r, ' '), forenames_all_l)",
              "matches a middle name or alias", among_other_forenames),
        # One agency writes the forename as an initial, another in full.
        _starting(Level(f"(length({column}_l) = 1 OR length({column}_r) = 1) "
                          f"AND left({column}_l, 1) = left({column}_r, 1)",
                          "an initial that agrees", _initial_agrees(column)), *INITIAL_M_U),
        Level(f"{dm}_l = {dm}_r", "sounds the same", lambda a, b: _eq(a[dm], b[dm])),
        Level(f"{{jw}}({column}_l, {column}_r) >= {JW_HIGH}", "similar spelling",
              lambda a, b: _jw(a[column], b[column]) >= JW_HIGH),
        Level(f"{{jw}}({column}_l, {column}_r) >= {JW_LOW}", "somewhat similar spelling",
              lambda a, b: _jw(a[column], b[column]) >= JW_LOW),
        _else("different"),
    ))


def _middle_names() -> ComparisonSpec:
    """Middle names, judged only when both records hold some.

    Agencies record them unevenly, so one record without them says nothing; but where
    both have them they set apart relatives who share a forename and surname (a father
    and son, cousins named after one grandparent), and join a person whose date of birth
    or address is missing or out of date.
    """
    column = "middle_names"

    def in_common(a: Record, b: Record) -> bool:
        mine, yours = a[column].split(" "), b[column].split(" ")
        return _overlap(mine, yours) or (a["first_name"] in yours and b["first_name"] in mine)

    mine, yours = f"{{split}}({column}_l, ' ')", f"{{split}}({column}_r, ' ')"

    return ComparisonSpec("middle_names", "middle names", (column,), (
        _null(column),
        Level(f"{column}_l = {column}_r", "same",
              lambda a, b: _eq(a[column], b[column]), tf_column=column),
        # One of two recorded, or the forename and a middle name swapped (John Paul /
        # Paul John; a forename found only among the other's middle names is the
        # forename comparison's business, not counted twice here). The m of the levels
        # below "same" are fixed: EM's blocks hold few true pairs whose middle names
        # both differ and are known, and it learns a veto from them, while agencies do
        # record one middle name of two, or misspell one.
        _fixed_m(Level(f"{{overlap}}({mine}, {yours}) OR ({{contains}}({yours}, first_name_l) "
                       f"AND {{contains}}({mine}, first_name_r))",
                       "a middle name in common", in_common), MIDDLE_NAME_M["in common"]),
        # One agency writes the middle name as an initial (David J Okafor), another in
        # full (David James Okafor): learnt like the "same" level, from its start.
        _starting(Level(f"(length({column}_l) = 1 OR length({column}_r) = 1) "
                          f"AND left({column}_l, 1) = left({column}_r, 1)",
                          "an initial that agrees", _initial_agrees(column)), *INITIAL_M_U),
        _fixed_m(Level(f"{{jw}}({column}_l, {column}_r) >= {JW_HIGH}", "similar spelling",
                       lambda a, b: _jw(a[column], b[column]) >= JW_HIGH),
                 MIDDLE_NAME_M["similar"]),
        _fixed_m(_else("different"), MIDDLE_NAME_M["different"]),
    ))


def _estimated(a: Record, b: Record) -> bool:
    return bool(a["dob_estimated"]) or bool(b["dob_estimated"])


def _dob() -> ComparisonSpec:
    both_days = "dob_l IS NOT NULL AND dob_r IS NOT NULL"
    estimated = "(coalesce(dob_estimated_l, false) OR coalesce(dob_estimated_r, false))"

    def days(a: Record, b: Record) -> bool:
        return a["dob"] is not None and b["dob"] is not None

    return ComparisonSpec("dob", "date of birth", ("dob", "dob_year"), (
        Level("dob_year_l IS NULL OR dob_year_r IS NULL", "not known",
              lambda a, b: a["dob_year"] is None or b["dob_year"] is None, null=True),
        Level("dob_l = dob_r", "same", lambda a, b: _eq(a["dob"], b["dob"])),
        Level(f"{both_days} AND dob_year_l = dob_year_r AND dob_day_l = dob_month_r "
              "AND dob_month_l = dob_day_r", "day and month swapped",
              lambda a, b: (days(a, b) and a["dob_year"] == b["dob_year"]
                            and a["dob_day"] == b["dob_month"]
                            and a["dob_month"] == b["dob_day"])),
        Level(f"{both_days} AND {{dlev}}(dob_l, dob_r) <= 1",
              "one digit wrong or two digits transposed",
              lambda a, b: days(a, b) and DamerauLevenshtein.distance(a["dob"], b["dob"]) <= 1),
        # Dates copied with the day and the month both wrong, or a wrong year near the
        # turn of one: never a sibling (born a year or more apart) nor a parent; a twin
        # shares the date. EM learns how often a data set's people have such dates.
        Level(f"{both_days} AND abs((dob_year_l * 12 + dob_month_l) "
              f"- (dob_year_r * 12 + dob_month_r)) <= {WITHIN_MONTHS}", "within a year",
              lambda a, b: days(a, b) and abs(
                  (a["dob_year"] * 12 + a["dob_month"])
                  - (b["dob_year"] * 12 + b["dob_month"])) <= WITHIN_MONTHS),
        Level(f"(dob_l IS NULL OR dob_r IS NULL OR {estimated}) AND dob_year_l = dob_year_r "
              "AND (dob_month_l IS NULL OR dob_month_r IS NULL "
              f"OR dob_month_l = dob_month_r OR {estimated})",
              "same year (date partial or estimated)",
              lambda a, b: ((not days(a, b) or _estimated(a, b))
                            and a["dob_year"] == b["dob_year"]
                            and (a["dob_month"] is None or b["dob_month"] is None
                                 or a["dob_month"] == b["dob_month"] or _estimated(a, b)))),
        Level(f"{estimated} AND abs(dob_year_l - dob_year_r) <= 2",
              "within 2 years of an estimated date",
              lambda a, b: _estimated(a, b) and abs(a["dob_year"] - b["dob_year"]) <= 2),
        # The two "different" levels have m fixed, not learnt: EM's blocks are full of
        # parents and children who share a name and an address, and it takes them for one
        # person with a wrong date. A date a generation away is never a typo (one-digit
        # errors and swaps are caught above), so that level is close to a veto.
        _fixed_m(Level(
            f"{both_days} AND abs(dob_year_l - dob_year_r) >= {GENERATION_YEARS}",
            f"{GENERATION_YEARS} or more years apart",
            lambda a, b: days(a, b) and abs(a["dob_year"] - b["dob_year"]) >= GENERATION_YEARS),
            DOB_GENERATION_M),
        _fixed_m(_else("different"), DOB_DIFFERENT_M),
    ))


def _sex() -> ComparisonSpec:
    return ComparisonSpec("sex", "sex", ("sex",), (
        _null("sex"),
        Level("sex_l = sex_r", "same", lambda a, b: a["sex"] == b["sex"]),
        # Fixed: in EM's blocks a true pair almost never disagrees on sex, and EM drives
        # m to exactly 0, which Splink refuses; a recording error is rare, not impossible.
        _fixed_m(_else("different"), SEX_DIFFERENT_M),
    ))


def _both(first: Predicate, second: Predicate) -> Predicate:
    return lambda a, b: first(a, b) and second(a, b)


def _family_and_place() -> ComparisonSpec:
    """Surname and place judged together, because in a household they come together.

    Counted as two independent comparisons, a shared surname (+8) and a shared address
    (+10) add up to evidence no parent, child or sibling can be outweighed by; their
    joint u, estimated directly, is about a hundred times larger than the product.
    Levels are every (surname class, place class) pair, most alike first; the place
    classes of each surname class cover every case, so CASE order does the rest. An
    unknown surname is its own class: counted as "different" it would veto the pair.
    """
    alike = f"{_ADDRESS_JACCARD_SQL} >= {ADDRESS_ALIKE}"

    def address_alike(a: Record, b: Record) -> bool:
        return _jaccard(a["address_tokens"], b["address_tokens"]) >= ADDRESS_ALIKE

    def no_postcode(a: Record, b: Record) -> bool:
        return a["postcode"] is None or b["postcode"] is None

    def unknown_place(x: Record) -> bool:
        return x["postcode_district"] is None and x["address_tokens"] is None

    surnames: tuple[tuple[str, str, Predicate], ...] = (
        (f"(surname_l = surname_r OR {_SWAPPED_SQL})", "same surname",
         lambda a, b: _eq(a["surname"], b["surname"]) or _swapped(a, b)),
        (f"({{overlap}}(surnames_all_l, surnames_all_r) OR surname_dm_l = surname_dm_r "
         f"OR {{jw}}(surname_l, surname_r) >= {JW_HIGH})",
         "similar or earlier surname",
         lambda a, b: (_overlap(a["surnames_all"], b["surnames_all"])
                       or _eq(a["surname_dm"], b["surname_dm"])
                       or _jw(a["surname"], b["surname"]) >= JW_HIGH)),
        # Heavily misspelt (two or more typos: ROBINSSNO / RNBINSOO).
        (f"{{jw}}(surname_l, surname_r) >= {JW_LOW}", "somewhat similar surname",
         lambda a, b: _jw(a["surname"], b["surname"]) >= JW_LOW),
        ("surname_l IS NULL OR surname_r IS NULL", "surname not known",
         lambda a, b: a["surname"] is None or b["surname"] is None),
        ("TRUE", "different surname", lambda _a, _b: True),
    )
    places: tuple[tuple[str, str, Predicate], ...] = (
        (f"((postcode_l = postcode_r AND (address_tokens_l IS NULL OR address_tokens_r IS NULL "
         f"OR {alike})) OR ((postcode_l IS NULL OR postcode_r IS NULL) AND {alike}))",
         "same address",
         lambda a, b: ((_eq(a["postcode"], b["postcode"])
                        and (a["address_tokens"] is None or b["address_tokens"] is None
                             or address_alike(a, b)))
                       or (no_postcode(a, b) and address_alike(a, b)))),
        (f"(postcode_l = postcode_r OR {alike})", "same postcode or similar address",
         lambda a, b: _eq(a["postcode"], b["postcode"]) or address_alike(a, b)),
        ("postcode_district_l = postcode_district_r", "same postcode district",
         lambda a, b: _eq(a["postcode_district"], b["postcode_district"])),
        ("TRUE", "elsewhere or not known", lambda _a, _b: True),
    )
    levels = [Level(
        "(surname_l IS NULL OR surname_r IS NULL) AND ((postcode_district_l IS NULL AND "
        "address_tokens_l IS NULL) OR (postcode_district_r IS NULL AND address_tokens_r IS NULL))",
        "not known",
        lambda a, b: ((a["surname"] is None or b["surname"] is None)
                      and (unknown_place(a) or unknown_place(b))), null=True)]
    for s_number, (s_sql, s_label, s_py) in enumerate(surnames):
        for p_sql, p_label, p_py in places:
            if s_sql == "TRUE" and p_sql == "TRUE":
                levels.append(_else(f"{s_label}, {p_label}"))
                continue
            level = Level(f"({s_sql}) AND ({p_sql})", f"{s_label}, {p_label}",
                          _both(s_py, p_py))
            if s_number == 0 and p_sql == "TRUE":
                # A rare shared surname says more than a common one. Splink's adjustment
                # puts the surname's frequency in place of the level's u, which is right
                # only where place adds nothing: with a shared address too, the joint u
                # is far below any surname's frequency and the adjustment would undo it.
                level.configure(tf_adjustment_column="surname", tf_adjustment_weight=1.0,
                                disable_tf_exact_match_detection=True)
            levels.append(level)
    return ComparisonSpec("family_and_place", "surname and place", ("surname", "postcode"),
                          tuple(levels))


def _same_id(column: str, label: str) -> Level:
    return _fixed_m(Level(f"{column}_l = {column}_r", f"same {label}",
                          lambda a, b: _eq(a[column], b[column])), _STRONG_ID_M["same"])


def _strong_id() -> ComparisonSpec:
    columns = tuple(c for c, _label in STRONG_IDS)
    both = " OR ".join(f"({c}_l IS NOT NULL AND {c}_r IS NOT NULL)" for c in columns)
    return ComparisonSpec("strong_id", "identifier", columns, (
        Level(f"NOT ({both})", "none in common",
              lambda a, b: not any(a[c] is not None and b[c] is not None for c in columns),
              null=True),
        *(_same_id(c, label) for c, label in STRONG_IDS),
        _fixed_m(_else("different identifier"), _STRONG_ID_M["different"]),
    ))


def level_label(spec: ComparisonSpec, left: Record, right: Record) -> str | None:
    """The label of the level of `spec` that two prepared records fall in (through the
    Python twins), or None for its "not known" level."""
    level = next(lv for lv in spec.levels if lv.py(left, right))
    return None if level.is_null_level else level.label


def comparison_specs() -> tuple[ComparisonSpec, ...]:
    """Every comparison of the model, in the order Splink evaluates them."""
    return (_forename(), _middle_names(), _dob(), _sex(), _family_and_place(), _strong_id())

