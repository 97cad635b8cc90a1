"""The true population: households, people, family relationships and moves.

Everything is drawn with numpy from one seeded generator, household type by household type,
so a million people take seconds. A household's members are contiguous, in the order
first adult (usually the mother), second adult, grandparents, sharers, children.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from kinlink.synth.config import SynthConfig
from kinlink.synth.names import ORIGIN_SHARES, ORIGINS, origin_pools, polish_feminine
from kinlink.synth.places import Addresses, make_addresses

DAY = np.timedelta64(1, "D")
YEAR_DAYS = 365.25

# Household types and their shares of households (close to England's census mix).
ALONE, COUPLE, COUPLE_KIDS, SINGLE_PARENT, BLENDED, MULTIGEN, SHARERS = range(7)
HOUSEHOLD_SHARES = np.array([0.32, 0.29, 0.17, 0.07, 0.04, 0.03, 0.08])
HOUSEHOLD_TYPE_NAMES = ("adult-alone", "couple", "couple-with-children", "single-parent",
                        "blended", "multi-generation", "sharers")

# Roles in a household.
ADULT1, ADULT2, GRANDPARENT, SHARER, CHILD = range(5)
FEMALE, MALE = 0, 1


def age_on(dob: np.ndarray, day: np.datetime64) -> np.ndarray:
    """Calendar age in whole years on `day` of people born on `dob`."""
    def month_day(d: np.ndarray) -> np.ndarray:
        month = (d.astype("datetime64[M]") - d.astype("datetime64[Y]")).astype(int)
        return month * 100 + (d - d.astype("datetime64[M]")).astype(int)  # type: ignore[no-any-return]

    day_arr = np.full(len(dob), day, dtype="datetime64[D]")
    years = (day_arr.astype("datetime64[Y]") - dob.astype("datetime64[Y]")).astype(int)
    return years - (month_day(day_arr) < month_day(dob))  # type: ignore[no-any-return]


@dataclass
class Population:
    """The people of the borough, their households, relationships and address history."""

    as_of: np.datetime64
    sex: np.ndarray  # 0 F, 1 M
    dob: np.ndarray  # datetime64[D]
    origin: np.ndarray  # index into ORIGINS
    first: np.ndarray  # object arrays of str; middle is None where there is none
    middle: np.ndarray
    surname: np.ndarray
    prev_surname: np.ndarray  # the surname before a marriage or a change, else None
    household: np.ndarray  # current household
    role: np.ndarray
    household_type: np.ndarray  # per household
    addresses: Addresses
    # Residence history, one row per (person, period); `res_to` is NaT for the current one.
    res_person: np.ndarray
    res_household: np.ndarray
    res_address: np.ndarray
    res_from: np.ndarray
    res_to: np.ndarray
    # True relationships: rel_p1 is the rel_type of rel_p2.
    rel_p1: np.ndarray
    rel_p2: np.ndarray
    rel_type: np.ndarray
    rel_from: np.ndarray
    rel_to: np.ndarray

    def __len__(self) -> int:
        return len(self.sex)

    def age(self) -> np.ndarray:
        """Age in whole years on the reference date (18 on the 18th birthday)."""
        return age_on(self.dob, self.as_of)

    def previous_address(self) -> np.ndarray:
        """Each person's most recent former address, or -1."""
        out = np.full(len(self), -1)
        past = ~np.isnat(self.res_to)
        out[self.res_person[past]] = self.res_address[past]
        return out

    def current_address(self) -> np.ndarray:
        """Each person's address on the reference date."""
        out = np.full(len(self), -1)
        now = np.isnat(self.res_to)
        out[self.res_person[now]] = self.res_address[now]
        return out


@dataclass
class _Households:
    kind: np.ndarray
    n_adults: np.ndarray
    n_grand: np.ndarray
    n_sharers: np.ndarray
    n_children: np.ndarray
    age1: np.ndarray  # first adult's age in years

    @property
    def size(self) -> np.ndarray:
        return self.n_adults + self.n_grand + self.n_sharers + self.n_children


def _draw_households(rng: np.random.Generator, h: int) -> _Households:
    kind = rng.choice(len(HOUSEHOLD_SHARES), size=h, p=HOUSEHOLD_SHARES)
    with_kids = np.isin(kind, (COUPLE_KIDS, SINGLE_PARENT, BLENDED, MULTIGEN))
    n_adults = np.select([kind == ALONE, kind == SINGLE_PARENT, kind == SHARERS], [1, 1, 0], 2)
    # Some multi-generation households are grandparents raising grandchildren (kinship care).
    multigen_parents = rng.choice([0, 1, 2], size=h, p=[0.15, 0.35, 0.5])
    n_adults = np.where(kind == MULTIGEN, multigen_parents, n_adults)
    n_grand = np.where(kind == MULTIGEN, rng.choice([1, 2], size=h, p=[0.55, 0.45]), 0)
    n_sharers = np.where(kind == SHARERS, rng.choice([2, 3, 4], size=h, p=[0.6, 0.3, 0.1]), 0)
    n_children = np.where(with_kids, 1 + rng.choice(5, size=h, p=[0.42, 0.37, 0.14, 0.05, 0.02]),
                          0)
    age1 = np.select(
        [kind == ALONE, kind == COUPLE, kind == SHARERS, kind == MULTIGEN],
        [_mixture(rng, h, ((18, 40, .4), (40, 65, .3), (65, 95, .3))),
         _mixture(rng, h, ((20, 35, .3), (35, 55, .2), (55, 90, .5))),
         rng.uniform(18, 40, h), rng.uniform(24, 48, h)],
        rng.uniform(22, 56, h))
    return _Households(kind, n_adults, n_grand, n_sharers, n_children, age1)


def _mixture(rng: np.random.Generator, n: int,
             parts: tuple[tuple[float, float, float], ...]) -> np.ndarray:
    """Ages from a mixture of uniform ranges (low, high, share)."""
    which = rng.choice(len(parts), size=n, p=[p[2] for p in parts])
    low = np.array([p[0] for p in parts])[which]
    high = np.array([p[1] for p in parts])[which]
    return low + rng.random(n) * (high - low)


def _fit_to_size(rng: np.random.Generator, people: int) -> _Households:
    """Households holding exactly `people` persons (topped up with adults living alone)."""
    hh = _draw_households(rng, int(people / 2.2) + 10)
    keep = np.cumsum(hh.size) <= people
    for name in ("kind", "n_adults", "n_grand", "n_sharers", "n_children", "age1"):
        setattr(hh, name, getattr(hh, name)[keep])
    missing = people - int(hh.size.sum())
    if missing:
        extra = _draw_households(rng, missing)
        extra.kind[:] = ALONE
        extra.n_adults[:], extra.n_grand[:], extra.n_sharers[:], extra.n_children[:] = 1, 0, 0, 0
        extra.age1[:] = _mixture(rng, missing, ((18, 40, .4), (40, 65, .3), (65, 95, .3)))
        for name in ("kind", "n_adults", "n_grand", "n_sharers", "n_children", "age1"):
            setattr(hh, name, np.concatenate([getattr(hh, name), getattr(extra, name)]))
    return hh


class _Builder:
    """Builds the Population in steps that share the generator and arrays."""

    def __init__(self, rng: np.random.Generator, people: int, as_of: np.datetime64,
                 config: SynthConfig) -> None:
        self.rng, self.as_of, self.config = rng, as_of, config
        self.hh = _fit_to_size(rng, people)
        h = len(self.hh.kind)
        self.start = np.concatenate([[0], np.cumsum(self.hh.size)[:-1]])
        self.household = np.repeat(np.arange(h), self.hh.size)
        pos = np.arange(people) - self.start[self.household]
        hh = self.hh
        bounds = np.stack([hh.n_adults, hh.n_adults + hh.n_grand,
                           hh.n_adults + hh.n_grand + hh.n_sharers], axis=1)[self.household]
        self.role = np.select(
            [pos < bounds[:, 0], pos < bounds[:, 1], pos < bounds[:, 2]],
            [np.where(pos == 0, ADULT1, ADULT2), GRANDPARENT, SHARER], CHILD)
        self.pos = pos
        self.rels: list[tuple[np.ndarray, np.ndarray, str, np.ndarray, np.ndarray]] = []

    # -- ages, sexes, origins ------------------------------------------------------------
    def people(self) -> None:
        rng, hh, household, role = self.rng, self.hh, self.household, self.role
        n = len(household)
        age1 = hh.age1[household]
        age = np.empty(n)
        a1 = role == ADULT1
        age[a1] = age1[a1]
        a2 = role == ADULT2
        age[a2] = np.clip(age1[a2] + rng.normal(2, 4, a2.sum()), 18, 99)
        g = role == GRANDPARENT
        age[g] = np.clip(age1[g] + rng.uniform(20, 34, g.sum()), 40, 102)
        s = role == SHARER
        age[s] = rng.uniform(18, 40, s.sum())
        c = role == CHILD
        # A child is born when the first adult is 17 or older; one household in eight has a
        # grown-up child (18 to 24) still at home.
        older = rng.random(len(hh.kind)) < 0.12
        max_age = np.minimum(np.where(older, 24.9, 17.99), np.maximum(hh.age1 - 17.5, 0.1))
        age[c] = self._child_ages(max_age)
        self.age = age
        self.dob = self.as_of - (age * YEAR_DAYS).astype(int) * DAY
        # Mothers lead family households; adults alone and sharers are of either sex.
        female_first = np.select([np.isin(hh.kind, (COUPLE_KIDS, BLENDED)),
                                  hh.kind == SINGLE_PARENT], [0.97, 0.9], 0.5)
        sex = (rng.random(n) >= female_first[household]).astype(np.int8)
        same_sex = rng.random(len(hh.kind)) < 0.03
        partner_sex = sex[self.start[household[a2]]]
        sex[a2] = np.where(same_sex[household[a2]], partner_sex, 1 - partner_sex)
        sex[g | s | c] = rng.integers(0, 2, (g | s | c).sum())
        self.sex = sex
        shares = np.array(list(ORIGIN_SHARES.values()))
        hh_origin = rng.choice(len(ORIGINS), size=len(hh.kind), p=shares / shares.sum())
        origin = hh_origin[household]
        mixed = a2 & (rng.random(n) < 0.12)
        origin[mixed] = rng.choice(len(ORIGINS), size=mixed.sum(), p=shares / shares.sum())
        self.origin = origin

    def _child_ages(self, max_age: np.ndarray) -> np.ndarray:
        """Children's ages: births a year or more apart (`twin_rate` twins), the eldest
        under max_age."""
        rng, hh = self.rng, self.hh
        c = np.flatnonzero(self.role == CHILD)
        hc = self.household[c]
        k = self.pos[c] - (hh.n_adults + hh.n_grand + hh.n_sharers)[hc]
        gap = np.where(rng.random(len(c)) < self.config.twin_rate, 0.0,
                       1.0 + rng.exponential(1.5, len(c)))
        gap[k == 0] = 0.0
        cumulative = np.cumsum(gap)
        cumulative -= cumulative[np.flatnonzero(k == 0)][np.cumsum(k == 0) - 1]
        span = np.zeros(len(hh.kind))
        np.maximum.at(span, hc, cumulative)
        room = max_age > span
        eldest = np.where(room, span + rng.random(len(hh.kind)) ** 0.7 * (max_age - span),
                          max_age)
        scale = np.where(room, 1.0, max_age / np.maximum(span, 1e-9))
        return eldest[hc] - cumulative * scale[hc]  # type: ignore[no-any-return]

    # -- names ---------------------------------------------------------------------------
    def names(self) -> None:
        rng, n = self.rng, len(self.household)
        pools = origin_pools()
        first = np.empty(n, dtype=object)
        middle = np.full(n, None, dtype=object)
        birth_surname = np.empty(n, dtype=object)
        middle_rate = {"english": .75, "welsh": .75, "irish": .75, "caribbean": .7,
                       "nigerian": .6, "other": .6, "polish": .3, "romanian": .3,
                       "pakistani": .35, "indian": .35, "bangladeshi": .3, "somali": .0}
        for o, name in enumerate(ORIGINS):
            for sex, attr in ((FEMALE, "female"), (MALE, "male")):
                idx = np.flatnonzero((self.origin == o) & (self.sex == sex))
                pool = getattr(pools[name], attr)
                first[idx] = pool.sample(rng, len(idx))
                has_middle = idx[rng.random(len(idx)) < middle_rate[name]]
                middle[has_middle] = pool.sample(rng, len(has_middle))
                two = has_middle[rng.random(len(has_middle)) < 0.12]
                middle[two] = middle[two] + " " + pool.sample(rng, len(two))
            idx = np.flatnonzero(self.origin == o)
            birth_surname[idx] = pools[name].surnames.sample(rng, len(idx))
        # A first and middle name the same reads as an error, so redraw those middles.
        same = np.flatnonzero(first == middle)
        middle[same] = None
        self.first, self.middle, self.birth_surname = first, middle, birth_surname

    def namesakes(self) -> None:
        """Strangers who share a first name and a date of birth: a person takes those of
        the next person of their sex and age in date-of-birth order, from another
        household (drawn only when `namesake_rate` is set, so defaults stay as they were)."""
        rate = self.config.namesake_rate
        if rate <= 0:
            return
        order = np.lexsort((self.dob, self.sex))
        a, b = order[:-1], order[1:]
        years = age_on(self.dob, self.as_of)
        chosen = ((self.sex[a] == self.sex[b]) & (self.household[a] != self.household[b])
                  & (years[a] == years[b]) & (self.rng.random(len(a)) < rate))
        # A person whose own details were just taken keeps them (no chains).
        chosen &= ~np.concatenate([[False], chosen[:-1]])
        a, b = a[chosen], b[chosen]
        self.first[b], self.dob[b], self.age[b] = self.first[a], self.dob[a], self.age[a]
        self.middle[b[self.middle[b] == self.first[b]]] = None

    def same_name_parents(self) -> None:
        """Children named after their parent of the same sex (`same_name_parent_rate` of
        those who have one; drawn only when set)."""
        rate = self.config.same_name_parent_rate
        if rate <= 0:
            return
        parent = np.concatenate([p1 for p1, _, kind, _, _ in self.rels if kind == "parent"])
        child = np.concatenate([p2 for _, p2, kind, _, _ in self.rels if kind == "parent"])
        same_sex = self.sex[parent] == self.sex[child]
        children, first = np.unique(child[same_sex], return_index=True)
        parents = parent[same_sex][first]
        chosen = self.rng.random(len(children)) < rate
        children, parents = children[chosen], parents[chosen]
        self.first[children] = self.first[parents]
        self.middle[children[self.middle[children] == self.first[children]]] = None

    # -- families ------------------------------------------------------------------------
    def families(self) -> None:
        """Partners, parents, step-parents, siblings; and the surnames they lead to."""
        rng, hh, start, household, role = self.rng, self.hh, self.start, self.household, self.role
        h = len(hh.kind)
        n = len(household)
        surname = self.birth_surname.copy()
        prev_surname = np.full(n, None, dtype=object)
        has_a2 = hh.n_adults >= 2
        a1 = start
        a2 = start + 1
        # When the couple got together: before the eldest child, except in blended families.
        eldest = np.full(h, self.as_of, dtype="datetime64[D]")
        c = np.flatnonzero(role == CHILD)
        np.minimum.at(eldest, household[c], self.dob[c])
        adult_since = self.dob[a1] + (18 * YEAR_DAYS * DAY).astype("timedelta64[D]")
        together: np.ndarray = eldest - (rng.exponential(3, h) * YEAR_DAYS).astype(int) * DAY
        together = np.maximum(together, adult_since)
        blended_from = self.as_of - (rng.uniform(0.5, 9, h) * YEAR_DAYS).astype(int) * DAY
        blended_from = np.clip(blended_from, eldest + 200 * DAY, self.as_of - 30 * DAY)
        together = np.where(hh.kind == BLENDED, blended_from, together).astype(
            "datetime64[D]")
        couple = np.flatnonzero(has_a2)
        self._rel(a1[couple], a2[couple], "partner", together[couple])
        married = couple[rng.random(len(couple)) < np.where(hh.kind[couple] == BLENDED, .4, .6)]
        married = married[(self.sex[a1[married]] == FEMALE) & (self.sex[a2[married]] == MALE)]
        prev_surname[a1[married]] = surname[a1[married]]
        surname[a1[married]] = surname[a2[married]]

        # Children: parent links to the first adult; the second adult is parent or, for
        # children born before a blended family formed, step-parent.
        ch = c
        hc = household[ch]
        kinship = hh.n_adults[hc] == 0
        parented = ch[~kinship]
        self._rel(a1[household[parented]], parented, "parent", self.dob[parented])
        with_a2 = parented[has_a2[household[parented]]]
        step = (hh.kind[household[with_a2]] == BLENDED) & (self.dob[with_a2] < together[
            household[with_a2]])
        self._rel(a2[household[with_a2[~step]]], with_a2[~step], "parent", self.dob[with_a2[~step]])
        self._rel(a2[household[with_a2[step]]], with_a2[step], "step-parent",
                  together[household[with_a2[step]]])
        # Grandparents: parents of the first adult, household members (or carers) of children.
        g = np.flatnonzero(role == GRANDPARENT)
        gh = household[g]
        parent_of_a1 = g[hh.n_adults[gh] > 0]
        self._rel(parent_of_a1, a1[household[parent_of_a1]], "parent",
                  self.dob[a1[household[parent_of_a1]]])
        surname[g] = np.where(hh.n_adults[gh] > 0, self.birth_surname[a1[gh]], surname[g])
        first_grand = start[gh] + hh.n_adults[gh]
        surname[g] = np.where(g != first_grand, surname[first_grand], surname[g])
        grand_pairs = self._pairs_within(g, ch)
        kin = hh.n_adults[household[grand_pairs[1]]] == 0
        self._rel(grand_pairs[0][kin], grand_pairs[1][kin], "carer",
                  self.dob[grand_pairs[1][kin]])
        self._rel(grand_pairs[0][~kin], grand_pairs[1][~kin], "household-member",
                  self.dob[grand_pairs[1][~kin]])
        # Siblings and sharers.
        sib = self._pairs_within(ch, ch, ordered=False)
        self._rel(sib[0], sib[1], "sibling", np.maximum(self.dob[sib[0]], self.dob[sib[1]]))
        sh = np.flatnonzero(role == SHARER)
        mates = self._pairs_within(sh, sh, ordered=False)
        moved = self.as_of - (rng.exponential(2, len(mates[0])) * YEAR_DAYS).astype(int) * DAY
        self._rel(mates[0], mates[1], "household-member", moved)

        # Children's surnames: the father's when parents married, otherwise either parent's
        # or both (double-barrelled); a blended family's older children keep theirs, and some
        # took their step-parent's.
        father = np.where(has_a2[hc], surname[a2[hc]], None)
        mother = self.birth_surname[a1[hc]]
        draw = rng.random(len(ch))
        is_married = np.isin(hc, married)
        child_surname = np.where(is_married | (draw < 0.7), father, mother)
        barrel = ~is_married & (draw > 0.9) & (father != None)  # noqa: E711
        child_surname[barrel] = mother[barrel] + "-" + father[barrel]
        child_surname = np.where(child_surname == None, mother, child_surname)  # noqa: E711
        child_surname = np.where(kinship, surname[start[hc] + hh.n_adults[hc]], child_surname)
        separated = np.isin(hh.kind[hc], (SINGLE_PARENT,)) | (
            (hh.kind[hc] == BLENDED) & (self.dob[ch] < together[hc]))
        child_surname[separated] = mother[separated]
        surname[ch] = child_surname
        # Half of separated children carry their absent father's surname (set once he is
        # known; an unknown father's surname is drawn from the mother's origin).
        self.fathers_name = ch[separated & (rng.random(len(ch)) < 0.5)]
        took_step = separated & (hh.kind[hc] == BLENDED) & (rng.random(len(ch)) < 0.25)
        prev_surname[ch[took_step]] = surname[ch[took_step]]
        surname[ch[took_step]] = surname[a2[hc[took_step]]]
        self.separated_children = ch[separated]
        polish_women = (self.origin == ORIGINS.index("polish")) & (self.sex == FEMALE)
        surname[polish_women] = [polish_feminine(s) for s in surname[polish_women]]
        self.surname, self.prev_surname = surname, prev_surname
        self.together = together

    def _pairs_within(self, left: np.ndarray, right: np.ndarray,
                      ordered: bool = True) -> tuple[np.ndarray, np.ndarray]:
        """All (l, r) with l in `left`, r in `right`, in the same household (l < r if unordered)."""
        sizes = self.hh.size
        out_l, out_r = [], []
        # Households are small, so loop over offsets within a household instead of people.
        right_set = np.zeros(len(self.household), dtype=bool)
        right_set[right] = True
        for offset in range(1 - sizes.max(), sizes.max()):
            if offset == 0 or (not ordered and offset < 0):
                continue
            r = left + offset
            ok = (r >= 0) & (r < len(self.household))
            ok[ok] &= self.household[r[ok]] == self.household[left[ok]]
            ok[ok] &= right_set[r[ok]]
            out_l.append(left[ok])
            out_r.append(r[ok])
        return np.concatenate(out_l), np.concatenate(out_r)

    def _rel(self, p1: np.ndarray, p2: np.ndarray, kind: str, start: np.ndarray,
             end: np.ndarray | None = None) -> None:
        if end is None:
            end = np.full(len(p1), np.datetime64("NaT"), dtype="datetime64[D]")
        self.rels.append((np.asarray(p1), np.asarray(p2), kind, np.asarray(start), end))

    # -- absent parents, non-resident partners --------------------------------------------
    def absent_parents(self) -> None:
        """Link separated children to a father living alone or with a new partner elsewhere."""
        rng, hh = self.rng, self.hh
        ch = self.separated_children
        hc = self.household[ch]
        mothers = self.start[hc]
        # One absent parent per family (household, and for blended, the older children).
        families, first_child = np.unique(hc, return_index=True)
        known = rng.random(len(families)) < 0.8
        families, first_child = families[known], first_child[known]
        want_sex = 1 - self.sex[mothers[first_child]]
        want_age = self.age[mothers[first_child]] + rng.normal(2, 4, len(families))
        pool = np.flatnonzero(np.isin(hh.kind[self.household], (ALONE, COUPLE))
                              & (self.role <= ADULT2) & (self.age > 20) & (self.age < 70))
        chosen = np.full(len(families), -1)
        for sex in (FEMALE, MALE):
            cand = pool[self.sex[pool] == sex]
            cand = cand[np.argsort(self.age[cand], kind="stable")]
            want = np.flatnonzero(want_sex == sex)
            at = np.searchsorted(self.age[cand], want_age[want])
            at = np.clip(at + rng.integers(-3, 4, len(want)), 0, len(cand) - 1)
            chosen[want] = cand[at]
        father_of = dict(zip(families.tolist(), chosen.tolist(), strict=True))
        fam_of_child = np.array([father_of.get(h, -1) for h in hc.tolist()])
        linked = fam_of_child >= 0
        # A child named after the absent parent carries that parent's surname.
        named = np.isin(ch, self.fathers_name)
        take = linked & named & (self.sex[fam_of_child.clip(0)] == MALE)
        self.surname[ch[take]] = self.surname[fam_of_child[take]]
        unknown = np.flatnonzero(named & ~take)
        self.surname[ch[unknown]] = origin_pools()["english"].surnames.sample(rng, len(unknown))
        self._rel(fam_of_child[linked], ch[linked], "parent", self.dob[ch[linked]])
        separated_on = (self.dob[ch[linked]] + (rng.uniform(0.2, 6, linked.sum()) * YEAR_DAYS)
                        .astype(int) * DAY)
        separated_on = np.minimum(separated_on, self.as_of - 60 * DAY)
        fam_first = np.unique(np.stack([mothers[linked], fam_of_child[linked]]), axis=1,
                              return_index=True)[1]
        self._rel(mothers[linked][fam_first], fam_of_child[linked][fam_first], "ex-partner",
                  separated_on[fam_first])
        self.child_father = np.stack([ch[linked], fam_of_child[linked]])
        # A single parent's new partner who lives elsewhere (a "parent's partner").
        singles = np.flatnonzero((hh.kind == SINGLE_PARENT) & (rng.random(len(hh.kind)) < 0.15))
        mum = self.start[singles]
        alone = np.flatnonzero((hh.kind[self.household] == ALONE) & (self.age > 19)
                               & (self.age < 60))
        alone = alone[self.sex[alone] == MALE]
        partner = alone[rng.integers(0, len(alone), len(singles))] if len(alone) else mum[:0]
        since = self.as_of - (rng.uniform(0.1, 3, len(partner)) * YEAR_DAYS).astype(int) * DAY
        self._rel(mum[: len(partner)], partner, "partner", since)

    # -- addresses over time ---------------------------------------------------------------
    def residences(self) -> None:
        rng, hh, household, role = self.rng, self.hh, self.household, self.role
        h, n = len(hh.kind), len(household)
        years_here = rng.exponential(8, h)
        max_years = np.maximum(self.age[self.start] - 18, 0.1)
        hh_from = self.as_of - (np.minimum(years_here, max_years) * YEAR_DAYS).astype(int) * DAY
        # Everyone present has lived here since the household moved in, or since birth;
        # a blended family's second adult since the couple got together.
        cur_from = np.maximum(hh_from[household], self.dob)
        joined = (role == ADULT2) & (hh.kind[household] == BLENDED)
        cur_from[joined] = np.maximum(cur_from[joined], self.together[household[joined]])
        # Who lived elsewhere before, within the last 12 years: the household's old home,
        # or (for a blended family's second adult) a home of their own.
        moved = (cur_from > self.dob) & (cur_from > self.as_of - int(12 * YEAR_DAYS) * DAY)
        n_prev_hh = h + int(joined.sum())
        addresses = make_addresses(rng, h + n_prev_hh + 16)
        order = rng.permutation(len(addresses))
        current_address = order[:h]
        old_home = order[h: 2 * h]
        prev_address = old_home[household].copy()
        prev_household = household.copy()
        own = np.flatnonzero(joined)
        prev_address[own] = order[2 * h: 2 * h + len(own)]
        prev_household[own] = h + np.arange(len(own))  # their earlier household of one
        # Children of separated parents: some lived with their father before.
        kids, fathers = self.child_father
        with_dad = rng.random(len(kids)) < 0.25
        kids, fathers = kids[with_dad], fathers[with_dad]
        prev_address[kids] = current_address[household[fathers]]
        prev_household[kids] = household[fathers]
        cur_from[kids] = np.maximum(self.dob[kids] + 90 * DAY, self.as_of - (
            rng.uniform(0.1, 5, len(kids)) * YEAR_DAYS).astype(int) * DAY)
        moved[kids] = cur_from[kids] > self.dob[kids]
        prev_from = np.maximum(self.dob, cur_from - (rng.exponential(5, n) * YEAR_DAYS + 30)
                               .astype(int) * DAY)
        p = np.flatnonzero(moved)
        self.res = (
            np.concatenate([np.arange(n), p]),
            np.concatenate([household, prev_household[p]]),
            np.concatenate([current_address[household], prev_address[p]]),
            np.concatenate([cur_from, prev_from[p]]),
            np.concatenate([np.full(n, np.datetime64("NaT"), dtype="datetime64[D]"),
                            cur_from[p]]),
        )
        self.addresses = addresses

    def build(self) -> Population:
        self.people()
        self.names()
        self.namesakes()
        self.families()
        self.absent_parents()
        self.same_name_parents()
        self.residences()
        p1, p2, kinds, starts, ends = zip(*self.rels, strict=True)
        rel_type = np.concatenate([np.full(len(a), k, dtype=object)
                                   for a, k in zip(p1, kinds, strict=True)])
        return Population(
            as_of=self.as_of, sex=self.sex, dob=self.dob, origin=self.origin,
            first=self.first, middle=self.middle, surname=self.surname,
            prev_surname=self.prev_surname, household=self.household, role=self.role,
            household_type=self.hh.kind, addresses=self.addresses,
            res_person=self.res[0], res_household=self.res[1], res_address=self.res[2],
            res_from=self.res[3], res_to=self.res[4],
            rel_p1=np.concatenate(p1), rel_p2=np.concatenate(p2), rel_type=rel_type,
            rel_from=np.concatenate(starts).astype("datetime64[D]"),
            rel_to=np.concatenate(ends).astype("datetime64[D]"),
        )


def make_population(rng: np.random.Generator, people: int, as_of: np.datetime64,
                    config: SynthConfig | None = None) -> Population:
    """A borough of exactly `people` persons living in households, as on `as_of` (a day),
    shaped by the population settings of `config` (twins, namesakes)."""
    return _Builder(rng, people, as_of, config or SynthConfig()).build()
