"""The second-look rules: one documented, configurable place (`second_look.toml`).

Four rules, each named as the prompts and the synthetic truth name them:

- `nfa-with-serious-marker`: a referral closed with no further action, or an assessment
  ending with no services, while an adult near the child (parent, step-parent, carer,
  household member on the decision date) carries a serious marker (domestic abuse, sexual
  offence, an order) that the deciding agency's records linked to the child do not hold;
- `repeat-referrals`: three or more referrals for the same child within twelve months;
- `incident-no-referral`: a domestic-abuse incident with a child present and no referral
  of that child within N days;
- `marker-adult-joined`: an adult with a domestic-abuse marker joining the child's
  household after the child's last assessment.

`load_second_look()` reads the packaged TOML, overlaid by the file named in
`KINLINK_SECOND_LOOK_CONFIG`; a mistake is a `ConfigError` naming the file and key.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, PositiveInt, ValidationError

from kinlink.config import Settings, get_settings, read_toml
from kinlink.errors import ConfigError
from kinlink.ingest.format import INCIDENT_ROLES, INCIDENT_TYPES, RELATIONSHIP_TYPES, RISK_MARKERS
from kinlink.network.view import ROLE_ORDER

PACKAGED = Path(__file__).with_name("second_look.toml")
RULES_FILE = "second-look rules file"
RULES = ("nfa-with-serious-marker", "repeat-referrals", "incident-no-referral",
         "marker-adult-joined")
"""The rule names, as alerts, `kinlink export prompts` and `truth/second_look.csv` write them."""


class _Rule(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    enabled: bool = True


def _vocabulary(vocabulary: tuple[str, ...]) -> Any:
    """A validator refusing values outside a vocabulary of `kinlink.ingest.format`."""
    def check(values: tuple[str, ...]) -> tuple[str, ...]:
        unknown = [v for v in values if v not in vocabulary]
        if unknown:
            raise ValueError(f"unknown {', '.join(unknown)}; known: {', '.join(vocabulary)}")
        return values
    return AfterValidator(check)


Markers = Annotated[tuple[str, ...], _vocabulary(RISK_MARKERS)]


class NfaRule(_Rule):
    serious_markers: Markers
    roles: Annotated[tuple[str, ...], _vocabulary(ROLE_ORDER)]
    no_services_closure_days: PositiveInt


class RepeatRule(_Rule):
    count: int = Field(ge=2)
    window_days: PositiveInt


class IncidentRule(_Rule):
    incident_types: Annotated[tuple[str, ...], _vocabulary(INCIDENT_TYPES)]
    child_roles: Annotated[tuple[str, ...], _vocabulary(INCIDENT_ROLES)]
    referral_within_days: PositiveInt


class JoinedRule(_Rule):
    markers: Markers
    join_relations: Annotated[tuple[str, ...], _vocabulary(RELATIONSHIP_TYPES)]


class SecondLookConfig(BaseModel):
    """Every rule's settings (the TOML's tables, by rule name)."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)
    nfa: NfaRule = Field(alias="nfa-with-serious-marker")
    repeat: RepeatRule = Field(alias="repeat-referrals")
    incident: IncidentRule = Field(alias="incident-no-referral")
    joined: JoinedRule = Field(alias="marker-adult-joined")
    source: str = Field(default=str(PACKAGED), exclude=True)


def load_second_look(path: Path | None = None, *,
                     settings: Settings | None = None) -> SecondLookConfig:
    """The packaged rules, overlaid table by table by `path` (else the file named by
    `KINLINK_SECOND_LOOK_CONFIG`, if any)."""
    path = path or (settings or get_settings()).second_look_config
    data = read_toml(PACKAGED, RULES_FILE)
    if path is not None:
        for name, table in read_toml(Path(path), RULES_FILE).items():
            if name not in data or not isinstance(table, dict):
                raise ConfigError(f"{path}: key {name!r}: not a rule; the rules are "
                                  f"{', '.join(RULES)}")
            data[name] = {**data[name], **table}
    try:
        return SecondLookConfig.model_validate({**data, "source": str(path or PACKAGED)})
    except ValidationError as e:
        first = e.errors()[0]
        key = ".".join(str(p) for p in first["loc"]) or "(top level)"
        raise ConfigError(f"{path or PACKAGED}: key {key!r}: {first['msg']}") from e
