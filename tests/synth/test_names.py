"""Name pools and the variants errors draw on."""

from __future__ import annotations

import numpy as np

from kinlink.synth.names import (
    ORIGINS,
    nicknames,
    origin_pools,
    phonetic_variants,
    polish_feminine,
    transliteration_variants,
)


def test_every_origin_has_sizeable_pools_with_frequencies() -> None:
    pools = origin_pools()
    assert set(pools) == set(ORIGINS)
    for name in ORIGINS:
        for pool in (pools[name].female, pools[name].male, pools[name].surnames):
            assert len(pool.names) >= 15
            assert abs(pool.p.sum() - 1) < 1e-9
    english = pools["english"].male.sample(np.random.default_rng(1), 5000)
    # Frequencies, not a flat list: the commonest name is far commoner than the median.
    _, counts = np.unique(english, return_counts=True)
    assert counts.max() > 5 * np.median(counts)


def test_variants_in_real_use() -> None:
    assert "Steven" in phonetic_variants("Stephen")
    assert "Katelyn" in phonetic_variants("Caitlin")
    assert "Muhammad" in transliteration_variants("Mohammed")
    assert "Michal" in transliteration_variants("Michał")
    assert "ONeill" in transliteration_variants("O'Neill")
    assert "Bill" in nicknames("William")
    assert polish_feminine("Kowalski") == "Kowalska"
