"""`kl.network`: a child's network (read only: a stale graph is reported, not rebuilt),
the graph's state, and rebuilding it as an explicit job."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from kinlink.auth import person_restricted
from kinlink.core.actors import Actor
from kinlink.core.capability import Capability
from kinlink.core.permissions import HEALTH_AGENCIES, Action, Resource
from kinlink.core.visibility import visible_network
from kinlink.errors import KinlinkError
from kinlink.network import ChildNetwork, RecomputeSummary, child_network, recompute_alerts
from kinlink.network.graph import NetworkStatus, network_status, persons_of

GRAPH = Resource("network")


@dataclass(frozen=True)
class NetworkView:
    """A child's network as this actor may see it, and how fresh the graph behind it is."""

    network: ChildNetwork
    status: NetworkStatus


class Network(Capability):
    """Each child's network of adults and risks."""

    def child(self, actor: Actor, person_id: str, *, as_of: date | None = None,
              reason: str | None = None) -> NetworkView:
        """One person's network on a date (today by default), without rebuilding anything.

        Evidence the actor has no lawful basis for (health records for a police officer)
        is left out of what is returned. A restricted person (or one with a restricted
        record) opens only for a user granted it, and only with a reason.
        """
        on = as_of or self.clock.today()
        person = Resource("person", person_id, health=self._only_health(person_id),
                          restricted=person_restricted(self.store, person_id))
        with self.gate(actor, Action.NETWORK_VIEW, person, reason=reason,
                       detail={"as_of": on.isoformat()}):
            status = self.require_built()
            network = child_network(self.store, person_id, as_of=on)
        return NetworkView(visible_network(actor, network), status)

    def status(self, actor: Actor) -> NetworkStatus:
        """When the graph was last built and whether records changed since."""
        with self.gate(actor, Action.NETWORK_STATUS, GRAPH):
            return network_status(self.store)

    def rebuild(self, actor: Actor, *, as_of: date | None = None) -> RecomputeSummary:
        """Rebuild the graph from the current records and bring the alerts in line."""
        on = as_of or self.clock.today()
        with self.gate(actor, Action.NETWORK_REBUILD, GRAPH, detail={"as_of": on.isoformat()}):
            self.step("Building the network and finding alerts")
            return recompute_alerts(self.store, as_of=on, progress=self.shows_progress,
                                    clock=self.clock)

    def _only_health(self, person_id: str) -> bool:
        """Whether every record of the person is a health record: then the person is known
        only through health, and opening them needs a basis for health records."""
        with self.store.connect() as conn:
            row = persons_of(conn, [person_id]).get(person_id)
        agencies = set(row["agencies"].split(";")) if row else set()
        return bool(agencies) and agencies <= HEALTH_AGENCIES

    def require_built(self) -> NetworkStatus:
        """The graph's status; an error saying how to build it if it never was."""
        status = network_status(self.store)
        if status.built_at is None:
            raise KinlinkError("the network has not been built yet: run "
                               "`kinlink network rebuild` (after ingest and resolve)")
        return status
