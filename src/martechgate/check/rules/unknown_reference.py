"""unknown-reference: every tool an entry names exists in the catalog, and its category exists.

Checked: `integrations[].target`, `alternative`, and `category` (one of martechgate.yaml's categories).

Passes::

    category: email
    integrations:
      - {target: salesforce-sales-cloud, direction: outbound}

Fails (no catalog/salesforce.yaml; no category "emails")::

    category: emails
    integrations:
      - {target: salesforce, direction: outbound}
"""

from __future__ import annotations

import difflib
import functools
from collections.abc import Iterator

from martechgate.check.catalog import Catalog
from martechgate.check.model import Finding

ID = "unknown-reference"
TITLE = "Referenced tools and categories exist"
SEVERITY = "high"
ENFORCEMENT = "hard"
SCOPE = "catalog"
REMEDIATION = (
    "Use the id of a tool in catalog/ (the file name without .yaml) and a category listed in "
    "martechgate.yaml; add the missing tool's entry first if it is new."
)


@functools.lru_cache(maxsize=4096)  # an audit judges the same dangling reference at every commit
def _suggest(name: str, known: tuple[str, ...]) -> str:
    close = difflib.get_close_matches(name, known, n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


def check(catalog: Catalog) -> Iterator[Finding]:
    ids = tuple(sorted(catalog.by_id))
    categories = tuple(catalog.organization.categories)
    for entry in catalog.valid:
        data = entry.data
        assert data is not None
        category = data["category"]
        if category not in categories:
            yield catalog.finding(
                ID,
                entry,
                ("category",),
                f"the category {category!r} is not one of the organisation's categories"
                f"{_suggest(category, categories)}: {', '.join(categories)}",
            )
        for index, integration in enumerate(data.get("integrations") or []):
            target = integration["target"]
            if target not in catalog.by_id:
                yield catalog.finding(
                    ID,
                    entry,
                    ("integrations", index, "target"),
                    f"integrations[{index}] connects to {target!r}, which is not in the catalog{_suggest(target, ids)}",
                )
        alternative = data.get("alternative")
        if isinstance(alternative, str) and alternative not in catalog.by_id:
            yield catalog.finding(
                ID,
                entry,
                ("alternative",),
                f"the alternative {alternative!r} is not in the catalog{_suggest(alternative, ids)}",
            )
