"""Officers' free-text incident summaries, in the varied ways officers write them.

A child mentioned only here (not recorded as a person at the incident) must be findable
by a careful reader: a name, and an age or another sign of a child, in one of several
phrasings rather than a single fixed template.
"""

from __future__ import annotations

import numpy as np

_ROOMS = ("kitchen", "living room", "front bedroom", "back bedroom", "hallway", "upstairs")
_CHILD_MENTIONS = (
    "Child {first} {SURNAME} ({age}) present in the {room}.",
    "{first} {surname}, aged {age}, was in the {room} at the time.",
    "Victim's {relation} {first} ({age} yrs) witnessed the argument.",
    "A child, {first} {SURNAME} approx {age}, was asleep in the {room}.",
    "{FIRST} {SURNAME} - DOB not known, approx {age} years - at the address throughout.",
    "Officers spoke to {first} ({age}), who said there had been shouting.",
    "Also present: {relation} {first} {surname}, {age}.",
    "{first} {SURNAME} (child, {age}) was taken to a neighbour's by officers.",
)
_OPENINGS = {
    "domestic-abuse": (
        "Officers attended following a 999 call reporting a verbal argument between partners.",
        "Report of shouting and banging from the address; neighbour called police.",
        "Third-party call: female heard screaming. On arrival both parties present.",
        "Domestic incident. Caller states partner has been drinking and is threatening her.",
    ),
    "violence": ("Report of an assault outside licensed premises.",
                 "Male reported being punched during an altercation.",
                 "Fight in the street, one party left before police arrived."),
    "sexual-offence": ("Report of a sexual assault; victim spoken to by specialist officer.",
                       "Disclosure of historic sexual abuse made to school and passed to police."),
    "drugs": ("Stop and search: suspected cannabis found.",
              "Intelligence-led visit; drug paraphernalia seen at the address."),
    "antisocial-behaviour": ("Complaint of noise and a group gathering late at night.",
                             "Neighbour dispute over parking and shouting.",
                             "Youths reported causing a nuisance near the shops."),
    "concern-for-welfare": ("Concern for welfare raised by a family member; officers "
                            "attended the address.",
                            "Welfare check requested by a GP surgery."),
    "missing-person": ("Young person reported missing by a parent; returned later unharmed.",
                       "Missing from home overnight; found at a friend's address."),
    "other": ("Report of a disturbance; words of advice given.",
              "Call for assistance; no offences disclosed."),
}
_OUTCOMES = ("DASH completed, risk assessed as standard.",
             "DASH completed, risk assessed as medium.",
             "DASH completed, risk assessed as high; referred to MARAC.",
             "Suspect arrested and taken into custody.", "Suspect left before police arrival.",
             "No offences disclosed.", "Crime recorded; enquiries ongoing.")


def _pick(options: tuple[str, ...], rng: np.random.Generator) -> str:
    return options[int(rng.integers(0, len(options)))]


def child_mention(rng: np.random.Generator, first: str, surname: str, age: int,
                  sex: int) -> str:
    """A sentence naming a child present, in one of several officer phrasings."""
    return _pick(_CHILD_MENTIONS, rng).format(
        first=first, surname=surname, FIRST=first.upper(), SURNAME=surname.upper(),
        age=max(age, 0), room=_pick(_ROOMS, rng), relation="daughter" if sex == 0 else "son")


def incident_summary(rng: np.random.Generator, kind: str, suspect: str | None,
                     victim: str | None, mentions: list[str]) -> str:
    """The summary an officer wrote: what happened, who, and the children mentioned."""
    parts = [_pick(_OPENINGS.get(kind, _OPENINGS["other"]), rng)]
    if victim and suspect:
        parts.append(f"{victim} states {suspect} was aggressive towards them.")
    elif suspect:
        parts.append(f"Suspect {suspect} identified.")
    parts += mentions
    if kind == "domestic-abuse":
        parts.append(_pick(_OUTCOMES, rng))
    return " ".join(parts)
