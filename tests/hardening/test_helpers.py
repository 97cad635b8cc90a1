"""One text folding, one age, one percentile, one working-day calendar for every area."""

from __future__ import annotations

import unicodedata
from datetime import date
from pathlib import Path

import numpy as np
import polars as pl
import pytest

from kinlink.address import address_words, read_address
from kinlink.dates import age_in_years
from kinlink.linkage.normalise import fold
from kinlink.network.incident_text import names_child
from kinlink.network.persons import age_on
from kinlink.percentile import nearest_rank
from kinlink.synth import generate
from kinlink.text import fold_accents
from kinlink.timeliness.calendar import WorkingCalendar
from kinlink.timeliness.stats import age_band

NAMES = {
    "Michał Żółć": "MICHAL ZOLC", "Łukasz": "LUKASZ", "Søren Ørsted": "SOREN ORSTED",
    "Zoë": "ZOE", "Straße": "STRASSE", "Þórunn Guðmundsdóttir": "THORUNN GUDMUNDSDOTTIR",
    "Æthelred": "AETHELRED", "Đorđe": "DORDE", "Nguyễn Thị Minh Khai": "NGUYEN THI MINH KHAI",
    "Şükrü Çağlar": "SUKRU CAGLAR", "İbrahim": "IBRAHIM", "José María": "JOSE MARIA",
    "François Œuvray": "FRANCOIS OEUVRAY", "Ħamrun": "HAMRUN", "Ştefan Ţurcanu": "STEFAN TURCANU",
    "O'Brien-Smith": "OBRIEN SMITH", "Иван Петров": "ИВАН ПЕТРОВ", "Йоханна": "ЙОХАННА",
    "Αλέξανδρος": "ΑΛΈΞΑΝΔΡΟΣ", "محمد": "محمد", "王小明": "王小明", "김민준": "김민준",
    "राहुल": "राहुल", "Ṭāhā": "TAHA", "Ǆemal": "DZEMAL", "ﬁona": "FIONA",
}
"""Names from many languages and scripts, and what linkage compares of them."""


@pytest.mark.parametrize(("name", "folded"), NAMES.items())
def test_folding_keeps_every_letter(name: str, folded: str) -> None:
    assert fold(name) == folded
    for char in name:
        if unicodedata.category(char).startswith("L"):
            out = fold_accents(char)
            assert out and all(unicodedata.category(c)[0] in "LM" for c in out), char


def test_every_area_folds_the_same_way() -> None:
    assert sorted(address_words("2 Rue Łódzka")) == ["2", "LODZKA", "RUE"]
    assert read_address("2 Rue Łódzka, B91 3QB") == read_address("2 Rue Lodzka, B91 3QB")
    assert names_child("Michal Nowak was seen at the address", ["Michał"], ["Nowak"], 9)


@pytest.mark.parametrize(("born", "on", "years"), [
    (date(2010, 5, 20), date(2026, 5, 19), 15), (date(2010, 5, 20), date(2026, 5, 20), 16),
    (date(2008, 2, 29), date(2026, 2, 28), 17), (date(2008, 2, 29), date(2026, 3, 1), 18),
])
def test_one_age(born: date, on: date, years: int) -> None:
    assert age_in_years(born, on) == years
    assert age_on(born.isoformat(), on) == years  # the network's partial-date reader
    assert age_band(born, on) == ("16+" if years >= 16 else "10-15")


def test_one_percentile() -> None:
    values = [5.0, 1.0, 4.0, 2.0, 3.0]
    assert [nearest_rank(values, q) for q in (0.0, 0.5, 0.9, 1.0)] == [1.0, 3.0, 5.0, 5.0]
    assert nearest_rank([], 0.5) is None


def test_the_generator_keeps_the_timeliness_calendar(tmp_path: Path) -> None:
    """Review conferences the generator moves onto working days are working days by the
    clocks' calendar (bank holidays included)."""
    generate(tmp_path, people=3000, seed=2, progress=False)
    referrals = pl.read_csv(tmp_path / "social-care" / "referrals.csv", infer_schema=False)
    held = [d for cell in referrals["review_conference_dates"].drop_nulls()
            for d in cell.split(";")]
    assert held, "the borough should hold some review conferences"
    calendar = WorkingCalendar("ENG")
    assert all(calendar.is_working_day(date.fromisoformat(d)) for d in held)
    assert np.all(np.is_busday(np.array(held, dtype="datetime64[D]"), weekmask="1111100"))
