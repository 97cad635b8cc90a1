"""Kinlink: links multi-agency records into persons and each child's network.

The public surface is small; the work lives in the domain modules
(`ingest`, `linkage`, `network`, `timeliness`, ...).
"""

from kinlink.config import Settings, get_settings
from kinlink.errors import KinlinkError

__all__ = ["KinlinkError", "Settings", "get_settings"]
__version__ = "0.1.0"
