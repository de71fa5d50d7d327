"""entry-deleted: a change does not delete a catalog file; a tool leaves the catalog by retiring.

The catalog is the record auditors read: who approved a tool, what data it held, when it went. A
deleted file takes that record out of the current catalog (and breaks the tools that integrate with
it), so a tool that is no longer used stays, with `status: retired`. Only a diff-aware check
(`martechgate check --base REF`) sees deletions; a renamed file is not a deletion.

Passes (the file stays, the tool is retired)::

    # catalog/hootsuite.yaml
    status: retired
    alternative: sprout-social

Fails::

    $ git rm catalog/hootsuite.yaml
"""

from __future__ import annotations

from collections.abc import Iterator

from martechgate.check.catalog import Catalog
from martechgate.check.model import Finding

ID = "entry-deleted"
TITLE = "Catalog entries are retired, never deleted"
SEVERITY = "high"
ENFORCEMENT = "hard"
SCOPE = "catalog"  # it reads the change (catalog.deleted), not one entry
REMEDIATION = (
    "Restore the file and set `status: retired` (with `alternative:` naming the tool that "
    "replaces it, if any), so the record of the tool stays in the catalog."
)


def check(catalog: Catalog) -> Iterator[Finding]:
    for file, entry_id in sorted(catalog.deleted.items()):
        # A deleted file has no line to point at: the finding is on the file itself.
        yield Finding(
            rule=ID,
            entry=entry_id,
            file=file,
            line=None,
            column=None,
            path=None,
            severity=SEVERITY,
            enforcement=ENFORCEMENT,
            message=f"this change deletes {file} ({entry_id}); retire the tool instead of deleting its record",
            remediation=REMEDIATION,
        )
