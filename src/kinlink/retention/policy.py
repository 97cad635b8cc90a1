"""Retention groups in the style of Management of Police Information (MoPI), configurable.

A source record falls in the first group whose markers it holds (the last group, with no
markers, takes the rest). It is due for review once `review_years` have passed since the
last thing an agency sent about it (a new version of any of its rows, a marker's start or
end): the review decides whether to keep it or dispose of it. A group with
`keep_until_age` keeps its records, however old, until the person would reach that age
(MoPI's group 1: public protection matters, kept until the 100th birthday and reviewed
every ten years).
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

from kinlink import vocabulary
from kinlink.errors import ConfigError


@dataclass(frozen=True)
class RetentionGroup:
    name: str
    markers: frozenset[str]  # empty: every record not in an earlier group
    review_years: int
    keep_until_age: int | None = None


DEFAULT_POLICY: tuple[RetentionGroup, ...] = (
    RetentionGroup("1 public protection", frozenset({
        "sexual-offence", "child-sexual-exploitation", "domestic-abuse-perpetrator",
        "non-molestation-order-respondent", "child-protection-plan"}), 10, 100),
    RetentionGroup("2 other serious", frozenset({"violence", "weapons", "gang-association"}),
                   10),
    RetentionGroup("3 other", frozenset(), 6),
)


def group_of(markers: set[str], policy: tuple[RetentionGroup, ...]) -> RetentionGroup:
    """The first group whose markers the record holds, else the catch-all group."""
    for group in policy:
        if not group.markers or group.markers & markers:
            return group
    return policy[-1]


def load_policy(path: Path | None) -> tuple[RetentionGroup, ...]:
    """The policy of a TOML file (`[[groups]]` with name, markers, review_years and
    optionally keep_until_age, in order), or the default one; ConfigError naming the file
    when it is wrong."""
    if path is None:
        return DEFAULT_POLICY
    try:
        groups = tomllib.loads(path.read_text(encoding="utf-8"))["groups"]
        policy = tuple(RetentionGroup(
            str(g["name"]), frozenset(vocabulary.marker(m).name for m in g.get("markers", [])),
            int(g["review_years"]), g.get("keep_until_age")) for g in groups)
    except (OSError, tomllib.TOMLDecodeError, KeyError, TypeError, ValueError,
            vocabulary.VocabularyError) as e:
        raise ConfigError(f"{path}: not a retention policy ({e})") from e
    if not policy or policy[-1].markers:
        raise ConfigError(f"{path}: the last group must have no markers (it takes the rest)")
    return policy
