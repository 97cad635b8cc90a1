"""The live warning reuses one matcher until the model or the index changes."""

from __future__ import annotations

from pathlib import Path

from kinlink.clock import FixedClock
from kinlink.core import Kinlink

from .conftest import ADMIN, NOW, Borough


def test_one_matcher_until_the_index_changes(borough: Borough, tmp_path: Path) -> None:
    with Kinlink.open(borough.settings, clock=FixedClock(NOW)) as kl:
        first = kl.resolution.matcher(refresh=False)[0]
        assert kl.resolution.matcher(refresh=False)[0] is first
        extract = tmp_path / "police"
        extract.mkdir()
        (extract / "people.csv").write_text(
            "record_id,first_name,surname,dob,sex,postcode\nWEB1,Zebedee,Quist,1999-09-09,M,\n")
        kl.ingest.load(ADMIN, extract, "police")
        assert kl.resolution.matcher(refresh=False)[0] is first  # not indexed yet
        kl.resolution.index(ADMIN)
        fresh = kl.resolution.matcher(refresh=False)[0]
        assert fresh is not first
        found = kl.resolution.match(ADMIN, {"first_name": "Zebedee", "surname": "Quist",
                                            "dob": "1999-09-09"}, refresh=False)
        assert [c.record_id for c in found.candidates] == ["WEB1"]
