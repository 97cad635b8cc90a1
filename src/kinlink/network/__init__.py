"""Each child's network of adults and risks, and the alerts that point at hidden risk.

The public surface; the work lives in the modules: `graph` (build and store the person
graph), `edges` (kinds of edge), `view` (one child's network), `risk` (scores), `detect`
and `alerts` (alerts and their history), `export` (CSV), `picture` (drawing).
"""

from kinlink.network.alerts import (
    Alert,
    AlertEvent,
    RecomputeSummary,
    get_alert,
    list_alerts,
    recompute_alerts,
    set_alert_status,
)
from kinlink.network.export import export_links, export_persons
from kinlink.network.graph import NetworkBuild, NetworkStatus, build_network, network_status
from kinlink.network.picture import draw_network
from kinlink.network.risk import RiskSummary, risk_summary
from kinlink.network.view import ChildNetwork, child_network, child_networks

__all__ = [
    "Alert", "AlertEvent", "ChildNetwork", "NetworkBuild", "NetworkStatus", "RecomputeSummary",
    "RiskSummary", "build_network", "child_network", "child_networks", "draw_network",
    "export_links", "export_persons", "get_alert", "list_alerts", "network_status",
    "recompute_alerts", "risk_summary", "set_alert_status",
]
