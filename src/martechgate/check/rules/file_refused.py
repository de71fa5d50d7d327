"""file-refused: catalog files are ordinary text files inside the repository, of modest size.

Refused without reading: a symlink that leads outside the repository, a file over 1 MiB, a binary
file (with NUL bytes), a device, pipe or submodule.

Passes: ``catalog/canva.yaml``, a 2 KB text file.

Fails: ``catalog/canva.yaml -> /etc/passwd`` (a link out of the repository).
"""

from __future__ import annotations

from collections.abc import Iterator

from martechgate.check.catalog import Catalog
from martechgate.check.model import Entry, Finding

ID = "file-refused"
TITLE = "Catalog files are plain text files inside the repository"
SEVERITY = "high"
ENFORCEMENT = "hard"
SCOPE = "entry"
REMEDIATION = "Replace it with an ordinary YAML text file of the entry, committed in catalog/."


def check_entry(catalog: Catalog, entry: Entry) -> Iterator[Finding]:
    yield from catalog.load_problems(ID, entry)
