"""Each shipped noise profile gives the borough its shapes, at its configured rates.

Record shapes are measured like test_rates.py: the records where a shape was possible are
found by undoing the logged shapes on the extract's values (they are made last, so undoing
them gives the values they were made on), originals and duplicates apart (a duplicate has
5 times the rate, at most 1). Population shapes (twins, parents' names, namesakes) are
measured on the population itself, against the same seed without the shape.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

import jellyfish
import numpy as np
import polars as pl
import pytest
from typer.testing import CliRunner

from kinlink.cli import app
from kinlink.errors import ConfigError
from kinlink.ingest.format import AGENCIES
from kinlink.synth import SynthConfig, generate, load_config
from kinlink.synth.config import shipped_profiles
from kinlink.synth.population import CHILD, Population, age_on, make_population
from kinlink.synth.records import DUPLICATE_BOOST

Check = tuple[str, int, int, float]
Misfits = Callable[[Iterable[Check]], list[str]]
Record = dict[str, Any]
PEOPLE = 3000


def _read(path: Path) -> pl.DataFrame:
    return pl.read_csv(path, infer_schema=False)


SHAPES = ("dob-missing", "typo-both-names", "typo-multiple", "first-name-initial",
          "sex-missing", "address-us-style", "address-free-text", "postcode-in-address",
          "address-missing")
"""The shapes measured here, in the order the generator makes them (dob-missing, the
sparse profile's, comes before the others and nothing after it touches the date)."""


class Profiled:
    """A borough generated with one profile: each record as written, with the shapes it
    got, so that its values when each shape was made can be found."""

    def __init__(self, out: Path, profile: str) -> None:
        self.config = load_config(profile=profile)
        errors = _read(out / "truth" / "errors.csv")
        self.records: dict[str, dict[str, Record]] = {}
        for agency in AGENCIES:
            mine = errors.filter(pl.col("agency") == agency)
            records = {r["record_id"]: {"written": r, "rows": [], "duplicate": False,
                                        "associate": False}
                       for r in _read(out / agency / "people.csv").iter_rows(named=True)}
            for e in mine.iter_rows(named=True):
                rec = records.get(e["record_id"])
                if rec is None:
                    continue
                rec["duplicate"] |= e["error_kind"] == "duplicate-record"
                rec["associate"] |= e["error_kind"] == "wrong-place-associate"
                if e["error_kind"] in SHAPES:
                    rec["rows"].append(e)
            self.records[agency] = records

    def checks(self, kind: str, possible: Callable[[Record], bool]) -> Iterator[Check]:
        """(kind, made, possible, rate) per agency, originals and duplicates apart;
        `possible` is asked of the record's values when the shape was made."""
        for agency in AGENCIES:
            rate = self.config.agencies[agency].rate(kind)
            for dup in (False, True):
                where = [r for r in self.records[agency].values()
                         if r["duplicate"] == dup and not r["associate"]
                         and possible(values_at(r, kind))]
                made = sum(kind in shapes(r) for r in where)
                p = min(rate * DUPLICATE_BOOST, 1.0) if dup else rate
                yield f"{agency} {kind}{' (duplicates)' if dup else ''}", made, len(where), p


def shapes(rec: Record) -> list[str]:
    """The shapes a record got."""
    return [e["error_kind"] for e in rec["rows"]]


def values_at(rec: Record, kind: str) -> Record:
    """A record's values when `kind` was made: the written ones with every shape made
    after it (or it) undone, latest first."""
    values = dict(rec["written"])
    for e in reversed(rec["rows"]):
        if SHAPES.index(e["error_kind"]) >= SHAPES.index(kind):
            old = (e["detail"] or "").split(" -> ")[0]
            if e["error_kind"] in ("address-us-style", "postcode-in-address",
                                   "address-missing"):
                values["address"], _, postcode = old.partition(" | ")
                values["postcode"] = postcode or None
            else:
                values[e["field"]] = old or None
    return values


@pytest.fixture(scope="module")
def profiled(tmp_path_factory: pytest.TempPathFactory) -> Callable[[str], Profiled]:
    """A borough of 3,000 people per profile, generated when first asked for."""
    made: dict[str, Profiled] = {}

    def get(profile: str) -> Profiled:
        if profile not in made:
            out = tmp_path_factory.mktemp(profile)
            generate(out, people=PEOPLE, seed=5, config=load_config(profile=profile))
            made[profile] = Profiled(out, profile)
        return made[profile]
    return get


def _long(*columns: str, more_than: int) -> Callable[[Record], bool]:
    return lambda r: all(len(r[c] or "") > more_than for c in columns)


def test_profiles_are_shipped_and_valid() -> None:
    assert shipped_profiles() == ["default", "freetext", "households", "sparse", "typos"]
    assert load_config(profile="default") == SynthConfig()


def test_typos_misspell_both_names_and_one_name_several_times(
        profiled: Callable[[str], Profiled], misfits: Misfits) -> None:
    b = profiled("typos")
    assert not misfits([
        *b.checks("typo-both-names", _long("first_name", "surname", more_than=2)),
        *b.checks("typo-multiple", lambda r: len(r["first_name"]) > 4
                  or len(r["surname"]) > 4)])
    slipped = [r for a in AGENCIES for r in b.records[a].values()
               if "typo-both-names" in shapes(r)]
    # Both names changed, unless a slip changed nothing (swapping the two l's of "Elliott").
    both_changed = [r for r in slipped if {e["field"] for e in r["rows"]
                                           if e["error_kind"] == "typo-both-names"}
                    == {"first_name", "surname"}]
    assert len(both_changed) > 0.9 * len(slipped)
    several = [e["detail"] for a in AGENCIES for r in b.records[a].values()
               for e in r["rows"] if e["error_kind"] == "typo-multiple"]
    # Two or three slips: most leave the name two or more edits from what it was.
    apart = [jellyfish.damerau_levenshtein_distance(*d.split(" -> ")) for d in several]
    assert several and sum(d >= 2 for d in apart) > 0.8 * len(apart)


def test_sparse_blanks_dates_sex_and_one_agencys_addresses(
        profiled: Callable[[str], Profiled], misfits: Misfits) -> None:
    b = profiled("sparse")
    checks = [*b.checks("dob-missing", lambda r: r["dob"] is not None),
              *b.checks("first-name-initial", _long("first_name", more_than=1))]
    assert not misfits(checks)
    for agency in AGENCIES:
        assert all(r["written"]["sex"] is None for r in b.records[agency].values()), agency
    police = [r["written"] for r in b.records["police"].values()]
    assert all(r["address"] is None and r["postcode"] is None for r in police)
    assert any(r["written"]["address"] for r in b.records["health"].values())


def test_freetext_puts_postcodes_inside_addresses(
        profiled: Callable[[str], Profiled], misfits: Misfits) -> None:
    b = profiled("freetext")
    assert not misfits([
        *b.checks("address-us-style", lambda r: r["address"] is not None
                  and " " in (r["postcode"] or "")),
        *b.checks("address-free-text", lambda r: "," in (r["address"] or ""))])
    for agency in AGENCIES:
        for rid, r in b.records[agency].items():
            written = r["written"]
            assert written["postcode"] is None, (agency, rid)
            if "postcode-in-address" in shapes(r):
                postcode = values_at(r, "postcode-in-address")["postcode"]
                assert written["address"].lower().endswith(" " + postcode.lower())
            if "address-us-style" in shapes(r):
                assert written["address"].split()[-1].isdigit()
                assert written["address"] == written["address"].lower()


def _children_in_order(pop: Population) -> tuple[np.ndarray, np.ndarray]:
    """Each child after the first of a household, and the child born before them."""
    c = np.flatnonzero(pop.role == CHILD)
    younger = c[1:][pop.household[c[1:]] == pop.household[c[:-1]]]
    return younger, younger - 1


def _population(**rates: float) -> Population:
    config = SynthConfig(**rates)
    return make_population(np.random.default_rng(9), 6000, np.datetime64(config.as_of), config)


def test_households_profile_has_many_twins(misfits: Misfits) -> None:
    rate = load_config(profile="households").twin_rate
    pop = _population(twin_rate=rate)
    younger, elder = _children_in_order(pop)
    twins = int((pop.dob[younger] == pop.dob[elder]).sum())
    assert not misfits([("twins", twins, len(younger), rate)])
    assert rate >= 5 * SynthConfig().twin_rate


def _same_name_as_parent(pop: Population) -> tuple[np.ndarray, np.ndarray]:
    """Children with a parent of their sex, and whether they share that parent's name."""
    parent = pop.rel_type == "parent"
    p1, p2 = pop.rel_p1[parent], pop.rel_p2[parent]
    same_sex = pop.sex[p1] == pop.sex[p2]
    p1, p2 = p1[same_sex], p2[same_sex]
    children = np.unique(p2)
    shared = np.isin(children, p2[pop.first[p1] == pop.first[p2]])
    return children, shared


def test_households_profile_names_children_after_a_parent(misfits: Misfits) -> None:
    rate = load_config(profile="households").same_name_parent_rate
    before, _ = _same_name_as_parent(_population()), None
    children, shared = _same_name_as_parent(_population(same_name_parent_rate=rate))
    by_chance = before[0][before[1]]  # same seed, same families: named so anyway
    counted = ~np.isin(children, by_chance)
    assert not misfits([("same name as parent", int(shared[counted].sum()),
                         int(counted.sum()), rate)])


def test_households_profile_has_strangers_sharing_name_and_birthday(
        misfits: Misfits) -> None:
    rate = load_config(profile="households").namesake_rate
    plain, pop = _population(), _population(namesake_rate=rate)
    changed = np.flatnonzero((pop.first != plain.first) | (pop.dob != plain.dob))
    for b in changed:
        twin = np.flatnonzero((pop.first == pop.first[b]) & (pop.dob == pop.dob[b])
                              & (pop.sex == pop.sex[b]) & (pop.household != pop.household[b]))
        assert len(twin), b
    # Chances as drawn: each person after another of their sex and age, in another household,
    # unless the one before them was drawn too.
    order = np.lexsort((plain.dob, plain.sex))
    a, b = order[:-1], order[1:]
    years = age_on(plain.dob, plain.as_of)
    possible = ((plain.sex[a] == plain.sex[b]) & (plain.household[a] != plain.household[b])
                & (years[a] == years[b]))
    chance = rate * (1 - rate * np.concatenate([[False], possible[:-1]]))
    assert not misfits([("namesakes", len(changed), int(possible.sum()),
                         float(chance[possible].mean()))])


def test_a_profile_error_names_the_file_and_key(tmp_path: Path) -> None:
    bad = tmp_path / "mine.toml"
    bad.write_text('description = "x"\n[agencies.police.errors]\nsmudge = 0.1\n')
    with pytest.raises(ConfigError, match=r"mine\.toml: agencies\.police\.errors.*smudge"):
        load_config(profile=str(bad))
    with pytest.raises(ConfigError, match="shipped profiles: default, freetext"):
        load_config(profile="noisy")
    rate = tmp_path / "rate.toml"
    rate.write_text("twin_rate = 2\n")
    with pytest.raises(ConfigError, match=r"rate\.toml: twin_rate"):
        load_config(profile=str(rate))


def test_config_is_laid_over_the_profile(tmp_path: Path) -> None:
    over = tmp_path / "over.toml"
    over.write_text("[agencies.police.errors]\ndob-missing = 0.1\n")
    config = load_config(over, profile="sparse")
    assert config.agencies["police"].rate("dob-missing") == 0.1
    assert config.agencies["police"].rate("address-missing") == 1.0
    assert config.agencies["health"].rate("dob-missing") == 0.3


def test_synth_command_takes_a_profile(tmp_path: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(app, ["synth", "--people", "200", "--out", str(tmp_path / "b"),
                                 "--profile", "sparse", "--quiet"])
    assert result.exit_code == 0, result.output
    police = _read(tmp_path / "b" / "police" / "people.csv")
    assert police["address"].null_count() == police.height
    bad = runner.invoke(app, ["synth", "--people", "200", "--out", str(tmp_path / "c"),
                              "--profile", "smudgy"])
    assert bad.exit_code == 1 and "unknown profile 'smudgy'" in bad.output
    assert "Traceback" not in bad.output
