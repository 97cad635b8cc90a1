"""Children's social care: referred children, their families, referrals and markers.

Children are referred more often where an adult at home carries a risk, and most often after
police attended domestic abuse with them present. Social care then records the child's
household, parents (including one living elsewhere) and parents' partners.
"""

from __future__ import annotations

import numpy as np

from kinlink.synth.arrays import blanked, is_in
from kinlink.synth.config import SynthConfig
from kinlink.synth.population import DAY, Population
from kinlink.synth.records import (
    AgencyData,
    corrupt_and_store,
    date_text,
    make_records,
    person_values,
    record_relationships,
    recorded_dates,
)
from kinlink.synth.referrals import Referrals, draw_referrals, messy_dates
from kinlink.synth.risk import ADULT_RISK_MARKERS, Risks
from kinlink.synth.universal import add_markers


def _referred_children(rng: np.random.Generator, pop: Population, risks: Risks,
                       config: SynthConfig) -> tuple[np.ndarray, np.ndarray]:
    """Children referred in the two years, and whether the police referred each."""
    age = pop.age()
    children = np.flatnonzero(age < 18)
    weight = np.ones(len(pop))
    risky_home = np.unique(pop.household[risks.person[is_in(risks.marker,
                                                             ADULT_RISK_MARKERS)]])
    weight[np.isin(pop.household, risky_home)] *= 8
    at_da = risks.attend_person[risks.attend_role == "child-present"]
    weight[at_da] *= 20
    w = weight[children]
    n = min(len(children), round(config.referral_rate * 2 * len(children) * 0.85))
    referred = np.sort(rng.choice(children, size=n, replace=False, p=w / w.sum()))
    return referred, np.isin(referred, at_da) & (rng.random(n) < 0.8)


def _families(pop: Population, children: np.ndarray) -> np.ndarray:
    """The referred children's households, parents and parents' partners."""
    in_home = np.isin(pop.household, np.unique(pop.household[children]))
    referred = np.zeros(len(pop), dtype=bool)
    referred[children] = True
    parents = is_in(pop.rel_type, ("parent", "step-parent", "carer")) & referred[pop.rel_p2]
    parent = np.zeros(len(pop), dtype=bool)
    parent[pop.rel_p1[parents]] = True
    partners = pop.rel_type == "partner"
    partner_of_parent = np.concatenate([pop.rel_p2[partners & parent[pop.rel_p1]],
                                        pop.rel_p1[partners & parent[pop.rel_p2]]])
    family = in_home | parent
    family[partner_of_parent] = True
    return np.flatnonzero(family)


def build_social_care(rng: np.random.Generator, pop: Population, risks: Risks,
                      config: SynthConfig, nhs: np.ndarray) -> AgencyData:
    """The social care extract."""
    care = AgencyData("social-care", config.agencies["social-care"])
    children, by_police = _referred_children(rng, pop, risks, config)
    held = _families(pop, children)
    make_records(care, pop, held, rng, id_format="SC{:06d}")
    values = person_values(care, pop, np.full(len(pop), None, dtype=object))
    # Social care asks health for the child's NHS number, and usually gets it.
    has_nhs = np.isin(care.person, children) & (rng.random(len(care.person)) < 0.7)
    values.nhs_number = blanked(~has_nhs, nhs[care.person])
    corrupt_and_store(care, pop, values, rng,
                      recorded_dates(pop, care.person, rng, pop.as_of - 8 * 365 * DAY),
                      {"local_id": np.array([f"LCS{s:07d}" for s in rng.choice(
                          9_000_000, len(care.person), replace=False)], dtype=object)})
    refs = draw_referrals(rng, children, by_police, pop.as_of)
    _referral_table(rng, care, refs)
    # Social care hears of most domestic abuse and some other risks in the families it holds.
    knows = is_in(risks.marker, ("domestic-abuse-perpetrator", "domestic-abuse-victim",
                                   "non-molestation-order-respondent")) & (
        rng.random(len(risks.person)) < 0.6)
    knows |= is_in(risks.marker, ("drug-misuse", "alcohol-misuse", "mental-health")) & (
        rng.random(len(risks.person)) < 0.35)
    add_markers(rng, pop, risks, care, knows)
    _plan_markers(care, refs, rng)
    record_relationships(care, pop, rng)
    return care


def _referral_table(rng: np.random.Generator, care: AgencyData, refs: Referrals) -> None:
    record = care.record_of(refs.child, rng)
    order = np.argsort(refs.columns["referral_date"], kind="stable")
    ids = np.empty(len(order), dtype=object)
    ids[order] = [f"REF{i + 1:07d}" for i in range(len(order))]
    messy_dates(rng, refs, care.config, care.log, record, ids)
    columns: dict[str, np.ndarray] = {"referral_id": ids, "record_id": care.record_id[record]}
    for name, values in refs.columns.items():
        if np.issubdtype(values.dtype, np.datetime64):
            # The referral was received at a time; what followed is recorded by day.
            if name == "referral_date":
                text = np.datetime_as_string(values.astype("datetime64[m]")).astype(object)
            else:
                text = np.datetime_as_string(values.astype("datetime64[D]")).astype(object)
            text[np.isnat(values)] = None
            values = text
        elif values.dtype == bool:
            values = np.where(values, "true", "false").astype(object)
        columns[name] = values
    care.add_table("referrals", columns)


def _plan_markers(care: AgencyData, refs: Referrals, rng: np.random.Generator) -> None:
    """A child protection plan marker on each child with a plan."""
    plan = refs.columns["cp_plan_start_date"]
    has = ~np.isnat(plan)
    rec = care.record_of(refs.child[has], rng)
    care.add_table("risk_markers", {
        "record_id": care.record_id[rec],
        "marker": np.full(len(rec), "child-protection-plan", dtype=object),
        "start_date": date_text(plan[has]), "end_date": date_text(
            refs.columns["cp_plan_end_date"][has]),
        "review_date": date_text(plan[has] + 91),
        "related_record_id": np.full(len(rec), None, dtype=object),
        "notes": np.full(len(rec), None, dtype=object),
    })
