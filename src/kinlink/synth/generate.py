"""Generate a synthetic borough: the population, each agency's extract, and the truth."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from kinlink.errors import InputError
from kinlink.synth.config import SynthConfig
from kinlink.synth.hidden import RiskPairs, find_risk_pairs
from kinlink.synth.identifiers import nhs_numbers
from kinlink.synth.names import ORIGINS
from kinlink.synth.planted import plant_second_look
from kinlink.synth.police import RECORDED, build_police, child_fates, incident_ids
from kinlink.synth.population import HOUSEHOLD_TYPE_NAMES, Population, make_population
from kinlink.synth.records import AgencyData, date_text, marker_rows
from kinlink.synth.risk import Risks, draw_incidents, draw_markers
from kinlink.synth.second_look import second_look_truth
from kinlink.synth.socialcare import build_social_care
from kinlink.synth.universal import build_education, build_health
from kinlink.synth.writer import write_agency, write_csv, write_json

MIN_PEOPLE = 50
_STEPS = ("population", "risks and incidents", "police", "health", "education",
          "social care", "hidden risks", "writing")


@dataclass
class SynthSummary:
    """What a generation produced."""

    out: Path
    seed: int
    persons: int
    households: int
    records: dict[str, int]  # person records per agency
    rows: dict[str, dict[str, int]]  # rows written per agency and table
    hidden_risks: dict[str, int]  # hidden (child, adult, marker) pairs by reason
    risk_pairs: int  # all connected (child, adult, marker) pairs, visible or hidden
    errors: dict[str, int] = field(default_factory=dict)  # injected errors by kind
    seconds: float = 0.0


def person_ids(persons: np.ndarray) -> np.ndarray:
    """Truth person ids (`T0000001` ...) of person indices."""
    return np.array([f"T{p + 1:07d}" for p in persons.tolist()], dtype=object)


@contextmanager
def _steps(show: bool) -> Iterator[Callable[[str], None]]:
    """A progress bar over the generation steps (or a no-op)."""
    if not show:
        yield lambda _name: None
        return
    columns = (TextColumn("{task.description:<22}"), BarColumn(), TextColumn(
        "{task.completed}/{task.total}"), TimeElapsedColumn())
    with Progress(*columns, transient=True) as progress:
        task = progress.add_task("synth", total=len(_STEPS))

        def advance(name: str) -> None:
            progress.update(task, description=name, advance=1)

        progress.update(task, description=_STEPS[0])
        yield advance


def generate(out: Path, *, people: int, seed: int, config: SynthConfig | None = None,
             progress: bool = False) -> SynthSummary:
    """Write a synthetic borough of `people` persons to `out` (extracts and `truth/`).

    The same seed and configuration give byte-identical files.
    """
    if people < MIN_PEOPLE:
        raise InputError(f"--people must be at least {MIN_PEOPLE} (got {people})")
    config = config or SynthConfig()
    started = time.perf_counter()
    rng = np.random.default_rng(seed)
    as_of = np.datetime64(config.as_of, "D")
    with _steps(progress) as step:
        pop = make_population(rng, people, as_of, config)
        step(_STEPS[1])
        risks = draw_incidents(rng, pop, config, draw_markers(rng, pop, config))
        fate = child_fates(rng, risks, config)
        nhs = nhs_numbers(rng, people)
        step(_STEPS[2])
        police = build_police(rng, pop, risks, config, fate, nhs)
        step(_STEPS[3])
        health = build_health(rng, pop, risks, config, nhs)
        step(_STEPS[4])
        education = build_education(rng, pop, config)
        step(_STEPS[5])
        care = build_social_care(rng, pop, risks, config, nhs)
        agencies = [police, care, health, education]
        plant_second_look(rng, pop, risks, {a.name: a for a in agencies})
        step(_STEPS[6])
        pairs = find_risk_pairs(pop, risks, agencies, fate)
        step(_STEPS[7])
        rows = {a.name: write_agency(out, a) for a in agencies}
        errors = _write_truth(out / "truth", pop, risks, fate, nhs, agencies, pairs)
        write_json(out / "truth" / "config.json",
                   {"seed": seed, "people": people, **config.model_dump(mode="json")})
    hidden = Counter(r for h in pairs.hidden_because if h for r in h.split(";"))
    return SynthSummary(
        out=out, seed=seed, persons=people, households=len(pop.household_type),
        records={a.name: len(a.person) for a in agencies}, rows=rows,
        hidden_risks={"total": sum(1 for h in pairs.hidden_because if h), **dict(
            sorted(hidden.items())), "undiscoverable": pairs.discoverable.count(False)},
        risk_pairs=len(pairs.child), errors=errors, seconds=time.perf_counter() - started)


def _write_truth(out: Path, pop: Population, risks: Risks, fate: np.ndarray, nhs: np.ndarray,
                 agencies: list[AgencyData], pairs: RiskPairs) -> dict[str, int]:
    """Write every truth file; returns the count of injected errors by kind."""
    everyone = np.arange(len(pop))
    write_csv(out / "records.csv", {
        "agency": np.concatenate([np.full(len(a.person), a.name, dtype=object)
                                  for a in agencies]),
        "record_id": np.concatenate([a.record_id for a in agencies]),
        "person_id": person_ids(np.concatenate([a.person for a in agencies])),
    }, sort=("agency", "record_id"))
    write_csv(out / "persons.csv", {
        "person_id": person_ids(everyone), "first_name": pop.first,
        "middle_names": pop.middle, "surname": pop.surname,
        "previous_surnames": pop.prev_surname, "dob": date_text(pop.dob),
        "sex": np.where(pop.sex == 0, "F", "M").astype(object),
        "origin": np.array(ORIGINS, dtype=object)[pop.origin],
        "household_id": _household_ids(pop.household), "nhs_number": nhs,
    })
    write_csv(out / "households.csv", {
        "person_id": person_ids(pop.res_person),
        "household_id": _household_ids(pop.res_household),
        "household_type": _household_types(pop, pop.res_household),
        "address": pop.addresses.line[pop.res_address],
        "postcode": pop.addresses.postcode[pop.res_address],
        "from_date": date_text(pop.res_from), "to_date": date_text(pop.res_to),
    }, sort=("person_id", "from_date"))
    write_csv(out / "relationships.csv", {
        "person_id_1": person_ids(pop.rel_p1), "person_id_2": person_ids(pop.rel_p2),
        "type": pop.rel_type, "from_date": date_text(pop.rel_from),
        "to_date": date_text(pop.rel_to),
    }, sort=("person_id_1", "person_id_2", "type"))
    recorded_by = _recorded_by(agencies)
    write_csv(out / "markers.csv", {
        "person_id": person_ids(risks.person), "marker": risks.marker,
        "start_date": date_text(risks.start),
        "recorded_by": np.array([recorded_by.get((int(p), m)) for p, m in zip(
            risks.person, risks.marker, strict=True)], dtype=object),
    }, sort=("person_id", "marker"))
    write_csv(out / "incidents.csv", {
        "incident_id": incident_ids(risks)[risks.attend_incident],
        "person_id": person_ids(risks.attend_person), "role": risks.attend_role,
        "recorded_as": np.where(fate == RECORDED, "row", fate).astype(object),
    }, sort=("incident_id", "person_id"))
    pair_columns = {
        "child_person_id": person_ids(np.array(pairs.child, dtype=np.int64)),
        "adult_person_id": person_ids(np.array(pairs.adult, dtype=np.int64)),
        "marker": np.array(pairs.marker, dtype=object),
        "relation": np.array(pairs.relation, dtype=object),
        "hidden_because": np.array([h or None for h in pairs.hidden_because], dtype=object),
        "discoverable": np.where(pairs.discoverable, "true", "false").astype(object),
    }
    write_csv(out / "second_look.csv", second_look_truth(pop, agencies))
    write_csv(out / "risk_pairs.csv", pair_columns)
    hidden = pair_columns["hidden_because"] != None  # noqa: E711
    write_csv(out / "hidden_risks.csv", {k: v[hidden] for k, v in pair_columns.items()
                                         if k != "relation"} | {
        "relation": pair_columns["relation"][hidden]})
    return _write_errors(out / "errors.csv", agencies)


def _write_errors(path: Path, agencies: list[AgencyData]) -> dict[str, int]:
    agency, record, fld, kind, detail = [], [], [], [], []
    for a in agencies:
        agency += [a.name] * (len(a.log.record) + len(a.extra_log))
        record += [a.record_id[r] for r in a.log.record] + [e[0] or None for e in a.extra_log]
        fld += a.log.column + [e[1] for e in a.extra_log]
        kind += a.log.kind + [e[2] for e in a.extra_log]
        detail += a.log.detail + [e[3] for e in a.extra_log]
    write_csv(path, {"agency": agency, "record_id": record,
                     "field": [f or None for f in fld], "error_kind": kind,
                     "detail": [d or None for d in detail]})
    return dict(sorted(Counter(kind).items()))


def _household_ids(households: np.ndarray) -> np.ndarray:
    return np.array([f"H{h + 1:07d}" for h in households.tolist()], dtype=object)


def _household_types(pop: Population, households: np.ndarray) -> np.ndarray:
    """The type of each household (an adult's own earlier home counts as adult-alone)."""
    kinds = np.array(HOUSEHOLD_TYPE_NAMES, dtype=object)
    known = households < len(pop.household_type)
    out = np.full(len(households), "adult-alone", dtype=object)
    out[known] = kinds[pop.household_type[households[known]]]
    return out


def _recorded_by(agencies: list[AgencyData]) -> dict[tuple[int, str], str]:
    """Which agencies record each (person, marker), as `;`-separated agency names."""
    found: dict[tuple[int, str], set[str]] = {}
    for a, i, marker in marker_rows(agencies):
        found.setdefault((int(a.person[i]), marker), set()).add(a.name)
    return {k: ";".join(sorted(v)) for k, v in found.items()}
