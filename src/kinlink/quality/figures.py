"""Data-quality figures: what the checks found, counted the ways a page charts them."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from kinlink.ingest.status import TableStatus
from kinlink.quality.findings import SEVERITIES, StoredFinding


@dataclass(frozen=True)
class QualityFigures:
    """Findings counted by agency, rule and severity, and each agency's records and
    quarantined rows from its latest ingests."""

    findings: int
    by_agency: list[tuple[str, int]]
    by_rule: list[tuple[str, int]]
    by_severity: list[tuple[str, int]]
    records: list[tuple[str, int]]  # agency -> people records held
    quarantined: list[tuple[str, int]]  # agency -> rows its latest ingests refused


def quality_figures(findings: Iterable[StoredFinding],
                    tables: Sequence[TableStatus]) -> QualityFigures:
    """Count the findings and the ingest status into the figures of the quality page."""
    found = list(findings)
    severities = Counter(f.severity for f in found)
    records: Counter[str] = Counter()
    quarantined: Counter[str] = Counter()
    for table in tables:
        quarantined[table.agency] += table.quarantined
        if table.table == "people":
            records[table.agency] += table.current_rows
    return QualityFigures(
        findings=len(found),
        by_agency=Counter(f.agency for f in found).most_common(),
        by_rule=Counter(f.rule for f in found).most_common(),
        by_severity=[(s, severities[s]) for s in reversed(SEVERITIES) if severities[s]],
        records=sorted(records.items()),
        quarantined=sorted(quarantined.items()),
    )
