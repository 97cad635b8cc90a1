"""What the synthetic borough is made of: population shape, risk prevalence and error rates.

Every number has a default; a TOML file can override any of them, e.g.

    as_of = "2026-11-01"
    risk_adult_rate = 0.05
    [agencies.police.errors]
    nickname = 0.08
    [agencies.police.relationships]
    partner = 0.3
"""

from __future__ import annotations

import tomllib
from datetime import date
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from kinlink.errors import ConfigError, InputError
from kinlink.ingest.format import AGENCIES, RELATIONSHIP_TYPES

TYPOS: tuple[str, ...] = ("typo-insert", "typo-delete", "typo-substitute", "typo-transpose",
                          "typo-adjacent-key")
"""The kinds of keying slip, each with its own rate."""

# Errors made on a person record's fields. Kinds marked "eligible" in docs/synthetic-data.md
# are rates among the records where the error is possible (e.g. a nickname needs a name
# that has one); the rest are rates among all of the agency's person records.
FIELD_ERRORS: tuple[str, ...] = (
    *TYPOS, "phonetic-variant", "nickname", "transliteration", "first-middle-swap",
    "forename-surname-swap", "double-barrel", "surname-change",
    "dob-day-month-swap", "dob-digit", "dob-missing", "dob-year-only",
    "postcode-missing", "postcode-partial", "old-address",
    "nhs-number-mistyped", "nhs-number-missing",
)
RECORD_ERRORS: tuple[str, ...] = ("duplicate-record",)
# Children present at a police incident: recorded in the wrong place, or not at all.
INCIDENT_ERRORS: tuple[str, ...] = (
    "wrong-place-associate", "wrong-place-free-text", "child-not-recorded",
)
# Referral dates entered wrongly (social care).
REFERRAL_ERRORS: tuple[str, ...] = (
    "decision-date-missing", "decision-on-weekend", "assessment-before-referral",
    "assessment-not-recorded", "icpc-outcome-not-recorded",
)
STRUCTURE_ERRORS: tuple[str, ...] = ("relationship-not-recorded",)
# Shapes a whole extract can take (noise profiles, docs/synthetic-data.md): none by default.
# Made after the field errors, names first, then the sex, then places in this order.
SHAPE_ERRORS: tuple[str, ...] = (
    "typo-both-names", "typo-multiple", "first-name-initial", "sex-missing", "address-us-style",
    "address-free-text", "postcode-in-address", "address-missing",
)
ERROR_KINDS: tuple[str, ...] = (
    FIELD_ERRORS + SHAPE_ERRORS + RECORD_ERRORS + INCIDENT_ERRORS + REFERRAL_ERRORS
    + STRUCTURE_ERRORS
)
"""Every `error_kind` that `truth/errors.csv` can hold."""


def _rates(typo: float, **rates: float) -> dict[str, float]:
    out = dict.fromkeys(FIELD_ERRORS + RECORD_ERRORS, 0.0)
    out.update(dict.fromkeys(TYPOS, typo))
    out.update({k.replace("_", "-"): v for k, v in rates.items()})
    return out


_DEFAULT_ERRORS: dict[str, dict[str, float]] = {
    # Police take details at the roadside, from the person, often unverified.
    "police": _rates(
        0.012, phonetic_variant=0.04, nickname=0.06, transliteration=0.2,
        first_middle_swap=0.01, forename_surname_swap=0.01, double_barrel=0.3,
        surname_change=0.3, dob_day_month_swap=0.02, dob_digit=0.015, dob_missing=0.03,
        dob_year_only=0.02, postcode_missing=0.1, postcode_partial=0.05, old_address=0.3,
        duplicate_record=0.04, wrong_place_associate=0.1, wrong_place_free_text=0.15,
        child_not_recorded=0.12,
    ),
    # Social care records families from referrals, phone calls and visits.
    "social-care": _rates(
        0.006, phonetic_variant=0.02, nickname=0.04, transliteration=0.1,
        first_middle_swap=0.005, forename_surname_swap=0.003, double_barrel=0.2,
        surname_change=0.25, dob_day_month_swap=0.01, dob_digit=0.008, dob_missing=0.02,
        dob_year_only=0.01, postcode_missing=0.03, postcode_partial=0.02, old_address=0.2,
        duplicate_record=0.025, decision_date_missing=0.01, decision_on_weekend=0.01,
        assessment_before_referral=0.005, assessment_not_recorded=0.02,
        icpc_outcome_not_recorded=0.05,
    ),
    # GP registration copies documents; errors are rarer but records go stale.
    "health": _rates(
        0.002, phonetic_variant=0.005, nickname=0.005, transliteration=0.05,
        first_middle_swap=0.002, forename_surname_swap=0.001, double_barrel=0.1,
        surname_change=0.15, dob_day_month_swap=0.003, dob_digit=0.002, dob_missing=0.001,
        dob_year_only=0.0005, postcode_missing=0.01, postcode_partial=0.005,
        old_address=0.12, nhs_number_mistyped=0.002, nhs_number_missing=0.01,
        duplicate_record=0.01,
    ),
    # Schools hold children accurately (from birth certificates) but contacts loosely.
    "education": _rates(
        0.004, phonetic_variant=0.01, nickname=0.03, transliteration=0.08,
        first_middle_swap=0.003, forename_surname_swap=0.002, double_barrel=0.25,
        surname_change=0.3, dob_day_month_swap=0.004, dob_digit=0.003, dob_missing=0.005,
        dob_year_only=0.002, postcode_missing=0.02, postcode_partial=0.01, old_address=0.15,
        duplicate_record=0.012,
    ),
}

# Share of true relationships between two people an agency holds that it records, by type.
# A type an agency does not record at all (rate 0) is not counted as an error.
_DEFAULT_RELATIONSHIPS: dict[str, dict[str, float]] = {
    "police": {"partner": 0.5, "ex-partner": 0.6, "parent": 0.35, "step-parent": 0.2,
               "sibling": 0.1, "household-member": 0.1},
    "social-care": {"parent": 0.85, "step-parent": 0.6, "carer": 0.8, "partner": 0.6,
                    "ex-partner": 0.5, "sibling": 0.7, "household-member": 0.4},
    "health": {"parent": 0.5},
    "education": {"parent": 0.92, "step-parent": 0.7, "carer": 0.9},
}


class AgencyConfig(BaseModel):
    """How one agency records people: its error rates and which relationships it keeps."""

    model_config = ConfigDict(extra="forbid")

    errors: dict[str, float] = Field(default_factory=dict)
    relationships: dict[str, float] = Field(default_factory=dict)

    @field_validator("errors")
    @classmethod
    def _known_errors(cls, value: dict[str, float]) -> dict[str, float]:
        unknown = sorted(set(value) - set(ERROR_KINDS))
        if unknown:
            raise ValueError(f"unknown error kinds {unknown}; known: {list(ERROR_KINDS)}")
        return _checked_rates(value)

    @field_validator("relationships")
    @classmethod
    def _known_relationships(cls, value: dict[str, float]) -> dict[str, float]:
        unknown = sorted(set(value) - set(RELATIONSHIP_TYPES))
        if unknown:
            raise ValueError(f"unknown relationship types {unknown}")
        return _checked_rates(value)

    def rate(self, kind: str) -> float:
        """The configured rate of an error kind (0 when the agency never makes it)."""
        return self.errors.get(kind, 0.0)


def _checked_rates(value: dict[str, float]) -> dict[str, float]:
    bad = {k: v for k, v in value.items() if not 0.0 <= v <= 1.0}
    if bad:
        raise ValueError(f"rates must be between 0 and 1: {bad}")
    return value


def _default_agencies() -> dict[str, AgencyConfig]:
    return {a: AgencyConfig(errors=dict(_DEFAULT_ERRORS[a]),
                            relationships=dict(_DEFAULT_RELATIONSHIPS[a])) for a in AGENCIES}


class SynthConfig(BaseModel):
    """Everything that shapes a synthetic borough; `truth/config.json` records the values used."""

    model_config = ConfigDict(extra="forbid")

    as_of: date = date(2026, 11, 1)
    """The reference date: ages, 'current' households and the referral window end here."""
    risk_adult_rate: float = 0.04
    """Share of adults who carry at least one risk marker."""
    police_adult_rate: float = 0.06
    """Share of adults, besides those with risks, who appear in a police incident."""
    referral_rate: float = 0.055
    """Share of children referred to social care in a year."""
    health_coverage: float = 0.97
    """Share of residents registered with a GP."""
    education_coverage: float = 0.98
    """Share of school-age children on a school roll."""
    twin_rate: float = Field(default=0.02, ge=0.0, le=1.0)
    """Share of younger children born on the same day as the sibling before them."""
    same_name_parent_rate: float = Field(default=0.0, ge=0.0, le=1.0)
    """Share of children given the first name of their parent of the same sex."""
    namesake_rate: float = Field(default=0.0, ge=0.0, le=1.0)
    """Share of people given the first name and date of birth of a stranger of the same
    sex and age (another household)."""
    agencies: dict[str, AgencyConfig] = Field(default_factory=_default_agencies)

    @field_validator("agencies")
    @classmethod
    def _fill_agencies(cls, value: dict[str, AgencyConfig]) -> dict[str, AgencyConfig]:
        """Agencies and rates not named in a config file keep their defaults."""
        unknown = sorted(set(value) - set(AGENCIES))
        if unknown:
            raise ValueError(f"unknown agencies {unknown}; known: {list(AGENCIES)}")
        merged = _default_agencies()
        for name, given in value.items():
            merged[name].errors.update(given.errors)
            merged[name].relationships.update(given.relationships)
        return merged


PROFILES_DIR = Path(__file__).parent / "profiles"
"""The shipped noise profiles, one `<name>.toml` each (docs/synthetic-data.md)."""


def shipped_profiles() -> list[str]:
    """Names of the noise profiles shipped with Kinlink."""
    return sorted(p.stem for p in PROFILES_DIR.glob("*.toml"))


def profile_path(profile: str) -> Path:
    """The file of a profile given by name (`typos`) or as a path (`mine.toml`)."""
    if profile.endswith(".toml") or "/" in profile:
        return Path(profile)
    path = PROFILES_DIR / f"{profile}.toml"
    if not path.is_file():
        raise ConfigError(f"unknown profile {profile!r}; shipped profiles: "
                          f"{', '.join(shipped_profiles())} (or give a FILE.toml)")
    return path


def load_config(path: Path | None = None, *, profile: str | None = None) -> SynthConfig:
    """The default configuration overridden by a noise profile, then by a TOML file.

    Both files have one format (a profile may also hold a `description`); each is
    validated on its own first, so that an error names the file and key at fault.
    """
    data: dict[str, Any] = {}
    config = SynthConfig()
    for file in [f for f in (profile_path(profile) if profile else None, path) if f]:
        given = _read_toml(file)
        _validated(given, file)
        data = _merged(data, given)
        config = _validated(data, file)
    return config


def _read_toml(path: Path) -> dict[str, Any]:
    """A TOML file's settings, without its `description`."""
    try:
        data: dict[str, Any] = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as e:
        raise InputError("config file not found", file=str(path)) from e
    except tomllib.TOMLDecodeError as e:
        raise InputError(f"not valid TOML: {e}", file=str(path)) from e
    data.pop("description", None)
    return data


def _validated(data: dict[str, Any], path: Path) -> SynthConfig:
    try:
        return SynthConfig.model_validate(data)
    except ValidationError as e:
        first = e.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise ConfigError(f"{path}: {where}: {first['msg']}") from e


def _merged(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    """`base` with the settings of `over` laid on top, table by table."""
    out = dict(base)
    for key, value in over.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _merged(out[key], value)
        else:
            out[key] = value
    return out
