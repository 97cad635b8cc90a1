"""The application core: one object through which the CLI and the web app reach every
capability, each call authorised and written to the audit log at one gate.

    from kinlink.core import Actor, Kinlink, Role

    kl = Kinlink.open(settings)
    actor = Actor(username="asmith", role=Role.SOCIAL_WORKER, agency="socialcare")
    view = kl.network.child(actor, "P0000001")

See docs/architecture.md ("The core", "Where a new capability goes").
"""

from kinlink.clock import Clock, FixedClock, SystemClock
from kinlink.core.actors import Actor, Role
from kinlink.core.app import Kinlink, ProgressCallback
from kinlink.core.capability import Capability
from kinlink.core.permissions import Action, Kind, Resource, allowed
from kinlink.errors import Forbidden, ReasonRequired

__all__ = [
    "Action", "Actor", "Capability", "Clock", "FixedClock", "Forbidden", "Kind", "Kinlink",
    "ProgressCallback", "ReasonRequired", "Resource", "Role", "SystemClock", "allowed",
]
