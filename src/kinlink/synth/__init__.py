"""The synthetic borough: realistic multi-agency extracts with the truth behind them.

    from kinlink.synth import generate
    summary = generate(Path("borough"), people=10_000, seed=1)

writes `borough/<agency>/<table>.csv` for police, social-care, health and education in the
agency extract format, and `borough/truth/` (see docs/synthetic-data.md).
"""

from kinlink.synth.config import ERROR_KINDS, AgencyConfig, SynthConfig, load_config
from kinlink.synth.generate import SynthSummary, generate
from kinlink.synth.risk import ADULT_RISK_MARKERS

__all__ = [
    "ADULT_RISK_MARKERS", "ERROR_KINDS", "AgencyConfig", "SynthConfig", "SynthSummary",
    "generate", "load_config",
]
