"""data-flow-clearance: data only flows into tools cleared to hold it.

A tool is cleared for a data category when its own entry lists it under `data.categories` (and so
passed the policies for it). An integration that sends a category into a tool not cleared for it
moves personal data around the review. `outbound` sends to the target, `inbound` receives from it,
`bidirectional` both.

Passes (salesforce-sales-cloud lists contact-pii in its data.categories)::

    integrations:
      - {target: salesforce-sales-cloud, direction: outbound, data: [contact-pii]}

Fails (google-analytics-4 lists only behavioral)::

    integrations:
      - {target: google-analytics-4, direction: outbound, data: [contact-pii]}
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator

from martechgate.check.catalog import Catalog
from martechgate.check.model import Finding

ID = "data-flow-clearance"
TITLE = "Integrations send data only into tools cleared for it"
SEVERITY = "high"
ENFORCEMENT = "soft"
SCOPE = "catalog"
REMEDIATION = (
    "Stop sending that data (remove it from the integration's data list), or have the receiving "
    "tool's entry list the category under data.categories so its owners and reviewers clear it."
)


def _cleared(catalog: Catalog, tool_id: str) -> set[str] | None:
    entries = catalog.by_id.get(tool_id)
    if not entries:
        return None  # unknown-reference reports it
    categories = (entries[0].data or {}).get("data")
    values = categories.get("categories") if isinstance(categories, dict) else None
    return {c for c in values if isinstance(c, str)} if isinstance(values, list) else set()


def uncleared(
    catalog: Catalog, own: Collection[str], target: str, direction: str, sent: Iterable[str]
) -> list[tuple[str, list[str]]]:
    """How one integration moves data into a tool not cleared for it: ("outbound", categories the
    target does not hold) and/or ("inbound", categories the integrating tool, holding `own`, does not).
    Empty for an unknown target (unknown-reference reports it). Also used by `martechgate graph`."""
    sent = [c for c in sent if c != "none"]
    target_cleared = _cleared(catalog, target)
    if target_cleared is None or not sent:
        return []
    flows = []
    if direction in ("outbound", "bidirectional"):
        missing = [c for c in sent if c not in target_cleared]
        if missing:
            flows.append(("outbound", missing))
    if direction in ("inbound", "bidirectional"):
        missing = [c for c in sent if c not in own]
        if missing:
            flows.append(("inbound", missing))
    return flows


def check(catalog: Catalog) -> Iterator[Finding]:
    for entry in catalog.valid:
        data = entry.data
        assert data is not None
        own = set(data["data"]["categories"])
        for index, integration in enumerate(data.get("integrations") or []):
            target = integration["target"]
            for way, missing in uncleared(
                catalog, own, target, integration["direction"], integration.get("data") or []
            ):
                if way == "outbound":
                    message = (
                        f"sends {', '.join(missing)} to {target}, which is not cleared "
                        "for it (not in its data.categories)"
                    )
                else:
                    message = (
                        f"receives {', '.join(missing)} from {target}, but {entry.id} is "
                        "not cleared for it (not in its own data.categories)"
                    )
                yield catalog.finding(ID, entry, ("integrations", index, "data"), message)
