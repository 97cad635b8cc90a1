"""National identifiers are valid, distinct and in the synthetic range."""

from __future__ import annotations

import numpy as np

from kinlink.synth.identifiers import (
    is_valid_nhs_number,
    is_valid_pnc_id,
    is_valid_upn,
    mistype_nhs_number,
    nhs_numbers,
    pnc_ids,
    upns,
)


def test_nhs_numbers_are_valid_distinct_and_unissued() -> None:
    numbers = nhs_numbers(np.random.default_rng(3), 20_000)
    assert len(set(numbers.tolist())) == 20_000
    assert all(is_valid_nhs_number(n) and n.startswith("9") for n in numbers[:2000])


def test_known_nhs_number_check() -> None:
    assert is_valid_nhs_number("9434765919")  # the NHS's published example
    assert not is_valid_nhs_number("9434765918")


def test_mistyped_nhs_number_differs_and_says_whether_it_checks() -> None:
    rng = np.random.default_rng(5)
    for number in nhs_numbers(rng, 200).tolist():
        new, valid = mistype_nhs_number(number, rng)
        assert new != number and new.startswith("9")
        assert valid == is_valid_nhs_number(new)


def test_upns_and_pnc_ids_pass_their_checks() -> None:
    u = upns(990, np.array([1001, 1047]), np.array([2015, 2020]), np.array([0, 999]))
    assert [len(x) for x in u] == [13, 13] and all(is_valid_upn(x) for x in u)
    assert not is_valid_upn("A" + u[0][1:]) or u[0][0] == "A"
    p = pnc_ids(np.array([1999, 2021]), np.array([1, 9_999_999]))
    assert all(is_valid_pnc_id(x) for x in p)
    assert not is_valid_pnc_id(p[0][:-1] + ("A" if p[0][-1] != "A" else "B"))
