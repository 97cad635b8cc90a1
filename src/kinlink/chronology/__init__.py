"""Each child's multi-agency chronology: every dated event about the child and the adults
near them, in order, each with its agency and record.

The work lives in the modules: `model` (typed records), `sources` (rows on records),
`events` (building a chronology), `render` (table, CSV, HTML, PDF).
"""

from kinlink.chronology.events import build_chronology
from kinlink.chronology.model import About, Chronology, Event, EventKind, Filters, Subject

__all__ = ["About", "Chronology", "Event", "EventKind", "Filters", "Subject",
           "build_chronology"]
